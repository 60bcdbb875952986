"""The figures' pages: the dashboard with its tables and charts, the chart data and the annual report."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from labkit import INDICATORS, Period, auth
from labkit.i18n import gettext
from labkit.web import Problem, render

from labkit_indicators import charts, rules
from labkit_indicators.engine import Engine, PeriodFigures
from labkit_indicators.models import Milestone, PeriodState, Target

DASHBOARD_MAX_AGE = 300
"""Seconds a provisional figure computed for the dashboard is reused (staff can recompute now)."""
KINDS = {**rules.PROJECT_ORIGINS, **rules.PARTNER_KINDS, **rules.PRODUCT_TYPES}


def journey(milestones: Any) -> list[dict[str, Any]]:
    """A journey as the template shows it, from Milestone rows or ``(date, text)`` pairs."""
    steps = []
    for m in milestones:
        if isinstance(m, Milestone):
            steps.append({"date": m.happened_on, "stage": m.stage, "text": m.text, "id": m.id})
        else:
            steps.append({"date": m[0], "stage": "", "text": m[1], "id": None})
    return sorted(steps, key=lambda step: step["date"])


def module_titles(request: Request) -> dict[str, str]:
    """Each loaded plugin's translated title, by slug (the heads of the per-module columns)."""
    return {p.slug: gettext(p.info.title) for p in request.app.state.plugins.order}


async def visible(request: Request, period: Period) -> PeriodFigures | None:
    """The figures a visitor may see for ``period``: published ones, or provisional for staff."""
    engine = Engine.for_app(request.app)
    if auth.has_permission(request, rules.VIEW_PROVISIONAL):
        return await engine.figures(period, max_age=DASHBOARD_MAX_AGE)
    state = await PeriodState.get_or_none(period=period.code, status="published")
    return await engine.stored(period) if state else None


def public_value(figures: PeriodFigures | None, indicator: str, staff: bool) -> int | None:
    """An indicator's total as this visitor may see it (``None``: not published or withheld)."""
    if figures is None:
        return None
    figure = figures.figures[indicator]
    if figure.total.suppressed and not staff:
        return None
    return figure.value


async def series(request: Request, year: int) -> dict[str, Any]:
    """Monthly figures of ``year`` per indicator and module, as the visitor may see them."""
    staff = auth.has_permission(request, rules.VIEW_PROVISIONAL)
    months = rules.months_of(year)
    monthly = [await visible(request, month) for month in months]
    data: dict[str, Any] = {"year": year, "labels": [m.code for m in months], "indicators": {}}
    for name in INDICATORS:
        modules: dict[str, list[int | None]] = {}
        for index, figures in enumerate(monthly):
            if figures is None:
                continue
            for cell in figures.figures[name].breakdowns.get("module", []):
                modules.setdefault(cell.member, [None] * 12)[index] = (
                    None if cell.suppressed and not staff else cell.value)
        data["indicators"][name] = {
            "label": gettext(rules.DEFINITIONS[name].label),
            "aggregation": rules.DEFINITIONS[name].temporal_aggregation,
            "total": [public_value(f, name, staff) for f in monthly],
            "modules": modules,
        }
    return data


def month_table(data: dict[str, Any], name: str, titles: dict[str, str]) -> dict[str, Any]:
    """The "per month, per module" table of indicator ``name``: a column per module (headed by its
    title) and a row per month, each cell the figure of that month and module."""
    indicator = data["indicators"][name]
    slugs = list(indicator["modules"])
    return {
        "columns": [titles.get(slug, slug) for slug in slugs],
        "rows": [{"month": label, "total": indicator["total"][index],
                  "cells": [indicator["modules"][slug][index] for slug in slugs]}
                 for index, label in enumerate(data["labels"])],
    }


async def series_json(request: Request) -> JSONResponse:
    """The dashboard's chart data (used by static/indicators/dashboard.js)."""
    year = rules.year_or(request.path_params["year"], date.today().year)
    return JSONResponse(await series(request, year), headers={"Cache-Control": "private, no-store"})


