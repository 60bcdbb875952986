"""What staff do with courses and their sessions: one action each for the pages and the API."""

from __future__ import annotations

from datetime import datetime

from labkit import images, references
from labkit.actions import Context, action, invalid, not_found
from labkit.i18n import N_
from labkit.timezones import LocalTimeError, local_to_utc

from labkit_training import rules
from labkit_training.forms import CourseIn, SessionIn
from labkit_training.models import Course, Session

MANAGE = "training.manage"
COVER = "cover"
"""The role of a course's picture (:mod:`labkit.images`)."""


@action("training.save_course", input=CourseIn, permission=MANAGE)
async def save_course(ctx: Context, data: CourseIn) -> Course:
    """Create a course, or change one, with its cover picture (a refused picture saves nothing)."""
    fields = data.model_dump(exclude={"course_id", "cover", "cover_alt", "cover_remove"})
    course = await Course.get_or_none(id=data.course_id) if data.course_id is not None else None
    if data.course_id is not None and course is None:
        raise not_found(N_("No such course."))
    cover = await images.prepare(data.cover, data.cover_alt, COVER)
    if course is None:
        course = await Course.create(**fields)
    else:
        await course.update_from_dict(fields).save()
    await images.attach(ctx, course, COVER, cover, data.cover_alt, remove=data.cover_remove)
    return course


def _moment(ctx: Context, data: SessionIn, field: str) -> datetime:
    try:
        return local_to_utc(datetime.combine(data.day, getattr(data, field)), ctx.settings.lab.timezone)
    except LocalTimeError as error:
        raise invalid(field, str(error.args[0])) from None


@action("training.add_session", input=SessionIn, permission=MANAGE)
async def add_session(ctx: Context, data: SessionIn) -> Session:
    """Add a session to a course: its day, times, place (or a coworking space) and the hours it counts for."""
    course = await Course.get_or_none(id=data.course_id)
    if course is None:
        raise not_found(N_("No such course."))
    starts_at, ends_at = _moment(ctx, data, "start_time"), _moment(ctx, data, "end_time")
    place = data.place
    if data.space_ref:
        space = await references.resolve(ctx.app, "space", data.space_ref)
        if space is None:
            raise invalid("space_ref", N_("There is no such space."))
        place = place or space.label
    return await Session.create(course=course, title=data.title, starts_at=starts_at, ends_at=ends_at,
                                hours=data.hours or rules.session_hours(starts_at, ends_at), place=place,
                                space_ref=data.space_ref)
