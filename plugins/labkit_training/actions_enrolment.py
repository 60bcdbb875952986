"""Taking a place in a course and giving it back: the capacity holds under concurrency.

Each enrolment runs in a transaction that first locks the course's row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite serialises its transactions), so two people taking the last seat at once queue
behind each other: one gets the seat, the other the waiting list. One enrolment per person and
course is a unique constraint. Withdrawing gives the seat to the first person waiting, who is told.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from labkit import notifications
from labkit.actions import Context, Refused, action
from labkit.i18n import N_
from labkit.timezones import now

from labkit_training import rules
from labkit_training.forms import CourseRef
from labkit_training.models import ENROLLED, WAITING, WITHDRAWN, Course, Enrolment
from labkit_training.services import course_or_404

ENROL = "training.enrol"


@dataclass
class Placed:
    """An enrolment as it stands after the action, and who was promoted from the waiting list."""

    enrolment: Enrolment
    promoted: Enrolment | None = None


async def _locked_course(course_id: int) -> Course:
    await course_or_404(course_id)
    return await Course.filter(id=course_id).select_for_update().get()


@action("training.enrol", input=CourseRef, permission=ENROL)
async def enrol(ctx: Context, data: CourseRef) -> Placed:
    """Take a place in a course: a seat while there are free ones, else a place on the waiting list."""
    person = ctx.actor
    try:
        async with in_transaction():
            course = await _locked_course(data.course_id)
            rules.check_open(course.published, course.enrolment_open)
            mine = await Enrolment.get_or_none(course_id=course.id, person_id=person.id)
            if mine is not None and mine.status != WITHDRAWN:
                raise Refused(N_("You are already enrolled in this course."), 409, kind="already-enrolled")
            taken = await Enrolment.filter(course_id=course.id, status=ENROLLED).count()
            status = rules.placement(taken, course.capacity)
            if mine is None:
                mine = await Enrolment.create(course=course, person=person, status=status, queued_at=now())
            else:
                mine.status, mine.queued_at = status, now()
                await mine.save(update_fields=["status", "queued_at"])
    except IntegrityError:  # the same person's concurrent request won
        raise Refused(N_("You are already enrolled in this course."), 409, kind="already-enrolled") from None
    await ctx.emit("training.enrolled", course_id=data.course_id, status=mine.status)
    return Placed(mine)


@action("training.withdraw", input=CourseRef, permission=ENROL)
async def withdraw(ctx: Context, data: CourseRef) -> Placed:
    """Give up one's place (or place on the waiting list); a freed seat goes to the first person waiting."""
    person = ctx.actor
    promoted = None
    async with in_transaction():
        course = await _locked_course(data.course_id)
        mine = await Enrolment.get_or_none(course_id=course.id, person_id=person.id)
        if mine is None or mine.status == WITHDRAWN:
            raise Refused(N_("You are not enrolled in this course."), 409, kind="not-enrolled")
        had_seat = mine.status == ENROLLED
        mine.status = WITHDRAWN
        await mine.save(update_fields=["status"])
        if had_seat:
            promoted = await Enrolment.filter(course_id=course.id, status=WAITING).order_by("queued_at", "id").first()
        if promoted is not None:
            promoted.status = ENROLLED
            await promoted.save(update_fields=["status"])
            await notifications.notify(
                ctx.app, promoted.person_id, N_("A seat freed up in %(course)s: you are now enrolled."),
                url=ctx.url_for("training:course", course_id=course.id), params={"course": course.title})
    await ctx.emit("training.withdrawn", course_id=data.course_id, promoted=promoted.person_id if promoted else None)
    return Placed(mine, promoted)
