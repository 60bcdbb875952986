"""Queries the actions and pages share: a course's people, their attended hours, issuing certificates."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from labkit.actions import not_found
from labkit.i18n import N_

from labkit_training import rules
from labkit_training.models import ENROLLED, WAITING, Attendance, Certificate, Course, Enrolment, Session


async def course_or_404(course_id: int, *, staff: bool = False) -> Course:
    """A course anyone may see (published), or any course for staff; else a 404 refusal."""
    course = await Course.get_or_none(id=course_id)
    if course is None or not (course.published or staff):
        raise not_found(N_("No such course."))
    return course


async def hours_by_person(course: Course) -> dict[int, Decimal]:
    """The hours each person attended in ``course`` (only people present at least once)."""
    hours = dict(await Session.filter(course_id=course.id).values_list("id", "hours"))
    present: dict[int, list[int]] = {}
    for session_id, person_id in await Attendance.filter(session__course_id=course.id, present=True).values_list(
            "session_id", "person_id"):
        present.setdefault(person_id, []).append(session_id)
    return {person_id: rules.attended_hours(hours, sessions) for person_id, sessions in present.items()}


async def issue_due(course: Course, issued_by_id: int | None) -> list[Certificate]:
    """Issue a certificate to every enrolled person whose attended hours reach the course's
    required hours and who has none yet; the new certificates."""
    have = set(await Certificate.filter(course_id=course.id).values_list("person_id", flat=True))
    enrolled = await Enrolment.filter(course_id=course.id, status=ENROLLED).select_related("person")
    issued = []
    hours = await hours_by_person(course)
    for enrolment in enrolled:
        attended = hours.get(enrolment.person_id, Decimal(0))
        if enrolment.person_id in have or not rules.eligible(attended, course.required_hours):
            continue
        certificate, created = await Certificate.get_or_create(
            course_id=course.id, person_id=enrolment.person_id,
            defaults={"code": rules.new_code(), "holder_name": enrolment.person.name[:200], "hours": attended,
                      "issued_by_id": issued_by_id})
        if created:
            issued.append(certificate)
    return issued


@dataclass
class Seats:
    """How a course's places stand."""

    capacity: int
    enrolled: int
    waiting: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.enrolled, 0)


async def seats(course: Course) -> Seats:
    """The course's capacity, enrolled people and waiting list length."""
    enrolled = await Enrolment.filter(course_id=course.id, status=ENROLLED).count()
    waiting = await Enrolment.filter(course_id=course.id, status=WAITING).count()
    return Seats(course.capacity, enrolled, waiting)
