"""Invitations to join an organisation: an administrator gives a colleague's address, a link with
a one-time code (made and stored hashed as a claim's, :func:`membership.one_time_code`) is mailed
there, and whoever opens it signed in, once and before it expires, becomes a confirmed member
(proof ``"member"``, confirmed by the person who invited). The link is not tied to an account:
anyone it reaches could use it, which is why it works once and expires.

A used or withdrawn invitation is deleted at once; an expired one stays listed (marked expired) for
its administrators for :data:`KEEP_EXPIRED`, then :func:`purge` deletes it (the app's hourly
housekeeping, :func:`labkit.app.housekeeping`). Whatever the reason, a dead link answers the same
:data:`NO_LONGER_VALID`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from labkit.actions import Refused, not_found
from labkit.i18n import N_
from labkit.models import Person

from labkit_mapping import membership
from labkit_mapping.models import Invitation, Membership, Organisation

KEEP_EXPIRED = timedelta(days=30)
"""How long an expired invitation stays listed for the organisation's administrators."""
NO_LONGER_VALID = N_("This invitation is no longer valid: it was used, withdrawn or it expired. Ask the "
                     "organisation's administrators for a new one.")


async def may_manage(person: Person, organisation_id: int, staff: bool) -> None:
    """Refuse (403) unless ``person`` administers organisation ``organisation_id`` or is of the lab's team."""
    if not staff and not await membership.is_admin(person.id, organisation_id):
        raise Refused(N_("Only the organisation's administrators and the lab's team do this."), 403,
                      kind="forbidden")


async def invite(org: Organisation, email: str, by: Person, days: int) -> tuple[Invitation, str]:
    """Record an invitation of ``email`` to ``org``, valid ``days``; return it and the code to mail."""
    code, code_hash, expires = membership.one_time_code(timedelta(days=days))
    row = await Invitation.create(organisation=org, email=email, invited_by=by, code_hash=code_hash,
                                  expires_at=expires)
    return row, code


async def usable(code: str) -> Invitation | None:
    """The invitation whose link carries ``code`` if it still works (not used, withdrawn nor expired)."""
    if not code:
        return None
    return await Invitation.get_or_none(code_hash=membership.digest(code), expires_at__gt=datetime.now(UTC))


async def accept(code: str, person: Person) -> Membership:
    """Make ``person`` a confirmed member with the invitation whose code is ``code``: once, before
    it expires. A pending claim of the same person is confirmed instead of a new one."""
    row = await usable(code)
    if row is None:
        raise not_found(NO_LONGER_VALID)
    if await membership.is_member(person.id, row.organisation_id):
        raise Refused(N_("You are already a member of this organisation."), kind="conflict")
    if not await Invitation.filter(id=row.id).delete():
        raise not_found(NO_LONGER_VALID)
    claim, _ = await Membership.get_or_create(organisation_id=row.organisation_id, person=person)
    inviter = await Person.get_or_none(id=row.invited_by_id) if row.invited_by_id else None
    return await membership.confirm(claim, "member", inviter)


async def invitation(invitation_id: int) -> Invitation:
    """Invitation ``invitation_id``, with its organisation."""
    row = await Invitation.get_or_none(id=invitation_id).select_related("organisation")
    if row is None:
        raise not_found(N_("This invitation does not exist."))
    return row


async def pending(organisation_id: int) -> list[Invitation]:
    """The invitations of organisation ``organisation_id`` not used nor withdrawn yet, oldest first."""
    return await Invitation.filter(organisation_id=organisation_id).select_related("invited_by") \
        .order_by("created_at", "id")


async def purge(now: datetime | None = None) -> int:
    """Delete the invitations expired more than :data:`KEEP_EXPIRED` ago; return how many went."""
    return await Invitation.filter(expires_at__lt=(now or datetime.now(UTC)) - KEEP_EXPIRED).delete()
