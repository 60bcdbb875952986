"""What the hub's staff do: each write once, whatever page calls it.

The registry (add, edit, import a member), the members' push tokens (issue, revoke) and "harvest
now". Every action needs ``federation.manage``, which the core checks before the handler runs.
A member's push (``POST /api/v1/federation/reports``) is not a person's action: its route checks
the member's token itself (see :mod:`.api_push`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from labkit import leases
from labkit.actions import Context, Refused, action, invalid, not_found
from labkit.i18n import N_

from labkit_federation import registry, schedule, summary, tree
from labkit_federation.forms import MemberIn
from labkit_federation.harvest import harvest
from labkit_federation.models import Member
from labkit_federation.options import SLUG, FederationOptions

log = logging.getLogger("labkit.federation")
MANAGE = "federation.manage"
NO_SUCH_MEMBER = N_("There is no member lab with this code.")


class MemberCode(BaseModel):
    """A member named by its code (from the page's path)."""

    code: str


class MemberChange(BaseModel):
    """A member's new values; ``current`` is its code before the change (the code may change too)."""

    current: str
    member: MemberIn


class RegistryFile(BaseModel):
    """The registry CSV upload: the file's bytes (``None`` when no file was chosen) and the dry run box."""

    content: bytes | None = None
    dry_run: bool = False


@dataclass
class IssuedToken:
    """A new token and its member: the token is shown this once, the hub keeps only its hash."""

    member: Member
    token: str


async def member_named(code: str) -> Member:
    """The member with ``code`` (its mentor loaded), or a 404 refusal."""
    member = await Member.get_or_none(code=code).prefetch_related("mentor")
    if member is None:
        raise not_found(NO_SUCH_MEMBER)
    return member


async def _save(ctx: Context, data: MemberIn, member: Member | None) -> Member:
    """Check the mentor (it exists, it closes no loop) and the code (no other member has it), then save."""
    errors: dict[str, str] = {}
    mentor = None
    if data.mentor:
        mentor = await Member.get_or_none(code=data.mentor)
        if mentor is None:
            errors["mentor"] = NO_SUCH_MEMBER
        else:
            try:
                await tree.check_mentor(data.code if member is None else member.code, data.mentor)
            except tree.MentorCycle as loop:
                errors["mentor"] = loop.message()
    if await Member.filter(code=data.code).exclude(id=member.id if member else 0).exists():
        errors["code"] = N_("Another member already has this code.")
    if errors:
        raise Refused(next(iter(errors.values())), 422, kind="validation", errors=errors)
    fields = data.model_dump(exclude={"mentor"})
    if member is None:
        member = await Member.create(**fields, mentor=mentor)
    else:
        moved = member.region_path != data.region_path
        await member.update_from_dict({**fields, "mentor": mentor}).save()
        if moved:  # its figures now count in another region
            await summary.rebuild()
    log.info("registry: %s saved by %s", member.code, ctx.actor.id)
    return member


@action("federation.add_member", input=MemberIn, permission=MANAGE)
async def add_member(ctx: Context, data: MemberIn) -> Member:
    """Add a member lab (or hub) to the registry."""
    return await _save(ctx, data, None)


@action("federation.edit_member", input=MemberChange, permission=MANAGE)
async def edit_member(ctx: Context, data: MemberChange) -> Member:
    """Change a member of the registry."""
    return await _save(ctx, data.member, await member_named(data.current))


@action("federation.import_registry", input=RegistryFile, permission=MANAGE)
async def import_registry(ctx: Context, data: RegistryFile) -> registry.RegistryImport:
    """Import the registry from CSV: every row checked, then all saved or none (nothing on a dry run)."""
    if data.content is None:
        raise invalid("file", N_("Choose a CSV file."))
    report = await registry.import_csv(data.content, dry_run=data.dry_run)
    if report.saved:
        log.info("registry: CSV imported by %s", ctx.actor.id)
    return report


@action("federation.issue_token", input=MemberCode, permission=MANAGE)
async def issue_token(ctx: Context, data: MemberCode) -> IssuedToken:
    """Issue a new push token for a member (the old one stops working)."""
    member = await member_named(data.code)
    token = await registry.issue_token(member)
    log.info("registry: token issued for %s by %s", member.code, ctx.actor.id)
    return IssuedToken(member, token)


@action("federation.revoke_token", input=MemberCode, permission=MANAGE)
async def revoke_token(ctx: Context, data: MemberCode) -> Member:
    """Revoke a member's push token: its pushes are refused until a new one is issued."""
    member = await member_named(data.code)
    await registry.revoke_token(member)
    log.info("registry: token revoked for %s by %s", member.code, ctx.actor.id)
    return member


_running: set[asyncio.Task[Any]] = set()


async def _harvest_in_background(opts: FederationOptions, holder: str) -> None:
    """Harvest every member holding the harvest lease (the schedule waits meanwhile), then free it."""
    async with leases.holding(schedule.LEASE_NAME, holder):
        try:
            await harvest(opts, trigger="manual")
        except Exception:  # the run records per-lab failures itself; this is only a last resort
            log.exception("federation: the manual harvest failed")


@action("federation.harvest_now", permission=MANAGE)
async def harvest_now(ctx: Context, data: None) -> None:
    """Start a harvest of every member in the background, unless one is running."""
    holder = leases.holder_id()
    if not await leases.acquire(schedule.LEASE_NAME, holder):
        raise Refused(N_("A harvest is already running: wait for it to finish."), 409, kind="harvest-running")
    task = asyncio.create_task(_harvest_in_background(ctx.plugin_settings(SLUG), holder))
    _running.add(task)
    task.add_done_callback(_running.discard)
