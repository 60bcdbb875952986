"""Who belongs to which organisation: claims, their proofs and the members of each organisation.

Other plugins read memberships through three functions (the ``people`` plugin shows a person's
organisations with them)::

    from labkit_mapping import membership

    await membership.confirmed_organisations(person_id)   # -> list[Tie], published organisations
    await membership.members_of(organisation_id)           # -> list[Tie], confirmed members
    await membership.is_member(person_id, organisation_id) # -> bool

The rest are the rules the claim, invitation and role actions (:mod:`labkit_mapping.claim_actions`,
:mod:`labkit_mapping.member_actions`) run. A rule that says no raises :class:`labkit.actions.Refused`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from labkit.actions import Refused, invalid, not_found
from labkit.i18n import N_
from labkit.models import Person

from labkit_mapping import domains
from labkit_mapping.models import Membership, Organisation


@dataclass(frozen=True)
class Tie:
    """A confirmed membership, as other plugins see it."""

    person_id: int
    person_name: str
    organisation_id: int
    organisation_name: str
    role: str
    """``"admin"`` or ``"member"``."""
    proof: str
    """How it was confirmed: ``"staff"``, ``"domain"`` or ``"member"``."""
    since: datetime | None


def _tie(row: Membership) -> Tie:
    return Tie(person_id=row.person_id, person_name=row.person.name, organisation_id=row.organisation_id,
               organisation_name=row.organisation.name, role=row.role, proof=row.proof, since=row.confirmed_at)


async def confirmed_organisations(person_id: int) -> list[Tie]:
    """The published organisations ``person_id`` is a confirmed member of, by name."""
    rows = await Membership.filter(person_id=person_id, status="confirmed", organisation__status="published") \
        .select_related("organisation", "person").order_by("organisation__normalised_name")
    return [_tie(row) for row in rows]


async def members_of(organisation_id: int) -> list[Tie]:
    """The confirmed members of organisation ``organisation_id``: administrators first, then by name."""
    rows = await Membership.filter(organisation_id=organisation_id, status="confirmed") \
        .select_related("organisation", "person").order_by("role", "person__name", "id")
    return [_tie(row) for row in rows]


async def is_member(person_id: int | None, organisation_id: int) -> bool:
    """Whether ``person_id`` is a confirmed member of organisation ``organisation_id``."""
    if person_id is None:
        return False
    return await Membership.exists(person_id=person_id, organisation_id=organisation_id, status="confirmed")


async def is_admin(person_id: int | None, organisation_id: int) -> bool:
    """Whether ``person_id`` is a confirmed administrator of organisation ``organisation_id``."""
    if person_id is None:
        return False
    return await Membership.exists(person_id=person_id, organisation_id=organisation_id, status="confirmed",
                                   role="admin")


# --------------------------------------------------------------------------------- claims


def check_domain(org: Organisation, email: str) -> None:
    """Refuse ``email`` as a proof for ``org`` unless its registrable domain is the one of the
    organisation's website, and neither is a service anyone can sign up to."""
    site = domains.registrable(org.website_domain)
    if not site:
        raise invalid("email", N_("This organisation has no website: ask the lab's team to confirm your claim."))
    if domains.is_shared(site):
        raise invalid("email", N_("This organisation's website is on a shared service (%(domain)s): ask the lab's "
                                  "team to confirm your claim."), domain=site)
    address_domain = domains.of_email(email)
    if domains.is_shared(address_domain):
        raise invalid("email", N_("An address at %(domain)s proves nothing: anyone can have one. Give an address at "
                                  "%(site)s."), domain=address_domain, site=site)
    if address_domain != site:
        raise invalid("email", N_("Give an address at the organisation's website domain, %(site)s."), site=site)


def digest(code: str) -> str:
    """How a one-time code is stored: its SHA-256, so the database never holds a working link."""
    return hashlib.sha256(code.encode()).hexdigest()


def one_time_code(valid: timedelta) -> tuple[str, str, datetime]:
    """A new unguessable code for a mailed link, its :func:`digest` to store, and when it expires."""
    code = secrets.token_urlsafe(24)
    return code, digest(code), datetime.now(UTC) + valid


async def lock_organisation(connection: BaseDBAsyncClient, organisation_id: int) -> None:
    """Lock organisation ``organisation_id``'s row until ``connection``'s transaction ends
    (PostgreSQL; SQLite runs one writer at a time anyway), so that decisions about its members are
    taken one after the other."""
    query = Organisation.filter(id=organisation_id).using_db(connection)
    if connection.capabilities.dialect == "postgres":
        query = query.select_for_update()
    await query.first()


async def claim(org: Organisation, person: Person, note: str, email: str, code_hours: int) -> tuple[Membership, str]:
    """Ask to be a member of ``org``. With ``email`` (checked by :func:`check_domain`) the claim
    gets a one-time code, returned to be mailed there, valid ``code_hours``; without, it waits for
    the team or the organisation's members. Asking again while a claim waits updates it."""
    if email:
        check_domain(org, email)
    code, code_hash, expires = one_time_code(timedelta(hours=code_hours)) if email else ("", "", None)
    values = {"note": note, "proof_email": email, "code_hash": code_hash, "code_expires_at": expires}
    existing = await Membership.get_or_none(organisation=org, person=person)
    if existing is not None and existing.status == "confirmed":
        raise Refused(N_("You are already a member of this organisation."), kind="conflict")
    if existing is not None:
        if not await Membership.filter(id=existing.id, status="pending").update(**values):
            raise Refused(N_("You are already a member of this organisation."), kind="conflict")
        await existing.refresh_from_db()
        return existing, code
    try:
        return await Membership.create(organisation=org, person=person, **values), code
    except IntegrityError:
        raise Refused(N_("Your claim of this organisation is already recorded."), kind="conflict") from None


