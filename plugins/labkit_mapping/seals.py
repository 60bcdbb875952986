"""Seals: the lab's list of marks (two by default) and which organisations hold them.

A seal's name is the lab's own words; the two defaults are stored as the English messages and
shown translated (:func:`labkit.i18n.gettext` leaves the lab's own names as they are).
"""

from __future__ import annotations

from collections import defaultdict

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from labkit.actions import Refused, invalid, not_found
from labkit.i18n import N_
from labkit.models import Person

from labkit_mapping import rules
from labkit_mapping.models import Organisation, Seal, SealGrant

DEFAULTS = (
    (N_("Verified by the lab"), N_("The lab's team checked that this organisation exists and works as described."),
     "check", "green"),
    (N_("Partner"), N_("This organisation works with the lab."), "handshake", "blue"),
)
"""The seals a lab starts with: name, description, icon, colour."""


async def ensure_defaults() -> None:
    """Add the default seals to a lab that has never had any (at start-up)."""
    if await Seal.exists():
        return
    try:
        async with in_transaction():
            for name, description, icon, colour in DEFAULTS:
                await Seal.create(name=name, description=description, icon=icon, colour=colour)
    except IntegrityError:
        return  # another worker added them at the same moment


async def active() -> list[Seal]:
    """The seals that may be granted (not retired), oldest first."""
    return await Seal.filter(retired=False).order_by("id")


async def save(seal: Seal, values: dict) -> Seal:
    """Store a new or changed seal; a name another seal has is refused."""
    for name, value in values.items():
        setattr(seal, name, value)
    try:
        await seal.save()
    except IntegrityError:
        raise invalid("name", N_("Another seal has this name.")) from None
    return seal


async def of(org_ids: list[int]) -> dict[int, list[Seal]]:
    """The active seals of each organisation in ``org_ids`` (one query)."""
    held: dict[int, list[Seal]] = defaultdict(list)
    grants = await SealGrant.filter(organisation_id__in=org_ids, seal__retired=False).select_related("seal") \
        .order_by("seal_id")
    for grant in grants:
        held[grant.organisation_id].append(grant.seal)
    return held


async def grants_of(org: Organisation) -> list[SealGrant]:
    """The active seals of ``org``, with who granted them and when."""
    return await SealGrant.filter(organisation=org, seal__retired=False).select_related("seal", "granted_by") \
        .order_by("seal_id")


async def grant(org: Organisation, seal_id: int, by: Person | None) -> SealGrant:
    """Give seal ``seal_id`` (active) to ``org``, recorded in its history."""
    seal = await Seal.get_or_none(id=seal_id, retired=False)
    if seal is None:
        raise invalid("seal_id", N_("Choose a seal of the list."))
    try:
        async with in_transaction():
            given = await SealGrant.create(seal=seal, organisation=org, granted_by=by)
            await rules.record(org, "seal_granted", by, {"seal": [None, seal.name]})
    except IntegrityError:
        raise Refused(N_("This organisation already has this seal."), kind="conflict") from None
    return given


async def revoke(org: Organisation, seal_id: int, by: Person | None) -> None:
    """Take seal ``seal_id`` back from ``org``, recorded in its history."""
    held = await SealGrant.get_or_none(organisation=org, seal_id=seal_id).select_related("seal")
    if held is None:
        raise not_found(N_("This organisation does not have this seal."))
    async with in_transaction():
        await held.delete()
        await rules.record(org, "seal_revoked", by, {"seal": [held.seal.name, None]})
