"""The JSON API: the published document, its other formats, periods, publication, manual entries."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from labkit import Period, auth
from labkit.api import ApiRoute
from labkit.i18n import gettext
from labkit.indicator_format.openapi import DocumentOut
from labkit.web import Problem, read_json

from labkit_indicators import exports, rules
from labkit_indicators.engine import Engine, PeriodFigures, PublishError
from labkit_indicators.forms import ManualEntryIn
from labkit_indicators.models import EntryAudit, ManualEntry, PeriodState
from labkit_indicators.portfolio import create_entry, delete_entry, update_entry

VIEW_PROVISIONAL = "indicators.view_provisional"
MANAGE = "indicators.manage"
PUBLISH = "indicators.publish"


def period_or_problem(code: str | None) -> Period:
    try:
        return rules.parse_period(code)
    except rules.PeriodError as error:
        raise Problem(400, gettext(str(error)), kind="invalid-period",
                      errors=[{"field": "period", "message": gettext(str(error))}]) from None


def requested_periods(request: Request) -> list[Period]:
    """The periods named by ``?period=`` (repeatable, or comma-separated), in order, once each."""
    codes: list[str] = []
    for value in request.query_params.getlist("period"):
        codes += [part for part in value.split(",") if part.strip()]
    periods: list[Period] = []
    for code in codes[:60]:
        period = period_or_problem(code)
        if period not in periods:
            periods.append(period)
    return periods


async def figures_for(request: Request, periods: list[Period], max_age: float | None = 0) -> list[PeriodFigures]:
    """The figures of ``periods``: published ones for anyone, provisional ones for staff only."""
    engine = Engine.for_app(request.app)
    can_see = auth.has_permission(request, VIEW_PROVISIONAL)
    out = []
    for period in periods:
        state = await PeriodState.get_or_none(period=period.code)
        if (state is None or state.status != "published") and not can_see:
            raise Problem(403, gettext("Period %(period)s is not published yet: only published periods are public.",
                                       period=period.code), kind="period-not-published")
        out.append(await engine.figures(period, max_age=max_age))
    return out


async def _selected(request: Request) -> list[PeriodFigures]:
    periods = requested_periods(request)
    if not periods:
        engine = Engine.for_app(request.app)
        periods = [Period.parse(state.period) for state in await engine.published_periods()]
    return await figures_for(request, periods)


def _cache_headers(figures: list[PeriodFigures]) -> dict[str, str]:
    if figures and all(item.published for item in figures):
        return {"Cache-Control": "public, max-age=300"}
    return {"Cache-Control": "private, no-store"}


async def api_document(request: Request) -> Response:
    """The lab's indicators as a versioned JSON document (published periods; staff also provisional)."""
    figures = await _selected(request)
    body = json.dumps(exports.document(request.app.state.settings, figures), ensure_ascii=False)
    return Response(body, media_type="application/json", headers=_cache_headers(figures))


async def api_sdmx(request: Request) -> Response:
    """The same observations as SDMX-CSV 2.0 (dataflow LABKIT:LAB_INDICATORS(1.0.0))."""
    figures = await _selected(request)
    headers = {**_cache_headers(figures), "Content-Disposition": 'attachment; filename="lab-indicators.csv"'}
    return Response(exports.sdmx_csv(request.app.state.settings, figures),
                    media_type="application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8", headers=headers)


async def api_datapackage(request: Request) -> Response:
    """The same observations as a Frictionless Data Package (zip: datapackage.json + CSV)."""
    figures = await _selected(request)
    headers = {**_cache_headers(figures), "Content-Disposition": 'attachment; filename="lab-indicators.zip"'}
    return Response(exports.datapackage_zip(request.app.state.settings, figures), media_type="application/zip",
                    headers=headers)


async def api_schema(request: Request) -> JSONResponse:
    """The JSON Schema of the document (lab-indicators 1.0)."""
    return JSONResponse(exports.schema(), headers={"Cache-Control": "public, max-age=86400"})


class PeriodOut(BaseModel):
    period: str
    frequency: str
    status: str
    computed_at: str | None
    published_at: str | None
    url: str


class PeriodList(BaseModel):
    items: list[PeriodOut]


async def api_periods(request: Request) -> JSONResponse:
    """The periods with figures: published ones for anyone, provisional ones too for staff."""
    engine = Engine.for_app(request.app)
    states = await (engine.known_periods() if auth.has_permission(request, VIEW_PROVISIONAL)
                    else engine.published_periods())
    items = [PeriodOut(period=s.period, frequency=Period.parse(s.period).frequency, status=s.status,
                       computed_at=exports._iso(s.computed_at), published_at=exports._iso(s.published_at),
                       url=f"/api/v1/indicators/?period={s.period}") for s in states]
    return JSONResponse(PeriodList(items=items).model_dump())


async def api_publish(request: Request) -> Response:
    """Publish a period: recompute it one last time and freeze its figures."""
    person = auth.require(request, PUBLISH)
    period = period_or_problem(request.path_params["period"])
    try:
        figures = await Engine.for_app(request.app).publish(period, person.id)
    except PublishError as error:
        raise Problem(409, str(error), kind="cannot-publish") from None
    body = json.dumps(exports.document(request.app.state.settings, [figures]), ensure_ascii=False)
    return Response(body, media_type="application/json", status_code=201)


