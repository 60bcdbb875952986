"""The checklist's reads: the page, the JSON list, the home card's count and the personal data."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from labkit.config import Settings
from labkit.web import render

from labkit_onboarding import rules
from labkit_onboarding.actions import item_out
from labkit_onboarding.forms import ChecklistOut
from labkit_onboarding.models import Tick


async def ticks_by_key() -> dict[str, Tick]:
    """Every tick of the lab, by milestone key."""
    return {tick.key: tick for tick in await Tick.all().select_related("done_by")}


async def checklist_context(request: Request) -> dict[str, Any]:
    """The mentoring plan as a checklist, section by section, with who ticked what; ``posted`` is
    the milestone whose form was just sent (its messages show beside it)."""
    settings = request.app.state.settings
    plan = rules.load_plan(rules.plan_path(settings))
    ticks = await ticks_by_key()
    done_keys = set(ticks)
    sections = [{"section": section, "progress": rules.progress(section.items, done_keys)}
                for section in (plan.sections if plan else [])]
    return {"plan": plan, "sections": sections, "ticks": ticks,
            "overall": rules.progress(plan.items if plan else [], done_keys),
            "file_name": rules.plan_path(settings).name, "posted": request.path_params.get("key")}


async def checklist(request: Request) -> Response:
    """The checklist page."""
    return render(request, "onboarding/checklist.html", {**await checklist_context(request), "values": {}, "errors": {}})


async def api_checklist(request: Request) -> JSONResponse:
    """The mentoring plan's milestones and which are done."""
    plan = rules.load_plan(rules.plan_path(request.app.state.settings))
    ticks = await ticks_by_key()
    items = [item_out(section.title, item, ticks.get(item.key)) for section in (plan.sections if plan else [])
             for item in section.items]
    out = ChecklistOut(title=plan.title if plan else "", done=sum(1 for i in items if i.done), total=len(items), items=items)
    return JSONResponse(out.model_dump())


async def done_count(settings: Settings) -> tuple[int, int]:
    """How many milestones of the plan are done, and how many there are."""
    plan = rules.load_plan(rules.plan_path(settings))
    if plan is None:
        return 0, 0
    result = rules.progress(plan.items, set(await Tick.all().values_list("key", flat=True)))
    return result.done, result.total


async def ticks_of(person_id: int) -> list[dict[str, str]]:
    """The milestones a person ticked, for their data export."""
    return [{"milestone": t.text, "done_at": t.done_at.isoformat(), "note": t.note}
            for t in await Tick.filter(done_by_id=person_id)]


async def forget(person_id: int) -> None:
    """The milestone stays done (it is the lab's history); who ticked it is forgotten."""
    await Tick.filter(done_by_id=person_id).update(done_by_id=None)
