"""Records one plugin offers to the others (see the ``labkit_references`` hook).

A coworking booking made on behalf of an organisation stores ``("organisation", "42")`` and
asks this module for its label and link; it never imports the mapping plugin, and works (showing
nothing) when mapping is switched off.
"""

from __future__ import annotations

from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse

from labkit.api import ApiRoute
from labkit.config import Settings
from labkit.hooktypes import Reference, ReferenceKind, Reservation
from labkit.i18n import gettext
from labkit.plugins import PluginError, Plugins
from labkit.web import Problem


def collect(results: list[tuple[str, list[ReferenceKind]]]) -> dict[str, ReferenceKind]:
    """The kinds offered by the plugins, by name; two plugins offering one kind is an error."""
    kinds: dict[str, ReferenceKind] = {}
    for slug, offered in results:
        for kind in offered or []:
            if kind.kind in kinds:
                raise PluginError(f"plugin {slug!r}: reference kind {kind.kind!r} is already offered by another plugin")
            kinds[kind.kind] = kind
    return kinds


def kinds(app: Starlette) -> dict[str, ReferenceKind]:
    """The reference kinds available in this lab."""
    return app.state.references


def offered(settings: Settings) -> dict[str, ReferenceKind]:
    """The reference kinds the lab's plugins offer, outside the web app (sample data, commands)."""
    return collect(Plugins(settings).results("labkit_references"))


async def search(app: Starlette, kind: str, query: str, limit: int = 10) -> list[Reference]:
    """Records of ``kind`` matching ``query`` (empty when nobody offers ``kind``)."""
    offered = app.state.references.get(kind)
    return await offered.search(query, limit) if offered else []


async def resolve(app: Starlette, kind: str, ref_id: str | int | None) -> Reference | None:
    """The record ``ref_id`` of ``kind``, or ``None`` (missing id, gone, or kind not offered)."""
    offered = app.state.references.get(kind)
    if offered is None or ref_id in (None, ""):
        return None
    return await offered.get(str(ref_id))


async def reserve(app: Starlette, kind: str, ref_id: str | int, reservation: Reservation) -> bool:
    """Hold the record ``ref_id`` of ``kind`` for ``reservation.holder`` over its time, replacing
    what that holder held before (a moved session moves its booking).

    Raises :class:`labkit.actions.Refused` when the record is taken then (409) or cannot be held
    (422); returns ``False`` when nothing can be reserved (the kind is not offered, or cannot be
    reserved). Call it inside the transaction that saves the holder, so both are kept or neither.
    """
    offered = app.state.references.get(kind)
    if offered is None or offered.reserve is None:
        return False
    await offered.reserve(str(ref_id), reservation)
    return True


async def release(app: Starlette, kind: str, holder: str) -> None:
    """Free whatever ``holder`` holds among the records of ``kind`` (nothing when it holds none)."""
    offered = app.state.references.get(kind)
    if offered is not None and offered.release is not None:
        await offered.release(holder)


class ReferenceOut(BaseModel):
    kind: str
    id: str
    label: str
    url: str | None


class ReferenceList(BaseModel):
    items: list[ReferenceOut]


async def api_search(request: Request) -> JSONResponse:
    """Search the records of one kind, for pickers (``?q=`` text, ``limit`` up to 50)."""
    kind = request.path_params["kind"]
    if kind not in request.app.state.references:
        raise Problem(404, gettext("No plugin offers this kind of record."), kind="unknown-reference-kind")
    try:
        limit = min(max(int(request.query_params.get("limit", "10")), 1), 50)
    except ValueError:
        raise Problem(400, gettext("limit must be a whole number."), kind="bad-query") from None
    found = await search(request.app, kind, request.query_params.get("q", "")[:100], limit)
    return JSONResponse(ReferenceList(items=[ReferenceOut(kind=ref.kind, id=ref.id, label=ref.label, url=ref.url) for ref in found]).model_dump())


routes = [ApiRoute("/api/v1/references/{kind}", api_search, name="references", response=ReferenceList,
                   query={"q": "text to look for", "limit": "at most this many (1-50)"})]
