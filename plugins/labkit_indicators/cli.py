"""``labkit indicators show|export|publish``: the indicators from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from labkit import INDICATORS, db
from labkit.cli import LabContext, fail, pass_lab, run

from labkit_indicators import exports, rules
from labkit_indicators.engine import Engine, PeriodFigures, PublishError


def _periods(codes: str) -> list[Any]:
    periods = []
    for code in codes.split(","):
        try:
            periods.append(rules.parse_period(code))
        except rules.PeriodError:
            fail(f"{code.strip()!r} is not a period: use a year (2026), a quarter (2026-Q3) or a month (2026-09)")
    return periods


async def _figures(lab: LabContext, codes: str) -> list[PeriodFigures]:
    periods = _periods(codes)
    async with db.open_database(lab.settings, lab.plugins):
        engine = Engine(lab.settings, lab.plugins)
        return [await engine.figures(period, max_age=0) for period in periods]


def _table(figures: PeriodFigures) -> str:
    lines = [f"{figures.period.code}  {figures.status}" +
             (f"  (published {figures.published_at:%Y-%m-%d})" if figures.published_at else ""),
             f"{'indicator':<14}{'value':>10}  {'aggregation':<12}breakdown"]
    for name in INDICATORS:
        figure = figures.figures[name]
        mark = " *" if figure.total.suppressed else ""
        lines.append(f"{name:<14}{figure.value:>10}{mark:<2}{rules.DEFINITIONS[name].temporal_aggregation:<12}")
        for dimension in rules.DIMENSIONS:
            for cell in figure.breakdowns.get(dimension, []):
                star = " *" if cell.suppressed else ""
                lines.append(f"  {dimension + ':' + cell.member:<34}{cell.value:>10}{star}")
    for failure in figures.failures:
        lines.append(f"failed: {failure['module']} ({failure.get('hook', '')}): {failure['error']}")
    if any(f.total.suppressed or any(c.suppressed for cells in f.breakdowns.values() for c in cells)
           for f in figures.figures.values()):
        lines.append(f"* withheld from publication (fewer than {figures.threshold} people, or to protect such a count)")
    return "\n".join(lines)


def register(cli: click.Group) -> None:
    """Add the ``indicators`` command group to the ``labkit`` command line."""

    @cli.group()
    def indicators() -> None:
        """Compute, export and publish the lab's indicators."""

    @indicators.command()
    @click.argument("period")
    @pass_lab
    def show(lab: LabContext, period: str) -> None:
        """Show PERIOD's indicators as a table (YYYY, YYYY-Qn or YYYY-MM; commas for several)."""
        for figures in run(_figures(lab, period)):
            click.echo(_table(figures))
            click.echo()

    @indicators.command()
    @click.argument("period")
    @click.option("--format", "format_", type=click.Choice(["json", "sdmx", "datapackage"]), default="json",
                  show_default=True, help="json document, SDMX-CSV, or a Frictionless Data Package.")
    @click.option("--output", required=True, type=click.Path(dir_okay=True, path_type=Path),
                  help="File to write (for datapackage: a folder, or a file ending in .zip).")
    @pass_lab
    def export(lab: LabContext, period: str, format_: str, output: Path) -> None:
        """Export PERIOD's indicators (suppression applied, as published)."""
        if format_ != "datapackage" and output.is_dir():
            fail(f"{output} is a folder; give a file name")
        if not output.parent.is_dir():
            fail(f"folder {output.parent} does not exist")
        figures = run(_figures(lab, period))
        for path in exports.write(lab.settings, figures, format_, output):
            click.echo(f"wrote {path}")

    @indicators.command()
    @click.argument("period")
    @pass_lab
    def publish(lab: LabContext, period: str) -> None:
        """Publish PERIOD: compute it a last time and freeze its figures."""
        (target,) = _periods(period)[:1] or [None]

        async def go() -> PeriodFigures:
            async with db.open_database(lab.settings, lab.plugins):
                return await Engine(lab.settings, lab.plugins).publish(target, None)

        try:
            figures = run(go())
        except PublishError as error:
            fail(str(error))
        click.echo(f"published {figures.period.code}: " + ", ".join(
            f"{name} {figures.value(name)}" for name in INDICATORS))
