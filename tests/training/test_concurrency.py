"""Concurrent enrolments decided one after the other (PostgreSQL): people taking the last seats at
once get exactly the capacity; the others are on the waiting list; one person's repeated requests
enrol them once."""

from __future__ import annotations

import asyncio
import os

import pytest

from .conftest import api_client, make_course
from labkit_training.models import Enrolment

pytestmark = pytest.mark.skipif(not os.environ.get("LABKIT_TEST_DATABASE_URL"),
                                reason="concurrent transactions need PostgreSQL (LABKIT_TEST_DATABASE_URL)")


async def test_two_people_take_the_last_seat_at_once(tlab) -> None:
    course = await make_course(tlab, capacity=2)
    url = f"/api/v1/training/courses/{course.id}/enrolment"
    assert (await (await api_client(tlab)).post(url, json={})).json()["status"] == "enrolled"
    first, second = await api_client(tlab), await api_client(tlab)
    answers = await asyncio.gather(first.post(url, json={}), second.post(url, json={}))
    assert sorted(a.json()["status"] for a in answers) == ["enrolled", "waiting"]


async def test_twenty_people_for_five_seats(tlab) -> None:
    course = await make_course(tlab, capacity=5)
    url = f"/api/v1/training/courses/{course.id}/enrolment"
    clients = [await api_client(tlab) for _ in range(20)]
    answers = await asyncio.gather(*(c.post(url, json={}) for c in clients))
    assert [a.status_code for a in answers] == [201] * 20
    assert sorted(a.json()["status"] for a in answers) == ["enrolled"] * 5 + ["waiting"] * 15
    assert await Enrolment.filter(course_id=course.id, status="enrolled").count() == 5


async def test_one_person_sending_twenty_requests_is_enrolled_once(tlab) -> None:
    course = await make_course(tlab, capacity=5)
    url = f"/api/v1/training/courses/{course.id}/enrolment"
    member = await api_client(tlab)
    answers = await asyncio.gather(*(member.post(url, json={}) for _ in range(20)))
    assert sorted(a.status_code for a in answers) == [201] + [409] * 19
    assert await Enrolment.filter(course_id=course.id, person_id=member.person.id).count() == 1


async def test_concurrent_withdrawals_promote_each_waiting_person_once(tlab) -> None:
    course = await make_course(tlab, capacity=3)
    url = f"/api/v1/training/courses/{course.id}/enrolment"
    seated = [await api_client(tlab) for _ in range(3)]
    waiting = [await api_client(tlab) for _ in range(3)]
    for client in seated + waiting:
        await client.post(url, json={})
    answers = await asyncio.gather(*(c.delete(url) for c in seated))
    assert sorted(a.json()["promoted_person_id"] for a in answers) == sorted(c.person.id for c in waiting)
    assert await Enrolment.filter(course_id=course.id, status="enrolled").count() == 3
