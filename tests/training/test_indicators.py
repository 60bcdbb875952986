"""What training adds to the lab's indicators: the people present at a session, counted once
across modules, and each course that ran as a product of kind ``training``; a session may name a
coworking space through the ``space`` reference kind."""

from __future__ import annotations

from datetime import UTC, date, datetime

from labkit import Period
from labkit.actions import Context

from .conftest import add_sessions, api_client, make_course
from labkit_coworking.models import Booking, Resource, Space
from labkit_indicators.engine import Engine
from labkit_training.actions_courses import add_session
from labkit_training.forms import SessionIn


async def test_a_participant_counts_once_across_modules_and_a_course_is_a_product(make_lab) -> None:
    lab = await make_lab(plugins=["coworking", "training", "indicators"])
    course = await make_course(lab, capacity=5, required_hours="3", title="Dados abertos para servidores")
    sessions = await add_sessions(lab, course, 2, first=date(2026, 3, 10))
    ana, bia = await api_client(lab, name="Ana"), await api_client(lab, name="Bia")
    for client in (ana, bia):
        await client.post(f"/api/v1/training/courses/{course.id}/enrolment", json={})
    staff = await api_client(lab, "staff")
    for session in sessions:
        await staff.post(f"/api/v1/training/sessions/{session.id}/attendance",
                         json={"present": [ana.person.id, bia.person.id]})
    desk = await Resource.create(space=await Space.create(name="Casa do Lab"), name="Mesa")
    await Booking.create(resource=desk, person=ana.person, start=datetime(2026, 3, 20, 13, tzinfo=UTC),
                         end=datetime(2026, 3, 20, 15, tzinfo=UTC), status="approved",
                         guidelines_accepted_at=datetime(2026, 3, 1, tzinfo=UTC))

    march = await Engine.for_app(lab.app).compute(Period.parse("2026-03"))
    assert march.value("participants") == 2  # Ana booked a desk and attended: once
    modules = {c.member: c.value for c in march.figures["participants"].breakdowns["module"]}
    assert modules == {"training": 2, "coworking": 1}
    assert march.value("products") == 1
    assert {c.member: c.value for c in march.figures["products"].breakdowns["kind"]} == {"training": 1}
    april = await Engine.for_app(lab.app).compute(Period.parse("2026-04"))
    assert april.value("participants") == 0 and april.value("products") == 0


async def test_a_session_names_a_coworking_space_and_links_to_it(make_lab) -> None:
    lab = await make_lab(plugins=["coworking", "training"])
    space = await Space.create(name="Casa do Lab — Sala Paulo Freire")
    course = await make_course(lab)
    ctx = Context(lab.app, await lab.person("staff"))
    await add_session.run(ctx, SessionIn(course_id=course.id, day=date(2027, 1, 5), start_time="09:00",
                                         end_time="12:00", space_ref=str(space.id)))
    page = await lab.client().get(f"/training/courses/{course.id}")
    assert f'href="/coworking/spaces/{space.id}"' in page.text and "Sala Paulo Freire" in page.text
    staff = await lab.login_as("staff")
    form = await staff.get(f"/training/staff/courses/{course.id}/sessions/new")
    assert "Casa do Lab — Sala Paulo Freire" in form.text
    wrong = await staff.submit(f"/training/staff/courses/{course.id}/sessions/new",
                               {"day": "2027-01-06", "start_time": "09:00", "end_time": "10:00", "space_ref": "999"})
    assert wrong.status_code == 422 and "There is no such space." in wrong.text
