"""The hub's pages: overview, completeness and map, the tree, the directory, a lab's page, and the
staff pages (registry, tokens, harvests). Reading is public: the hub only holds aggregates."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit import INDICATORS, Period, auth, maps
from labkit.exports import csv_response, json_response
from labkit.i18n import N_, gettext
from labkit.web import Page, Problem, flash, paginate, period_param, read_form, redirect, render

from labkit_federation import completeness as comp
from labkit_federation import series, tree
from labkit_federation.forms import KINDS, MemberIn, region_param
from labkit_federation.models import HarvestResult, HarvestRun, Member, Report
from labkit_federation.options import options

log = logging.getLogger("labkit.federation")
MANAGE = "federation.manage"
STATUS_CLASSES = {"on_time": "status-published", "late": "status-pending", "failed": "status-rejected",
                  "missing": "status-draft", "pending": "status-scheduled"}
STATUS_SYMBOLS = {"on_time": "✓", "late": "!", "failed": "✗", "missing": "–", "pending": "…"}
PER_PAGE = 50
LINES_PER_PAGE = 200
IMPORT_ACTIONS = {"create": N_("add"), "update": N_("update"), "unchanged": N_("unchanged"), "error": N_("error")}
FIGURE_STATUSES = {"published": N_("Published"), "provisional": N_("Provisional")}
TRIGGERS = {"cli": N_("From the command line"), "schedule": N_("On schedule"), "manual": N_("Started by staff")}


# ------------------------------------------------------------------------------- helpers


def _crumbs(region: str) -> list[tuple[str, str]]:
    """``[(label, path)]`` from the nation down to ``region`` (for a drill-down trail)."""
    parts = region.split("/") if region else []
    return [(part, "/".join(parts[:index + 1])) for index, part in enumerate(parts)]


def _today(request: Request) -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(request.app.state.settings.lab.timezone)).date()


def _map_config(request: Request) -> maps.TileLayer:
    """The background tiles of the completeness map (the lab's, see ``labkit.maps``)."""
    return maps.tile_layer(request.app.state.settings)


def _common(request: Request) -> dict[str, Any]:
    return {"staff": auth.has_permission(request, MANAGE), "status_labels": comp.STATUS_LABELS,
            "status_classes": STATUS_CLASSES, "status_symbols": STATUS_SYMBOLS,
            "outcome_labels": comp.OUTCOME_LABELS, "kinds": KINDS, "indicators": INDICATORS,
            "indicator_labels": series.INDICATOR_LABELS, "triggers": TRIGGERS,
            "figure_statuses": FIGURE_STATUSES}


def _registry_columns() -> tuple[str, ...]:
    from labkit_federation import registry as reg

    return tuple(reg.CSV_COLUMNS)


# ------------------------------------------------------------------------------ overview


async def overview(request: Request) -> Response:
    """National (or regional) totals of a period, the regions below with drill-down, and the series."""
    region = region_param(request)
    periods = await series.known_periods()
    period = period_param(request, default=series.default_period(periods, _today(request)))
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
        "aggregations": series.AGGREGATION_LABELS, **_common(request)})


# -------------------------------------------------------------------------- completeness


async def completeness_page(request: Request) -> Response:
    """Who was expected to report for a period, who did (on time or late), who failed and why, on a map."""
    opts = options(request.app.state.settings)
    region = region_param(request)
    recent = comp.recent_periods(_today(request), opts.expected_frequencies)
    period = period_param(request, default=recent[0] if recent else None)
    assert period is not None
    status = request.query_params.get("status", "")
    if status and status not in comp.STATUSES:
        status = ""
    report = await comp.for_settings(request.app.state.settings, period, region=region)
    lines = [line for line in report.lines if not status or line.status == status]
    try:
        number = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        number = 1
    page = Page(items=lines[(number - 1) * LINES_PER_PAGE:number * LINES_PER_PAGE], number=number,
                size=LINES_PER_PAGE, total=len(lines))
    known = sorted(set(recent) | set(await series.known_periods()) | {period.code}, key=series.period_sort, reverse=True)
    query = urlencode({"period": period.code, "region": region})
    return render(request, "federation/completeness.html", {
        "report": report, "lines": page.items, "page": page, "period": period, "periods": known, "region": region,
        "crumbs": _crumbs(region), "status": status, "counts": report.status_counts(),
        "regions": await series.region_choices(), "statuses": comp.STATUSES, "opts": opts,
        "map": _map_config(request), "query": query, "last_day": report.deadline.date() - timedelta(days=1),
        "map_src": "/api/v1/federation/completeness?" + query,
        "pager_params": "&" + urlencode({k: v for k, v in {"period": period.code, "region": region, "status": status}.items() if v}),
        **_common(request)})


