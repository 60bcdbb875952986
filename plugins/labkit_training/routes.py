"""Where training is on the web (found by convention: ``pages`` under ``/training/``, ``api`` under
``/api/v1/training/``). Every write is an action, the same for a page and the API."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from labkit import images
from labkit.action_routes import ActionButton, ActionPage, ActionRoute
from labkit.actions import Context
from labkit.api import ApiRoute, PageRoute
from labkit.i18n import N_, gettext, ngettext

from labkit_training import api as json_api
from labkit_training import pages as read
from labkit_training.actions_attendance import issue_certificates, revoke_certificate, take_attendance
from labkit_training.actions_courses import (
    MANAGE,
    add_session,
    change_session,
    delete_course,
    delete_session,
    save_course,
)
from labkit_training.actions_enrolment import Placed, enrol, withdraw
from labkit_training.models import ENROLLED, WAITING, Certificate, Session


def _course_form(path: str, name: str) -> ActionPage:
    return images.accepting_images(ActionPage(
        path, save_course, name=name, template="training/course_form.html",
        context=read.course_form_context, initial=read.course_initial,
        message=lambda course: gettext("%(name)s is saved.", name=course.title),
        success=lambda ctx, course: ctx.url_for("training:course", course_id=course.id)))


def _placed(placed: Placed) -> str:
    if placed.enrolment.status == WAITING:
        return gettext("The course is full: you are on the waiting list.")
    return gettext("You are enrolled.") if placed.enrolment.status == ENROLLED else gettext("You withdrew.")


def _issued(certificates: list[Certificate]) -> str:
    return ngettext("%(num)d certificate issued.", "%(num)d certificates issued.", len(certificates))


def _back_to_course(ctx: Context, params: dict[str, Any]) -> str:
    return ctx.url_for("training:course", course_id=params["course_id"])


def _session_json(ctx: Context, session: Session) -> dict[str, Any]:
    return json_api.session_out(session).model_dump()


pages = [
    Route("/", read.index, name="index"),
    Route("/courses/{course_id:int}", read.course_page, name="course"),
    ActionButton("/courses/{course_id:int}/enrolment", {"": enrol, "withdraw": withdraw}, name="enrolment",
                 message=_placed, back=_back_to_course),
    Route("/certificates/{code:str}", read.certificate_page, name="certificate"),
    Route("/certificates/{code:str}/pdf", read.certificate_pdf, name="certificate_pdf"),
    _course_form("/staff/courses/new", "course_new"),
    _course_form("/staff/courses/{course_id:int}", "course_edit"),
    ActionPage("/staff/courses/{course_id:int}/sessions/new", add_session, name="session_new",
               template="training/session_form.html", context=read.session_form_context,
               message=N_("The session is added."),
               success=lambda ctx, session: ctx.url_for("training:course", course_id=session.course_id)),
    ActionPage("/staff/sessions/{session_id:int}", change_session, name="session_edit",
               template="training/session_form.html", context=read.session_form_context,
               initial=read.session_initial, message=N_("The session is saved."),
               success=lambda ctx, session: ctx.url_for("training:course", course_id=session.course_id)),
    ActionButton("/staff/sessions/{session_id:int}/delete", delete_session, name="session_delete",
                 message=N_("The session is cancelled."), back=lambda ctx, params: ctx.url_for("training:index"),
                 success=lambda ctx, session: ctx.url_for("training:course", course_id=session.course_id)),
    ActionButton("/staff/courses/{course_id:int}/delete", delete_course, name="course_delete",
                 message=N_("The course is deleted."), back=_back_to_course,
                 success=lambda ctx, course: ctx.url_for("training:index")),
    PageRoute("/staff/courses/{course_id:int}/people", read.roster, name="roster", permission=MANAGE),
    ActionButton("/staff/courses/{course_id:int}/certificates", issue_certificates, name="issue",
                 message=_issued, back=lambda ctx, params: ctx.url_for("training:roster", course_id=params["course_id"])),
    ActionPage("/staff/sessions/{session_id:int}/attendance", take_attendance, name="attendance",
               template="training/attendance.html", context=read.attendance_context, initial=read.attendance_initial,
               message=N_("Attendance is saved."),
               success=lambda ctx, taken: ctx.url_for("training:roster", course_id=taken.session.course_id)),
    ActionButton("/staff/certificates/{code:str}/revoke", revoke_certificate, name="revoke",
                 message=N_("The certificate is revoked."), back=lambda ctx, params: ctx.url_for("training:index"),
                 success=lambda ctx, c: ctx.url_for("training:roster", course_id=c.course_id)),
]

api = [
    ApiRoute("/courses", json_api.list_courses, name="courses", response=json_api.CourseList),
    ActionRoute("/courses", save_course, name="course_create", response=json_api.CourseOut, status=201,
                present=json_api.present_course),
    ActionRoute("/courses/{course_id:int}", save_course, method="PUT", name="course_update",
                response=json_api.CourseOut, present=json_api.present_course),
    ActionRoute("/courses/{course_id:int}/sessions", add_session, name="session_create",
                response=json_api.SessionOut, status=201,
                present=_session_json),
    ActionRoute("/courses/{course_id:int}", delete_course, method="DELETE", name="course_delete",
                present=lambda ctx, course: {"ok": True}),
    ActionRoute("/sessions/{session_id:int}", change_session, method="PUT", name="session_update",
                response=json_api.SessionOut, present=_session_json),
    ActionRoute("/sessions/{session_id:int}", delete_session, method="DELETE", name="session_delete",
                response=json_api.SessionOut, present=_session_json),
    ActionRoute("/courses/{course_id:int}/enrolment", enrol, name="enrol", response=json_api.EnrolmentOut,
                status=201, present=json_api.present_placed),
    ActionRoute("/courses/{course_id:int}/enrolment", withdraw, method="DELETE", name="withdraw",
                response=json_api.EnrolmentOut, present=json_api.present_placed),
    ActionRoute("/sessions/{session_id:int}/attendance", take_attendance, name="attendance",
                response=json_api.AttendanceOut, present=json_api.present_taken),
    ActionRoute("/courses/{course_id:int}/certificates", issue_certificates, name="issue",
                response=json_api.IssuedOut, present=json_api.present_issued),
    ApiRoute("/certificates/{code:str}", json_api.get_certificate, name="certificate",
             response=json_api.CertificateOut),
    ActionRoute("/certificates/{code:str}/revoke", revoke_certificate, name="revoke",
                response=json_api.RevokedOut, present=json_api.present_revoked),
]
