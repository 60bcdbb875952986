"""Times people type are in the lab's time zone; the database holds UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from labkit.i18n import N_


class LocalTimeError(ValueError):
    """A local time that does not exist (skipped by a daylight-saving change)."""


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def local_to_utc(value: datetime, timezone: str) -> datetime:
    """Read a naive ``value`` as a wall-clock time in ``timezone`` and return it in UTC.

    An aware value is simply converted. A time inside a daylight-saving gap raises
    :class:`LocalTimeError`; in an ambiguous hour the first occurrence is taken.
    """
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    zone = ZoneInfo(timezone)
    local = value.replace(tzinfo=zone)
    round_trip = local.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != value:
        raise LocalTimeError(N_("This time does not exist in the lab's time zone (the clocks change then)."))
    return local.astimezone(UTC)


def utc_to_local(value: datetime, timezone: str) -> datetime:
    """An aware UTC time as the lab's wall-clock time (aware, in ``timezone``)."""
    return value.astimezone(ZoneInfo(timezone))
