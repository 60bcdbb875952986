"""Staff pages: manual entries, targets and publication (their writes are in ``actions``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from labkit import auth
from labkit.action_routes import context_of
from labkit.i18n import gettext
from labkit.web import Problem, render

from labkit_indicators import rules
from labkit_indicators.actions import module_choices
from labkit_indicators.api import entry_out
from labkit_indicators.engine import Engine
from labkit_indicators.models import ManualEntry, PeriodState, Target


async def entries_context(request: Request) -> dict[str, Any]:
    """The manual entries, newest period first, and the choices of the form that adds one."""
    items = await ManualEntry.all().select_related("created_by").order_by("-period", "-id")
    return {"entries": items, "modules": module_choices(context_of(request)), "definitions": rules.DEFINITIONS}


async def entry_defaults(request: Request) -> dict[str, Any]:
    """What the new-entry form shows first."""
    return {"module": rules.OWN_MODULE, "kind": "offline"}


async def _entry(request: Request) -> ManualEntry:
    entry = await ManualEntry.get_or_none(id=request.path_params["entry_id"])
    if entry is None:
        raise Problem(404, gettext("There is no such manual entry."), kind="not-found")
    return entry


async def entry_context(request: Request) -> dict[str, Any]:
    """A manual entry with its audit trail, and the choices of the form that changes it."""
    entry = await _entry(request)
    return {"entry": entry, "detail": await entry_out(entry), "modules": module_choices(context_of(request)),
            "definitions": rules.DEFINITIONS}


async def entry_values(request: Request) -> dict[str, Any]:
    """What the entry form shows first: the entry's fields."""
    entry = await _entry(request)
    return {k: getattr(entry, k) for k in ("period", "indicator", "value", "module", "kind", "reason")}


async def targets_context(request: Request) -> dict[str, Any]:
    """The indicators the targets form asks for."""
    return {"definitions": rules.DEFINITIONS}


async def target_values(request: Request) -> dict[str, Any]:
    """The year's targets (``?year=``, default this year), as the form shows them first."""
    year = rules.year_or(request.query_params.get("year"), Engine.for_app(request.app).today().year)
    return {"year": year, **{t.indicator: t.value for t in await Target.filter(year=year)}}


async def periods_context(request: Request) -> dict[str, Any]:
    """The periods computed so far, and whether this person may publish one."""
    states = await PeriodState.all().select_related("published_by").order_by("-period")
    return {"states": states, "can_publish": auth.has_permission(request, rules.PUBLISH)}


async def periods(request: Request) -> Response:
    """Publication: the periods computed so far, with the form that publishes one (staff)."""
    return render(request, "indicators/periods.html", {**await periods_context(request), "values": {}, "errors": {}})
