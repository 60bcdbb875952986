"""The hub's read-only JSON API under ``/api/v1/federation/``: totals, completeness, the tree,
members and their series (public: only aggregates), and harvests (staff).

The push endpoint and the hub's publications (indicators document, SDMX-CSV, Data Package, CSV)
live in the same prefix and are built apart (``push.py`` and ``publish.py``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse

from labkit import INDICATORS, Period
from labkit.api import ApiRoute
from labkit.filters import text
from labkit.i18n import gettext
from labkit.web import Problem, page_params, paginate, period_param

from labkit_federation import completeness as comp
from labkit_federation import series, tree
from labkit_federation.actions import MANAGE
from labkit_federation.forms import region_param
from labkit_federation.models import HarvestResult, HarvestRun, Member, Report
from labkit_federation.pages import today

# ------------------------------------------------------------------------------ models


class TotalOut(BaseModel):
    indicator: str
    value: int | None
    aggregation: str
    labs: int
    suppressed: int = 0


class RegionTotalsOut(BaseModel):
    region: str
    labs: int
    values: dict[str, int | None]


class TotalsOut(BaseModel):
    period: str
    region: str
    totals: list[TotalOut]
    regions: list[RegionTotalsOut]


class TallyOut(BaseModel):
    expected: int
    reported: int
    on_time: int
    late: int
    failed: int
    missing: int
    pending: int
    completeness: float | None
    timeliness: float | None


class RegionTallyOut(TallyOut):
    region: str


class HarvestFailureOut(BaseModel):
    outcome: str
    http_status: int | None
    detail: str
    errors: list[Any]
    finished_at: datetime
    run_id: int


class MemberStatusOut(BaseModel):
    code: str
    name: str
    kind: str
    region_path: str
    municipality: str
    latitude: float | None
    longitude: float | None
    expected: bool
    reported: bool
    status: str
    received_at: datetime | None
    source: str
    via: str
    days_late: int
    last_harvest: HarvestFailureOut | None


class CompletenessOut(BaseModel):
    period: str
    region: str
    deadline: datetime
    due: bool
    frequency_expected: bool
    total: TallyOut
    regions: list[RegionTallyOut]
    members: list[MemberStatusOut]


class ReportedTrainingOut(BaseModel):
    course: str
    date: date


class TreeNodeOut(BaseModel):
    code: str
    name: str
    municipality: str
    region_path: str
    active: bool
    trained_on: date | None
    programme: str
    generation: int
    trainings: list[ReportedTrainingOut]
    """The courses the mentor reported giving this lab's team (indicators format 1.2, ``lab.trainings``)."""
    trainees: list[TreeNodeOut]


class TreeOut(BaseModel):
    generations: int
    links: int
    roots: list[TreeNodeOut]
    looped: list[str]


class MemberOut(BaseModel):
    code: str
    name: str
    kind: str
    municipality: str
    region_path: str
    url: str
    latitude: float | None
    longitude: float | None
    joined_on: date | None
    mentor: str | None
    trained_on: date | None
    programme: str
    active: bool


class MemberList(BaseModel):
    items: list[MemberOut]
    page: int
    per_page: int
    total: int
    pages: int


class PeriodFiguresOut(BaseModel):
    period: str
    status: str
    values: dict[str, int | None]
    suppressed: dict[str, bool]


class ReportOut(BaseModel):
    period: str
    first_received_at: datetime
    last_received_at: datetime
    source: str
    via: str | None


class MemberDetailOut(MemberOut):
    trainees: list[str]
    series: list[PeriodFiguresOut]
    reports: list[ReportOut]


class RunOut(BaseModel):
    id: int
    trigger: str
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, Any]


class RunList(BaseModel):
    items: list[RunOut]
    page: int
    per_page: int
    total: int
    pages: int


