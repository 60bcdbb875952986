"""What people do with bookings — book, check a weekly request, cancel, approve, reject, mark a
no-show —, each declared once for the pages and the API alike.

A booking is checked and saved inside one transaction that locks the resource row (``SELECT ...
FOR UPDATE`` on PostgreSQL; SQLite serialises its transactions), so concurrent requests for the
last place are decided one after the other and the capacity is never exceeded. Events and
notifications go out after the commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from labkit import references
from labkit.actions import Context, Refused, action, invalid, not_found
from labkit.i18n import N_
from labkit.notifications import notify
from labkit.timezones import now as utc_now

from labkit_coworking import rules, services
from labkit_coworking.forms import BookingDecisionIn, BookingIn
from labkit_coworking.models import Booking


@dataclass
class Booked:
    """What a booking request made: the bookings, and the dates skipped (``on_conflict="skip"``)."""

    bookings: list[Booking]
    skipped: list[services.Occurrence]


def refused(occurrences: list[services.Occurrence]) -> Refused:
    """Nothing was booked: 409 when only taken slots (or the person's own identical bookings) stood
    in the way, 422 when a rule was broken.

    The refusal's ``occurrences`` value holds every date and its reasons.
    """
    failed = [o for o in occurrences if not o.ok]
    if failed and all(r.kind == "already-booked" for o in failed for r in o.refusals):
        return Refused(N_("You have already booked this."), 409, kind="already-booked", occurrences=occurrences)
    if failed and all(o.conflict for o in failed):
        return Refused(N_("The slot is taken."), 409, kind="slot-taken", occurrences=occurrences)
    return Refused(N_("The booking breaks the space's rules."), 422, kind="booking-refused", occurrences=occurrences)


@action("coworking.preview", input=BookingIn, permission="coworking.book")
async def preview(ctx: Context, data: BookingIn) -> list[services.Occurrence]:
    """Check a (weekly) request without booking: which dates are free and why the others are not."""
    resource = await services.load_resource(data.resource_id)
    if resource is None:
        raise not_found(N_("No such resource."))
    return await services.evaluate(ctx.app, ctx.actor, data, resource)


@action("coworking.book", input=BookingIn, permission="coworking.book")
async def book(ctx: Context, data: BookingIn) -> Booked:
    """Book a resource (every week for ``repeat_weeks`` weeks), with the verification its space
    requires. 409 when the slot is taken or the person already holds this very booking.

    All or nothing (``on_conflict="fail"``), or every free date (``"skip"``).
    """
    person = ctx.actor
    organisation = None
    if data.organisation_ref:
        organisation = await references.resolve(ctx.app, "organisation", data.organisation_ref)
    created: list[Booking] = []
    async with in_transaction():
        resource = await services.load_resource(data.resource_id, lock=True)
        if resource is None:
            raise not_found(N_("No such resource."))
        if resource.space.required_verification:
            ctx.require_verification(resource.space.required_verification)
        occurrences = await services.evaluate(ctx.app, person, data, resource)
        if data.organisation_ref and organisation is None and "organisation" in ctx.app.state.references:
            for occurrence in occurrences:
                occurrence.refusals.append(invalid("organisation_ref", N_("This organisation is not known.")))
        bookable = [o for o in occurrences if o.ok]
        if not bookable or (data.on_conflict == "fail" and len(bookable) != len(occurrences)):
            raise refused(occurrences)
        series = str(uuid.uuid4()) if len(occurrences) > 1 else None
        status = "approved" if resource.auto_approve else "pending"
        accepted_at = utc_now()
        for occurrence in bookable:
            created.append(await Booking.create(
                resource=resource, person=person, start=occurrence.start, end=occurrence.end,
                attendees=data.attendees, purpose=data.purpose, status=status,
                organisation_ref=data.organisation_ref if organisation else None, series=series,
                guidelines_accepted_at=accepted_at, decided_at=accepted_at if status == "approved" else None,
            ))
    for booking in created:
        booking.resource = resource
        await ctx.emit("coworking.booking_created", booking_id=booking.id, resource_id=resource.id,
                       status=booking.status)
    first = created[0]
    if first.status == "approved":
        message = N_("Your booking of %(resource)s is confirmed (%(count)s date(s)).")
    else:
        message = N_("Your request for %(resource)s was received and waits for the team's approval (%(count)s date(s)).")
    await notify(ctx.app, person.id, message, ctx.url_for("coworking:booking", booking_id=first.id),
                 params={"resource": resource.name, "count": len(created)})
    return Booked(created, [o for o in occurrences if not o.ok])


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


@action("coworking.decide_booking", input=BookingDecisionIn)
async def decide_booking(ctx: Context, data: BookingDecisionIn) -> Booking:
    """Cancel (requester or staff), approve, reject (reason required) or mark a no-show (staff).

    Only the requester and the staff know a booking exists (404 for anyone else); the requester
    may cancel their own, every other move needs ``coworking.manage_bookings``. A move the
    booking's status does not allow is refused (409).
    """
    verb = data.action.replace("-", "_")
    if verb not in _TRANSITIONS:
        raise not_found(N_("No such action."))
    booking = await services.visible_booking(ctx, data.booking_id)
    if booking.holder:
        raise Refused(N_("%(holder)s holds this booking: change it there."), kind="booking-held",
                      holder=booking.held_by)
    if verb != "cancel" or booking.person_id != ctx.actor.id:
        ctx.require("coworking.manage_bookings")
    allowed, target = _TRANSITIONS[verb]
    reason = data.reason
    if verb == "reject" and not reason.strip():
        raise invalid("reason", N_("Give the requester a reason."))
    async with in_transaction():
        booking = await Booking.filter(id=booking.id).select_for_update().first()
        if booking is None:
            raise not_found(N_("No such booking."))
        if booking.status not in allowed:
            raise Refused(N_("This booking can no longer be changed this way."), kind="booking-state")
        if verb == "no_show" and booking.start > utc_now():
            raise Refused(N_("A booking can be marked as a no-show only once it has started."), kind="booking-state")
        if verb == "cancel" and booking.end <= utc_now():
            raise Refused(N_("A booking that has ended cannot be cancelled."), kind="booking-state")
        booking.status = target
        booking.decision_reason = reason.strip()[:500]
        booking.decided_by_id = ctx.actor.id
        booking.decided_at = utc_now()
        await booking.save(update_fields=["status", "decision_reason", "decided_by_id", "decided_at"])
    await booking.fetch_related("resource", "person")
    await ctx.emit(f"coworking.booking_{'approved' if verb == 'approve' else target}", booking_id=booking.id,
                   resource_id=booking.resource_id)
    if ctx.actor.id != booking.person_id:
        when = rules.to_local(booking.start, services.timezone_of(ctx.app)).strftime("%Y-%m-%d %H:%M")
        await notify(ctx.app, booking.person_id, _MESSAGES[verb], ctx.url_for("coworking:booking", booking_id=booking.id),
                     params={"resource": booking.resource.name, "when": when, "reason": booking.decision_reason or "-"})
    return booking
