"""``labkit indicators show|export|publish|push``: the indicators from the command line."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import click
import httpx

from labkit import INDICATORS, Period, db
from labkit.cli import LabContext, fail, pass_lab, run

from labkit_indicators import exports, rules, settings
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


PUSH_PATH = "/api/v1/federation/reports"


def push_url(hub_url: str) -> str:
    """The hub's push endpoint: ``hub_url`` is the hub's address (or the endpoint itself)."""
    base = hub_url.rstrip("/")
    return base if base.endswith(PUSH_PATH) else base + PUSH_PATH


async def _push_figures(lab: LabContext, codes: str | None) -> list[PeriodFigures]:
    if codes:
        return await _figures(lab, codes)
    async with db.open_database(lab.settings, lab.plugins):
        engine = Engine(lab.settings, lab.plugins)
        return [await engine.figures(Period.parse(state.period), max_age=0) for state in await engine.published_periods()]


async def _push_document(lab: LabContext, codes: str | None) -> tuple[list[PeriodFigures], dict[str, Any]]:
    """The published figures to send and the document carrying them (with the trainings given)."""
    figures = await _push_figures(lab, codes)
    async with db.open_database(lab.settings, lab.plugins):
        trainings = await exports.trainings_given(Engine(lab.settings, lab.plugins))
    return figures, exports.document(lab.settings, figures, trainings)


def send(url: str, token: str, body: bytes, *, attempts: int = 3, timeout: float = 60.0) -> httpx.Response:
    """POST ``body`` with the member token and an ``Idempotency-Key`` derived from its hash.

    A connection error or a 5xx is retried (same key, same body: the hub applies it once).
    """
    headers = {"Content-Type": "application/json", "X-Labkit-Member-Token": token,
               "Idempotency-Key": "sha256-" + hashlib.sha256(body).hexdigest()}
    for attempt in range(1, attempts + 1):
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=timeout)
        except httpx.HTTPError as error:
            if attempt == attempts:
                raise
            reason = error
        else:
            if response.status_code < 500 or attempt == attempts:
                return response
            reason = response.status_code
        time.sleep(min(2 ** attempt, 10))
        click.echo(f"retrying after {reason}", err=True)
    raise AssertionError("unreachable")


def explain(response: httpx.Response) -> str:
    """One line saying why the hub refused a push."""
    try:
        problem = response.json()
    except ValueError:
        return f"the hub answered {response.status_code}"
    detail = problem.get("detail") or problem.get("title") or ""
    errors = problem.get("errors") or []
    first = errors[0] if errors else None
    where = f"; first problem: {first.get('field') or '(document)'}: {first.get('message')}" if first else ""
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"the hub refused the document ({response.status_code}): {detail}{where}{more}"


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
    @click.option("--format", "format_", type=click.Choice(["json", "sdmx", "csv", "datapackage"]), default="json",
                  show_default=True, help="json document, SDMX-CSV, plain CSV, or a Frictionless Data Package.")
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

    @indicators.command()
    @click.option("--period", "period", default=None,
                  help="Periods to send (YYYY, YYYY-Qn or YYYY-MM; commas for several). Default: every published period.")
    @pass_lab
    def push(lab: LabContext, period: str | None) -> None:
        """Send the lab's indicators document to its hub ([plugin.indicators] hub_url, token in
        LABKIT_PLUGIN_INDICATORS_HUB_TOKEN)."""
        own = lab.plugins.settings_of("indicators")
        hub_url = settings.hub_url(lab.settings, own)
        if not hub_url:
            fail("[plugin.indicators] hub_url is not set: write the hub's address in lab.toml "
                 "(or LABKIT_PLUGIN_INDICATORS_HUB_URL)")
        token = settings.hub_token(lab.settings, own)
        if not token:
            fail("LABKIT_PLUGIN_INDICATORS_HUB_TOKEN is not set: put the token the hub issued in the environment "
                 "or the lab's .env")
        figures, document = run(_push_document(lab, period))
        if not figures:
            fail("there is nothing to send: no period is published yet (publish one, or name it with --period)")
        body = json.dumps(document, ensure_ascii=False).encode()
        url = push_url(hub_url)
        try:
            response = send(url, token, body)
        except httpx.HTTPError as error:
            fail(f"could not reach the hub at {url}: {error.__class__.__name__}: {error}")
        if response.status_code != 200:
            fail(explain(response))
        summary = response.json()
        click.echo(f"sent {', '.join(f.period.code for f in figures)} to {url}: {summary['imported']} imported, "
                   f"{summary['updated']} updated, {summary['ignored']} ignored, {summary['removed']} removed, "
                   f"{len(summary['conflicts'])} conflict(s)")
        for conflict in summary["conflicts"]:
            click.echo(f"conflict: {conflict}")
