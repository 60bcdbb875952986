"""Concurrent requests decided one after the other (PostgreSQL): twenty people asking for the last free
place book exactly the capacity; one person sending the same request a hundred times books it once."""

from __future__ import annotations

import asyncio
import os

import pytest

from .conftest import api_client, booking_json, login, make_resource, make_space, next_weekday
from labkit_coworking.models import Booking

pytestmark = pytest.mark.skipif(not os.environ.get("LABKIT_TEST_DATABASE_URL"),
                                reason="concurrent transactions need PostgreSQL (LABKIT_TEST_DATABASE_URL)")


async def test_twenty_concurrent_requests_for_the_last_place(make_lab) -> None:
    lab = await make_lab(plugins=["coworking"])
    desks = await make_resource(await make_space(), name="Estações", capacity=3)
    day = next_weekday(2)
    holder = await api_client(lab)
    assert (await holder.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 9, 12, attendees=2))).status_code == 201
    clients = [await api_client(lab) for _ in range(20)]
    responses = await asyncio.gather(*(c.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 10, 11))
                                       for c in clients))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19, statuses
    for response in responses:
        if response.status_code == 409:
            assert response.json()["detail"] == "The slot is taken."
            assert response.json()["errors"][0]["message"] == "The slot is taken: 0 of 3 places are free at that time."
    assert sum(b.attendees for b in await Booking.filter(resource_id=desks.id, status="approved")) == 3


async def test_concurrent_form_submissions_for_an_exclusive_room(make_lab) -> None:
    lab = await make_lab(plugins=["coworking"])
    room = await make_resource(await make_space(), name="Sala", kind="room", capacity=8, exclusive=True)
    day = next_weekday(3)
    people = [await login(lab) for _ in range(6)]
    form = {"resource": room.id, "day": day.isoformat(), "start_time": "14:00", "end_time": "16:00",
            "purpose": "Reunião", "accept_guidelines": "on"}
    tokens = [await c.csrf_token() for c in people]
    responses = await asyncio.gather(*(c.post("/coworking/book", data={**form, "csrf_token": t})
                                       for c, t in zip(people, tokens, strict=True)))
    assert sorted(r.status_code for r in responses) == [303] + [409] * 5
    for response in responses:
        if response.status_code == 409:
            assert "The slot is taken: the resource is already booked at that time." in response.text
    assert await Booking.filter(resource_id=room.id).count() == 1


async def test_a_hundred_identical_requests_of_one_person_book_once(make_lab) -> None:
    lab = await make_lab(plugins=["coworking"])
    desks = await make_resource(await make_space(), name="Estações", capacity=12)
    day = next_weekday(4)
    member = await api_client(lab)
    responses = await asyncio.gather(*(member.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 9, 12))
                                       for _ in range(100)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 99, statuses
    assert {r.json()["type"] for r in responses if r.status_code == 409} == {"urn:labkit:problem:already-booked"}
    assert await Booking.filter(resource_id=desks.id, person_id=member.person.id).count() == 1
