"""Moderation: people report proposals and comments; moderators hide them (with a public reason)
or show them again, and block members' accounts for abuse."""

from __future__ import annotations

from pydantic import BaseModel

from labkit.actions import Context, action, not_found
from labkit.models import Person
from labkit.timezones import now

from labkit_participation import rules
from labkit_participation.forms import BlockIn, FlagIn, HideIn
from labkit_participation.models import Flag

MODERATE = "participation.moderate"


@action("participation.flag", input=FlagIn, permission="participation.take_part")
async def flag(ctx: Context, data: FlagIn) -> Flag:
    """Report a proposal or a comment to the moderators (once per person and item)."""
    reported = await rules.flag(data.target, data.target_id, ctx.actor, data.reason)
    await ctx.emit("participation.content_flagged", target=data.target, target_id=data.target_id)
    return reported


@action("participation.hide", input=HideIn, permission=MODERATE)
async def hide(ctx: Context, data: HideIn) -> None:
    """Hide a proposal or a comment with a public reason."""
    await rules.hide(data.target, data.target_id, data.reason, now())
    await ctx.emit("participation.content_hidden", target=data.target, target_id=data.target_id)


class Target(BaseModel):
    """A proposal or a comment."""

    target: str
    target_id: int


@action("participation.unhide", input=Target, permission=MODERATE)
async def unhide(ctx: Context, data: Target) -> None:
    """Show a hidden proposal or comment again."""
    await rules.unhide(data.target, data.target_id)


@action("participation.block", input=BlockIn, permission="participation.block")
async def block(ctx: Context, data: BlockIn) -> Person:
    """Block a member's account: they are signed out everywhere and can no longer sign in."""
    if data.person_id is None:
        raise not_found()
    target = await rules.block(data.person_id, ctx.actor)
    await ctx.emit("participation.account_blocked", person_id=target.id)
    return target
