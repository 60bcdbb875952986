"""A session held in a coworking space books it: members cannot book the space then, a session
cannot take a booked slot (422 on the page, a problem in the API, nothing saved), moving or
cancelling the session moves or frees the booking, and the coworking calendar shows it. Without
coworking a session keeps its free-text place."""

from __future__ import annotations

import asyncio
import csv
import io
import os
from datetime import date, timedelta
from typing import Any

import pytest

from labkit import references
from labkit.hooktypes import Reservation
from labkit.i18n import text
from labkit.timezones import now as utc_now

from .conftest import api_client, make_course
from labkit_coworking.models import Booking, Resource, Space
from labkit_training.models import Course, Session
from tests.coworking.conftest import api_client as member_client
from tests.coworking.conftest import booking_json, make_resource, make_space, next_weekday


@pytest.fixture
async def both(make_lab) -> Any:
    """A lab with coworking and training."""
    return await make_lab(plugins=["coworking", "training"])


async def _space_with_desks_and_room() -> tuple[int, Resource, Resource]:
    space = await make_space()
    desks = await make_resource(space, name="Mesas", capacity=6)
    room = await make_resource(space, name="Sala", kind="room", capacity=10, exclusive=True)
    return space.id, desks, room


def _session(day: date, start: str, end: str, space_id: int | str = "", **more: Any) -> dict[str, Any]:
    return {"title": "Aula", "day": day.isoformat(), "start_time": start, "end_time": end,
            "space_ref": str(space_id), **more}


async def _held(session_id: int) -> list[tuple[str, int]]:
    bookings = await Booking.filter(holder=f"training.session:{session_id}").select_related("resource")
    return sorted((f"{b.start:%H:%M}-{b.end:%H:%M}", b.resource.capacity) for b in bookings)


async def test_a_session_in_a_space_books_it_and_the_week_shows_it(both) -> None:
    space_id, desks, _room = await _space_with_desks_and_room()
    course = await make_course(both, title="Python para iniciantes")
    day = next_weekday(1)
    staff = await api_client(both, "staff")
    made = await staff.post(f"/api/v1/training/courses/{course.id}/sessions", json=_session(day, "09:00", "12:00", space_id))
    assert made.status_code == 201, made.text
    held = await Booking.filter(holder=f"training.session:{made.json()['id']}", status="approved")
    assert len(held) == 2 and all(b.person_id is None for b in held)
    assert {b.attendees for b in held} == {6, 10}  # every place of every resource
    member = await member_client(both)
    refused = await member.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 11, 13))
    assert refused.status_code == 409 and refused.json()["type"] == "urn:labkit:problem:slot-taken"
    after = await member.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 12, 13))
    assert after.status_code == 201
    week = await both.client().get(f"/coworking/spaces/{space_id}/week?start={day.isoformat()}")
    assert "Training: Python para iniciantes" in week.text
    assert f'href="/training/courses/{course.id}"' in week.text
    staff_view = await (await both.login_as("staff")).get("/coworking/staff/bookings?status=approved")
    assert "Training: Python para iniciantes" in staff_view.text
    renamed = await staff.put(f"/api/v1/training/courses/{course.id}", json={"title": "Python 1", "capacity": 2,
                                                                               "required_hours": "6"})
    assert renamed.status_code == 200
    assert {b.held_by for b in await Booking.filter(holder__isnull=False)} == {"Training: Python 1"}


async def test_a_booked_slot_refuses_the_session_on_the_page_and_in_the_api(both) -> None:
    space_id, _desks, room = await _space_with_desks_and_room()
    course = await make_course(both)
    day = next_weekday(2)
    member = await member_client(both)
    assert (await member.post("/api/v1/coworking/bookings", json=booking_json(room, day, 14, 16))).status_code == 201
    staff = await both.login_as("staff")
    page = await staff.submit(f"/training/staff/courses/{course.id}/sessions/new", _session(day, "15:00", "17:00", space_id))
    assert page.status_code == 422
    assert "Pátio Digital is already booked at that time (Sala)." in page.text
    api = await (await api_client(both, "staff")).post(f"/api/v1/training/courses/{course.id}/sessions",
                                                         json=_session(day, "13:00", "15:00", space_id))
    assert api.status_code == 422 and api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["type"] == "urn:labkit:problem:slot-taken"
    assert api.json()["errors"] == [{"field": "space_ref", "message": "Pátio Digital is already booked at that time (Sala)."}]
    assert not await Session.exists() and not await Booking.exists(holder__isnull=False)