async def completeness_csv(request: Request) -> Response:
    """The completeness report of a period as CSV (one row per member)."""
    region = region_param(request)
    period = period_param(request)
    if period is None:
        raise Problem(400, gettext("Choose a period."), kind="bad-query")
    report = await comp.for_settings(request.app.state.settings, period, region=region)
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
    return render(request, "federation/tree.html", {"tree": await tree.build(), **_common(request)})


async def tree_csv(request: Request) -> Response:
    """The tree as CSV, one row per training link."""
    return csv_response("trainer-tree.csv", tree.CSV_HEADER, (await tree.build()).rows())


async def tree_json(request: Request) -> Response:
    """The tree as nested JSON."""
    return json_response("trainer-tree.json", (await tree.build()).as_dict())


# ------------------------------------------------------------------------------ directory


async def directory(request: Request) -> Response:
    """Every member lab: search by name, code or municipality, filter by region, a page at a time."""
    q = (request.query_params.get("q") or "").strip()[:100]
    region = region_param(request)
    try:
        number = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        number = 1
    query = series.member_query(q, region, include_inactive=True).prefetch_related("hub")
    page = await paginate(query, number, PER_PAGE)
    params = urlencode({k: v for k, v in {"q": q, "region": region}.items() if v})
    return render(request, "federation/directory.html", {
        "page": page, "q": q, "region": region, "regions": await series.region_choices(),
        "params": "&" + params if params else "", **_common(request)})


async def lab_page(request: Request) -> Response:
    """One member: its series (table and chart), its reports, its last harvests, mentor and trainees."""
    member = await Member.get_or_none(code=request.path_params["code"]).prefetch_related("mentor", "hub")
    if member is None:
        raise Problem(404, gettext("There is no member lab with this code."), kind="not-found")
    data = await series.member_series(member)
    reports = await Report.filter(member=member).order_by("-first_received_at").limit(20).select_related("via")
    harvests = await HarvestResult.filter(member=member).order_by("-finished_at", "-id").limit(10)
    trainees = await Member.filter(mentor=member).order_by("trained_on", "name")
    opts = options(request.app.state.settings)
    late_after = {r.period: comp.deadline(Period.parse(r.period), opts.deadline_days, request.app.state.settings.lab.timezone)
                  for r in reports}
    return render(request, "federation/lab.html", {
        "member": member, "series": data, "series_json": json.dumps(data), "reports": reports,
        "harvests": harvests, "trainees": trainees, "lineage": await tree.lineage(member), "late_after": late_after,
        "crumbs": _crumbs(member.region_path), **_common(request)})


# ------------------------------------------------------------------------------- registry


def _member_values(member: Member | None) -> dict[str, Any]:
    if member is None:
        return {"kind": "lab", "active": "on"}
    return {
        "code": member.code, "name": member.name, "kind": member.kind, "municipality": member.municipality,
        "region_path": member.region_path, "url": member.url,
        "latitude": "" if member.latitude is None else member.latitude,
        "longitude": "" if member.longitude is None else member.longitude,
        "joined_on": member.joined_on.isoformat() if member.joined_on else "",
        "mentor": member.mentor.code if member.mentor_id and member.mentor else "",
        "trained_on": member.trained_on.isoformat() if member.trained_on else "",
        "programme": member.programme, "active": "on" if member.active else "",
    }


async def registry(request: Request) -> Response:
    """Staff: the registry (add, edit, import, export, tokens)."""
    auth.require(request, MANAGE)
    q = (request.query_params.get("q") or "").strip()[:100]
    try:
        number = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        number = 1
    page = await paginate(series.member_query(q, "", include_inactive=True).prefetch_related("mentor"), number, PER_PAGE)
    return render(request, "federation/registry.html", {
        "page": page, "q": q, "params": "&" + urlencode({"q": q}) if q else "", "import_report": None,
        "import_errors": {}, "columns": _registry_columns(), "actions": IMPORT_ACTIONS, **_common(request)})


