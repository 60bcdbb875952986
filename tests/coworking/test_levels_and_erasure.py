"""A space can require a verification for booking; one person cannot hold the same booking twice;
deleting an account frees the places its bookings held."""

from __future__ import annotations

from datetime import timedelta

from labkit.testing import PASSWORD, RunningLab
from labkit.timezones import now

from .conftest import api_client, booking_json, login, make_resource, make_space, next_weekday
from labkit_coworking.models import Booking, Space


async def test_staff_require_a_verification_and_booking_is_refused_without_it(cw: RunningLab) -> None:
    staff = await login(cw, "staff")
    form = await staff.get("/coworking/staff/spaces/new")
    assert 'name="required_verification"' in form.text
    created = await staff.submit("/coworking/staff/spaces/new", {
        "name": "Sala do Conselho", "hours_0": "00:00-24:00", "hours_1": "00:00-24:00", "hours_2": "00:00-24:00",
        "hours_3": "00:00-24:00", "hours_4": "00:00-24:00", "hours_5": "00:00-24:00", "hours_6": "00:00-24:00",
        "required_verification": "staff", "is_active": "on"})
    assert created.status_code == 303, created.text[:500]
    space = await Space.get(name="Sala do Conselho")
    assert space.required_verification == "staff"
    assert 'value="staff" selected' in (await staff.get(f"/coworking/staff/spaces/{space.id}")).text
    desks = await make_resource(space, name="Mesas")
    day = next_weekday(2)

    member = await login(cw)
    refused = await member.api.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 9, 10))
    assert refused.status_code == 403 and refused.json()["type"] == "urn:labkit:problem:unverified"
    assert "checked by the lab's staff" in refused.json()["detail"]
    assert not await Booking.exists(resource_id=desks.id)
    page = (await member.get(f"/coworking/spaces/{space.id}")).text
    assert "Booking in this space needs a verified account: checked by the lab&#39;s staff." in page
    assert 'href="/account/verification"' in page
    typed = {"resource": desks.id, "day": day.isoformat(), "start_time": "09:00", "end_time": "10:00",
             "attendees": "1", "purpose": "Reunião", "accept_guidelines": "on"}
    answer = await member.submit("/coworking/book", typed)
    assert answer.status_code == 403 and "This needs a verified account (checked by the lab&#39;s staff)." in answer.text

    await staff.submit(f"/admin/people/{member.person.id}/verification", {"kind": "staff", "granted": "true"})
    assert (await member.submit("/coworking/book", typed)).status_code == 303
    assert await Booking.filter(resource_id=desks.id, person_id=member.person.id).count() == 1


async def test_a_second_identical_booking_is_a_409_and_books_nothing(cw: RunningLab) -> None:
    desks = await make_resource(await make_space(), name="Estações", capacity=12, auto_approve=False)
    day = next_weekday(3)
    member = await login(cw)
    typed = {"resource": desks.id, "day": day.isoformat(), "start_time": "14:00", "end_time": "16:00",
             "attendees": "1", "purpose": "Oficina", "accept_guidelines": "on"}
    assert (await member.submit("/coworking/book", typed)).status_code == 303
    again = await member.submit("/coworking/book", typed)
    assert again.status_code == 409 and "You have already booked this resource at that time." in again.text
    twice = await member.api.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 14, 16))
    assert twice.status_code == 409 and twice.json()["type"] == "urn:labkit:problem:already-booked"
    assert twice.json()["detail"] == "You have already booked this."
    assert await Booking.filter(resource_id=desks.id).count() == 1
    other = await member.api.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 16, 17))
    assert other.status_code == 201, "another time is another booking"
    someone = await api_client(cw)
    assert (await someone.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 14, 16))).status_code == 201
    mine = await Booking.filter(resource_id=desks.id, person_id=member.person.id).order_by("start").first()
    assert mine is not None
    await member.api.post(f"/api/v1/coworking/bookings/{mine.id}/cancel")
    rebooked = await member.api.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 14, 16))
    assert rebooked.status_code == 201, "a cancelled booking does not stand in the way"


async def test_deleting_an_account_cancels_the_bookings_it_still_holds(cw: RunningLab) -> None:
    room = await make_resource(await make_space(), name="Sala", kind="room", capacity=6, exclusive=True,
                               auto_approve=False)
    desks = await make_resource(await make_space(name="Pátio"), name="Mesas", capacity=3)
    day = next_weekday(1)
    ana = await login(cw)
    assert (await ana.api.post("/api/v1/coworking/bookings", json=booking_json(room, day, 9, 11))).status_code == 201
    assert (await ana.api.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 9, 11))).status_code == 201
    past = await Booking.create(resource=desks, person=ana.person, start=now() - timedelta(days=3),
                                end=now() - timedelta(days=3, hours=-2), status="approved", purpose="Antes",
                                guidelines_accepted_at=now())
    bia = await api_client(cw)
    assert (await bia.post("/api/v1/coworking/bookings", json=booking_json(room, day, 9, 11))).status_code == 409

    assert (await ana.submit("/account/delete", {"password": PASSWORD})).status_code == 303
    held = {b.resource_id: b for b in await Booking.filter(person_id=ana.person.id, start__gt=now())}
    assert held[room.id].status == "cancelled" and held[desks.id].status == "cancelled"
    assert held[room.id].decision_reason == "The account was deleted."
    assert (await Booking.get(id=past.id)).status == "approved", "what happened stays for the record"
    assert (await bia.post("/api/v1/coworking/bookings", json=booking_json(room, day, 9, 11))).status_code == 201

    staff = await login(cw, "staff")
    page = await staff.get(f"/coworking/bookings/{held[room.id].id}", headers={"Accept-Language": "pt-BR"})
    assert "A conta foi excluída." in page.text and "Participante anterior" in page.text
