"""What staff do with courses and their sessions: one action each for the pages and the API.

A session held in a coworking space books it through the core's reference kinds
(:func:`labkit.references.reserve`), in the transaction that saves the session: the space taken
then refuses the session and nothing is saved. Without the coworking plugin a session has a
free-text place and nothing is booked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from labkit import images, references
from labkit.actions import Context, Refused, action, invalid, not_found
from labkit.hooktypes import Reservation
from labkit.i18n import N_, text
from labkit.timezones import LocalTimeError, local_to_utc

from labkit_training import rules
from labkit_training.forms import CourseIn, CourseRef, SessionChange, SessionFields, SessionIn, SessionRef
from labkit_training.models import Certificate, Course, Session

MANAGE = "training.manage"
COVER = "cover"
"""The role of a course's picture (:mod:`labkit.images`)."""


@action("training.save_course", input=CourseIn, permission=MANAGE)
async def save_course(ctx: Context, data: CourseIn) -> Course:
    """Create a course, or change one, with its cover picture (a refused picture saves nothing);
    a renamed course relabels the coworking spaces its sessions booked."""
    fields = data.model_dump(exclude={"course_id", "cover", "cover_alt", "cover_remove"})
    course = await Course.get_or_none(id=data.course_id) if data.course_id is not None else None
    if data.course_id is not None and course is None:
        raise not_found(N_("No such course."))
    cover = await images.prepare(data.cover, data.cover_alt, COVER)
    if course is None:
        course = await Course.create(**fields)
    else:
        renamed = course.title != data.title
        async with in_transaction():
            await course.update_from_dict(fields).save()
            if renamed:  # the spaces its sessions booked show the new title
                for session in await Session.filter(course_id=course.id).exclude(space_ref=""):
                    await _book_space(ctx, session, course)
    await images.attach(ctx, course, COVER, cover, data.cover_alt, remove=data.cover_remove)
    return course


def _moment(ctx: Context, data: SessionFields, field: str) -> datetime:
    try:
        return local_to_utc(datetime.combine(data.day, getattr(data, field)), ctx.settings.lab.timezone)
    except LocalTimeError as error:
        raise invalid(field, str(error.args[0])) from None


async def _session_fields(ctx: Context, data: SessionFields) -> dict[str, Any]:
    """A session's columns from the form: its times in UTC, its hours, its place (the space's name
    when only a space is given)."""
    starts_at, ends_at = _moment(ctx, data, "start_time"), _moment(ctx, data, "end_time")
    place = data.place
    if data.space_ref:
        space = await references.resolve(ctx.app, "space", data.space_ref)
        if space is None:
            raise invalid("space_ref", N_("There is no such space."))
        place = place or space.label
    return {"title": data.title, "starts_at": starts_at, "ends_at": ends_at, "place": place,
            "hours": data.hours or rules.session_hours(starts_at, ends_at), "space_ref": data.space_ref}


def _holder(session_id: int) -> str:
    return f"training.session:{session_id}"


def reservation(session: Session, course: Course, url: str) -> Reservation:
    """What a session held in a coworking space asks of it: the space over the session's time,
    labelled with the course (shown in each viewer's language) and linking to ``url``."""
    return Reservation(holder=_holder(session.id), label=text(N_("Training: %(course)s"), {"course": course.title}),
                       start=session.starts_at, end=session.ends_at, url=url)


async def _book_space(ctx: Context, session: Session, course: Course) -> None:
    """Book the session's coworking space over its time (and free the one it held, if any); the
    space taken then refuses the session (422 on ``space_ref``). Runs in the session's transaction."""
    if not session.space_ref:
        await references.release(ctx.app, "space", _holder(session.id))
        return
    wanted = reservation(session, course, ctx.url_for("training:course", course_id=course.id))
    try:
        await references.reserve(ctx.app, "space", session.space_ref, wanted)
    except Refused as refusal:
        raise Refused(refusal.message, 422, kind=refusal.kind, errors={"space_ref": refusal.message},
                      **refusal.values) from None


@action("training.add_session", input=SessionIn, permission=MANAGE)
async def add_session(ctx: Context, data: SessionIn) -> Session:
    """Add a session to a course: its day, times, place (or a coworking space, which it books) and
    the hours it counts for. A space booked at that time refuses the session, which saves nothing."""
    course = await Course.get_or_none(id=data.course_id)
    if course is None:
        raise not_found(N_("No such course."))
    fields = await _session_fields(ctx, data)
    async with in_transaction():
        session = await Session.create(course=course, **fields)
        await _book_space(ctx, session, course)
    return session


@action("training.change_session", input=SessionChange, permission=MANAGE)
async def change_session(ctx: Context, data: SessionChange) -> Session:
    """Move a session or change it; its coworking booking moves with it (or is freed when it no
    longer names a space). A space booked at the new time refuses the change, which saves nothing."""
    session = await Session.get_or_none(id=data.session_id).select_related("course")
    if session is None:
        raise not_found(N_("No such session."))
    fields = await _session_fields(ctx, data)
    async with in_transaction():
        await session.update_from_dict(fields).save()
        await _book_space(ctx, session, session.course)
    return session


@action("training.delete_session", input=SessionRef, permission=MANAGE)
async def delete_session(ctx: Context, data: SessionRef) -> Session:
    """Cancel a session: it is removed and its coworking booking freed. A session whose attendance
    was taken counts towards certificates and is kept (409)."""
    session = await Session.get_or_none(id=data.session_id)
    if session is None:
        raise not_found(N_("No such session."))
    if session.attendance_taken:
        raise Refused(N_("Attendance was taken at this session: it counts towards certificates and stays."),
                      kind="attendance-taken")
    async with in_transaction():
        await references.release(ctx.app, "space", _holder(session.id))
        await session.delete()
    return session


@action("training.delete_course", input=CourseRef, permission=MANAGE)
async def delete_course(ctx: Context, data: CourseRef) -> Course:
    """Delete a course with its sessions, enrolments and cover, freeing its sessions' coworking
    bookings. A course that issued certificates is kept (409), so they stay verifiable."""
    course = await Course.get_or_none(id=data.course_id)
    if course is None:
        raise not_found(N_("No such course."))
    if await Certificate.exists(course_id=course.id):
        raise Refused(N_("This course issued certificates: it stays, so anyone can still verify them."),
                      kind="certificates-issued")
    async with in_transaction():
        for session in await Session.filter(course_id=course.id):
            await references.release(ctx.app, "space", _holder(session.id))
        await course.delete()
    await images.remove(ctx.app, course, COVER)
    return course
