"""Bookings and applications as the pages and the API change them: locking, decisions, messages.

The rules themselves live in :mod:`labkit_coworking.rules`; this module loads what they need from
the database, runs them inside a transaction that locks the resource row (PostgreSQL), saves, and
after the commit emits the domain event and notifies the person concerned.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from tortoise.transactions import in_transaction

from labkit import events, references
from labkit.i18n import N_, translations
from labkit.models import Person
from labkit.notifications import notify
from labkit.timezones import now as utc_now
from labkit.web import Problem
from labkit.i18n import gettext

from labkit_coworking import rules
from labkit_coworking.models import ACTIVE_STATUSES, Application, Booking, Closure, Member, Programme, Resource, Space


def timezone_of(app: Starlette) -> str:
    return app.state.settings.lab.timezone


def in_language(app: Starlette, person: Person | None, message: str, **values: Any) -> str:
    """``message`` translated into ``person``'s language (or the lab's default)."""
    tag = (person.locale if person else None) or app.state.settings.lab.default_language
    text = translations(tag).gettext(message)
    return text % values if values else text


# --------------------------------------------------------------------------------- policy


async def closures_of(space_id: int) -> list[tuple[date, date, str]]:
    return [(c.first_day, c.last_day, c.reason) for c in await Closure.filter(space_id=space_id)]


def policy_for(resource: Resource, space: Space, closures: Sequence[tuple[date, date, str]], timezone: str) -> rules.Policy:
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


async def usages(resource_id: int, start: datetime, end: datetime, exclude: int | None = None) -> list[rules.Usage]:
    """The active bookings of a resource overlapping ``[start, end)``."""
    query = Booking.filter(resource_id=resource_id, status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start)
    if exclude:
        query = query.exclude(id=exclude)
    return [rules.Usage(b.start, b.end, b.attendees) for b in await query]


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
    refusals: list[rules.Refusal] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refusals

    @property
    def conflict(self) -> bool:
        return bool(self.refusals) and all(r.conflict for r in self.refusals)


class BookingRefused(Exception):
    """Nothing was booked; ``occurrences`` say why. ``status`` is 409 when only taken slots stood
    in the way, 422 when a rule was broken."""

    def __init__(self, occurrences: list[Occurrence]) -> None:
        super().__init__("booking refused")
        self.occurrences = occurrences

    @property
    def status(self) -> int:
        failed = [o for o in self.occurrences if not o.ok]
        return 409 if failed and all(o.conflict for o in failed) else 422

    def errors(self) -> list[dict[str, str]]:
        out = []
        for occurrence in self.occurrences:
            for refusal in occurrence.refusals:
                when = occurrence.start.isoformat() if occurrence.start else ""
                out.append({"field": refusal.field, "message": refusal.text(), "start": when})
        return out


@dataclass
class Request:
    """A person's request for a resource, as the pages and the API both describe it."""

    resource_id: int
    occurrences: list[tuple[datetime, datetime] | rules.Refusal]
    attendees: int
    purpose: str
    organisation_ref: str | None
    accept_guidelines: bool
    on_conflict: str = "fail"


def occurrences_from_local(start_local: datetime, end_local: datetime, weeks: int,
                           timezone: str) -> list[tuple[datetime, datetime] | rules.Refusal]:
    """Weekly occurrences of a range typed on the lab's wall clock (aware values are converted)."""
    if start_local.tzinfo is not None:
        start_local = rules.to_local(start_local, timezone).replace(tzinfo=None)
    if end_local.tzinfo is not None:
        end_local = rules.to_local(end_local, timezone).replace(tzinfo=None)
    return rules.weekly_occurrences(start_local, end_local, weeks, timezone)


async def load_resource(resource_id: int, *, lock: bool = False) -> Resource | None:
    query = Resource.filter(id=resource_id, is_active=True, space__is_active=True)
    if lock:
        query = query.select_for_update()  # a no-op on SQLite, whose transactions are serialised
    return await query.select_related("space").first()


async def evaluate(app: Starlette, person: Person, wish: Request, resource: Resource,
                   now: datetime | None = None) -> list[Occurrence]:
    """Check every occurrence against every rule, without saving anything."""
    timezone = timezone_of(app)
    now = now or utc_now()
    policy = policy_for(resource, resource.space, await closures_of(resource.space_id), timezone)
    result: list[Occurrence] = []
    for item in wish.occurrences:
        if isinstance(item, rules.Refusal):
            result.append(Occurrence(None, None, [item]))
            continue
        start, end = item
        held = await hours_held(person.id, resource.space_id, start, timezone)
        refusals = rules.check_booking(policy, start, end, wish.attendees, wish.accept_guidelines, now, held)
        if not refusals:
            conflict = rules.check_capacity(await usages(resource.id, start, end), start, end, wish.attendees,
                                            resource.capacity, resource.exclusive)
            refusals = [conflict] if conflict else []
        result.append(Occurrence(start, end, refusals))
    return result


