"""What the hub's pages and read-only API show: periods, regions, members and their series.

Totals of a region are computed by :mod:`labkit_federation.aggregate` (from lab-level rows, never
from a total someone sent); this module only shapes them for pages and JSON, and reads a single
lab's own figures.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count

from labkit import INDICATORS, Period
from labkit.i18n import N_

from labkit_federation.models import Member, Observation, Report

__all__ = ["AGGREGATION_LABELS", "INDICATOR_LABELS", "Count"]

INDICATOR_LABELS = {"projects": N_("Projects"), "partnerships": N_("Partnerships"),
                    "participants": N_("Participants"), "products": N_("Products")}
AGGREGATION_LABELS = {
    "sum": N_("The sum of the labs' own figures."),
    "sum-of-distinct": N_("The sum of each lab's distinct participants: a person active in two labs counts in both, "
                          "since the hub never sees who they are."),
}
_FREQUENCY_RANK = {"Q": 0, "A": 1, "M": 2}


def period_sort(code: str) -> tuple[date, int]:
    """Sort key of a period code: by end date, then quarters before years before months."""
    period = Period.parse(code)
    return period.end, -_FREQUENCY_RANK.get(period.frequency, 3)


async def known_periods() -> list[str]:
    """Every period the hub has figures or reports for, newest first."""
    from labkit_federation import aggregate

    codes = set(await aggregate.periods())  # from the regions' summary, not from every lab's rows
    codes |= set(await Report.all().distinct().values_list("period", flat=True))
    valid = []
    for code in codes:
        try:
            Period.parse(code)
        except ValueError:
            continue
        valid.append(code)
    return sorted(valid, key=period_sort, reverse=True)


def default_period(periods: list[str], today: date) -> str | None:
    """The latest period that has ended (quarters first), else the latest known one."""
    for code in periods:
        if Period.parse(code).end <= today:
            return code
    return periods[0] if periods else None


def in_region_filter(region: str, prefix: str = "") -> Q:
    """Rows whose (member's) region path is ``region`` or lies under it."""
    region = region.strip("/")
    if not region:
        return Q()
    return Q(**{f"{prefix}region_path": region}) | Q(**{f"{prefix}region_path__startswith": region + "/"})


def member_query(q: str, region: str, *, include_inactive: bool = False) -> Any:
    """Members matching a search text (name, code, municipality) inside ``region``, by name."""
    query = Member.filter(in_region_filter(region))
    if not include_inactive:
        query = query.filter(active=True)
    if q:
        query = query.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(municipality__icontains=q))
    return query.order_by("name", "code")


async def region_choices() -> list[str]:
    """Every region path of the registry and every prefix of them, sorted."""
    paths = set()
    for path in await Member.all().order_by("region_path").distinct().values_list("region_path", flat=True):
        parts = [part for part in (path or "").split("/") if part]
        for index in range(len(parts)):
            paths.add("/".join(parts[:index + 1]))
    return sorted(paths)


async def totals(period: str, region: str = "") -> list[dict[str, Any]]:
    """The four indicators of ``period`` in ``region`` (the whole hub when empty)."""
    from labkit_federation import aggregate

    return await aggregate.totals(period, region=region)


async def regions(period: str, region: str = "", depth: int | None = None) -> list[dict[str, Any]]:
    """The totals of each region below ``region`` (or at ``depth`` components). By default the
    first level that splits the labs into more than one region; empty when ``region`` has no
    sub-region (its labs are then listed one by one)."""
    from labkit_federation import aggregate

    if depth is not None:
        return await aggregate.by_region(period, region=region, depth=depth)
    level = len([part for part in region.split("/") if part]) + 1
    rows = await aggregate.by_region(period, region=region, depth=level)
    while len(rows) == 1 and level < 10 and len(rows[0]["region"].split("/")) == level:
        deeper = await aggregate.by_region(period, region=region, depth=level + 1)
        if len(deeper) == 1 and deeper[0]["region"] == rows[0]["region"]:
            break
        rows, level = deeper, level + 1
    if len(rows) == 1 and rows[0]["region"] == region.strip("/"):
        return []
    return rows


async def labs(period: str, region: str = "") -> list[dict[str, Any]]:
    """Each lab's own figures of ``period`` in ``region`` (the deepest level of the drill-down)."""
    rows = await Observation.filter(in_region_filter(region, "member__"), period=period, module="_T", kind="_T") \
        .values("member__code", "member__name", "indicator", "value", "suppressed")
    by_lab: dict[str, dict[str, Any]] = {}
    for row in rows:
        lab = by_lab.setdefault(row["member__code"], {"code": row["member__code"], "name": row["member__name"],
                                                      "values": {}, "suppressed": {}})
        lab["values"][row["indicator"]] = row["value"]
        lab["suppressed"][row["indicator"]] = row["suppressed"]
    return sorted(by_lab.values(), key=lambda lab: lab["name"].casefold())


async def history(frequency: str, region: str = "") -> dict[str, Any]:
    """Totals of every known period of ``frequency`` in ``region``, oldest first, for a chart."""
    codes = sorted((code for code in await known_periods() if Period.parse(code).frequency == frequency), key=period_sort)
    out: dict[str, Any] = {"labels": codes, "indicators": {name: [] for name in INDICATORS}}
    for code in codes:
        found = {row["indicator"]: row for row in await totals(code, region)}
        for name in INDICATORS:
            out["indicators"][name].append(found.get(name, {}).get("value"))
    return out


async def member_series(member: Member) -> dict[str, Any]:
    """A lab's own figures: every period it reported, the four indicators (totals), oldest first."""
    rows = await Observation.filter(member=member, module="_T", kind="_T").values(
        "period", "indicator", "value", "suppressed", "status")
    by_period: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = by_period.setdefault(row["period"], {"period": row["period"], "values": {}, "suppressed": {},
                                                     "status": row["status"]})
        entry["values"][row["indicator"]] = row["value"]
        entry["suppressed"][row["indicator"]] = row["suppressed"]
    ordered = sorted(by_period.values(), key=lambda entry: period_sort(entry["period"]))
    quarters = [entry for entry in ordered if Period.parse(entry["period"]).frequency == "Q"] or ordered
    return {
        "periods": ordered,
        "labels": [entry["period"] for entry in quarters],
        "indicators": {name: [entry["values"].get(name) for entry in quarters] for name in INDICATORS},
    }