async def test_moving_cancelling_and_deleting_move_and_free_the_booking(both) -> None:
    space_id, desks, _room = await _space_with_desks_and_room()
    course = await make_course(both)
    day = next_weekday(3)
    staff = await api_client(both, "staff")
    first = (await staff.post(f"/api/v1/training/courses/{course.id}/sessions",
                              json=_session(day, "09:00", "11:00", space_id))).json()["id"]
    second = (await staff.post(f"/api/v1/training/courses/{course.id}/sessions",
                               json=_session(day, "14:00", "16:00", space_id))).json()["id"]
    onto_second = await staff.put(f"/api/v1/training/sessions/{first}", json=_session(day, "15:00", "17:00", space_id))
    assert onto_second.status_code == 422 and await _held(first) == [("12:00-14:00", 6), ("12:00-14:00", 10)]
    assert (await Session.get(id=first)).starts_at.hour == 12  # the refused move saved nothing
    moved = await staff.put(f"/api/v1/training/sessions/{first}", json=_session(day, "10:00", "12:00", space_id))
    assert moved.status_code == 200 and await _held(first) == [("13:00-15:00", 6), ("13:00-15:00", 10)]  # UTC
    member = await member_client(both)
    assert (await member.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 9, 10))).status_code == 201
    elsewhere = await staff.put(f"/api/v1/training/sessions/{first}", json=_session(day, "10:00", "12:00", place="Praça"))
    assert elsewhere.status_code == 200 and await _held(first) == []
    assert (await Session.get(id=first)).place == "Praça"
    staff_page = await both.login_as("staff")
    form = await staff_page.get(f"/training/staff/sessions/{first}")
    assert "Save the session" in form.text and 'value="10:00"' in form.text and 'value="Praça"' in form.text
    cancelled = await staff_page.submit(f"/training/staff/sessions/{second}/delete", {})
    assert cancelled.status_code == 303 and await _held(second) == [] and not await Session.exists(id=second)
    again = (await staff.post(f"/api/v1/training/courses/{course.id}/sessions",
                              json=_session(day, "14:00", "16:00", space_id))).json()["id"]
    assert await _held(again)
    assert (await staff.delete(f"/api/v1/training/courses/{course.id}")).status_code == 200
    assert not await Course.exists() and not await Booking.exists(holder__isnull=False)
    assert await Booking.filter(person_id=member.person.id).count() == 1  # the member's own booking stays


async def test_coworking_staff_cannot_cancel_a_session_s_booking_there(both) -> None:
    space_id, _desks, _room = await _space_with_desks_and_room()
    course = await make_course(both, title="Oficina")
    made = await (await api_client(both, "staff")).post(f"/api/v1/training/courses/{course.id}/sessions",
                                                          json=_session(next_weekday(4), "09:00", "10:00", space_id))
    booking = await Booking.filter(holder=f"training.session:{made.json()['id']}").first()
    refused = await (await member_client(both, "staff")).post(f"/api/v1/coworking/bookings/{booking.id}/cancel", json={})
    assert refused.status_code == 409 and refused.json()["detail"] == "Training: Oficina holds this booking: change it there."


async def test_without_coworking_a_session_has_a_free_text_place(make_lab) -> None:
    lab = await make_lab(plugins=["training"])
    course = await make_course(lab)
    staff = await api_client(lab, "staff")
    day = next_weekday(1)
    made = await staff.post(f"/api/v1/training/courses/{course.id}/sessions", json=_session(day, "09:00", "12:00", place="Biblioteca"))
    assert made.status_code == 201 and made.json()["place"] == "Biblioteca"
    unknown = await staff.post(f"/api/v1/training/courses/{course.id}/sessions", json=_session(day, "13:00", "14:00", 7))
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "space_ref"
    assert (await staff.delete(f"/api/v1/training/sessions/{made.json()['id']}")).status_code == 200


@pytest.mark.skipif(not os.environ.get("LABKIT_TEST_DATABASE_URL"),
                    reason="concurrent transactions need PostgreSQL (LABKIT_TEST_DATABASE_URL)")
