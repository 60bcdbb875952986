"""What staff do after each session: take attendance, issue and revoke certificates.

When attendance has been taken for every session of a course, the certificates of those whose
attended hours reach the course's required hours are issued at once; staff may also issue them
earlier (everyone who already reached the hours) and revoke one, saying why.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from labkit.actions import Context, Refused, action, invalid, not_found
from labkit.i18n import N_
from labkit.timezones import now

from labkit_training.actions_courses import MANAGE
from labkit_training.forms import AttendanceIn, CourseRef, RevokeIn
from labkit_training.models import ENROLLED, Attendance, Certificate, Course, Enrolment, Session
from labkit_training.services import issue_due


@dataclass
class Taken:
    """The session whose attendance was taken, how many were present, and the certificates issued."""

    session: Session
    present: int
    issued: list[Certificate]


@action("training.take_attendance", input=AttendanceIn, permission=MANAGE)
async def take_attendance(ctx: Context, data: AttendanceIn) -> Taken:
    """Mark who was at a session (everyone else enrolled was absent)."""
    session = await Session.get_or_none(id=data.session_id).select_related("course")
    if session is None:
        raise not_found(N_("No such session."))
    enrolled = set(await Enrolment.filter(course_id=session.course_id, status=ENROLLED).values_list(
        "person_id", flat=True))
    strangers = set(data.present) - enrolled
    if strangers:
        raise invalid("present", N_("Only people enrolled in the course can be marked present."))
    async with in_transaction():
        for person_id in enrolled:
            await Attendance.update_or_create(
                session_id=session.id, person_id=person_id,
                defaults={"present": person_id in data.present, "marked_by_id": ctx.actor.id})
        session.attendance_taken = True
        await session.save(update_fields=["attendance_taken"])
        pending = await Session.filter(course_id=session.course_id, attendance_taken=False).exists()
        issued = [] if pending else await issue_due(session.course, ctx.actor.id)
    await ctx.emit("training.attendance_taken", session_id=session.id, issued=len(issued))
    return Taken(session, len(set(data.present)), issued)


@action("training.issue_certificates", input=CourseRef, permission=MANAGE)
async def issue_certificates(ctx: Context, data: CourseRef) -> list[Certificate]:
    """Issue a certificate now to everyone enrolled whose attended hours reach the required hours."""
    course = await Course.get_or_none(id=data.course_id)
    if course is None:
        raise not_found(N_("No such course."))
    async with in_transaction():
        issued = await issue_due(course, ctx.actor.id)
    return issued


@action("training.revoke_certificate", input=RevokeIn, permission=MANAGE)
async def revoke_certificate(ctx: Context, data: RevokeIn) -> Certificate:
    """Revoke a certificate: its verification page says so from now on."""
    certificate = await Certificate.get_or_none(code=data.code)
    if certificate is None:
        raise not_found(N_("No such certificate."))
    if certificate.revoked_at is not None:
        raise Refused(N_("This certificate is already revoked."), 409, kind="already-revoked")
    certificate.revoked_at, certificate.revoked_reason = now(), data.reason
    await certificate.save(update_fields=["revoked_at", "revoked_reason"])
    await ctx.emit("training.certificate_revoked", certificate_id=certificate.id)
    return certificate
