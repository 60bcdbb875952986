"""The hub's public pages: overview, completeness and map, the tree, the directory, a lab's page.
Reading is public: the hub only holds aggregates. The staff's pages are in :mod:`.pages_staff`."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from labkit import INDICATORS, Period, auth, maps
from labkit.exports import csv_response, json_response
from labkit.filters import choice, query_string, text
from labkit.i18n import N_, gettext
from labkit.web import Page, Problem, paginate, period_param, render

from labkit_federation import completeness as comp
from labkit_federation import series, tree
from labkit_federation.actions import MANAGE
from labkit_federation.forms import KINDS, region_param
from labkit_federation.models import HarvestResult, Member, Report
from labkit_federation.options import of

STATUS_CLASSES = {"on_time": "status-published", "late": "status-pending", "failed": "status-rejected",
                  "missing": "status-draft", "pending": "status-scheduled"}
STATUS_SYMBOLS = {"on_time": "✓", "late": "!", "failed": "✗", "missing": "–", "pending": "…"}
PER_PAGE = 50
LINES_PER_PAGE = 200
FIGURE_STATUSES = {"published": N_("Published"), "provisional": N_("Provisional")}
TRIGGERS = {"cli": N_("From the command line"), "schedule": N_("On schedule"), "manual": N_("Started by staff")}


# ------------------------------------------------------------------------------- helpers


def page_number(request: Request) -> int:
    """The ``page`` query parameter (1 when missing or not a number)."""
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return 1


def _crumbs(region: str) -> list[tuple[str, str]]:
    """``[(label, path)]`` from the nation down to ``region`` (for a drill-down trail)."""
    parts = region.split("/") if region else []
    return [(part, "/".join(parts[:index + 1])) for index, part in enumerate(parts)]


def today(request: Request) -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(request.app.state.settings.lab.timezone)).date()


def _map_config(request: Request) -> maps.TileLayer:
    """The background tiles of the completeness map (the lab's, see ``labkit.maps``)."""
    return maps.tile_layer(request.app.state.settings)


def common(request: Request) -> dict[str, Any]:
    return {"staff": auth.has_permission(request, MANAGE), "status_labels": comp.STATUS_LABELS,
            "status_classes": STATUS_CLASSES, "status_symbols": STATUS_SYMBOLS,
            "outcome_labels": comp.OUTCOME_LABELS, "kinds": KINDS, "indicators": INDICATORS,
            "indicator_labels": series.INDICATOR_LABELS, "triggers": TRIGGERS,
            "figure_statuses": FIGURE_STATUSES}


# ------------------------------------------------------------------------------ overview


async def overview(request: Request) -> Response:
    """National (or regional) totals of a period, the regions below with drill-down, and the series."""
    region = region_param(request)
    periods = await series.known_periods()
    period = period_param(request, default=series.default_period(periods, today(request)))
    totals = regions = labs = None
    history: dict[str, Any] = {"labels": [], "indicators": {}}
    if period is not None:
        totals = await series.totals(period.code, region)
        regions = await series.regions(period.code, region)
        if not regions:
            labs = await series.labs(period.code, region)
        history = await series.history(period.frequency, region)
    members = await Member.filter(active=True).count()
    return render(request, "federation/overview.html", {
        "period": period, "periods": periods, "region": region, "crumbs": _crumbs(region),
        "totals": totals, "regions": regions, "labs": labs, "history": history,
        "history_json": json.dumps(history), "members": members,
        "aggregations": series.AGGREGATION_LABELS, **common(request)})


# -------------------------------------------------------------------------- completeness


async def completeness_page(request: Request) -> Response:
    """Who was expected to report for a period, who did (on time or late), who failed and why, on a map."""
    opts = of(request.app)
    region = region_param(request)
    recent = comp.recent_periods(today(request), opts.expected_frequencies)
    period = period_param(request, default=recent[0] if recent else None)
    assert period is not None
    status = choice(request.query_params, "status", comp.STATUSES)
    report = await comp.for_app(request.app, period, region=region)
    lines = [line for line in report.lines if not status or line.status == status]
    number = page_number(request)
    page = Page(items=lines[(number - 1) * LINES_PER_PAGE:number * LINES_PER_PAGE], number=number,
                size=LINES_PER_PAGE, total=len(lines))
    known = sorted(set(recent) | set(await series.known_periods()) | {period.code}, key=series.period_sort, reverse=True)
    query = urlencode({"period": period.code, "region": region})
    return render(request, "federation/completeness.html", {
        "report": report, "lines": page.items, "page": page, "period": period, "periods": known, "region": region,
        "crumbs": _crumbs(region), "status": status, "counts": report.status_counts(),
        "regions": await series.region_choices(), "statuses": comp.STATUSES, "opts": opts,
        "map": _map_config(request), "query": query, "last_day": report.deadline.date() - timedelta(days=1),
        "map_src": f"{request.app.url_path_for('api-federation:completeness')}?{query}",
        "pager_params": query_string(period=period.code, region=region, status=status),
        **common(request)})


async def completeness_csv(request: Request) -> Response:
    """The completeness report of a period as CSV (one row per member)."""
    region = region_param(request)
    period = period_param(request)
    if period is None:
        raise Problem(400, gettext("Choose a period."), kind="bad-query")
    report = await comp.for_app(request.app, period, region=region)
    header = ("lab_code", "lab_name", "region_path", "expected", "status", "first_received_at", "source", "via",
              "days_late", "last_outcome", "last_detail")
    rows = [(line.code, line.name, line.region_path, "yes" if line.expected else "no", line.status,
             line.received_at.isoformat() if line.received_at else "", line.source, line.via, line.days_late,
             line.last_harvest.outcome if line.last_harvest else "", line.last_harvest.detail if line.last_harvest else "")
            for line in report.lines]
    return csv_response(f"completeness-{period.code}.csv", header, rows)


# ------------------------------------------------------------------------------------ tree


async def tree_page(request: Request) -> Response:
    """Who trained whom, when and in which programme, as nested lists."""
    return render(request, "federation/tree.html", {"tree": await tree.build(), **common(request)})


async def tree_csv(request: Request) -> Response:
    """The tree as CSV, one row per training link."""
    return csv_response("trainer-tree.csv", tree.CSV_HEADER, (await tree.build()).rows())


async def tree_json(request: Request) -> Response:
    """The tree as nested JSON."""
    return json_response("trainer-tree.json", (await tree.build()).as_dict())


# ------------------------------------------------------------------------------ directory


async def directory(request: Request) -> Response:
    """Every member lab: search by name, code or municipality, filter by region, a page at a time."""
    q = text(request.query_params, "q")
    region = region_param(request)
    number = page_number(request)
    query = series.member_query(q, region, include_inactive=True).prefetch_related("hub")
    page = await paginate(query, number, PER_PAGE)
    return render(request, "federation/directory.html", {
        "page": page, "q": q, "region": region, "regions": await series.region_choices(),
        "params": query_string(q=q, region=region), **common(request)})


async def lab_page(request: Request) -> Response:
    """One member: its series (table and chart), its reports, its last harvests, mentor and trainees."""
    member = await Member.get_or_none(code=request.path_params["code"]).prefetch_related("mentor", "hub")
    if member is None:
        raise Problem(404, gettext("There is no member lab with this code."), kind="not-found")
    data = await series.member_series(member)
    reports = await Report.filter(member=member).order_by("-first_received_at").limit(20).select_related("via")
    harvests = await HarvestResult.filter(member=member).order_by("-finished_at", "-id").limit(10)
    trainees = await Member.filter(mentor=member).order_by("trained_on", "name")
    opts = of(request.app)
    late_after = {r.period: comp.deadline(Period.parse(r.period), opts.deadline_days, request.app.state.settings.lab.timezone)
                  for r in reports}
    return render(request, "federation/lab.html", {
        "member": member, "series": data, "series_json": json.dumps(data), "reports": reports,
        "harvests": harvests, "trainees": trainees, "lineage": await tree.lineage(member), "late_after": late_after,
        "crumbs": _crumbs(member.region_path), **common(request)})