class ResultOut(BaseModel):
    member: str
    outcome: str
    http_status: int | None
    detail: str
    errors: list[Any]
    summary: dict[str, Any]
    attempts: int
    duration_ms: int
    finished_at: datetime


class RunDetailOut(RunOut):
    results: list[ResultOut]
    page: int
    per_page: int
    total: int
    pages: int


# --------------------------------------------------------------------------- handlers


def _period(request: Request, *, required: bool = True) -> Period | None:
    period = period_param(request)
    if period is None and required:
        raise Problem(400, gettext("Choose a period."), kind="bad-query")
    return period


def _member_out(member: Member, mentor_code: str | None) -> dict[str, Any]:
    return MemberOut(code=member.code, name=member.name, kind=member.kind, municipality=member.municipality,
                     region_path=member.region_path, url=member.url, latitude=member.latitude,
                     longitude=member.longitude, joined_on=member.joined_on, mentor=mentor_code,
                     trained_on=member.trained_on, programme=member.programme, active=member.active).model_dump(mode="json")


async def api_totals(request: Request) -> JSONResponse:
    """National or regional totals of a period, and the regions one level below (or at ``level``)."""
    periods = await series.known_periods()
    period = _period(request, required=False)
    if period is None:
        code = series.default_period(periods, today(request))
        if code is None:
            raise Problem(404, gettext("No lab has reported yet."), kind="not-found")
        period = Period.parse(code)
    region = region_param(request)
    level = request.query_params.get("level")
    depth: int | None = None
    if level:
        try:
            depth = int(level)
        except ValueError:
            raise Problem(400, gettext("level must be a whole number."), kind="bad-query") from None
        if not 1 <= depth <= 10:
            raise Problem(400, gettext("level must be a whole number."), kind="bad-query")
    totals = await series.totals(period.code, region)
    regions = await series.regions(period.code, region, depth)
    return JSONResponse(TotalsOut(period=period.code, region=region, totals=totals,
                                  regions=regions).model_dump(mode="json"))


async def api_completeness(request: Request) -> JSONResponse:
    """Who was expected to report for a period, who did, on time or late, and who failed and why."""
    period = _period(request)
    assert period is not None
    report = await comp.for_app(request.app, period, region=region_param(request))
    status = request.query_params.get("status", "")
    data = report.as_dict()
    if status:
        if status not in comp.STATUSES:
            raise Problem(400, gettext("Unknown status."), kind="bad-query")
        data["members"] = [line for line in data["members"] if line["status"] == status]
    return JSONResponse(data)  # already JSON values in CompletenessOut's shape (tested); validating 5,000 lines costs a second


async def api_tree(request: Request) -> JSONResponse:
    """The trainer-of-trainers tree, nested (who trained whom, when, in which programme; no totals)."""
    return JSONResponse(TreeOut.model_validate((await tree.build()).as_dict()).model_dump(mode="json"))


async def api_members(request: Request) -> JSONResponse:
    """The member labs, by name, a page at a time (search ``q``, ``region`` prefix)."""
    number, size = page_params(request)
    q = text(request.query_params, "q")
    page = await paginate(series.member_query(q, region_param(request), include_inactive=True).prefetch_related("mentor"), number, size)
    items = [_member_out(m, m.mentor.code if m.mentor_id and m.mentor else None) for m in page.items]
    return JSONResponse({"items": items, **page.as_json()})


