"""Staff make courses and sessions with the forms and the API; bad input comes back with messages;
a cohort names the trainee lab and links to the onboarding checklist's milestone."""

from __future__ import annotations

from .conftest import api_client, make_course
from labkit_training.models import Course, Session


async def test_staff_make_a_course_and_a_session_with_the_forms(tlab) -> None:
    staff = await tlab.login_as("staff")
    bad = await staff.submit("/training/staff/courses/new", {"title": "x", "capacity": "0", "required_hours": "18"})
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.text and not await Course.exists()
    made = await staff.submit("/training/staff/courses/new", {
        "title": "Formação imersiva de 5 dias", "capacity": "12", "required_hours": "32", "published": "true",
        "enrolment_open": "true", "trainee_lab_code": "BR-1302603", "trainee_lab_name": "Lab Manaus"})
    assert made.status_code == 303
    course = await Course.get(title="Formação imersiva de 5 dias")
    assert course.trainee_lab_code == "BR-1302603"
    backwards = await staff.submit(f"/training/staff/courses/{course.id}/sessions/new",
                                   {"day": "2027-02-01", "start_time": "17:00", "end_time": "09:00"})
    assert backwards.status_code == 422 and "The session must end after it starts." in backwards.text
    added = await staff.submit(f"/training/staff/courses/{course.id}/sessions/new",
                               {"day": "2027-02-01", "start_time": "09:00", "end_time": "17:00", "hours": "6.5",
                                "place": "Auditório"})
    assert added.status_code == 303
    session = await Session.get(course_id=course.id)
    assert str(session.hours) == "6.50" and session.place == "Auditório"
    page = await tlab.client().get(f"/training/courses/{course.id}")
    assert "Lab Manaus" in page.text and "Auditório" in page.text


async def test_the_api_makes_courses_and_refuses_bad_ones_with_problems(tlab) -> None:
    staff = await api_client(tlab, "staff")
    made = await staff.post("/api/v1/training/courses", json={"title": "Curso de 18 horas", "capacity": 20,
                                                               "required_hours": "18", "published": True})
    assert made.status_code == 201 and made.json()["required_hours"] == "18"
    bad = await staff.post("/api/v1/training/courses", json={"title": "Curso", "capacity": 20, "required_hours": "18",
                                                              "trainee_lab_code": "not a code!"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["errors"][0]["field"] == "trainee_lab_code"
    listed = (await tlab.client().get("/api/v1/training/courses")).json()["items"]
    assert [c["title"] for c in listed] == ["Curso de 18 horas"]
    member = await api_client(tlab)
    assert (await member.post("/api/v1/training/courses", json={"title": "Meu curso", "capacity": 2,
                                                                "required_hours": "1"})).status_code == 403


async def test_a_cohort_links_to_the_milestone_of_the_onboarding_checklist(make_lab) -> None:
    lab = await make_lab(plugins=["training", "onboarding"])
    course = await make_course(lab, trainee_lab_code="BR-1302603", onboarding_key="d1-kickoff")
    staff = await lab.login_as("staff")
    page = await staff.get(f"/training/courses/{course.id}")
    assert 'href="/onboarding/#item-d1-kickoff"' in page.text
