"""Enrolment: seats up to the capacity, then the waiting list; withdrawing promotes the first
person waiting, who is told by mail; one enrolment per person and course."""

from __future__ import annotations

from labkit.models import OutboxMessage

from .conftest import api_client, make_course
from labkit_training.models import Enrolment


async def test_seats_then_waiting_list_then_promotion_with_a_mail(tlab) -> None:
    course = await make_course(tlab, capacity=2, title="Curso de dados abertos")
    ana, bia, caio = [await api_client(tlab, name=name) for name in ("Ana", "Bia", "Caio")]
    url = f"/api/v1/training/courses/{course.id}/enrolment"
    statuses = [(await client.post(url, json={})).json()["status"] for client in (ana, bia, caio)]
    assert statuses == ["enrolled", "enrolled", "waiting"]

    again = await bia.post(url, json={})
    assert again.status_code == 409
    assert again.json()["type"] == "urn:labkit:problem:already-enrolled"

    withdrawn = await ana.delete(url)
    assert withdrawn.status_code == 200
    assert withdrawn.json() == {"course_id": course.id, "status": "withdrawn", "promoted_person_id": caio.person.id}
    assert (await Enrolment.get(course_id=course.id, person_id=caio.person.id)).status == "enrolled"
    mail = await OutboxMessage.filter(address=caio.person.email).first()
    assert mail is not None
    await tlab.deliver_mail()
    await mail.refresh_from_db()
    assert mail.status in ("sent", "logged")
    assert "Curso de dados abertos" in str(mail.body)

    # the person who withdrew may come back: the course is full again, so to the waiting list
    assert (await ana.post(url, json={})).json()["status"] == "waiting"


async def test_withdrawing_from_the_waiting_list_promotes_nobody(tlab) -> None:
    course = await make_course(tlab, capacity=1)
    first, second = await api_client(tlab), await api_client(tlab)
    url = f"/api/v1/training/courses/{course.id}/enrolment"
    await first.post(url, json={})
    await second.post(url, json={})
    answer = await second.delete(url)
    assert answer.json()["promoted_person_id"] is None
    assert (await Enrolment.get(course_id=course.id, person_id=first.person.id)).status == "enrolled"
    assert (await second.delete(url)).status_code == 409


async def test_the_course_page_enrols_and_shows_the_waiting_list_position(tlab) -> None:
    course = await make_course(tlab, capacity=1, title="Formação imersiva")
    holder = await tlab.login_as("member")
    await holder.submit(f"/training/courses/{course.id}/enrolment")
    member = await tlab.login_as("member")
    page = await member.get(f"/training/courses/{course.id}")
    assert "Join the waiting list" in page.text
    answer = await member.submit(f"/training/courses/{course.id}/enrolment")
    assert answer.status_code == 303
    page = await member.get(answer.headers["location"])
    assert "The course is full: you are on the waiting list." in page.text
    assert "You are number 1 on the waiting list." in page.text


async def test_a_closed_or_unpublished_course_takes_no_enrolment(tlab) -> None:
    closed = await make_course(tlab, enrolment_open=False)
    hidden = await make_course(tlab, published=False)
    member = await api_client(tlab)
    answer = await member.post(f"/api/v1/training/courses/{closed.id}/enrolment", json={})
    assert answer.status_code == 409
    assert answer.json()["type"] == "urn:labkit:problem:enrolment-closed"
    assert (await member.post(f"/api/v1/training/courses/{hidden.id}/enrolment", json={})).status_code == 404
    assert (await member.get(f"/training/courses/{hidden.id}")).status_code == 404


async def test_signed_out_visitors_cannot_enrol(tlab) -> None:
    course = await make_course(tlab)
    answer = await tlab.client().post(f"/api/v1/training/courses/{course.id}/enrolment", json={})
    assert answer.status_code == 401