async def dashboard(request: Request) -> Response:
    """Totals for a year, change against the year before, targets, charts and tables."""
    engine = Engine.for_app(request.app)
    staff = auth.has_permission(request, rules.VIEW_PROVISIONAL)
    today = engine.today()
    year = rules.year_or(request.query_params.get("year"), today.year)
    current = await visible(request, Period.parse(str(year)))
    before = await visible(request, Period.parse(str(year - 1)))
    targets = {t.indicator: t.value for t in await Target.filter(year=year)}
    cards = []
    for name in INDICATORS:
        value = public_value(current, name, staff)
        previous = public_value(before, name, staff)
        target = targets.get(name)
        cards.append({
            "id": name, "definition": rules.DEFINITIONS[name], "value": value, "previous": previous,
            "change": rules.change(value, previous),
            "suppressed": current is not None and current.figures[name].total.suppressed,
            "target": target, "progress": (min(value, target) if value is not None and target else None),
            "percent": round(100 * value / target) if value is not None and target else None,
        })
    data = await series(request, year)
    titles = module_titles(request)
    published_years = [int(s.period) for s in await PeriodState.filter(status="published") if s.period.isdigit()]
    return render(request, "indicators/dashboard.html", {
        "year": year, "cards": cards, "figures": current, "data": data, "staff": staff,
        "tables": {name: month_table(data, name, titles) for name in INDICATORS}, "titles": titles,
        "years": sorted(set(published_years + ([today.year, today.year - 1] if staff else [])), reverse=True),
        "indicators": INDICATORS, "definitions": rules.DEFINITIONS,
    })


async def chart_svg(request: Request) -> Response:
    """A downloadable SVG chart: monthly totals of an indicator, or the year by module."""
    year = rules.year_or(request.path_params["year"], date.today().year)
    name, _, variant = request.path_params["chart"].partition("-")
    if name not in INDICATORS or variant not in ("", "modules"):
        raise Problem(404, gettext("There is no such chart."), kind="not-found")
    label = gettext(rules.DEFINITIONS[name].label)
    note = gettext("– not published or withheld to protect privacy")
    if variant == "modules":
        figures = await visible(request, Period.parse(str(year)))
        staff = auth.has_permission(request, rules.VIEW_PROVISIONAL)
        cells = figures.figures[name].breakdowns.get("module", []) if figures else []
        svg = charts.bar_chart(gettext("%(indicator)s by module, %(year)s", indicator=label, year=year),
                               [c.member for c in cells],
                               [None if c.suppressed and not staff else c.value for c in cells], note=note)
    else:
        data = await series(request, year)
        svg = charts.bar_chart(gettext("%(indicator)s per month, %(year)s", indicator=label, year=year),
                               [code[5:] for code in data["labels"]], data["indicators"][name]["total"], note=note)
    disposition = "attachment" if request.query_params.get("download") else "inline"
    return Response(svg, media_type="image/svg+xml", headers={
        "Content-Disposition": f'{disposition}; filename="{name}-{variant or "monthly"}-{year}.svg"',
        "Cache-Control": "private, max-age=60"})


async def report(request: Request) -> Response:
    """The printable annual report: the four numbers, charts, and each project's journey."""
    year = rules.year_or(request.path_params["year"], 0)
    if not year:
        raise Problem(404, gettext("There is no such report."), kind="not-found")
    period = Period.parse(str(year))
    figures = await visible(request, period)
    if figures is None:
        raise Problem(404, gettext("The report for %(year)s is not published yet.", year=year), kind="period-not-published")
    staff = auth.has_permission(request, rules.VIEW_PROVISIONAL)
    items = await Engine.for_app(request.app).portfolio()
    in_year = [(m, i) for m, i in items if i.started < period.end and (i.ended is None or i.ended >= period.start)]
    projects = sorted([(m, i) for m, i in in_year if i.indicator == "projects"], key=lambda p: p[1].started)
    partnerships = [(m, i) for m, i in items if i.indicator == "partnerships" and rules.holds(period, i.started)]
    products = [(m, i) for m, i in items if i.indicator == "products" and rules.holds(period, i.started)]
    numbers = [{"id": name, "definition": rules.DEFINITIONS[name], "value": public_value(figures, name, staff),
                "figure": figures.figures[name]} for name in INDICATORS]
    return render(request, "indicators/report.html", {
        "year": year, "figures": figures, "numbers": numbers, "projects": projects,
        "partnerships": partnerships, "products": products, "staff": staff, "journey_of": journey, "kinds": KINDS,
    })
