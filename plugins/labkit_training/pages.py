"""The training pages' reads: the course list and page, the staff's roster and attendance sheet,
and the public certificate (page and PDF). Writes are actions (``actions_*.py``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import NoMatchFound

from labkit import auth, images, references
from labkit.action_routes import found
from labkit.i18n import format_date, gettext
from labkit.timezones import utc_to_local
from labkit.web import Problem, render

from labkit_training import rules
from labkit_training.actions_courses import COVER, MANAGE
from labkit_training.certificate_pdf import CertificateText, render_pdf
from labkit_training.models import ENROLLED, WAITING, Attendance, Certificate, Course, Enrolment, Session
from labkit_training.qr import verification_qr
from labkit_training.services import course_or_404, hours_by_person, seats


def is_staff(request: Request) -> bool:
    return auth.has_permission(request, MANAGE)


async def _course(request: Request) -> Course:
    return await found(course_or_404(int(request.path_params["course_id"]), staff=is_staff(request)))


async def index(request: Request) -> Response:
    """The courses: published ones for everybody, every course for staff."""
    query = Course.all() if is_staff(request) else Course.filter(published=True)
    courses = await query.order_by("-created_at").prefetch_related("sessions")
    return render(request, "training/index.html", {
        "courses": [{"course": c, "seats": await seats(c), "sessions": list(c.sessions)} for c in courses],
        "covers": await images.of(Course, [c.id for c in courses], COVER)})


async def _places(request: Request, sessions: list[Session]) -> dict[int, Any]:
    """The coworking space each session names (a reference with its link), by session id."""
    found = {}
    for session in sessions:
        if session.space_ref:
            found[session.id] = await references.resolve(request.app, "space", session.space_ref)
    return found


async def course_context(request: Request) -> dict[str, Any]:
    """A course's page: its sessions and places, its seats, and the visitor's own place, hours and certificate."""
    course = await _course(request)
    sessions = list(await Session.filter(course_id=course.id))
    person = request.state.person
    mine = position = certificate = None
    hours = Decimal(0)
    if person is not None:
        mine = await Enrolment.get_or_none(course_id=course.id, person_id=person.id)
        if mine is not None and mine.status == WAITING:
            position = await Enrolment.filter(course_id=course.id, status=WAITING, queued_at__lt=mine.queued_at).count() + 1
        hours = (await hours_by_person(course)).get(person.id, Decimal(0))
        certificate = await Certificate.get_or_none(course_id=course.id, person_id=person.id)
    return {"course": course, "cover": await images.one(course, COVER), "sessions": sessions,
            "places": await _places(request, sessions),
            "seats": await seats(course), "mine": mine, "position": position, "hours": rules.show_hours(hours),
            "required": rules.show_hours(course.required_hours), "certificate": certificate,
            "checklist": _checklist_url(request, course)}


def _checklist_url(request: Request, course: Course) -> str | None:
    """The onboarding checklist's milestone this cohort delivers, when the onboarding plugin is on."""
    if not course.onboarding_key:
        return None
    try:
        return str(request.app.url_path_for("onboarding:index")) + f"#item-{course.onboarding_key}"
    except NoMatchFound:
        return None


async def course_page(request: Request) -> Response:
    """A course's page."""
    return render(request, "training/course.html", await course_context(request))


async def course_form_context(request: Request) -> dict[str, Any]:
    """The course form: the course being edited, if any, and its cover."""
    course = await _course(request) if "course_id" in request.path_params else None
    return {"course": course, "cover": await images.one(course, COVER) if course else None}


async def course_initial(request: Request) -> dict[str, Any]:
    """The course's current values, for its edit form."""
    if "course_id" not in request.path_params:
        return {"capacity": 20, "required_hours": "18", "enrolment_open": True}
    course = await _course(request)
    return {name: getattr(course, name) for name in (
        "title", "programme", "description", "capacity", "published", "enrolment_open", "trainee_lab_code",
        "trainee_lab_name", "onboarding_key")} | {"required_hours": rules.show_hours(course.required_hours)}


async def _session(request: Request) -> Session:
    session = await Session.get_or_none(id=int(request.path_params["session_id"])).select_related("course")
    if session is None:
        raise Problem(404, gettext("No such session."))
    return session


async def session_form_context(request: Request) -> dict[str, Any]:
    """The session form (new, or changing ``session_id``): its course and the coworking spaces it
    may name (when that plugin offers them)."""
    session = await _session(request) if "session_id" in request.path_params else None
    spaces = await references.search(request.app, "space", "", 50)
    return {"course": session.course if session else await _course(request), "session": session,
            "spaces": [(s.id, s.label) for s in spaces]}


