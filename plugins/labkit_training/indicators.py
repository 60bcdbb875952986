"""What the training plugin reports: participants (people present at a session), each course
that ran as a product of kind ``training`` (naming the trainee lab of a cohort), and personal data."""

from __future__ import annotations

from typing import Any

from labkit import auth
from labkit.hooktypes import PortfolioItem
from labkit.i18n import current_zone
from labkit.periods import Period
from labkit.timezones import now, utc_to_local

from labkit_training import rules
from labkit_training.models import Attendance, Certificate, Course, Enrolment, Session


async def participants(period: Period) -> list[str]:
    """The people present at a session held during ``period`` (in the lab's time zone)."""
    start, end = period.bounds(current_zone.get())
    ids = await Attendance.filter(present=True, session__starts_at__gte=start, session__starts_at__lt=end).distinct(
    ).values_list("person_id", flat=True)
    return sorted({auth.participant_id(person_id) for person_id in ids})


async def courses_that_ran() -> list[tuple[Course, list[Session]]]:
    """Every course whose sessions are all over, with its sessions (oldest first)."""
    moment = now()
    ran = []
    for course in await Course.all().prefetch_related("sessions"):
        sessions = sorted(course.sessions, key=lambda s: s.starts_at)
        if sessions and sessions[-1].ends_at <= moment:
            ran.append((course, sessions))
    return ran


async def portfolio() -> list[PortfolioItem]:
    """Each course that ran, a product of kind ``training`` delivered on the day of its last session
    (a cohort names the lab it trained: the indicators document publishes that for the hub's tree)."""
    zone = current_zone.get()
    return [PortfolioItem(indicator="products", key=f"course:{course.id}", title=course.title,
                          started=utc_to_local(sessions[-1].ends_at, zone).date(), kind="training",
                          url=f"/training/courses/{course.id}", description=course.description[:500],
                          trainee_lab=course.trainee_lab_code,
                          milestones=((utc_to_local(sessions[0].starts_at, zone).date(), "first session"),
                                      (utc_to_local(sessions[-1].ends_at, zone).date(), "last session")))
            for course, sessions in await courses_that_ran()]


async def personal_data(person_id: int) -> dict[str, Any]:
    """A person's enrolments, attendance and certificates, for their data export."""
    return {
        "enrolments": [{"course": e.course.title, "status": e.status, "since": e.queued_at.isoformat()}
                       for e in await Enrolment.filter(person_id=person_id).select_related("course")],
        "attendance": [{"course": a.session.course.title, "session": a.session.starts_at.isoformat(),
                        "present": a.present}
                       for a in await Attendance.filter(person_id=person_id).select_related("session__course")],
        "certificates": [{"course": c.course.title, "code": c.code, "hours": rules.show_hours(c.hours),
                          "issued_at": c.issued_at.isoformat(), "revoked": c.revoked_at is not None}
                         for c in await Certificate.filter(person_id=person_id).select_related("course")],
    }


async def erase(person_id: int) -> None:
    """A deleted account's enrolments, attendance and certificates go (a certificate names its holder)."""
    await Certificate.filter(person_id=person_id).delete()
    await Attendance.filter(person_id=person_id).delete()
    await Enrolment.filter(person_id=person_id).delete()
