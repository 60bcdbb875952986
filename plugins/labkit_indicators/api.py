"""The JSON API's reads: the published document, its other formats, the periods, manual entries.

Its writes (publication, manual entries) are actions (``actions.py``); ``routes.py`` lists both."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from labkit import Period, auth
from labkit.i18n import gettext
from labkit.indicator_format.http import document_response
from labkit.web import Problem

from labkit_indicators import exports, rules
from labkit_indicators.engine import Engine, PeriodFigures
from labkit_indicators.models import EntryAudit, ManualEntry, PeriodState


def period_or_problem(code: str | None) -> Period:
    """The period ``code`` names, or a 400 problem saying how to write one."""
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
    can_see = auth.has_permission(request, rules.VIEW_PROVISIONAL)
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
    """The lab's indicators as a versioned JSON document (published periods; staff also provisional),
    with an ``ETag`` of its figures: ``If-None-Match`` with the same tag is answered ``304``."""
    figures = await _selected(request)
    trainings = await exports.trainings_given(Engine.for_app(request.app))
    return document_response(request, exports.document(request.app.state.settings, figures, trainings),
                             _cache_headers(figures))


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
    states = await (engine.known_periods() if auth.has_permission(request, rules.VIEW_PROVISIONAL)
                    else engine.published_periods())
    items = [PeriodOut(period=s.period, frequency=Period.parse(s.period).frequency, status=s.status,
                       computed_at=exports._iso(s.computed_at), published_at=exports._iso(s.published_at),
                       url=f"{request.url_for('api-indicators:document').path}?period={s.period}") for s in states]
    return JSONResponse(PeriodList(items=items).model_dump())


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


async def entry_out(entry: ManualEntry) -> EntryOut:
    """A manual entry with its audit trail, as the API and the entry page show it."""
    audit = await EntryAudit.filter(entry=entry).order_by("at", "id")
    return EntryOut(id=entry.id, period=entry.period, indicator=entry.indicator, value=entry.value,
                    module=entry.module, kind=entry.kind, reason=entry.reason, withdrawn=entry.deleted_at is not None,
                    audit=[AuditOut(action=a.action, actor=a.actor_name, at=exports._iso(a.at) or "", changes=a.changes)
                           for a in audit])


async def api_entries(request: Request) -> JSONResponse:
    """The manual entries, with their audit trail (staff)."""
    entries = await ManualEntry.all().order_by("-period", "id")
    return JSONResponse(EntryList(items=[await entry_out(e) for e in entries]).model_dump())


PERIOD_QUERY = {"period": "YYYY, YYYY-Qn or YYYY-MM; repeat or separate with commas (default: every published period)"}