async def session_initial(request: Request) -> dict[str, Any]:
    """A session's current values on the lab's wall clock, for its edit form."""
    session = await _session(request)
    zone = request.app.state.settings.lab.timezone
    starts, ends = utc_to_local(session.starts_at, zone), utc_to_local(session.ends_at, zone)
    return {"title": session.title, "day": starts.date().isoformat(), "start_time": starts.strftime("%H:%M"),
            "end_time": ends.strftime("%H:%M"), "hours": rules.show_hours(session.hours), "place": session.place,
            "space_ref": session.space_ref}


async def roster_context(request: Request) -> dict[str, Any]:
    """Staff's view of a course: who is enrolled or waiting, their hours and certificates, and each
    session with a link to its attendance sheet."""
    course = await _course(request)
    enrolments = await Enrolment.filter(course_id=course.id).order_by("queued_at", "id").select_related("person")
    hours = await hours_by_person(course)
    certificates = {c.person_id: c for c in await Certificate.filter(course_id=course.id)}
    people = [{"enrolment": e, "hours": rules.show_hours(hours.get(e.person_id, Decimal(0))),
               "certificate": certificates.get(e.person_id)} for e in enrolments]
    return {"course": course, "people": people, "sessions": await Session.filter(course_id=course.id),
            "required": rules.show_hours(course.required_hours)}


async def roster(request: Request) -> Response:
    """The roster page (staff)."""
    return render(request, "training/roster.html", await roster_context(request))


async def attendance_context(request: Request) -> dict[str, Any]:
    """A session's attendance sheet: the people enrolled and who is marked present."""
    session = await _session(request)
    enrolled = await Enrolment.filter(course_id=session.course_id, status=ENROLLED).order_by(
        "person__name").select_related("person")
    present = set(await Attendance.filter(session_id=session.id, present=True).values_list("person_id", flat=True))
    return {"session": session, "course": session.course, "enrolled": enrolled, "present": present}


async def attendance_initial(request: Request) -> dict[str, Any]:
    """Who is already marked present at the session."""
    present = await Attendance.filter(session_id=int(request.path_params["session_id"]), present=True).values_list(
        "person_id", flat=True)
    return {"present": [str(p) for p in present]}


async def certificate_view(request: Request) -> dict[str, Any]:
    """What a certificate says, for anyone holding its code; 404 for a code that is not one."""
    code = request.path_params["code"]
    certificate = await Certificate.get_or_none(code=code[:40]).select_related("course")
    if certificate is None:
        raise Problem(404, gettext("There is no certificate with this code."), kind="not-found")
    course = certificate.course
    sessions = await Session.filter(course_id=course.id).order_by("starts_at")
    settings = request.app.state.settings
    return {"certificate": certificate, "course": course,
            "first": sessions[0].starts_at if sessions else None, "last": sessions[-1].ends_at if sessions else None,
            "hours": rules.show_hours(certificate.hours), "valid": certificate.revoked_at is None,
            "verify_url": settings.lab.base_url.rstrip("/") + request.url_for("training:certificate", code=code).path}


def qr_label(verify_url: str) -> str:
    """The text alternative of the QR code of a certificate's verification address."""
    return gettext("QR code of this certificate's verification address: %(url)s", url=verify_url)


async def certificate_page(request: Request) -> Response:
    """The certificate's public, printable verification page, with the QR code of its address."""
    view = await certificate_view(request)
    qr_svg = Markup(verification_qr(view["verify_url"]).svg_inline(scale=4, svgclass=None, lineclass=None))
    return render(request, "training/certificate.html",
                  {**view, "qr_svg": qr_svg, "qr_label": qr_label(view["verify_url"])})


def certificate_words(view: dict[str, Any], lab_name: str) -> CertificateText:
    """The certificate's sentences in the visitor's language."""
    certificate, course = view["certificate"], view["course"]
    lines = [gettext("This certifies that"), certificate.holder_name,
             gettext("attended %(hours)s hours of the course “%(course)s”", hours=view["hours"], course=course.title)]
    if course.programme:
        lines.append(gettext("in the programme %(programme)s", programme=course.programme))
    if view["first"]:
        lines.append(gettext("from %(start)s to %(end)s, at %(lab)s.", start=format_date(view["first"], "long"),
                             end=format_date(view["last"], "long"), lab=lab_name))
    status = (gettext("Issued on %(date)s.", date=format_date(certificate.issued_at, "long")) if view["valid"] else
              gettext("REVOKED on %(date)s: %(reason)s", date=format_date(certificate.revoked_at, "long"),
                      reason=certificate.revoked_reason))
    return CertificateText(heading=gettext("Certificate"), lines=lines, status=status,
                           verify_label=gettext("Check this certificate at:"), verify_url=view["verify_url"],
                           qr_label=qr_label(view["verify_url"]),
                           title=f"{course.title} — {certificate.holder_name}")


async def certificate_pdf(request: Request) -> Response:
    """The certificate as a PDF, with its verification address."""
    view = await certificate_view(request)
    pdf = render_pdf(certificate_words(view, request.app.state.settings.lab.name))
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="certificate-{view["certificate"].code}.pdf"'})
