"""The training JSON API's reads and the shapes of its answers (writes are ``ActionRoute``s)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse

from labkit import images
from labkit.actions import Context
from labkit.models import Image

from labkit_training import rules
from labkit_training.actions_attendance import Taken
from labkit_training.actions_courses import COVER
from labkit_training.actions_enrolment import Placed
from labkit_training.models import Certificate, Course, Session
from labkit_training.pages import certificate_view, is_staff
from labkit_training.services import seats


class SessionOut(BaseModel):
    id: int
    title: str
    starts_at: str
    ends_at: str
    hours: str
    place: str
    space_ref: str


class CourseOut(BaseModel):
    id: int
    title: str
    programme: str
    description: str
    capacity: int
    enrolled: int
    waiting: int
    required_hours: str
    published: bool
    enrolment_open: bool
    trainee_lab_code: str
    trainee_lab_name: str
    onboarding_key: str
    cover: images.ImageOut | None
    sessions: list[SessionOut]


class CourseList(BaseModel):
    items: list[CourseOut]


class EnrolmentOut(BaseModel):
    course_id: int
    status: str
    promoted_person_id: int | None = None


class AttendanceOut(BaseModel):
    session_id: int
    present: int
    certificates_issued: int


class CertificateOut(BaseModel):
    code: str
    holder_name: str
    course: str
    programme: str
    hours: str
    first_session: str | None
    last_session: str | None
    lab: str
    issued_at: str
    valid: bool
    revoked_at: str | None
    revoked_reason: str
    verify_url: str


def session_out(session: Session) -> SessionOut:
    """A session as the API shows it."""
    return SessionOut(id=session.id, title=session.title, starts_at=session.starts_at.isoformat(),
                      ends_at=session.ends_at.isoformat(), hours=rules.show_hours(session.hours), place=session.place,
                      space_ref=session.space_ref)


async def course_out(course: Course, cover: Image | None, base_url: str) -> CourseOut:
    """A course with its cover (URLs starting with ``base_url``), seats and sessions."""
    taken = await seats(course)
    sessions = await Session.filter(course_id=course.id)
    return CourseOut(id=course.id, title=course.title, programme=course.programme, description=course.description,
                     capacity=course.capacity, enrolled=taken.enrolled, waiting=taken.waiting,
                     required_hours=rules.show_hours(course.required_hours), published=course.published,
                     enrolment_open=course.enrolment_open, trainee_lab_code=course.trainee_lab_code,
                     trainee_lab_name=course.trainee_lab_name, onboarding_key=course.onboarding_key,
                     cover=images.as_json(cover, base_url), sessions=[session_out(s) for s in sessions])


async def list_courses(request: Request) -> JSONResponse:
    """The courses (published ones; staff see every course)."""
    query = Course.all() if is_staff(request) else Course.filter(published=True)
    courses = await query.order_by("-created_at").limit(500)
    covers = await images.of(Course, [c.id for c in courses], COVER)
    base_url = _base_url(request.app.state.settings)
    items = [await course_out(c, covers.get(c.id), base_url) for c in courses]
    return JSONResponse(CourseList(items=items).model_dump())


def _base_url(settings: Any) -> str:
    return settings.lab.base_url.rstrip("/")


async def present_course(ctx: Context, course: Course) -> dict[str, Any]:
    """The answer of the course actions."""
    return (await course_out(course, await images.one(course, COVER), _base_url(ctx.settings))).model_dump()


def present_placed(ctx: Context, placed: Placed) -> dict[str, Any]:
    """The answer of enrolling and withdrawing."""
    return EnrolmentOut(course_id=placed.enrolment.course_id, status=placed.enrolment.status,
                        promoted_person_id=placed.promoted.person_id if placed.promoted else None).model_dump()


def present_taken(ctx: Context, taken: Taken) -> dict[str, Any]:
    """The answer of taking attendance."""
    return AttendanceOut(session_id=taken.session.id, present=taken.present,
                         certificates_issued=len(taken.issued)).model_dump()


def present_certificate(view: dict[str, Any], lab: str) -> CertificateOut:
    """What a certificate's verification says."""
    certificate: Certificate = view["certificate"]
    return CertificateOut(
        code=certificate.code, holder_name=certificate.holder_name, course=view["course"].title,
        programme=view["course"].programme, hours=view["hours"],
        first_session=view["first"].date().isoformat() if view["first"] else None,
        last_session=view["last"].date().isoformat() if view["last"] else None, lab=lab,
        issued_at=certificate.issued_at.isoformat(), valid=view["valid"],
        revoked_at=certificate.revoked_at.isoformat() if certificate.revoked_at else None,
        revoked_reason=certificate.revoked_reason, verify_url=view["verify_url"])


async def get_certificate(request: Request) -> JSONResponse:
    """Verify a certificate by its code (anyone may): whom, what, how many hours, valid or revoked."""
    view = await certificate_view(request)
    return JSONResponse(present_certificate(view, request.app.state.settings.lab.name).model_dump())


class IssuedOut(BaseModel):
    codes: list[str]


class RevokedOut(BaseModel):
    code: str
    revoked_at: str
    reason: str


def present_issued(ctx: Context, certificates: list[Certificate]) -> dict[str, Any]:
    """The codes of the certificates just issued."""
    return IssuedOut(codes=[c.code for c in certificates]).model_dump()


def present_revoked(ctx: Context, certificate: Certificate) -> dict[str, Any]:
    """A revoked certificate."""
    return RevokedOut(code=certificate.code, revoked_at=certificate.revoked_at.isoformat() if certificate.revoked_at
                      else "", reason=certificate.revoked_reason).model_dump()
