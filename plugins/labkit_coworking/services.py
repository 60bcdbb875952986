"""What the rules need from the database, and the reads the pages and the API share.

The rules themselves live in :mod:`labkit_coworking.rules`; this module loads a resource's policy,
its bookings and a person's weekly hours, checks a request against them (:func:`evaluate`, which
the booking action runs inside its locked transaction), and computes availability and utilisation.
Nothing here writes: the writes are the actions (``actions_*.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from starlette.applications import Starlette

from labkit.actions import Context, Refused, not_found
from labkit.i18n import N_
from labkit.models import Person
from labkit.timezones import now as utc_now

from labkit_coworking import rules
from labkit_coworking.forms import BookingIn
from labkit_coworking.models import ACTIVE_STATUSES, Booking, Closure, Programme, Resource, Space


def timezone_of(app: Starlette) -> str:
    """The lab's time zone."""
    return app.state.settings.lab.timezone


# --------------------------------------------------------------------------------- policy


async def closures_of(space_id: int) -> list[tuple[date, date, str]]:
    """A space's closures as (first day, last day, reason)."""
    return [(c.first_day, c.last_day, c.reason) for c in await Closure.filter(space_id=space_id)]


def policy_for(resource: Resource, space: Space, closures: Sequence[tuple[date, date, str]], timezone: str) -> rules.Policy:
    """What the rules need to know about a resource and its space."""
    return rules.Policy(
        timezone=timezone,
        opening_hours=rules.hours_from_json(space.opening_hours),
        closures=tuple(closures),
        capacity=resource.capacity,
        exclusive=resource.exclusive,
        min_notice_minutes=resource.min_notice_minutes,
        max_length_minutes=resource.max_length_minutes,
        max_days_ahead=resource.max_days_ahead,
        quota_hours_per_week=space.quota_hours_per_week,
        guidelines=space.guidelines,
    )


async def usages(resource_id: int, start: datetime, end: datetime) -> list[rules.Usage]:
    """The active bookings of a resource overlapping ``[start, end)``."""
    query = Booking.filter(resource_id=resource_id, status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start)
    return [rules.Usage(b.start, b.end, b.attendees) for b in await query]


async def holds(person_id: int, resource_id: int, start: datetime, end: datetime) -> bool:
    """Whether ``person_id`` already holds an active booking of the resource over ``[start, end)`` exactly."""
    return await Booking.exists(person_id=person_id, resource_id=resource_id, status__in=ACTIVE_STATUSES,
                                start=start, end=end)


async def hours_held(person_id: int, space_id: int, start: datetime, timezone: str) -> float:
    """Hours of active bookings ``person_id`` holds in the space during the local week of ``start``."""
    week_start, week_end = rules.week_of(start, timezone)
    bookings = await Booking.filter(person_id=person_id, resource__space_id=space_id, status__in=ACTIVE_STATUSES,
                                    start__gte=week_start, start__lt=week_end)
    return sum(b.hours for b in bookings)


# ------------------------------------------------------------------------------- requests


@dataclass
class Occurrence:
    """One date of a (possibly weekly) request and the reasons it cannot be booked."""

    start: datetime | None
    end: datetime | None
    refusals: list[Refused] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refusals

    @property
    def conflict(self) -> bool:
        return bool(self.refusals) and all(r.status == 409 for r in self.refusals)


def occurrences_from_local(start_local: datetime, end_local: datetime, weeks: int,
                           timezone: str) -> list[tuple[datetime, datetime] | Refused]:
    """Weekly occurrences of a range typed on the lab's wall clock (aware values are converted)."""
    if start_local.tzinfo is not None:
        start_local = rules.to_local(start_local, timezone).replace(tzinfo=None)
    if end_local.tzinfo is not None:
        end_local = rules.to_local(end_local, timezone).replace(tzinfo=None)
    return rules.weekly_occurrences(start_local, end_local, weeks, timezone)


async def visible_booking(ctx: Context, booking_id: int) -> Booking:
    """A booking its requester or the staff may see; for anyone else it does not exist (no leak)."""
    booking = await Booking.filter(id=booking_id).select_related("resource__space", "person").first()
    if booking is None or (booking.person_id != ctx.actor.id and not ctx.allows("coworking.manage_bookings")):
        raise not_found(N_("No such booking."))
    return booking


async def load_resource(resource_id: int, *, lock: bool = False) -> Resource | None:
    """A bookable resource with its space (row-locked on PostgreSQL with ``lock``), or ``None``."""
    query = Resource.filter(id=resource_id, is_active=True, space__is_active=True)
    if lock:
        query = query.select_for_update()  # a no-op on SQLite, whose transactions are serialised
    return await query.select_related("space").first()


async def evaluate(app: Starlette, person: Person, wish: BookingIn, resource: Resource) -> list[Occurrence]:
    """Check every occurrence of ``wish`` against every rule, without saving anything."""
    timezone = timezone_of(app)
    now = utc_now()
    policy = policy_for(resource, resource.space, await closures_of(resource.space_id), timezone)
    result: list[Occurrence] = []
    for item in occurrences_from_local(wish.start, wish.end, wish.repeat_weeks, timezone):
        if isinstance(item, Refused):
            result.append(Occurrence(None, None, [item]))
            continue
        start, end = item
        held = await hours_held(person.id, resource.space_id, start, timezone)
        refusals = rules.check_booking(policy, start, end, wish.attendees, wish.accept_guidelines, now, held)
        if not refusals and await holds(person.id, resource.id, start, end):
            refusals = [rules.already_booked()]
        if not refusals:
            conflict = rules.check_capacity(await usages(resource.id, start, end), start, end, wish.attendees,
                                            resource.capacity, resource.exclusive)
            refusals = [conflict] if conflict else []
        result.append(Occurrence(start, end, refusals))
    return result


