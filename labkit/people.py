"""Services on people's accounts used by pages and commands alike."""

from __future__ import annotations

from datetime import UTC, datetime

from labkit import auth, db, verification
from labkit.config import Settings
from labkit.i18n import N_
from labkit.models import CensusEntry, Person
from labkit.plugins import Plugins

FORMER_PARTICIPANT = N_("Former participant")
"""The name a deleted account keeps; pages show it in the visitor's language."""
ACCOUNT_DELETED = N_("The account was deleted.")
"""The reason plugins record when deleting an account ends something of it (a pending booking)."""
PLACEHOLDERS = frozenset({FORMER_PARTICIPANT, ACCOUNT_DELETED})
"""Texts stored in place of a deleted person's data; pages show each in the visitor's language."""


class AccountError(Exception):
    """An account cannot be created or changed as asked; the message says why."""


async def create_admin(settings: Settings, plugins: Plugins, *, email: str, name: str, password: str) -> bool:
    """Create an administrator, or promote the existing account with this e-mail.

    Returns whether an account was created. The administrator's address counts as confirmed (whoever
    runs the command vouches for it). Raises :class:`AccountError` for a bad password.
    """
    if len(password) < auth.MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {auth.MIN_PASSWORD_LENGTH} characters")
    async with db.open_database(settings, plugins):
        person = await Person.get_or_none(email=email.strip().lower())
        if person is not None:
            person.role, person.is_active = "admin", True
            await set_password(person, password)
            await verification.grant(person, verification.EMAIL, detail="labkit createadmin")
            return False
        person = await Person.create(email=email.strip().lower(), name=name, role="admin",
                                     password_hash=await auth.password_hash(password))
        await verification.grant(person, verification.EMAIL, detail="labkit createadmin")
        return True


async def set_password(person: Person, password: str) -> None:
    """Give ``person`` a new password; every session they had ends (the caller may sign in anew)."""
    person.password_hash = await auth.password_hash(password)
    person.session_version += 1
    await person.save()


async def anonymise(person: Person) -> None:
    """Remove a person's identity from their account row, revoke their tokens, delete their single
    sign-on links, notifications and the mail to them (which may quote them) and verifications, and
    free the census identifier they matched (a new account of theirs may match it again).

    Their consents stay, tied to the anonymised row: the contributions that stay public were made
    under those terms, and the rows name nobody any more."""
    person.name = FORMER_PARTICIPANT
    person.email = f"deleted-{person.id}@invalid"
    person.password_hash = ""
    person.locale = None
    person.is_active = False
    person.session_version += 1
    person.deleted_at = datetime.now(UTC)
    await person.save()
    await person.tokens.all().update(revoked_at=datetime.now(UTC))
    await person.sso_identities.all().delete()
    await person.notifications.all().delete()
    await person.outbox.all().delete()
    await person.verifications.all().delete()
    await CensusEntry.filter(claimed_by_id=person.id).update(claimed_by_id=None)
