"""Booking rules as plain functions: no HTTP, no database. Pages, the API and tests share them.

Every check returns ``None`` when the rule holds, or a :class:`labkit.actions.Refused` saying why
not (422 with the form field it concerns; 409 when the slot is taken by other people's bookings). Lengths and
quotas are measured in UTC (real elapsed time); opening hours, closures and "days ahead" are read
on the lab's wall clock, so a range across a daylight-saving change is judged correctly on both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from labkit.actions import Refused, invalid
from labkit.i18n import N_, gettext
from labkit.timezones import LocalTimeError, local_to_utc

WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
            N_("Sunday"))
_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")

Hours = dict[int, list[tuple[int, int]]]
"""Opening hours: weekday (0 = Monday) to a list of (open, close) minutes since midnight."""


def slot_taken(message: str, **values: Any) -> Refused:
    """The one refusal that depends on other people's bookings: the slot is taken (409)."""
    return Refused(message, 409, kind="slot-taken", errors={"start": message}, **values)


def already_booked() -> Refused:
    """The person already holds an active booking of this resource over this very time (409): a
    second click, or the same request sent twice."""
    message = N_("You have already booked this resource at that time.")
    return Refused(message, 409, kind="already-booked", errors={"start": message})


def field_of(refusal: Refused) -> str:
    """The form field a rule's refusal concerns."""
    return next(iter(refusal.errors), "start")


@dataclass(frozen=True)
class Policy:
    """What the rules need to know about a resource and its space."""

    timezone: str
    opening_hours: Hours
    closures: Sequence[tuple[date, date, str]] = ()
    capacity: int = 1
    exclusive: bool = False
    min_notice_minutes: int = 0
    max_length_minutes: int = 0
    max_days_ahead: int = 0
    quota_hours_per_week: int = 0
    guidelines: str = ""


@dataclass(frozen=True)
class Usage:
    """An existing booking as the capacity rule sees it."""

    start: datetime
    end: datetime
    attendees: int


# ---------------------------------------------------------------------------- opening hours


def parse_intervals(text: str) -> list[tuple[int, int]]:
    """``"09:00-12:00, 13:00-18:00"`` as minutes since midnight; empty means closed that day.

    ``24:00`` closes at midnight. Raises ``ValueError`` with a translatable sentence.
    """
    intervals: list[tuple[int, int]] = []
    for part in filter(None, (piece.strip() for piece in (text or "").replace(";", ",").split(","))):
        match = _INTERVAL.match(part)
        if not match:
            raise ValueError(N_("Write opening hours as 09:00-18:00, several separated by commas."))
        h1, m1, h2, m2 = (int(x) for x in match.groups())
        opens, closes = h1 * 60 + m1, h2 * 60 + m2
        if m1 > 59 or m2 > 59 or opens > 24 * 60 or closes > 24 * 60 or opens >= closes:
            raise ValueError(N_("Each opening interval must close after it opens, within the day."))
        intervals.append((opens, closes))
    intervals.sort()
    for (_a, first_end), (second_start, _b) in pairwise(intervals):
        if second_start < first_end:
            raise ValueError(N_("Opening intervals of one day must not overlap."))
    return intervals