# ------------------------------------------------------------------------- manual entries


class AuditOut(BaseModel):
    action: str
    actor: str
    at: str
    changes: dict[str, Any]


class EntryOut(BaseModel):
    id: int
    period: str
    indicator: str
    value: int
    module: str
    kind: str
    reason: str
    withdrawn: bool
    audit: list[AuditOut] = Field(default_factory=list)


class EntryList(BaseModel):
    items: list[EntryOut]


class WithdrawIn(BaseModel):
    reason: str = Field(min_length=3, max_length=2000)


async def entry_out(entry: ManualEntry) -> EntryOut:
    audit = await EntryAudit.filter(entry=entry).order_by("at", "id")
    return EntryOut(id=entry.id, period=entry.period, indicator=entry.indicator, value=entry.value,
                    module=entry.module, kind=entry.kind, reason=entry.reason, withdrawn=entry.deleted_at is not None,
                    audit=[AuditOut(action=a.action, actor=a.actor_name, at=exports._iso(a.at) or "", changes=a.changes)
                           for a in audit])


async def api_entries(request: Request) -> JSONResponse:
    """The manual entries, with their audit trail (staff)."""
    auth.require(request, MANAGE)
    entries = await ManualEntry.all().order_by("-period", "id")
    return JSONResponse(EntryList(items=[await entry_out(e) for e in entries]).model_dump())


async def api_entry_create(request: Request) -> JSONResponse:
    """Record a count for offline activity (staff)."""
    person = auth.require(request, MANAGE)
    data = await read_json(request, ManualEntryIn)
    await _refuse_published(data.period)
    entry = await create_entry(data, person)
    await Engine.for_app(request.app).invalidate()
    return JSONResponse((await entry_out(entry)).model_dump(), status_code=201)


async def _entry(request: Request) -> ManualEntry:
    entry = await ManualEntry.get_or_none(id=request.path_params["entry_id"])
    if entry is None:
        raise Problem(404, gettext("There is no such manual entry."), kind="not-found")
    return entry


async def _refuse_published(*codes: str) -> None:
    """Entries inside a published period would not count any more: say so instead."""
    published = [Period.parse(s.period) for s in await PeriodState.filter(status="published")]
    for code in codes:
        period = Period.parse(code)
        for frozen in published:
            if rules.contains(frozen, period) or rules.contains(period, frozen):
                raise Problem(409, gettext("Period %(period)s is published and frozen: entries for it cannot change.",
                                           period=frozen.code), kind="period-frozen")


async def api_entry_update(request: Request) -> JSONResponse:
    """Change a manual entry; the change is kept in its audit trail (staff)."""
    person = auth.require(request, MANAGE)
    entry = await _entry(request)
    if entry.deleted_at is not None:
        raise Problem(409, gettext("This entry was withdrawn."), kind="withdrawn")
    data = await read_json(request, ManualEntryIn)
    await _refuse_published(entry.period, data.period)
    await update_entry(entry, data, person)
    await Engine.for_app(request.app).invalidate()
    return JSONResponse((await entry_out(entry)).model_dump())


async def api_entry_delete(request: Request) -> JSONResponse:
    """Withdraw a manual entry (it stops counting; it and its audit trail are kept) (staff)."""
    person = auth.require(request, MANAGE)
    entry = await _entry(request)
    data = await read_json(request, WithdrawIn)
    if entry.deleted_at is None:
        await _refuse_published(entry.period)
        await delete_entry(entry, person, data.reason)
        await Engine.for_app(request.app).invalidate()
    return JSONResponse((await entry_out(entry)).model_dump())


PERIOD_QUERY = {"period": "YYYY, YYYY-Qn or YYYY-MM; repeat or separate with commas (default: every published period)"}

routes = [
    ApiRoute("/", api_document, name="document", response=DocumentOut, query=PERIOD_QUERY),
    ApiRoute("/sdmx.csv", api_sdmx, name="sdmx", query=PERIOD_QUERY, media_type="application/vnd.sdmx.data+csv"),
    ApiRoute("/datapackage.zip", api_datapackage, name="datapackage", query=PERIOD_QUERY, media_type="application/zip"),
    ApiRoute("/schema.json", api_schema, name="schema"),
    ApiRoute("/periods", api_periods, name="periods", response=PeriodList),
    ApiRoute("/periods/{period}/publish", api_publish, methods=["POST"], name="publish", permission=PUBLISH,
             status=201),
    ApiRoute("/entries", api_entries, name="entries", response=EntryList, permission=MANAGE),
    ApiRoute("/entries", api_entry_create, methods=["POST"], name="entry-create", body=ManualEntryIn,
             response=EntryOut, permission=MANAGE, status=201),
    ApiRoute("/entries/{entry_id:int}", api_entry_update, methods=["PUT"], name="entry-update", body=ManualEntryIn,
             response=EntryOut, permission=MANAGE),
    ApiRoute("/entries/{entry_id:int}/withdraw", api_entry_delete, methods=["POST"], name="entry-withdraw",
             body=WithdrawIn, response=EntryOut, permission=MANAGE),
]