async def preview(app: Starlette, person: Person, wish: Request) -> list[Occurrence]:
    resource = await load_resource(wish.resource_id)
    if resource is None:
        raise Problem(404, gettext("No such resource."), kind="not-found")
    return await evaluate(app, person, wish, resource)


async def book(app: Starlette, person: Person, wish: Request) -> tuple[list[Booking], list[Occurrence]]:
    """Book every occurrence, all or nothing (``on_conflict="fail"``), or every free one (``"skip"``).

    The resource row is locked for the whole check-and-insert, so concurrent requests for the last
    place are decided one after the other: the capacity can never be exceeded. Raises
    :class:`BookingRefused` when nothing was booked; otherwise returns the bookings made and the
    occurrences skipped.
    """
    organisation = None
    if wish.organisation_ref:
        organisation = await references.resolve(app, "organisation", wish.organisation_ref)
    created: list[Booking] = []
    async with in_transaction():
        resource = await load_resource(wish.resource_id, lock=True)
        if resource is None:
            raise Problem(404, gettext("No such resource."), kind="not-found")
        occurrences = await evaluate(app, person, wish, resource)
        if wish.organisation_ref and organisation is None and "organisation" in app.state.references:
            for occurrence in occurrences:
                occurrence.refusals.append(rules.Refusal("organisation_ref", N_("This organisation is not known.")))
        bookable = [o for o in occurrences if o.ok]
        if not bookable or (wish.on_conflict == "fail" and len(bookable) != len(occurrences)):
            raise BookingRefused(occurrences)
        series = str(uuid.uuid4()) if len(occurrences) > 1 else None
        status = "approved" if resource.auto_approve else "pending"
        accepted_at = utc_now()
        for occurrence in bookable:
            created.append(await Booking.create(
                resource=resource, person=person, start=occurrence.start, end=occurrence.end,
                attendees=wish.attendees, purpose=wish.purpose, status=status,
                organisation_ref=wish.organisation_ref if organisation else None, series=series,
                guidelines_accepted_at=accepted_at, decided_at=accepted_at if status == "approved" else None,
            ))
    for booking in created:
        booking.resource = resource
        await events.emit(app, "coworking.booking_created", actor_id=person.id, booking_id=booking.id,
                          resource_id=resource.id, status=booking.status)
    first = created[0]
    if first.status == "approved":
        message = N_("Your booking of %(resource)s is confirmed (%(count)s date(s)).")
    else:
        message = N_("Your request for %(resource)s was received and waits for the team's approval (%(count)s date(s)).")
    await notify(app, person.id, in_language(app, person, message, resource=resource.name, count=len(created)),
                 f"/coworking/bookings/{first.id}")
    return created, [o for o in occurrences if not o.ok]


# ------------------------------------------------------------------------------ decisions

_TRANSITIONS = {
    "approve": (("pending",), "approved"),
    "reject": (("pending",), "rejected"),
    "cancel": (("pending", "approved"), "cancelled"),
    "no_show": (("approved",), "no_show"),
}
_MESSAGES = {
    "approve": N_("Your booking of %(resource)s on %(when)s is approved."),
    "reject": N_("Your booking of %(resource)s on %(when)s was not approved: %(reason)s"),
    "cancel": N_("Your booking of %(resource)s on %(when)s was cancelled by the lab's team: %(reason)s"),
    "no_show": N_("Your booking of %(resource)s on %(when)s was marked as a no-show."),
}


