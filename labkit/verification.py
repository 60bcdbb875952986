"""Verifications: what the lab knows about a person beyond their password, and how they get it.

A person holds :class:`~labkit.models.Verification` rows of some kinds: ``"email"`` (they opened
the confirmation link), ``"staff"`` (checked by the lab's team), ``"census"`` (their identifier
matched the census list staff uploaded), ``"sso:<provider>"`` (they signed in through that
provider). An :class:`~labkit.actions.Action` names the kind it needs (``"email"`` by default for
anything a signed-in person does); the core refuses with a 403 problem of kind ``unverified``
whose message says what is missing and how to get it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from labkit.actions import Refused
from labkit.i18n import N_, gettext
from labkit.models import CensusEntry, Person, Verification

EMAIL, STAFF, CENSUS = "email", "staff", "census"
"""The kinds the core grants itself (single sign-on adds ``"sso:<provider>"``)."""

GRANTABLE_BY_STAFF = (EMAIL, STAFF)
"""The kinds staff may mark or remove by hand on the people page."""

Requirement = Literal["", "staff", "census"]
"""What staff may require of the people taking part in a plugin's space (a consultation, a
challenge's vote, a coworking space) besides a confirmed address, ``""`` for nothing more. The
forms offer it with the ``required_verification`` macro of ``_verification.html``; the action
checks it with :meth:`labkit.actions.Context.require_verification`."""

_LABELS = {EMAIL: N_("confirmed e-mail address"), STAFF: N_("checked by the lab's staff"),
           CENSUS: N_("found in the census list")}

_HOW = {
    EMAIL: N_("Confirm your e-mail address: open the link we sent you, or ask for a new one on your "
              "account's verification page."),
    STAFF: N_("Ask the lab's team to check your account; they mark it on the people page."),
    CENSUS: N_("Enter your identifier (CPF or ID number) on your account's verification page; it must "
               "be on the census list the lab's team uploaded."),
}


def label(kind: str) -> str:
    """The name of a verification kind in the current language."""
    if kind.startswith("sso:"):
        return gettext("signed in with %(provider)s", provider=kind[4:])
    return gettext(_LABELS.get(kind, kind))


def how_to_get(kind: str) -> str:
    """What a person does to get a verification of ``kind``, in the current language."""
    if kind.startswith("sso:"):
        return gettext("Sign in once with %(provider)s.", provider=kind[4:])
    return gettext(_HOW.get(kind, N_("Ask the lab's team how to get it.")))


def missing(kind: str) -> Refused:
    """The refusal of an action that needs a verification of ``kind`` the person lacks (403 ``unverified``)."""
    return Refused(N_("This needs a verified account (%(what)s). %(how)s"), 403, kind="unverified",
                   what=label(kind), how=how_to_get(kind))


async def kinds_of(person: Person | None) -> frozenset[str]:
    """The kinds of verification ``person`` holds (none for nobody)."""
    if person is None:
        return frozenset()
    kinds = await Verification.filter(person_id=person.id).values_list("kind", flat=True)
    return frozenset(str(kind) for kind in kinds)


async def grant(person: Person, kind: str, *, by: Person | None = None, detail: str = "") -> bool:
    """Give ``person`` a verification of ``kind`` (kept if they have it); whether it is new."""
    try:
        _record, created = await Verification.get_or_create(
            person_id=person.id, kind=kind, defaults={"granted_by_id": by.id if by else None, "detail": detail[:200]})
    except IntegrityError:  # granted at the same moment by another request
        return False
    return created


async def revoke(person: Person, kind: str) -> bool:
    """Take a verification of ``kind`` away from ``person``; whether they had it."""
    return bool(await Verification.filter(person_id=person.id, kind=kind).delete())


# -------------------------------------------------------------------- e-mail confirmation links


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="labkit.email-confirm")


def confirmation_token(secret_key: str, person: Person) -> str:
    """A signed token for the link confirming ``person``'s address. It names the address and the
    account's session version, which moves on when a link is used: every link works once."""
    return _serializer(secret_key).dumps([person.id, person.email, person.session_version])


async def confirm(secret_key: str, token: str, max_age: int) -> Person | None:
    """Verify the address a genuine, fresh, unused confirmation ``token`` names; the person, or ``None``.

    The person's session version moves on (older links die with it), so the caller signs them in anew.
    """
    try:
        person_id, email, version = _serializer(secret_key).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        return None
    async with in_transaction():
        person = await Person.select_for_update().get_or_none(id=person_id, is_active=True)
        if person is None or person.email != email or person.session_version != version:
            return None
        person.session_version += 1
        await person.save(update_fields=["session_version"])
        await grant(person, EMAIL, detail=email)
    return person


# ---------------------------------------------------------------------------------- census


def normalise_identifier(value: str) -> str:
    """An identifier as the census compares it: letters and digits only, upper case
    (``"123.456.789-09"`` and ``"12345678909"`` are one CPF)."""
    text = unicodedata.normalize("NFKD", value)
    return re.sub(r"[^0-9A-Za-z]", "", text).upper()


def census_digest(secret_key: str, identifier: str) -> str:
    """The keyed SHA-256 (HMAC with the lab's secret) of a normalised identifier: all the lab keeps."""
    return hmac.new(secret_key.encode(), normalise_identifier(identifier).encode(), hashlib.sha256).hexdigest()


async def add_census(digests: set[str]) -> int:
    """Store census digests (the ones already there are kept); how many were new."""
    known = set(await CensusEntry.filter(digest__in=list(digests)).values_list("digest", flat=True))
    fresh = [CensusEntry(digest=digest) for digest in sorted(digests - known)]
    await CensusEntry.bulk_create(fresh)
    return len(fresh)


async def claim_census(secret_key: str, person: Person, identifier: str) -> bool:
    """Verify ``person`` as ``"census"`` if ``identifier`` is on the list and no other account
    claimed it; whether it matched."""
    digest = census_digest(secret_key, identifier)
    async with in_transaction():
        entry = await CensusEntry.select_for_update().get_or_none(digest=digest)
        if entry is None or entry.claimed_by_id not in (None, person.id):
            return False
        entry.claimed_by_id = person.id
        await entry.save(update_fields=["claimed_by_id"])
        await grant(person, CENSUS)
    return True
