"""Holds: another plugin books a whole space for a time (the ``space`` reference kind's ``reserve``
and ``release``; a training session held in the space).

A hold is one approved booking of every active resource of the space, taking all its places,
with no person and the holder's label (a :data:`labkit.i18n.Text`, kept as message and params,
shown in each viewer's language) instead. It meets the rule members' bookings meet
(:func:`labkit_coworking.rules.check_capacity`) under the same lock: the resource rows, locked in
id order (``SELECT ... FOR UPDATE`` on PostgreSQL), so a member booking a desk and a session
booking the space at the same instant are decided one after the other.

- **The whole space, whatever it gets later.** Saving a resource (:func:`cover`, in the action's
  transaction) puts it under every hold of its space that has not ended: a resource added to a
  held space, made active again or given more places is taken for the hold's time too, or the
  save is refused (409) when members booked it then. The space's row is locked first by both
  (:func:`lock_space`), so a hold and a resource saved at the same instant are decided in turn.
- **What took place stays.** :func:`release` (the session or its course deleted) removes only the
  hold's bookings still to come, ends the one under way now and keeps the past ones, so the
  utilisation report keeps their hours. :func:`reserve` replaces all the holder held: the holder
  still exists and states its time again (a moved or corrected session).
"""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from labkit.actions import Refused
from labkit.hooktypes import Reservation
from labkit.i18n import N_
from labkit.timezones import now as utc_now

from labkit_coworking import rules, services
from labkit_coworking.models import ACTIVE_STATUSES, Booking, Resource, Space


async def lock_space(space_id: int) -> None:
    """Lock the space's row until the transaction ends (a no-op on SQLite, whose transactions are
    serialised): the holds of a space and the saving of its resources take it first."""
    await Space.filter(id=space_id).select_for_update().first()


async def reserve(ref_id: str, reservation: Reservation) -> None:
    """Book every active resource of space ``ref_id`` over the reservation's time for its holder,
    replacing what the holder held before; refused (409, ``slot-taken``) when any of them is
    booked then, 422 when the space does not exist or is closed."""
    space = await Space.get_or_none(id=int(ref_id), is_active=True) if ref_id.isdigit() else None
    if space is None:
        raise Refused(N_("There is no such space."), 422, kind="unknown-space")
    start, end = reservation.start, reservation.end
    async with in_transaction():
        await lock_space(space.id)
        resources = await Resource.filter(space_id=space.id, is_active=True).order_by("id").select_for_update()
        await Booking.filter(holder=reservation.holder, status__in=ACTIVE_STATUSES).delete()
        for resource in resources:
            if await _conflicts(resource, start, end):
                raise Refused(N_("%(space)s is already booked at that time (%(resource)s)."), 409, kind="slot-taken",
                              space=space.name, resource=resource.name)
        booked_at = utc_now()
        for resource in resources:
            await Booking.create(resource=resource, person=None, start=start, end=end, attendees=resource.capacity,
                                 status="approved", holder=reservation.holder,
                                 holder_label=str(reservation.label.get("message", ""))[:250],
                                 holder_params=reservation.label.get("params") or {},
                                 holder_url=(reservation.url or "")[:250], guidelines_accepted_at=booked_at,
                                 decided_at=booked_at)


async def cover(resource: Resource) -> None:
    """Put ``resource`` under every hold of its space that has not ended, taking all its places;
    refused (409, ``slot-taken``) when members booked it during one. Call it in the transaction
    that saves the resource, after :func:`lock_space`."""
    if not resource.is_active:
        return
    now = utc_now()
    current = Booking.filter(holder__isnull=False, status__in=ACTIVE_STATUSES, end__gt=now)
    await current.filter(resource_id=resource.id).update(attendees=resource.capacity)
    covered = set(await current.filter(resource_id=resource.id).values_list("holder", flat=True))
    holds = {b.holder: b for b in await current.filter(resource__space_id=resource.space_id).exclude(
        resource_id=resource.id).order_by("start")}
    for holder, hold in holds.items():
        if holder in covered:
            continue
        if await _conflicts(resource, hold.start, hold.end):
            raise Refused(N_("%(holder)s holds the space then, and %(resource)s is booked at that time: "
                             "move or cancel those bookings first."), 409, kind="slot-taken",
                          holder=hold.held_by, resource=resource.name)
        await Booking.create(resource=resource, person=None, start=hold.start, end=hold.end,
                             attendees=resource.capacity, status="approved", holder=holder,
                             holder_label=hold.holder_label, holder_params=hold.holder_params,
                             holder_url=hold.holder_url, guidelines_accepted_at=hold.guidelines_accepted_at,
                             decided_at=now)


async def release(holder: str) -> None:
    """Free what ``holder`` holds from now on: its bookings to come are removed, one under way ends
    now, and past ones stay (without the link to the holder, which may be gone) for the reports."""
    now = utc_now()
    held = Booking.filter(holder=holder, status__in=ACTIVE_STATUSES)
    await held.filter(start__gte=now).delete()
    await held.filter(end__gt=now).update(end=now)
    await held.update(holder_url="")


async def _conflicts(resource: Resource, start: datetime, end: datetime) -> bool:
    """Whether other bookings of ``resource`` leave any of its places taken over ``[start, end)``."""
    return rules.check_capacity(await services.usages(resource.id, start, end), start, end, resource.capacity,
                                resource.capacity, resource.exclusive) is not None