def format_minutes(minutes: int) -> str:
    """Minutes since midnight as ``HH:MM``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_intervals(intervals: Iterable[Sequence[int]]) -> str:
    """Intervals as ``09:00-12:00, 13:00-18:00``."""
    return ", ".join(f"{format_minutes(a)}-{format_minutes(b)}" for a, b in intervals)


def hours_from_json(data: dict[str, Any] | None) -> Hours:
    """Opening hours as stored (``{"0": [[540, 1080]]}``) to :data:`Hours`."""
    return {int(day): [(int(a), int(b)) for a, b in intervals] for day, intervals in (data or {}).items()}


def hours_to_json(hours: Hours) -> dict[str, list[list[int]]]:
    """:data:`Hours` as stored (the inverse of :func:`hours_from_json`)."""
    return {str(day): [[a, b] for a, b in intervals] for day, intervals in sorted(hours.items()) if intervals}


# ------------------------------------------------------------------------------ local time


def to_local(value: datetime, timezone: str) -> datetime:
    """``value`` on the wall clock of ``timezone``."""
    return value.astimezone(ZoneInfo(timezone))


def local_minutes(value: datetime) -> int:
    """Minutes since midnight of a local time."""
    return value.hour * 60 + value.minute


def wall_clock_to_utc(day: date, minutes: int, timezone: str) -> datetime:
    """The UTC instant of ``minutes`` after midnight of local ``day`` (24:00 is the next midnight).

    A time skipped by a daylight-saving change is read as the instant the clocks jump to.
    """
    moment = datetime.combine(day, time()) + timedelta(minutes=minutes)
    try:
        return local_to_utc(moment, timezone)
    except LocalTimeError:
        return local_to_utc(moment + timedelta(hours=1), timezone).replace(minute=0)


# ----------------------------------------------------------------------------------- rules


def check_order(start: datetime, end: datetime) -> Refused | None:
    """The end must come after the start."""
    if end <= start:
        return invalid("end", N_("The end must be after the start."))
    return None


def check_opening_hours(start: datetime, end: datetime, hours: Hours, timezone: str) -> Refused | None:
    """The whole range must fall inside one opening interval of the day it starts on (local time)."""
    first, last = to_local(start, timezone), to_local(end, timezone)
    day = first.date()
    begin = local_minutes(first)
    if last.date() == day:
        finish = local_minutes(last)
    elif last.date() == day + timedelta(days=1) and local_minutes(last) == 0:
        finish = 24 * 60
    else:
        return invalid("end", N_("A booking must start and end on the same day."))
    intervals = hours.get(first.weekday(), [])
    if not intervals:
        return invalid("start", N_("The space is closed on %(weekday)s."), weekday=gettext(WEEKDAYS[first.weekday()]))
    if not any(opens <= begin and finish <= closes for opens, closes in intervals):
        return invalid("start", N_("Outside opening hours: on %(weekday)s the space is open %(hours)s."),
                       weekday=gettext(WEEKDAYS[first.weekday()]), hours=format_intervals(intervals))
    return None


def check_closures(start: datetime, end: datetime, closures: Iterable[tuple[date, date, str]],
                   timezone: str) -> Refused | None:
    """No day the range touches (local dates) may be a closure day."""
    first = to_local(start, timezone).date()
    last = to_local(end - timedelta(microseconds=1), timezone).date()
    for closed_from, closed_to, reason in closures:
        if closed_from <= last and first <= closed_to:
            return invalid("start", N_("The space is closed from %(first)s to %(last)s: %(reason)s"),
                           first=closed_from.isoformat(), last=closed_to.isoformat(), reason=reason or "-")
    return None


def check_notice(start: datetime, now: datetime, minutes: int) -> Refused | None:
    """The start must not be past, nor closer than the notice the resource asks for."""
    if start < now:
        return invalid("start", N_("The start is in the past."))
    if minutes and start < now + timedelta(minutes=minutes):
        return invalid("start", N_("Book at least %(hours)s hours in advance."), hours=_hours_text(minutes))
    return None


def check_length(start: datetime, end: datetime, max_minutes: int) -> Refused | None:
    """Real elapsed time (UTC), so a daylight-saving change inside the range is counted right."""
    length = (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 60
    if max_minutes and length > max_minutes:
        return invalid("end", N_("A booking may last at most %(hours)s hours; this one lasts %(length)s."),
                       hours=_hours_text(max_minutes), length=_hours_text(int(length)))
    return None


def check_ahead(start: datetime, now: datetime, days: int, timezone: str) -> Refused | None:
    """The start must not be further ahead than the resource allows."""
    if days and to_local(start, timezone).date() > to_local(now, timezone).date() + timedelta(days=days):
        return invalid("start", N_("You can book at most %(days)s days ahead."), days=days)
    return None


def check_attendees(attendees: int, capacity: int) -> Refused | None:
    """At least one attendee, and no more than the capacity."""
    if attendees < 1:
        return invalid("attendees", N_("At least one person must attend."))
    if attendees > capacity:
        return invalid("attendees", N_("Too many attendees: this resource holds at most %(capacity)s."),
                       capacity=capacity)
    return None


def check_guidelines(accepted: bool, guidelines: str) -> Refused | None:
    """The space's guidelines, if any, must be accepted."""
    if guidelines.strip() and not accepted:
        return invalid("accept_guidelines", N_("Read and accept the space's guidelines to book."))
    return None


