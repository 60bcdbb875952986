"""What staff do with the figures: manual entries, targets, publication and recomputing.

Each use case once, for the page and the API alike; the portfolio's are in ``actions_portfolio``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from labkit import INDICATORS, Period
from labkit.actions import Context, Refused, action, invalid, not_found
from labkit.i18n import N_, gettext

from labkit_indicators import rules
from labkit_indicators.engine import Engine, PeriodFigures, PublishError
from labkit_indicators.forms import ManualEntryIn, TargetsIn
from labkit_indicators.models import ManualEntry, PeriodState, Target
from labkit_indicators.portfolio import create_entry, delete_entry, update_entry

FROZEN = N_("Period %(period)s is published and frozen: entries for it cannot change.")


def module_choices(ctx: Context) -> list[tuple[str, str]]:
    """The modules an entry can be recorded for: every loaded plugin, by slug, with its title."""
    return [(p.slug, gettext(p.info.title)) for p in ctx.app.state.plugins.order if p.slug != "labkit"]


async def refuse_frozen(*codes: str) -> None:
    """Entries inside a published period would not count any more: refuse them (409)."""
    published = [Period.parse(s.period) for s in await PeriodState.filter(status="published")]
    for code in codes:
        period = Period.parse(code)
        for frozen in published:
            if rules.contains(frozen, period) or rules.contains(period, frozen):
                raise Refused(FROZEN, 409, kind="period-frozen", errors={"period": FROZEN}, period=frozen.code)


async def _entry(entry_id: int) -> ManualEntry:
    entry = await ManualEntry.get_or_none(id=entry_id)
    if entry is None:
        raise not_found(N_("There is no such manual entry."))
    return entry


@action("indicators.create_entry", input=ManualEntryIn, permission=rules.MANAGE)
async def create(ctx: Context, data: ManualEntryIn) -> ManualEntry:
    """Record a count for offline activity (staff)."""
    await refuse_frozen(data.period)
    if data.module not in dict(module_choices(ctx)):
        raise invalid("module", N_("Choose one of the options."))
    entry = await create_entry(data, ctx.actor)
    await Engine.for_app(ctx.app).invalidate()
    return entry


class EntryChangeIn(ManualEntryIn):
    """A manual entry's new values (the entry from the path)."""

    entry_id: int


@action("indicators.update_entry", input=EntryChangeIn, permission=rules.MANAGE)
async def update(ctx: Context, data: EntryChangeIn) -> ManualEntry:
    """Change a manual entry; the change is kept in its audit trail (staff)."""
    entry = await _entry(data.entry_id)
    if entry.deleted_at is not None:
        raise Refused(N_("This entry was withdrawn."), 409, kind="withdrawn")
    await refuse_frozen(entry.period, data.period)
    await update_entry(entry, ManualEntryIn(**data.model_dump(exclude={"entry_id"})), ctx.actor)
    await Engine.for_app(ctx.app).invalidate()
    return entry


class WithdrawIn(BaseModel):
    """Why a manual entry is withdrawn."""

    entry_id: int
    reason: str = Field(max_length=2000)

    @field_validator("reason")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        if len(value.strip()) < 3:
            raise ValueError(N_("Say why the entry is withdrawn (at least 3 characters)."))
        return value.strip()


@action("indicators.withdraw_entry", input=WithdrawIn, permission=rules.MANAGE)
async def withdraw(ctx: Context, data: WithdrawIn) -> ManualEntry:
    """Withdraw a manual entry (it stops counting; it and its audit trail are kept) (staff)."""
    entry = await _entry(data.entry_id)
    if entry.deleted_at is None:
        await refuse_frozen(entry.period)
        await delete_entry(entry, ctx.actor, data.reason)
        await Engine.for_app(ctx.app).invalidate()
    return entry


@action("indicators.set_targets", input=TargetsIn, permission=rules.MANAGE)
async def set_targets(ctx: Context, data: TargetsIn) -> TargetsIn:
    """Set the yearly targets per indicator (an empty one removes the target) (staff)."""
    for name in INDICATORS:
        value = getattr(data, name)
        if value is None:
            await Target.filter(year=data.year, indicator=name).delete()
        else:
            await Target.update_or_create(year=data.year, indicator=name, defaults={"value": value})
    return data


class PublishIn(BaseModel):
    """The period to publish (YYYY, YYYY-Qn or YYYY-MM)."""

    period: str = Field(default="", max_length=20)


@action("indicators.publish", input=PublishIn, permission=rules.PUBLISH)
async def publish(ctx: Context, data: PublishIn) -> PeriodFigures:
    """Publish a period: recompute it one last time and freeze its figures."""
    try:
        period = rules.parse_period(data.period)
    except rules.PeriodError as error:
        raise Refused(str(error), 400, kind="invalid-period", errors={"period": str(error)}) from None
    try:
        return await Engine.for_app(ctx.app).publish(period, ctx.actor.id)
    except PublishError as error:
        raise Refused(str(error), 409, kind="cannot-publish") from None


class RecomputeIn(BaseModel):
    """The year the dashboard shows (kept after recomputing)."""

    year: str = Field(default="", max_length=10)


@action("indicators.recompute", input=RecomputeIn, permission=rules.VIEW_PROVISIONAL)
async def recompute(ctx: Context, data: RecomputeIn) -> int:
    """Forget the provisional figures so the dashboard computes them afresh (staff)."""
    await Engine.for_app(ctx.app).invalidate()
    return rules.year_or(data.year, Engine.for_app(ctx.app).today().year)