async def test_a_member_and_a_session_racing_for_one_slot_give_one_winner(both) -> None:
    space_id, _desks, room = await _space_with_desks_and_room()
    course = await make_course(both)
    staff = await api_client(both, "staff")
    members = [await member_client(both) for _ in range(8)]
    day = next_weekday(5)
    for hour, member in zip(range(8, 16), members, strict=True):
        session, booking = await asyncio.gather(
            staff.post(f"/api/v1/training/courses/{course.id}/sessions",
                       json=_session(day, f"{hour:02d}:00", f"{hour:02d}:30", space_id)),
            member.post("/api/v1/coworking/bookings", json=booking_json(room, day, hour, hour + 1)))
        assert sorted((session.status_code, booking.status_code)) in ([201, 409], [201, 422]), (session.text, booking.text)
        assert (session.status_code == 201) != (booking.status_code == 201)
    assert await Session.filter(course_id=course.id).count() + await Booking.filter(person_id__isnull=False).count() == 8
    assert await Booking.filter(resource_id=room.id, person_id__isnull=True).count() == await Session.all().count()


def _resource_form(name: str, capacity: int, active: bool = True, **more: str) -> dict[str, str]:
    form = {"name": name, "kind": "desk", "capacity": str(capacity), "auto_approve": "on", "min_notice_hours": "0",
            "max_length_hours": "8", "max_days_ahead": "400", **more}
    return form | ({"is_active": "on"} if active else {})


async def test_a_resource_added_reopened_or_enlarged_in_a_held_space_is_held_too(both) -> None:
    space_id, desks, _room = await _space_with_desks_and_room()
    printer = await make_resource(await Space.get(id=space_id), name="Impressora", capacity=1, exclusive=True)
    course = await make_course(both, title="Oficina")
    day = next_weekday(1)
    member = await member_client(both)
    assert (await member.post("/api/v1/coworking/bookings", json=booking_json(printer, day, 10, 11))).status_code == 201
    staff_page = await both.login_as("staff")
    closed = await staff_page.submit(f"/coworking/staff/resources/{printer.id}", _resource_form("Impressora", 1, False))
    assert closed.status_code == 303
    staff = await api_client(both, "staff")
    made = await staff.post(f"/api/v1/training/courses/{course.id}/sessions", json=_session(day, "09:00", "12:00", space_id))
    assert made.status_code == 201 and len(await _held(made.json()["id"])) == 2  # the closed printer is not held
    added = await staff_page.submit(f"/coworking/staff/spaces/{space_id}/resources/new", _resource_form("Bancadas", 4))
    assert added.status_code == 303
    benches = await Resource.get(name="Bancadas")
    refused = await member.post("/api/v1/coworking/bookings", json=booking_json(benches, day, 10, 11))
    assert refused.status_code == 409 and refused.json()["type"] == "urn:labkit:problem:slot-taken"
    assert (await member.post("/api/v1/coworking/bookings", json=booking_json(benches, day, 12, 13))).status_code == 201
    enlarged = await staff_page.submit(f"/coworking/staff/resources/{desks.id}", _resource_form("Mesas", 8))
    assert enlarged.status_code == 303
    assert await _held(made.json()["id"]) == [("12:00-15:00", 4), ("12:00-15:00", 8), ("12:00-15:00", 10)]
    assert (await member.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 10, 11))).status_code == 409
    week = await both.client().get(f"/coworking/spaces/{space_id}/week?start={day.isoformat()}&resource={benches.id}")
    assert "Training: Oficina" in week.text
    reopened = await staff_page.submit(f"/coworking/staff/resources/{printer.id}", _resource_form("Impressora", 1))
    assert reopened.status_code == 409
    assert ("Training: Oficina holds the space then, and Impressora is booked at that time: "
            "move or cancel those bookings first.") in reopened.text
    assert not (await Resource.get(id=printer.id)).is_active and len(await _held(made.json()["id"])) == 3


