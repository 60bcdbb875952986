"""labkit.filters: what a hand-edited query string gives, and what pager links carry back."""

from __future__ import annotations

from dataclasses import dataclass

from labkit.filters import QueryFilters, choice, flag, query_string, text, whole_number


@dataclass
class Filters(QueryFilters):
    q: str = ""
    level: str = ""
    free: bool = False
    seats: int | None = None


def test_values_are_trimmed_capped_and_unknown_ones_ignored() -> None:
    params = {"q": "  gis  ", "level": "expert", "free": "on", "seats": "12a", "long": "x" * 500}
    assert text(params, "q") == "gis" and len(text(params, "long")) == 100
    assert choice(params, "level", ("basic", "advanced")) == "" and choice({"level": "basic"}, "level", ("basic",)) == "basic"
    assert flag(params, "free") and not flag({"free": "no"}, "free")
    assert whole_number(params, "seats") is None and whole_number({"seats": "٣"}, "seats") is None
    assert whole_number({"seats": "0"}, "seats") == 0


def test_a_zero_is_a_chosen_filter_and_pager_links_keep_it() -> None:
    assert not Filters().active and Filters().query_string() == ""
    chosen = Filters(q="gis", free=True, seats=0)
    assert chosen.active
    assert chosen.query_string() == "&q=gis&free=1&seats=0"
    assert query_string(q="", free=False, seats=None) == ""
