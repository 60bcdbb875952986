"""The dashboard tells the truth: every cell of its tables is the engine's figure for that period.

The page's tables are parsed cell by cell and compared with ``Engine.figures`` for the same month
(the "per month, per module" tables) and the same year (the breakdown tables), so that a table
that shows a figure in the wrong row or column fails here, whichever the cause.
"""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

from labkit import INDICATORS, Period, PortfolioItem
from labkit.testing import RunningLab

from .conftest import module
from labkit_indicators import rules
from labkit_indicators.engine import Engine

YEAR = 2025


class Tables(HTMLParser):
    """Every ``<table>`` of a page as ``{"caption": str, "rows": [[cell text, ...], ...]}``."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th", "caption") and self.tables:
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if self._text is None or tag not in ("td", "th", "caption"):
            return
        text = " ".join("".join(self._text).split())
        if tag == "caption":
            self.tables[-1]["caption"] = text
        else:
            self.tables[-1]["rows"][-1].append(text)
        self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def tables_of(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return {table["caption"]: table["rows"] for table in parser.tables}


def shown(cell: rules.Cell | None) -> str:
    """How the page writes a figure (staff see withheld figures, with a mark in the breakdowns)."""
    return "–" if cell is None else f"{cell.value:,}"


async def feed(lab: RunningLab) -> None:
    """Modules that report in different months, so that a cell in the wrong place shows."""
    feeder_a, feeder_b = module(lab, "ifeed_a"), module(lab, "ifeed_b")
    feeder_a.ITEMS += [PortfolioItem("projects", "a1", "A1", date(YEAR, 3, 5)),
                       PortfolioItem("projects", "a2", "A2", date(YEAR, 3, 20)),
                       PortfolioItem("products", "a3", "A3", date(YEAR, 11, 2))]
    feeder_b.ITEMS += [PortfolioItem("projects", "b1", "B1", date(YEAR, 7, 1)),
                       PortfolioItem("partnerships", "b2", "B2", date(YEAR, 1, 9))]
    staff = await lab.login_as("staff")
    for period, indicator, value in (("2025-02", "participants", 12), ("2025-09", "projects", 3)):
        response = await staff.submit("/indicators/entries/", {
            "period": period, "indicator": indicator, "value": str(value), "module": "indicators",
            "kind": "workshop", "reason": "counted on paper"})
        assert response.status_code == 303


async def test_every_cell_of_the_dashboard_is_the_engines_figure(fed_lab: RunningLab) -> None:
    await feed(fed_lab)
    staff = await fed_lab.login_as("staff")
    page = await staff.get(f"/indicators/?year={YEAR}")
    assert page.status_code == 200
    tables = tables_of(page.text)
    engine = Engine.for_app(fed_lab.app)
    titles = {p.slug: p.info.title for p in fed_lab.plugins.order}
    slug_of = {title: slug for slug, title in titles.items()}
    compared, seen = 0, set()
    for name in INDICATORS:
        rows = tables[f"{rules.DEFINITIONS[name].label} per month, {YEAR}"]
        head, body = rows[0], rows[1:]
        assert head[:2] == ["Month", "Total"]
        assert set(head[2:]) <= set(slug_of), head  # each column is headed by a module's title, not its slug
        columns = [slug_of[title] for title in head[2:]]
        seen.update(columns)
        assert [row[0] for row in body] == [m.code for m in rules.months_of(YEAR)]
        for row, month in zip(body, rules.months_of(YEAR), strict=True):
            figure = (await engine.figures(month, max_age=None)).figures[name]
            assert row[1] == shown(figure.total), (name, month.code)
            for slug, text in zip(columns, row[2:], strict=True):
                assert text == shown(figure.cell("module", slug)), (name, month.code, slug)
                compared += 1
        year = (await engine.figures(Period.parse(str(YEAR)), max_age=None)).figures[name]
        breakdown = tables[rules.DEFINITIONS[name].label][1:]
        expected = [["Module", titles.get(c.member, c.member), shown(c)] for c in year.breakdowns["module"]]
        expected += [["Kind", c.member, shown(c)] for c in year.breakdowns["kind"]]
        assert [[r[0], r[1], r[2].removesuffix(" withheld")] for r in breakdown] == expected, name
    assert compared >= 4 * 12 and {"indicators", "ifeed_a", "ifeed_b"} <= seen  # every module column of every month was read

    # the months where the lab's own module counted nothing show no figure for it, not another month's
    projects = tables[f"Projects per month, {YEAR}"]
    own = projects[0].index("Indicators")
    assert [row[own] for row in projects[1:]] == ["–"] * 8 + ["3"] + ["–"] * 3


async def test_column_heads_are_the_modules_translated_titles(fed_lab: RunningLab) -> None:
    await feed(fed_lab)
    staff = await fed_lab.login_as("staff")
    page = await staff.get(f"/indicators/?year={YEAR}", headers={"Accept-Language": "pt-BR"})
    heads = next(rows[0] for caption, rows in tables_of(page.text).items() if caption.startswith("Projetos"))
    assert "Indicadores" in heads and "Feeder A" in heads and "indicators" not in heads and "ifeed_a" not in heads