# --------------------------------------------------------------------------- availability


@dataclass
class Slot:
    """One hourly slot of a resource: its free places out of its capacity."""

    start: datetime
    end: datetime
    free: int
    capacity: int
    until: int = 0
    """The slot's local end, in minutes since midnight (for links to the booking form)."""

    @property
    def state(self) -> str:
        if self.free <= 0:
            return "full"
        return "free" if self.free == self.capacity else "partial"


def day_slots(day: date, hours: rules.Hours, timezone: str, step: int = 60) -> list[tuple[int, int]]:
    """Slots of ``step`` minutes covering the opening intervals of ``day`` (local minutes)."""
    slots = []
    for opens, closes in hours.get(day.weekday(), []):
        minute = opens
        while minute < closes:
            slots.append((minute, min(minute + step, closes)))
            minute += step
    return slots


async def availability(app: Starlette, space: Space, resources: Sequence[Resource], first_day: date,
                       days: int) -> dict[int, dict[date, dict[int, Slot]]]:
    """Free places of each resource in each hourly slot: ``{resource_id: {day: {minute: Slot}}}``.

    Closed days and hours have no slot.
    """
    timezone = timezone_of(app)
    hours = rules.hours_from_json(space.opening_hours)
    closures = await closures_of(space.id)
    begin = rules.wall_clock_to_utc(first_day, 0, timezone)
    finish = rules.wall_clock_to_utc(first_day + timedelta(days=days), 0, timezone)
    booked = await Booking.filter(resource_id__in=[r.id for r in resources], status__in=ACTIVE_STATUSES,
                                  start__lt=finish, end__gt=begin)
    out: dict[int, dict[date, dict[int, Slot]]] = {}
    for resource in resources:
        mine = [rules.Usage(b.start, b.end, b.attendees) for b in booked if b.resource_id == resource.id]
        table: dict[date, dict[int, Slot]] = {}
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            table[day] = {}
            if any(a <= day <= b for a, b, _r in closures):
                continue
            for opens, closes in day_slots(day, hours, timezone):
                start = rules.wall_clock_to_utc(day, opens, timezone)
                end = rules.wall_clock_to_utc(day, closes, timezone)
                overlapping = [u for u in mine if u.start < end and start < u.end]
                if resource.exclusive:
                    free = 0 if overlapping else resource.capacity
                else:
                    free = max(resource.capacity - rules.peak_usage(overlapping, start, end), 0)
                table[day][opens] = Slot(start, end, free, resource.capacity, closes)
        out[resource.id] = table
    return out


# ---------------------------------------------------------------------------- utilisation


@dataclass
class UsageRow:
    """One row of the utilisation report (a space, or a resource of it)."""

    space: str
    resource: str
    hours_open: float
    hours_booked: float
    bookings: int

    @property
    def ratio(self) -> float:
        return self.hours_booked / self.hours_open if self.hours_open else 0.0


async def utilisation(app: Starlette, first_day: date, last_day: date) -> list[UsageRow]:
    """Approved (and no-show) booking hours against open hours, per resource, then per space.

    A booking is counted for the time it holds, once whatever its attendees; open hours are real
    hours (a daylight-saving day counts 23 or 25), closures excluded. A resource is available for
    its capacity: a 12-desk area open 10 hours offers 120 desk-hours.
    """
    timezone = timezone_of(app)
    begin = rules.wall_clock_to_utc(first_day, 0, timezone)
    finish = rules.wall_clock_to_utc(last_day + timedelta(days=1), 0, timezone)
    rows: list[UsageRow] = []
    for space in await Space.all().prefetch_related("resources"):
        hours = rules.hours_from_json(space.opening_hours)
        opened = rules.open_hours(first_day, last_day, hours, await closures_of(space.id), timezone)
        space_open = space_booked = 0.0
        space_count = 0
        resource_rows = []
        for resource in sorted(space.resources, key=lambda r: r.name):
            bookings = await Booking.filter(resource_id=resource.id, status__in=("approved", "no_show"),
                                            start__lt=finish, end__gt=begin)
            booked = sum(((min(b.end, finish) - max(b.start, begin)).total_seconds() / 3600)
                         * (b.attendees if not resource.exclusive else 1) for b in bookings)
            offered = opened * (1 if resource.exclusive else resource.capacity)
            resource_rows.append(UsageRow(space.name, resource.name, offered, booked, len(bookings)))
            space_open += offered
            space_booked += booked
            space_count += len(bookings)
        rows.append(UsageRow(space.name, "", space_open, space_booked, space_count))
        rows.extend(resource_rows)
    return rows


# ---------------------------------------------------------------------------- programmes


def call_is_open(programme: Programme, today: date) -> bool:
    """Whether the programme's call is open on ``today``."""
    return programme.call_opens <= today <= programme.call_closes


def local_today(app: Starlette) -> date:
    """Today on the lab's calendar."""
    return rules.to_local(datetime.now(UTC), timezone_of(app)).date()