def check_quota(hours_already: float, start: datetime, end: datetime, quota_hours: int) -> Refused | None:
    """``hours_already`` is what the person holds in the same week of the same space."""
    wanted = (end - start).total_seconds() / 3600
    if quota_hours and hours_already + wanted > quota_hours + 1e-9:
        return invalid("end", N_("This would exceed your quota of %(quota)s hours a week in this space "
                                 "(you already hold %(held)s)."),
                       quota=quota_hours, held=_number(hours_already))
    return None


def peak_usage(existing: Iterable[Usage], start: datetime, end: datetime) -> int:
    """The most places in use at any instant of ``[start, end)`` by the ``existing`` bookings."""
    points: list[tuple[datetime, int]] = []
    for usage in existing:
        if usage.start < end and start < usage.end:
            points.append((max(usage.start, start), usage.attendees))
            points.append((min(usage.end, end), -usage.attendees))
    peak = current = 0
    for _moment, delta in sorted(points, key=lambda p: (p[0], p[1])):  # ends before starts at one instant
        current += delta
        peak = max(peak, current)
    return peak


def check_capacity(existing: Iterable[Usage], start: datetime, end: datetime, attendees: int,
                   capacity: int, exclusive: bool) -> Refused | None:
    """Overlapping bookings may never hold more than the capacity (one booking if exclusive)."""
    overlapping = [u for u in existing if u.start < end and start < u.end]
    if exclusive and overlapping:
        return slot_taken(N_("The slot is taken: the resource is already booked at that time."))
    used = peak_usage(overlapping, start, end)
    if used + attendees > capacity:
        free = max(capacity - used, 0)
        return slot_taken(N_("The slot is taken: %(free)s of %(capacity)s places are free at that time."),
                          free=free, capacity=capacity)
    return None


def check_booking(policy: Policy, start: datetime, end: datetime, attendees: int, accepted_guidelines: bool,
                  now: datetime, hours_held_in_week: float = 0.0) -> list[Refused]:
    """Every rule that does not depend on other people's bookings, in the order a person fixes them."""
    order = check_order(start, end)
    if order:
        return [order]
    checks = [
        check_opening_hours(start, end, policy.opening_hours, policy.timezone),
        check_closures(start, end, policy.closures, policy.timezone),
        check_notice(start, now, policy.min_notice_minutes),
        check_ahead(start, now, policy.max_days_ahead, policy.timezone),
        check_length(start, end, policy.max_length_minutes),
        check_attendees(attendees, policy.capacity),
        check_quota(hours_held_in_week, start, end, policy.quota_hours_per_week),
        check_guidelines(accepted_guidelines, policy.guidelines),
    ]
    return [refusal for refusal in checks if refusal]


# ----------------------------------------------------------------------- weeks, recurrence


def week_of(moment: datetime, timezone: str) -> tuple[datetime, datetime]:
    """The local week (Monday 00:00 to the next Monday) holding ``moment``, in UTC."""
    monday = to_local(moment, timezone).date()
    monday -= timedelta(days=monday.weekday())
    return wall_clock_to_utc(monday, 0, timezone), wall_clock_to_utc(monday + timedelta(days=7), 0, timezone)


def weekly_occurrences(start_local: datetime, end_local: datetime, weeks: int,
                       timezone: str) -> list[tuple[datetime, datetime] | Refused]:
    """The same wall-clock times every week for ``weeks`` weeks (09:00 stays 09:00 across a
    daylight-saving change), in UTC; an occurrence whose time does not exist is a refusal."""
    out: list[tuple[datetime, datetime] | Refused] = []
    for week in range(weeks):
        shift = timedelta(days=7 * week)
        try:
            out.append((local_to_utc(start_local + shift, timezone), local_to_utc(end_local + shift, timezone)))
        except LocalTimeError as error:
            out.append(invalid("start", str(error)))
    return out


def open_hours(first_day: date, last_day: date, hours: Hours, closures: Iterable[tuple[date, date, str]],
               timezone: str) -> float:
    """Real hours the space is open between two local dates (both included), closures excluded."""
    closed = list(closures)
    total = 0.0
    day = first_day
    while day <= last_day:
        if not any(a <= day <= b for a, b, _r in closed):
            for opens, closes in hours.get(day.weekday(), []):
                span = wall_clock_to_utc(day, closes, timezone) - wall_clock_to_utc(day, opens, timezone)
                total += span.total_seconds() / 3600
        day += timedelta(days=1)
    return total


def _hours_text(minutes: int) -> str:
    return _number(minutes / 60)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
