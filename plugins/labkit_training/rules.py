"""The training rules as plain functions: places and the waiting list, hours and certificates."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal

from labkit.actions import Refused
from labkit.i18n import N_

from labkit_training.models import ENROLLED, WAITING

CODE_BYTES = 18
"""A certificate code carries 144 random bits: it cannot be guessed."""


def placement(enrolled: int, capacity: int) -> str:
    """Where a new enrolment goes: a seat while there are ``capacity`` of them, else the waiting list."""
    return ENROLLED if enrolled < capacity else WAITING


def check_open(published: bool, enrolment_open: bool) -> None:
    """Refuse an enrolment in a course that is not published or no longer takes enrolments."""
    if not (published and enrolment_open):
        raise Refused(N_("This course does not take enrolments."), 409, kind="enrolment-closed")


def attended_hours(hours_by_session: Mapping[int, Decimal], present: Iterable[int]) -> Decimal:
    """The hours of the sessions a person was present at."""
    return sum((hours_by_session[s] for s in set(present) if s in hours_by_session), Decimal(0))


def eligible(hours: Decimal, required: Decimal) -> bool:
    """Whether ``hours`` attended reach the course's ``required`` hours (a course needs some sessions)."""
    return hours > 0 and hours >= required


def session_hours(starts_at: datetime, ends_at: datetime) -> Decimal:
    """A session's length in hours, to two decimals."""
    return (Decimal((ends_at - starts_at).total_seconds()) / 3600).quantize(Decimal("0.01"))


def new_code() -> str:
    """A certificate's unguessable code (URL-safe)."""
    return secrets.token_urlsafe(CODE_BYTES)


def show_hours(value: Decimal) -> str:
    """Hours without useless decimals: ``18``, ``7.5``."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