async def _save_member(request: Request, member: Member | None) -> Response:
    form = await read_form(request, MemberIn)
    errors = dict(form.errors or {})
    if form.ok:
        data: MemberIn = form.data
        mentor = None
        if data.mentor:
            mentor = await Member.get_or_none(code=data.mentor)
            if mentor is None:
                errors["mentor"] = gettext("There is no member lab with this code.")
            else:
                try:
                    await tree.check_mentor(data.code if member is None else member.code, data.mentor)
                except tree.MentorCycle as loop:
                    errors["mentor"] = loop.message()
        clash = await Member.filter(code=data.code).exclude(id=member.id if member else 0).exists()
        if clash:
            errors["code"] = gettext("Another member already has this code.")
        if not errors:
            fields = data.model_dump(exclude={"mentor"})
            if member is None:
                member = await Member.create(**fields, mentor=mentor)
                flash(request, gettext("%(name)s was added to the registry.", name=member.name))
            else:
                await member.update_from_dict({**fields, "mentor": mentor}).save()
                flash(request, gettext("%(name)s was saved.", name=member.name))
            log.info("registry: %s saved by %s", member.code, request.state.person.id)
            return redirect(f"/federation/labs/{member.code}")
    return render(request, "federation/member_form.html", {
        "member": member, "values": form.values, "errors": errors, **_common(request)}, status=422)


async def member_new(request: Request) -> Response:
    """Staff: add a member."""
    auth.require(request, MANAGE)
    if request.method == "POST":
        return await _save_member(request, None)
    return render(request, "federation/member_form.html", {"member": None, "values": _member_values(None), "errors": {},
                                                           **_common(request)})


async def member_edit(request: Request) -> Response:
    """Staff: edit a member."""
    auth.require(request, MANAGE)
    member = await Member.get_or_none(code=request.path_params["code"]).prefetch_related("mentor")
    if member is None:
        raise Problem(404, gettext("There is no member lab with this code."), kind="not-found")
    if request.method == "POST":
        return await _save_member(request, member)
    return render(request, "federation/member_form.html", {"member": member, "values": _member_values(member),
                                                           "errors": {}, **_common(request)})


async def registry_import(request: Request) -> Response:
    """Staff: import the registry from CSV (with a dry run that saves nothing)."""
    from labkit_federation import registry as reg

    auth.require(request, MANAGE)
    form = await request.form()
    upload = form.get("file")
    dry_run = form.get("dry_run") == "on"
    errors: dict[str, str] = {}
    report = None
    if upload is None or isinstance(upload, str) or not upload.filename:
        errors["file"] = gettext("Choose a CSV file.")
    else:
        report = await reg.import_csv(await upload.read(), dry_run=dry_run)
        if report.saved:
            flash(request, gettext("The registry was imported: %(added)s added, %(updated)s updated.",
                                   added=report.count("create"), updated=report.count("update")))
            log.info("registry: CSV imported by %s", request.state.person.id)
            return redirect("/federation/registry")
    page = await paginate(series.member_query("", "", include_inactive=True).prefetch_related("mentor"), 1, PER_PAGE)
    status = 200 if report is not None and report.ok else 422
    return render(request, "federation/registry.html", {
        "page": page, "q": "", "params": "", "import_report": report, "dry_run": dry_run,
        "import_errors": errors, "columns": _registry_columns(), "actions": IMPORT_ACTIONS, **_common(request)}, status=status)