async def confirm_code(code: str, person: Person) -> Membership:
    """Confirm the claim whose mailed code is ``code`` (once, before it expires, by the person who
    asked)."""
    row = await Membership.get_or_none(code_hash=digest(code), status="pending") if code else None
    if row is None:
        raise not_found(N_("This link is not valid, or it was already used."))
    if row.person_id != person.id:
        raise Refused(N_("Sign in as the person who asked for this link."), 403, kind="forbidden")
    if row.code_expires_at is None or row.code_expires_at < datetime.now(UTC):
        raise Refused(N_("This link expired: claim the organisation again to get a new one."), 410, kind="expired")
    return await confirm(row, "domain", None, code_hash=row.code_hash)


async def confirm(row: Membership, proof: str, by: Person | None, code_hash: str | None = None) -> Membership:
    """Confirm a pending membership, once: the organisation's first member becomes its
    administrator. The organisation's row is locked meanwhile (PostgreSQL), so two claims
    confirmed at the same moment do not both become the first."""
    async with in_transaction() as connection:
        await lock_organisation(connection, row.organisation_id)
        first = not await Membership.filter(organisation_id=row.organisation_id, status="confirmed") \
            .using_db(connection).exists()
        pending = Membership.filter(id=row.id, status="pending").using_db(connection)
        if code_hash is not None:
            pending = pending.filter(code_hash=code_hash)
        done = await pending.update(status="confirmed", proof=proof, confirmed_by_id=by.id if by else None,
                                    confirmed_at=datetime.now(UTC), role="admin" if first else "member",
                                    code_hash="", code_expires_at=None)
    if not done:
        raise Refused(N_("This claim was already decided."), kind="conflict")
    return await Membership.get(id=row.id).select_related("organisation", "person")


async def pending_membership(membership_id: int) -> Membership:
    """Membership ``membership_id`` waiting for a decision, with its organisation and person."""
    row = await Membership.get_or_none(id=membership_id).select_related("organisation", "person")
    if row is None:
        raise not_found(N_("This claim does not exist."))
    if row.status != "pending":
        raise Refused(N_("This claim was already decided."), kind="conflict")
    return row


async def pending_claims(organisation_id: int | None = None) -> list[Membership]:
    """Claims waiting for a decision (of one organisation, or all), oldest first."""
    query = Membership.filter(status="pending")
    if organisation_id is not None:
        query = query.filter(organisation_id=organisation_id)
    return await query.select_related("organisation", "person").order_by("created_at", "id")


# --------------------------------------------------------------------------------- roles


LAST_ADMIN = N_("The organisation's last administrator cannot step down while other members remain: make "
                "another member an administrator first.")


async def _refuse_losing_last_admin(connection: BaseDBAsyncClient, row: Membership) -> None:
    """Refuse when ``row`` is the organisation's only administrator and other members remain."""
    if row.role != "admin" or row.status != "confirmed":
        return
    others = Membership.filter(organisation_id=row.organisation_id, status="confirmed").exclude(id=row.id) \
        .using_db(connection)
    if await others.exists() and not await others.filter(role="admin").exists():
        raise Refused(LAST_ADMIN, kind="conflict")


async def confirmed_membership(membership_id: int) -> Membership:
    """Confirmed membership ``membership_id``, with its organisation and person."""
    row = await Membership.get_or_none(id=membership_id, status="confirmed").select_related("organisation", "person")
    if row is None:
        raise not_found(N_("This membership does not exist."))
    return row


async def set_role(row: Membership, role: str) -> Membership:
    """Make the member of ``row`` an administrator or a member; the last administrator is not
    demoted while others remain. The organisation's row is locked meanwhile, so two administrators
    demoting each other at the same moment cannot leave it with none."""
    async with in_transaction() as connection:
        await lock_organisation(connection, row.organisation_id)
        current = await Membership.get_or_none(id=row.id, status="confirmed").using_db(connection)
        if current is None:
            raise not_found(N_("This membership does not exist."))
        if role != "admin":
            await _refuse_losing_last_admin(connection, current)
        await Membership.filter(id=row.id).using_db(connection).update(role=role)
    row.role = role
    return row


async def remove(row: Membership) -> None:
    """Delete membership ``row`` (leaving, a removal or a withdrawn claim); the last administrator
    does not go while other members remain."""
    async with in_transaction() as connection:
        await lock_organisation(connection, row.organisation_id)
        current = await Membership.get_or_none(id=row.id).using_db(connection)
        if current is None:
            raise not_found(N_("This membership does not exist."))
        await _refuse_losing_last_admin(connection, current)
        await current.delete(using_db=connection)