async def api_member(request: Request) -> JSONResponse:
    """One member with its own series, its reports and the codes of the labs it trained."""
    member = await Member.get_or_none(code=request.path_params["code"]).prefetch_related("mentor")
    if member is None:
        raise Problem(404, gettext("There is no member lab with this code."), kind="not-found")
    data = await series.member_series(member)
    reports = await Report.filter(member=member).order_by("-first_received_at").limit(100).select_related("via")
    trainees = await Member.filter(mentor=member).order_by("trained_on", "name").values_list("code", flat=True)
    out = {
        **_member_out(member, member.mentor.code if member.mentor_id and member.mentor else None),
        "trainees": list(trainees),
        "series": [{"period": entry["period"], "status": entry["status"],
                    "values": {name: entry["values"].get(name) for name in INDICATORS},
                    "suppressed": {name: bool(entry["suppressed"].get(name)) for name in INDICATORS}}
                   for entry in data["periods"]],
        "reports": [{"period": r.period, "first_received_at": r.first_received_at, "last_received_at": r.last_received_at,
                     "source": r.source, "via": r.via.code if r.via_id and r.via else None} for r in reports],
    }
    return JSONResponse(MemberDetailOut.model_validate(out).model_dump(mode="json"))


def _run_out(run: HarvestRun) -> dict[str, Any]:
    return {"id": run.id, "trigger": run.trigger, "started_at": run.started_at, "finished_at": run.finished_at,
            "counts": run.counts or {}}


async def api_runs(request: Request) -> JSONResponse:
    """Staff: the harvest runs, newest first."""
    number, size = page_params(request)
    page = await paginate(HarvestRun.all().order_by("-started_at", "-id"), number, size)
    return JSONResponse(RunList.model_validate({"items": [_run_out(r) for r in page.items], **page.as_json()})
                        .model_dump(mode="json"))


async def api_run(request: Request) -> JSONResponse:
    """Staff: one harvest run with its per-lab results (``outcome`` filter, paged)."""
    run = await HarvestRun.get_or_none(id=request.path_params["run_id"])
    if run is None:
        raise Problem(404, gettext("There is no such harvest."), kind="not-found")
    number, size = page_params(request)
    query = HarvestResult.filter(run=run).select_related("member").order_by("member__code")
    outcome = request.query_params.get("outcome", "")
    if outcome:
        if outcome not in comp.OUTCOME_LABELS:
            raise Problem(400, gettext("Unknown outcome."), kind="bad-query")
        query = query.filter(outcome=outcome)
    page = await paginate(query, number, size)
    results = [{"member": r.member.code, "outcome": r.outcome, "http_status": r.http_status, "detail": r.detail,
                "errors": r.errors or [], "summary": r.summary or {}, "attempts": r.attempts,
                "duration_ms": r.duration_ms, "finished_at": r.finished_at} for r in page.items]
    return JSONResponse(RunDetailOut.model_validate({**_run_out(run), "results": results, **page.as_json()})
                        .model_dump(mode="json"))


PERIOD_QUERY = {"period": "a year (2026), quarter (2026-Q3) or month (2026-09)",
                "region": "a region path prefix (BR/BR-SP)"}
api_routes = [
    ApiRoute("/totals", api_totals, name="totals", response=TotalsOut,
             query={**PERIOD_QUERY, "level": "depth of the region breakdown (1 = nations, 2 = states...)"}),
    ApiRoute("/completeness", api_completeness, name="completeness", response=CompletenessOut,
             query={**PERIOD_QUERY, "status": "on_time, late, failed, missing or pending"}),
    ApiRoute("/tree", api_tree, name="tree", response=TreeOut),
    ApiRoute("/members", api_members, name="members", response=MemberList,
             query={"q": "search in name, code, municipality", "region": "a region path prefix",
                    "page": "page number, from 1", "per_page": "items per page, 1 to 100"}),
    ApiRoute("/members/{code}", api_member, name="member", response=MemberDetailOut),
    ApiRoute("/harvests", api_runs, name="harvests", response=RunList, permission=MANAGE,
             query={"page": "page number, from 1", "per_page": "items per page, 1 to 100"}),
    ApiRoute("/harvests/{run_id:int}", api_run, name="harvest", response=RunDetailOut, permission=MANAGE,
             query={"outcome": "ok, unchanged, http_error, timeout, unreachable, truncated, invalid, refused or hub_error",
                    "page": "page number, from 1", "per_page": "items per page, 1 to 100"}),
]