async def decide(app: Starlette, booking_id: int, actor: Person, action: str, reason: str = "") -> Booking:
    """Move a booking along its workflow; refuse a move its status does not allow (409)."""
    allowed, target = _TRANSITIONS[action]
    if action == "reject" and not reason.strip():
        raise Problem(422, gettext("Give the requester a reason."), kind="validation",
                      errors=[{"field": "reason", "message": gettext("Give the requester a reason.")}])
    async with in_transaction():
        booking = await Booking.filter(id=booking_id).select_for_update().first()
        if booking is None:
            raise Problem(404, gettext("No such booking."), kind="not-found")
        if booking.status not in allowed:
            raise Problem(409, gettext("This booking can no longer be changed this way."), kind="booking-state")
        if action == "no_show" and booking.start > utc_now():
            raise Problem(409, gettext("A booking can be marked as a no-show only once it has started."),
                          kind="booking-state")
        if action == "cancel" and booking.end <= utc_now():
            raise Problem(409, gettext("A booking that has ended cannot be cancelled."), kind="booking-state")
        booking.status = target
        booking.decision_reason = reason.strip()[:500]
        booking.decided_by_id = actor.id
        booking.decided_at = utc_now()
        await booking.save(update_fields=["status", "decision_reason", "decided_by_id", "decided_at"])
    await booking.fetch_related("resource", "person")
    await events.emit(app, f"coworking.booking_{'approved' if action == 'approve' else target}",
                      actor_id=actor.id, booking_id=booking.id, resource_id=booking.resource_id)
    if actor.id != booking.person_id:
        when = rules.to_local(booking.start, timezone_of(app)).strftime("%Y-%m-%d %H:%M")
        text = in_language(app, booking.person, _MESSAGES[action], resource=booking.resource.name, when=when,
                           reason=booking.decision_reason or "-")
        await notify(app, booking.person_id, text, f"/coworking/bookings/{booking.id}")
    return booking


# --------------------------------------------------------------------------- availability


@dataclass
class Slot:
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
    return programme.call_opens <= today <= programme.call_closes


async def apply(app: Starlette, person: Person, programme: Programme, title: str, description: str,
                organisation_ref: str | None, members: list[tuple[str, str]]) -> Application:
    """Save a team's application; the applicant is always a member. One application per person."""
    today = rules.to_local(utc_now(), timezone_of(app)).date()
    if not call_is_open(programme, today):
        raise Problem(409, gettext("The call for this programme is not open."), kind="call-closed")
    if organisation_ref and await references.resolve(app, "organisation", organisation_ref) is None:
        organisation_ref = None
    async with in_transaction():
        if await Application.filter(programme=programme, applicant=person).exists():
            raise Problem(409, gettext("You have already applied to this programme."), kind="already-applied")
        application = await Application.create(programme=programme, applicant=person, project_title=title,
                                               project_description=description, organisation_ref=organisation_ref)
        seen = {person.email.lower()}
        await Member.create(application=application, person=person, name=person.name, email="")
        for name, email in members:
            if email and email in seen:
                continue
            seen.add(email)
            account = await Person.get_or_none(email=email, is_active=True) if email else None
            await Member.create(application=application, person=account, name=name, email=email)
    await events.emit(app, "coworking.application_submitted", actor_id=person.id, application_id=application.id,
                      programme_id=programme.id)
    return application


async def select(app: Starlette, application_id: int, actor: Person, selected: bool, reason: str = "") -> Application:
    """Staff select a team for the cohort (within the places) or turn it down."""
    async with in_transaction():
        application = await Application.filter(id=application_id).select_for_update().first()
        if application is None:
            raise Problem(404, gettext("No such application."), kind="not-found")
        programme = await Programme.filter(id=application.programme_id).select_for_update().first()
        assert programme is not None
        if application.status not in ("submitted", "selected", "rejected"):
            raise Problem(409, gettext("This application was withdrawn."), kind="application-state")
        if selected and application.status != "selected":
            taken = await Application.filter(programme_id=programme.id, status="selected").count()
            if taken >= programme.places:
                raise Problem(409, gettext("All %(places)s places of this programme are taken.", places=programme.places),
                              kind="programme-full")
        application.status = "selected" if selected else "rejected"
        application.decision_reason = reason.strip()[:500]
        application.decided_at = utc_now()
        await application.save(update_fields=["status", "decision_reason", "decided_at"])
    applicant = await Person.get(id=application.applicant_id)
    await events.emit(app, f"coworking.application_{application.status}", actor_id=actor.id,
                      application_id=application.id, programme_id=programme.id)
    message = (N_("Your team was selected for %(programme)s. Welcome to the cohort!") if selected
               else N_("Your application to %(programme)s was not selected: %(reason)s"))
    await notify(app, applicant.id, in_language(app, applicant, message, programme=programme.title,
                                                reason=application.decision_reason or "-"),
                 f"/coworking/programmes/{programme.id}")
    return application


def local_today(app: Starlette) -> date:
    return rules.to_local(datetime.now(UTC), timezone_of(app)).date()