async def registry_export(request: Request) -> Response:
    """Staff: the registry as CSV (never the tokens)."""
    from labkit_federation import registry as reg

    auth.require(request, MANAGE)
    return Response(await reg.export_csv(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="registry.csv"', "Cache-Control": "no-store"})


async def token_issue(request: Request) -> Response:
    """Staff: issue a new push token for a member (shown once; the old one stops working)."""
    from labkit_federation import registry as reg

    auth.require(request, MANAGE)
    member = await Member.get_or_none(code=request.path_params["code"])
    if member is None:
        raise Problem(404, gettext("There is no member lab with this code."), kind="not-found")
    token = await reg.issue_token(member)
    log.info("registry: token issued for %s by %s", member.code, request.state.person.id)
    return render(request, "federation/token.html", {"member": member, "token": token, **_common(request)},
                  headers={"Cache-Control": "no-store"})


async def token_revoke(request: Request) -> Response:
    """Staff: revoke a member's push token."""
    from labkit_federation import registry as reg

    auth.require(request, MANAGE)
    member = await Member.get_or_none(code=request.path_params["code"])
    if member is None:
        raise Problem(404, gettext("There is no member lab with this code."), kind="not-found")
    await reg.revoke_token(member)
    log.info("registry: token revoked for %s by %s", member.code, request.state.person.id)
    flash(request, gettext("The token of %(name)s was revoked.", name=member.name))
    return redirect(f"/federation/labs/{member.code}")


# ------------------------------------------------------------------------------ harvests

_running: set[asyncio.Task[Any]] = set()


async def _harvest_in_background(settings: Any, holder: str) -> None:
    """Harvest every member holding the harvest lease (the schedule waits meanwhile), then free it."""
    from labkit_federation import harvest, schedule

    async with schedule.holding(holder):
        try:
            await harvest.harvest(settings, trigger="manual")
        except Exception:  # the run records per-lab failures itself; this is only a last resort
            log.exception("federation: the manual harvest failed")


async def harvests(request: Request) -> Response:
    """Staff: the harvest runs, newest first, and a button to harvest now."""
    auth.require(request, MANAGE)
    try:
        number = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        number = 1
    page = await paginate(HarvestRun.all().order_by("-started_at", "-id"), number, 20)
    opts = options(request.app.state.settings)
    return render(request, "federation/harvests.html", {
        "page": page, "opts": opts, "running": any(run.finished_at is None for run in page.items),
        **_common(request)})


async def harvest_now(request: Request) -> Response:
    """Staff: start a harvest of every member in the background (the page returns at once)."""
    auth.require(request, MANAGE)
    from labkit_federation import schedule

    holder = schedule.holder_id()
    if not await schedule.acquire(schedule.LEASE_NAME, holder):
        flash(request, gettext("A harvest is already running: wait for it to finish."), "warning")
        return redirect("/federation/harvests")
    task = asyncio.create_task(_harvest_in_background(request.app.state.settings, holder))
    _running.add(task)
    task.add_done_callback(_running.discard)
    flash(request, gettext("A harvest has started. Reload this page to follow it."))
    return redirect("/federation/harvests")


async def harvest_run(request: Request) -> Response:
    """Staff: one run's per-lab report, filtered by outcome."""
    auth.require(request, MANAGE)
    try:
        run = await HarvestRun.get_or_none(id=int(request.path_params["run_id"]))
    except ValueError:
        run = None
    if run is None:
        raise Problem(404, gettext("There is no such harvest."), kind="not-found")
    outcome = request.query_params.get("outcome", "")
    if outcome not in comp.OUTCOME_LABELS:
        outcome = ""
    try:
        number = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        number = 1
    query = HarvestResult.filter(run=run).select_related("member").order_by("member__code")
    if outcome:
        query = query.filter(outcome=outcome)
    page = await paginate(query, number, PER_PAGE)
    counts = dict(await HarvestResult.filter(run=run).group_by("outcome").annotate(n=series.Count("id"))
                  .values_list("outcome", "n"))
    return render(request, "federation/harvest_run.html", {
        "run": run, "page": page, "outcome": outcome, "counts": counts,
        "params": "&" + urlencode({"outcome": outcome}) if outcome else "", **_common(request)})


page_routes = [
    Route("/", overview, name="overview"),
    Route("/completeness", completeness_page, name="completeness"),
    Route("/completeness.csv", completeness_csv, name="completeness_csv"),
    Route("/tree", tree_page, name="tree"),
    Route("/tree.csv", tree_csv, name="tree_csv"),
    Route("/tree.json", tree_json, name="tree_json"),
    Route("/labs/", directory, name="directory"),
    Route("/labs/{code}", lab_page, name="lab"),
    Route("/registry", registry, name="registry"),
    Route("/registry/new", member_new, methods=["GET", "POST"], name="member_new"),
    Route("/registry/import", registry_import, methods=["POST"], name="registry_import"),
    Route("/registry/export.csv", registry_export, name="registry_export"),
    Route("/registry/{code}/edit", member_edit, methods=["GET", "POST"], name="member_edit"),
    Route("/registry/{code}/token", token_issue, methods=["POST"], name="token_issue"),
    Route("/registry/{code}/token/revoke", token_revoke, methods=["POST"], name="token_revoke"),
    Route("/harvests", harvests, name="harvests"),
    Route("/harvests/run", harvest_now, methods=["POST"], name="harvest_now"),
    Route("/harvests/{run_id:int}", harvest_run, name="harvest_run"),
]
