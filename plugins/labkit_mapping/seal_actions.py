"""The team's seals, each use case once for the pages and the API: define, change or retire a
seal, grant it to an organisation and take it back."""

from __future__ import annotations

from labkit.actions import Context, action, not_found
from labkit.i18n import N_

from labkit_mapping import rules, seals
from labkit_mapping.actions import is_team
from labkit_mapping.forms import SealGrantIn, SealIn, SealUpdate
from labkit_mapping.models import Seal, SealGrant


@action("mapping.create_seal", input=SealIn, permission="mapping.seals")
async def create_seal(ctx: Context, data: SealIn) -> Seal:
    """Add a seal to the lab's list."""
    return await seals.save(Seal(), data.model_dump())


@action("mapping.update_seal", input=SealUpdate, permission="mapping.seals")
async def update_seal(ctx: Context, data: SealUpdate) -> Seal:
    """Change a seal's name, meaning, icon or colour, or retire it (no longer granted nor shown)."""
    seal = await Seal.get_or_none(id=data.seal_id)
    if seal is None:
        raise not_found(N_("This seal does not exist."))
    return await seals.save(seal, data.model_dump(exclude={"seal_id"}))


@action("mapping.grant_seal", input=SealGrantIn, permission="mapping.seals")
async def grant_seal(ctx: Context, data: SealGrantIn) -> SealGrant:
    """Give a seal to an organisation (recorded with the date and who gave it)."""
    org = await rules.visible_organisation(data.org_id, is_team(ctx))
    given = await seals.grant(org, data.seal_id, ctx.actor)
    await ctx.emit("mapping.seal_granted", organisation_id=org.id, seal_id=data.seal_id)
    return given


@action("mapping.revoke_seal", input=SealGrantIn, permission="mapping.seals")
async def revoke_seal(ctx: Context, data: SealGrantIn) -> int:
    """Take a seal back from an organisation; returns the organisation's id."""
    org = await rules.visible_organisation(data.org_id, is_team(ctx))
    await seals.revoke(org, data.seal_id, ctx.actor)
    await ctx.emit("mapping.seal_revoked", organisation_id=org.id, seal_id=data.seal_id)
    return org.id
