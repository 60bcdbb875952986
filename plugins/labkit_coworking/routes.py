"""Where coworking is on the web (found by convention: ``pages`` under ``/coworking/``, ``api``
under ``/api/v1/coworking/``). Every write is an action, the same for a page and the API."""

from __future__ import annotations

from starlette.routing import Route

from labkit import images
from labkit.action_routes import ActionButton, ActionPage, ActionRoute
from labkit.api import ApiRoute, PageRoute
from labkit.i18n import N_, gettext

from labkit_coworking import api as json_api
from labkit_coworking import pages as read_pages
from labkit_coworking import pages_forms
from labkit_coworking.actions_bookings import decide_booking, preview
from labkit_coworking.actions_programmes import apply, save_programme, select_application
from labkit_coworking.actions_spaces import remove_closure, save_resource, save_space
from labkit_coworking.forms import BookingIn

_SAVED = N_("%(name)s is saved.")


def _space_form(path: str, name: str) -> ActionPage:
    return images.accepting_images(ActionPage(path, save_space, name=name, template="coworking/space_form.html",
                      context=pages_forms.space_form_context, initial=pages_forms.space_initial,
                      message=lambda space: gettext(_SAVED, name=space.name),
                      success=lambda ctx, space: ctx.url_for("coworking:space_edit", space_id=space.id)))


def _resource_form(path: str, name: str) -> ActionPage:
    return ActionPage(path, save_resource, name=name, template="coworking/resource_form.html",
                      context=pages_forms.resource_form_context, initial=pages_forms.resource_initial,
                      message=lambda resource: gettext(_SAVED, name=resource.name),
                      success=lambda ctx, resource: ctx.url_for("coworking:space_edit", space_id=resource.space_id))


def _programme_form(path: str, name: str) -> ActionPage:
    return ActionPage(path, save_programme, name=name, template="coworking/programme_form.html",
                      context=pages_forms.programme_form_context, initial=pages_forms.programme_initial,
                      message=lambda programme: gettext(_SAVED, name=programme.title),
                      success=lambda ctx, programme: ctx.url_for("coworking:programme", programme_id=programme.id))


_TEAM_DECIDED = {"selected": N_("The team is selected."), "rejected": N_("The application is turned down.")}

pages = [
    Route("/", read_pages.index, name="index"),
    Route("/spaces/{space_id:int}", read_pages.space_detail, name="space"),
    Route("/spaces/{space_id:int}/week", read_pages.week, name="week"),
    Route("/spaces/{space_id:int}/calendar.ics", read_pages.space_feed, name="feed"),
    Route("/book", pages_forms.book_page, methods=["GET", "POST"], name="book"),
    PageRoute("/mine", read_pages.my_bookings, name="mine", permission="coworking.book"),
    PageRoute("/bookings/{booking_id:int}", read_pages.booking_detail, name="booking", permission="coworking.book"),
    PageRoute("/bookings/{booking_id:int}.ics", read_pages.booking_ics, name="booking_ics", permission="coworking.book"),
    Route("/bookings/{booking_id:int}/{action:str}", pages_forms.booking_decision, methods=["POST"],
          name="booking_action"),
    Route("/programmes", read_pages.programmes, name="programmes"),
    Route("/programmes/{programme_id:int}", read_pages.programme_detail, name="programme"),
    Route("/programmes/{programme_id:int}/apply", pages_forms.apply_page, methods=["GET", "POST"], name="apply"),
    PageRoute("/staff/bookings", read_pages.staff_bookings, name="staff_bookings", permission="coworking.manage_bookings"),
    PageRoute("/staff/report", read_pages.report, name="report", permission="coworking.view_reports"),
    _space_form("/staff/spaces/new", "space_new"),
    _space_form("/staff/spaces/{space_id:int}", "space_edit"),
    Route("/staff/spaces/{space_id:int}/closures", pages_forms.closure_page, methods=["POST"], name="closure_add"),
    ActionButton("/staff/closures/{closure_id:int}/delete", remove_closure, name="closure_delete",
                 message=lambda closure: gettext("The closure is removed."),
                 back=lambda ctx, params: ctx.url_for("coworking:index"),
                 success=lambda ctx, closure: ctx.url_for("coworking:space_edit", space_id=closure.space_id)),
    _resource_form("/staff/spaces/{space_id:int}/resources/new", "resource_new"),
    _resource_form("/staff/resources/{resource_id:int}", "resource_edit"),
    _programme_form("/staff/programmes/new", "programme_new"),
    _programme_form("/staff/programmes/{programme_id:int}", "programme_edit"),
    PageRoute("/staff/programmes/{programme_id:int}/applications", read_pages.applications, name="applications",
              permission="coworking.manage_programmes"),
    ActionButton("/staff/applications/{application_id:int}/{decision:str}", select_application,
                 name="application_decide", message=lambda application: gettext(_TEAM_DECIDED[application.status]),
                 back=lambda ctx, params: ctx.url_for("coworking:programmes"),
                 success=lambda ctx, application: ctx.url_for("coworking:applications",
                                                              programme_id=application.programme_id)),
]

api = [
    ApiRoute("/spaces", json_api.list_spaces, name="spaces", response=json_api.SpaceList),
    ActionRoute("/spaces", save_space, name="space_create", status=201, response=json_api.SpaceOut,
                present=json_api.present_space),
    ApiRoute("/spaces/{space_id:int}", json_api.get_space, name="space", response=json_api.SpaceOut),
    ActionRoute("/spaces/{space_id:int}", save_space, method="PUT", name="space_update", response=json_api.SpaceOut,
                present=json_api.present_space),
    ApiRoute("/spaces/{space_id:int}/availability", json_api.availability, name="availability", response=json_api.Availability,
             query={"start": "first day (YYYY-MM-DD, default today)", "days": "1-31 (default 7)",
                    "resource": "only this resource id"}),
    ApiRoute("/bookings", json_api.list_bookings, name="bookings", response=json_api.BookingPage, permission="coworking.book",
             query={"scope": "'all' for staff", "status": "pending, approved, rejected, cancelled or no_show",
                    "space": "space id", "page": "page number", "per_page": "1-100"}),
    ApiRoute("/bookings", json_api.create_booking, methods=["POST"], name="book", body=BookingIn,
             response=json_api.BookingResult, permission="coworking.book", status=201),
    ActionRoute("/bookings/preview", preview, name="preview", response=json_api.Preview, present=json_api.preview_out),
    ApiRoute("/bookings/{booking_id:int}", json_api.get_booking, name="booking", response=json_api.BookingOut,
             permission="coworking.book"),
    ActionRoute("/bookings/{booking_id:int}/{action:str}", decide_booking, name="booking_action",
                response=json_api.BookingOut, present=json_api.booking_json),
    ApiRoute("/programmes", json_api.list_programmes, name="programmes", response=json_api.ProgrammeList),
    ActionRoute("/programmes/{programme_id:int}/applications", apply, name="apply", response=json_api.ApplicationOut,
                status=201, present=json_api.application_out),
]
