"""Ticking the plan: one action for the checklist page and the API alike."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from labkit.actions import Context, Refused, action
from labkit.i18n import N_

from labkit_onboarding import rules
from labkit_onboarding.forms import ItemOut, TickIn
from labkit_onboarding.models import Tick


class TickItemIn(TickIn):
    """Which milestone (from the path), and whether it is done."""

    key: str


@dataclass
class Ticked:
    """The milestone as it stands after the action, and whether it was marked done."""

    item: ItemOut
    done: bool


def item_out(section: str, item: rules.Item, tick: Tick | None) -> ItemOut:
    """A milestone as the API shows it."""
    return ItemOut(key=item.key, section=section, text=item.text, done=bool(tick) or item.checked_in_file,
                   checked_in_file=item.checked_in_file,
                   done_by=tick.done_by.name if tick and tick.done_by else None,
                   done_at=tick.done_at.isoformat() if tick else None, note=tick.note if tick else "")


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


@action("onboarding.tick", input=TickItemIn, permission="onboarding.tick")
async def tick(ctx: Context, data: TickItemIn) -> Ticked:
    """Mark one milestone done or not done."""
    plan = rules.load_plan(rules.plan_path(ctx.settings))
    found = [(section.title, item) for section in (plan.sections if plan else []) for item in section.items
             if item.key == data.key]
    if not found:
        raise Refused(N_("There is no milestone %(key)s in the mentoring plan."), 404, kind="not-found", key=data.key)
    section, item = found[0]
    await set_done(item, ctx.actor.id, data)
    ticked = await Tick.get_or_none(key=item.key).select_related("done_by")
    return Ticked(item_out(section, item, ticked), data.done)
