"""Holds: another plugin books a whole space for a time (the ``space`` reference kind's ``reserve``
and ``release``; a training session held in the space).

A hold is one approved booking of every active resource of the space, taking all its places,
with no person and the holder's label ("Training: <course>") instead. It meets the rule members'
bookings meet (:func:`labkit_coworking.rules.check_capacity`) under the same lock: the resource
rows, locked in id order (``SELECT ... FOR UPDATE`` on PostgreSQL), so a member booking a desk and
a session booking the space at the same instant are decided one after the other.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from labkit.actions import Refused
from labkit.hooktypes import Reservation
from labkit.i18n import N_
from labkit.timezones import now as utc_now

from labkit_coworking import rules, services
from labkit_coworking.models import ACTIVE_STATUSES, Booking, Resource, Space


async def reserve(ref_id: str, reservation: Reservation) -> None:
    """Book every active resource of space ``ref_id`` over the reservation's time for its holder,
    replacing what the holder held before; refused (409, ``slot-taken``) when any of them is
    booked then, 422 when the space does not exist or is closed."""
    space = await Space.get_or_none(id=int(ref_id), is_active=True) if ref_id.isdigit() else None
    if space is None:
        raise Refused(N_("There is no such space."), 422, kind="unknown-space")
    start, end = reservation.start, reservation.end
    async with in_transaction():
        resources = await Resource.filter(space_id=space.id, is_active=True).order_by("id").select_for_update()
        await release(reservation.holder)
        for resource in resources:
            conflict = rules.check_capacity(await services.usages(resource.id, start, end), start, end,
                                            resource.capacity, resource.capacity, resource.exclusive)
            if conflict:
                raise Refused(N_("%(space)s is already booked at that time (%(resource)s)."), 409, kind="slot-taken",
                              space=space.name, resource=resource.name)
        booked_at = utc_now()
        for resource in resources:
            await Booking.create(resource=resource, person=None, start=start, end=end, attendees=resource.capacity,
                                 status="approved", holder=reservation.holder, holder_label=reservation.label[:250],
                                 holder_url=(reservation.url or "")[:250], guidelines_accepted_at=booked_at,
                                 decided_at=booked_at)


async def release(holder: str) -> None:
    """Free what ``holder`` holds: its bookings are removed (nothing when it holds none)."""
    await Booking.filter(holder=holder, status__in=ACTIVE_STATUSES).delete()