async def test_a_deleted_course_keeps_the_hours_of_its_past_sessions_in_the_utilisation_report(both) -> None:
    space_id, _desks, _room = await _space_with_desks_and_room()
    course = await make_course(both, title="Oficina")
    staff = await api_client(both, "staff")
    past_day = next_weekday(2, at_least=-13)
    for day in (past_day, next_weekday(2)):
        made = await staff.post(f"/api/v1/training/courses/{course.id}/sessions", json=_session(day, "09:00", "12:00", space_id))
        assert made.status_code == 201
    running = Reservation("test:running", text("Running"), utc_now() - timedelta(hours=1), utc_now() + timedelta(hours=1))
    await references.reserve(both.app, "space", space_id, running)
    assert (await staff.delete(f"/api/v1/training/courses/{course.id}")).status_code == 200
    await references.release(both.app, "space", "test:running")
    kept = await Booking.filter(holder__isnull=False, holder__not="test:running")
    assert len(kept) == 2 and {(b.start.date(), b.status, b.holder_url) for b in kept} == {(past_day, "approved", "")}
    cut = await Booking.filter(holder="test:running")
    assert len(cut) == 2 and all(b.end <= utc_now() for b in cut)  # the space is free from now on
    report = await (await both.login_as("staff")).get("/coworking/staff/report",
                                                      params={"month": f"{past_day:%Y-%m}", "format": "csv"})
    rows = {r["resource"]: r for r in csv.DictReader(io.StringIO(report.text))}
    assert float(rows["Mesas"]["hours_booked"]) >= 3 * 6 and float(rows["Sala"]["hours_booked"]) >= 3
    week = await both.client().get(f"/coworking/spaces/{space_id}/week?start={past_day.isoformat()}")
    assert "Training: Oficina" in week.text and f'href="/training/courses/{course.id}"' not in week.text


async def test_a_hold_is_labelled_in_the_language_of_whoever_looks(both) -> None:
    space_id, _desks, _room = await _space_with_desks_and_room()
    course = await make_course(both, title="Python para iniciantes")
    day = next_weekday(3)
    staff = await api_client(both, "staff")
    made = await staff.post(f"/api/v1/training/courses/{course.id}/sessions", headers={"Accept-Language": "fr"},
                            json=_session(day, "09:00", "12:00", space_id))
    assert made.status_code == 201
    week = f"/coworking/spaces/{space_id}/week?start={day.isoformat()}"
    for language, label in [("pt-BR", "Formação: Python para iniciantes"), ("fr", "Formation : Python para iniciantes"),
                            ("en", "Training: Python para iniciantes")]:
        assert label in (await both.client().get(week, headers={"Accept-Language": language})).text
    booking = await Booking.filter(holder=f"training.session:{made.json()['id']}").first()
    seen = await (await member_client(both, "staff")).get(f"/api/v1/coworking/bookings/{booking.id}",
                                                          headers={"Accept-Language": "es"})
    assert seen.json()["held_by"] == "Formación: Python para iniciantes"


async def test_the_demo_lab_has_an_upcoming_session_held_in_a_coworking_space(both) -> None:
    from labkit_coworking import demo as coworking_demo
    from labkit_training import demo as training_demo

    assert [p.slug for p in both.plugins.order].index("coworking") < [p.slug for p in both.plugins.order].index("training")
    await coworking_demo.load(both.settings)
    await training_demo.load(both.settings)
    session = await Session.get(space_ref__not="").select_related("course")
    assert session.starts_at > utc_now() and session.course.title == "Formação imersiva de 5 dias"
    held = await Booking.filter(holder=f"training.session:{session.id}").select_related("resource__space")
    assert len(held) == 2 and {b.resource.space.name for b in held} == {"Fab Lab Livre — Vergueiro"}
    week = await both.client().get(f"/coworking/spaces/{session.space_ref}/week?start={session.starts_at.date()}",
                                   headers={"Accept-Language": "pt-BR"})
    assert "Formação: Formação imersiva de 5 dias" in week.text


@pytest.mark.skipif(not os.environ.get("LABKIT_TEST_DATABASE_URL"),
                    reason="concurrent transactions need PostgreSQL (LABKIT_TEST_DATABASE_URL)")
async def test_a_resource_added_while_a_session_books_the_space_is_held_too(both) -> None:
    space_id, _desks, _room = await _space_with_desks_and_room()
    course = await make_course(both)
    staff, staff_page = await api_client(both, "staff"), await both.login_as("staff")
    day = next_weekday(4)
    for hour in range(8, 16):
        session, resource = await asyncio.gather(
            staff.post(f"/api/v1/training/courses/{course.id}/sessions",
                       json=_session(day, f"{hour:02d}:00", f"{hour:02d}:30", space_id)),
            staff_page.submit(f"/coworking/staff/spaces/{space_id}/resources/new", _resource_form(f"Mesa {hour}", 1)))
        assert (session.status_code, resource.status_code) == (201, 303), (session.text, resource.text)
    assert await Resource.filter(space_id=space_id).count() == 10
    for session_id in await Session.all().values_list("id", flat=True):
        assert len(await _held(session_id)) == 10
