"""Sample data for ``labkit demo``: the "18-hour course" that ran last month for the team of
another municipality's new lab (Lab Manaus, BR-1302603 in the hub's registry), with its sessions,
enrolments (one on the waiting list), attendance and the certificates it issued, and an upcoming
5-day immersive training open to residents, whose opening class next Wednesday afternoon books the
lab's first coworking space (when the coworking plugin is on); each with a cover (its initials,
drawn for the demo)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from labkit import references
from labkit.demo import sample_people, sample_pictures
from labkit.models import Person
from labkit.timezones import local_to_utc, now

from labkit_training.actions_courses import COVER, reservation
from labkit_training.models import ENROLLED, WAITING, Attendance, Course, Enrolment, Session
from labkit_training.services import issue_due


async def _sessions(course: Course, first_day: datetime, days: int, start: time, end: time, zone: str,
                    place: str) -> list[Session]:
    sessions = []
    for number in range(days):
        day = (first_day + timedelta(days=number)).date()
        starts_at = local_to_utc(datetime.combine(day, start), zone)
        ends_at = local_to_utc(datetime.combine(day, end), zone)
        sessions.append(await Session.create(course=course, title=f"Encontro {number + 1}", starts_at=starts_at,
                                             ends_at=ends_at, hours=Decimal(end.hour - start.hour), place=place))
    return sessions


async def _opening_class_in_a_space(settings: Any, course: Course) -> None:
    """The course's opening class, next Wednesday 14:00-17:00 in the first coworking space, which
    it books like a session saved by staff (nothing when no plugin offers spaces, or none exists)."""
    spaces = references.offered(settings).get("space")
    if spaces is None or spaces.reserve is None:
        return
    found = await spaces.search("", 1)
    if not found:
        return
    today = now().astimezone(ZoneInfo(settings.lab.timezone)).date()
    day = today + timedelta(days=(2 - today.weekday()) % 7 or 7)
    session = await Session.create(
        course=course, title="Aula inaugural", hours=Decimal(3), place=found[0].label, space_ref=found[0].id,
        starts_at=local_to_utc(datetime.combine(day, time(14)), settings.lab.timezone),
        ends_at=local_to_utc(datetime.combine(day, time(17)), settings.lab.timezone))
    await spaces.reserve(found[0].id, reservation(session, course, f"/training/courses/{course.id}"))


async def load(settings: Any) -> None:
    """Create the sample courses (on an empty database)."""
    zone = settings.lab.timezone
    staff = await Person.filter(role__in=["admin", "staff"]).order_by("id").first()
    people = await sample_people(8)
    course = await Course.create(
        title="Curso de 18 horas: inovação no governo local", programme="Formação de formadores",
        description="Seis encontros de três horas sobre desafios públicos, prototipagem e dados abertos.",
        capacity=6, required_hours=Decimal(15), published=True, enrolment_open=False,
        trainee_lab_code="BR-1302603", trainee_lab_name="Lab Manaus")
    last_month = (now() - timedelta(days=40)).replace(tzinfo=None)
    sessions = await _sessions(course, last_month, 6, time(14), time(17), zone, "Sala de formação do laboratório")
    for position, person in enumerate(people[:7]):
        await Enrolment.create(course=course, person=person, status=ENROLLED if position < 6 else WAITING,
                               queued_at=now() - timedelta(days=50 - position))
    for number, session in enumerate(sessions):
        for position, person in enumerate(people[:6]):
            await Attendance.create(session=session, person=person, present=not (position == 5 and number < 2),
                                    marked_by=staff)
        session.attendance_taken = True
        await session.save(update_fields=["attendance_taken"])
    await issue_due(course, staff.id if staff else None)
    immersive = await Course.create(
        title="Formação imersiva de 5 dias", programme="Formação de formadores",
        description="Três dias imersivos e dois de acompanhamento: do desafio público ao protótipo.",
        capacity=12, required_hours=Decimal(32), published=True, enrolment_open=True)
    await _sessions(immersive, (now() + timedelta(days=20)).replace(tzinfo=None), 5, time(9), time(17), zone,
                    "Laboratório — sala grande")
    await _opening_class_in_a_space(settings, immersive)
    await sample_pictures(settings, COVER, [(c, c.title, f"Capa com as iniciais de “{c.title}”") for c in (course, immersive)],
                          size=(640, 272))
