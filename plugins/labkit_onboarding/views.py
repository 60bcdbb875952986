"""The onboarding checklist page, the tick/untick action, and the JSON API over the same rules."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tortoise.exceptions import IntegrityError

from labkit import auth
from labkit.api import ApiRoute
from labkit.i18n import gettext
from labkit.web import Problem, flash, read_form, read_json, redirect, render

from labkit_onboarding import rules
from labkit_onboarding.forms import ChecklistOut, ItemOut, TickIn
from labkit_onboarding.models import Tick


def _plan(request: Request) -> rules.Plan | None:
    return rules.load_plan(rules.plan_path(request.app.state.settings))


async def ticks_by_key() -> dict[str, Tick]:
    return {tick.key: tick for tick in await Tick.all().select_related("done_by")}


async def set_done(item: rules.Item, person_id: int | None, data: TickIn) -> None:
    """Mark ``item`` done (keeping the first person and time, updating the note) or not done.
    Safe under concurrency: the key is unique in the database, so two staff ticking the same
    milestone at once leave one row."""
    if not data.done:
        await Tick.filter(key=item.key).delete()
        return
    try:
        _tick, created = await Tick.get_or_create(key=item.key, defaults={
            "text": item.text[:500], "done_by_id": person_id, "note": data.note})
    except IntegrityError:  # another request created it between our read and our insert
        created = False
    if not created and data.note:
        await Tick.filter(key=item.key).update(note=data.note)


async def checklist(request: Request, errors: dict[str, dict[str, str]] | None = None,
                    values: dict[str, Any] | None = None, status: int = 200) -> Response:
    """The mentoring plan as a checklist, section by section, with who ticked what."""
    auth.require(request, "onboarding.view")
    plan = _plan(request)
    ticks = await ticks_by_key()
    done_keys = set(ticks)
    sections = []
    if plan is not None:
        for section in plan.sections:
            sections.append({"section": section, "progress": rules.progress(section.items, done_keys)})
    return render(request, "onboarding/checklist.html", {
        "plan": plan, "sections": sections, "ticks": ticks,
        "overall": rules.progress(plan.items if plan else [], done_keys),
        "file_name": rules.plan_path(request.app.state.settings).name,
        "errors": errors or {}, "values": values or {},
    }, status=status)


async def index(request: Request) -> Response:
    return await checklist(request)


async def tick(request: Request) -> Response:
    """Tick or untick one milestone from the page (a form per milestone, works without JS)."""
    person = auth.require(request, "onboarding.tick")
    plan = _plan(request)
    item = plan.find(request.path_params["key"]) if plan else None
    if item is None:
        raise HTTPException(404)
    form = await read_form(request, TickIn)
    if not form.ok:
        return await checklist(request, errors={item.key: form.errors}, values={item.key: form.values}, status=422)
    await set_done(item, person.id, form.data)
    flash(request, gettext("Milestone marked as done.") if form.data.done else gettext("Milestone marked as not done."))
    return redirect(f"/onboarding/#item-{item.key}")


def _item_out(section: str, item: rules.Item, tick: Tick | None) -> ItemOut:
    return ItemOut(key=item.key, section=section, text=item.text, done=bool(tick) or item.checked_in_file,
                   checked_in_file=item.checked_in_file,
                   done_by=tick.done_by.name if tick and tick.done_by else None,
                   done_at=tick.done_at.isoformat() if tick else None, note=tick.note if tick else "")


async def api_checklist(request: Request) -> JSONResponse:
    """The mentoring plan's milestones and which are done."""
    auth.require(request, "onboarding.view")
    plan = _plan(request)
    ticks = await ticks_by_key()
    items = [_item_out(section.title, item, ticks.get(item.key)) for section in (plan.sections if plan else [])
             for item in section.items]
    out = ChecklistOut(title=plan.title if plan else "", done=sum(1 for i in items if i.done), total=len(items), items=items)
    return JSONResponse(out.model_dump())


async def api_tick(request: Request) -> JSONResponse:
    """Mark one milestone done or not done."""
    person = auth.require(request, "onboarding.tick")
    plan = _plan(request)
    key = request.path_params["key"]
    found = [(section.title, item) for section in (plan.sections if plan else []) for item in section.items if item.key == key]
    if not found:
        raise Problem(404, gettext("There is no milestone %(key)s in the mentoring plan.", key=key), kind="not-found")
    data = await read_json(request, TickIn)
    section, item = found[0]
    await set_done(item, person.id, data)
    tick = await Tick.get_or_none(key=key).select_related("done_by")
    return JSONResponse(_item_out(section, item, tick).model_dump())


async def done_count(settings) -> tuple[int, int]:
    plan = rules.load_plan(rules.plan_path(settings))
    if plan is None:
        return 0, 0
    result = rules.progress(plan.items, set(await Tick.all().values_list("key", flat=True)))
    return result.done, result.total


async def ticks_of(person_id: int) -> list[dict[str, str]]:
    return [{"milestone": t.text, "done_at": t.done_at.isoformat(), "note": t.note}
            for t in await Tick.filter(done_by_id=person_id)]


async def forget(person_id: int) -> None:
    """The milestone stays done (it is the lab's history); who ticked it is forgotten."""
    await Tick.filter(done_by_id=person_id).update(done_by_id=None)


page_routes = [
    Route("/", index, name="index"),
    Route("/items/{key}", tick, methods=["POST"], name="tick"),
]
api_routes = [
    ApiRoute("/checklist", api_checklist, name="checklist", response=ChecklistOut, permission="onboarding.view"),
    ApiRoute("/items/{key}", api_tick, methods=["POST"], name="tick", body=TickIn, response=ItemOut,
             permission="onboarding.tick"),
]
