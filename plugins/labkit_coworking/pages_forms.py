"""The coworking forms. Each runs the same action as the API (``actions_*.py``); this module only
gives the forms their context and shows the outcome.

The staff's space, resource and programme forms are plain :class:`~labkit.action_routes.ActionPage`
bindings (see :mod:`labkit_coworking.routes`); the booking form (with its preview of a weekly
request and its 409 page when the slot is taken), the booking decisions, the closures and the
application form keep their own small handlers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from labkit import images
from labkit.action_routes import enforce, found, read_input
from labkit.actions import Context, Refused
from labkit.i18n import N_, gettext
from labkit.web import Problem, flash, read_form, redirect, render

from labkit_coworking import rules, services
from labkit_coworking.actions_bookings import book, decide_booking, preview
from labkit_coworking.actions_programmes import apply, check_call_open, find_programme
from labkit_coworking.actions_spaces import add_closure, find_resource, find_space
from labkit_coworking.forms import ApplicationForm, BookingDecisionIn, BookingForm, ClosureForm, DecisionForm
from labkit_coworking.models import PROGRAMME_KINDS, RESOURCE_KINDS, Closure, Programme, Resource, Space
from labkit_coworking.pages import organisation_choices
from labkit_coworking.web import attempt

T = TypeVar("T")

# ------------------------------------------------------------------------------ booking


async def _booking_form_context(request: Request, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    resources = await Resource.filter(is_active=True, space__is_active=True).select_related("space").order_by("space_id", "name")
    chosen = next((r for r in resources if str(r.id) == str(values.get("resource", ""))), None)
    return {"resources": resources, "chosen": chosen, "values": values, "errors": errors,
            "organisations": await organisation_choices(request), "resource_kinds": RESOURCE_KINDS}


_FORM_FIELDS = {"start": "start_time", "end": "end_time"}


def _refusal_errors(occurrences: list[services.Occurrence]) -> dict[str, str]:
    """The first reason for each field of the booking form."""
    errors: dict[str, str] = {}
    for occurrence in occurrences:
        for refusal in occurrence.refusals:
            field = rules.field_of(refusal)
            if field not in ("end", "attendees", "accept_guidelines", "organisation_ref"):
                field = "start"
            errors.setdefault(_FORM_FIELDS.get(field, field), refusal.text())
    return errors


async def book_page(request: Request) -> Response:
    """The booking form; a weekly booking shows its dates (and conflicts) before anything is saved."""
    context = enforce(book, request)
    if request.method == "GET":
        params = request.query_params
        values = {"resource": params.get("resource", ""), "day": params.get("day", ""),
                  "start_time": params.get("start", ""), "end_time": params.get("end", ""), "attendees": "1",
                  "repeat_weeks": "1"}
        return render(request, "coworking/book.html", await _booking_form_context(request, values, {}))
    form = await read_form(request, BookingForm)
    status, errors = 422, form.errors or {}
    if form.ok:
        wish = form.data.request()
        if wish.repeat_weeks > 1 and form.values.get("confirm") != "1":
            occurrences, _ = await attempt(context, preview, wish)
            if any(o.ok for o in occurrences):
                return render(request, "coworking/preview.html", {
                    "occurrences": occurrences, "values": form.values,
                    "free": sum(1 for o in occurrences if o.ok), "total": len(occurrences)})
            errors = _refusal_errors(occurrences)
            status = 409 if all(o.conflict for o in occurrences) else 422
        else:
            booked, refusal = await attempt(context, book, wish)
            if refusal is None:
                return _booked(request, context, booked.bookings)
            errors, status = _refusal_errors(refusal.values["occurrences"]), refusal.status
            if wish.repeat_weeks > 1:
                errors["__all__"] = gettext("Nothing was booked: some dates are no longer free.")
    return render(request, "coworking/book.html", await _booking_form_context(request, form.values, errors),
                  status=status)


def _booked(request: Request, context: Context, created: list[Any]) -> Response:
    if created[0].status == "approved":
        flash(request, gettext("Booked: %(count)s date(s). See you there!", count=len(created)))
    else:
        flash(request, gettext("Your request for %(count)s date(s) was sent; the team will confirm it.",
                               count=len(created)))
    return redirect(context.url_for("coworking:booking", booking_id=created[0].id))


_DONE = {
    "approved": N_("The booking is approved and the requester was told."),
    "rejected": N_("The booking is rejected and the requester was told why."),
    "cancelled": N_("The booking is cancelled."),
    "no_show": N_("The booking is marked as a no-show."),
}


async def booking_decision(request: Request) -> Response:
    """Cancel (the requester or staff), approve, reject or mark a no-show (staff)."""
    verb = request.path_params["action"]
    if verb.replace("-", "_") not in ("cancel", "approve", "reject", "no_show"):
        raise Problem(404, gettext("This page does not exist."))
    context = enforce(decide_booking, request)
    booking_id = request.path_params["booking_id"]
    form = await read_form(request, DecisionForm)
    data = BookingDecisionIn(booking_id=booking_id, action=verb, reason=form.data.reason if form.ok else "")
    booking, refusal = await attempt(context, decide_booking, data)
    if refusal is None:
        flash(request, gettext(_DONE[booking.status]))
    else:
        flash(request, refusal.text(), "error")
    if request.query_params.get("next", "") == "queue":
        return redirect(context.url_for("coworking:staff_bookings"))
    return redirect(context.url_for("coworking:booking", booking_id=booking_id))


# --------------------------------------------------------------------------------- staff


def space_values(space: Space | None) -> dict[str, Any]:
    """What the space form shows: the space's fields, or a new space's defaults."""
    if space is None:
        return {"is_active": True, **{f"hours_{d}": ("09:00-18:00" if d < 5 else "") for d in range(7)}}
    hours = rules.hours_from_json(space.opening_hours)
    values: dict[str, Any] = {k: getattr(space, k) for k in (
        "name", "address", "description", "accessibility", "guidelines", "amenities", "quota_hours_per_week",
        "required_verification", "is_active")}
    values["latitude"] = "" if space.latitude is None else space.latitude
    values["longitude"] = "" if space.longitude is None else space.longitude
    values.update({f"hours_{d}": rules.format_intervals(hours.get(d, [])) for d in range(7)})
    return values


async def _from_path(request: Request, name: str, find: Callable[[int], Awaitable[T]]) -> T | None:
    """The record the path parameter ``name`` names (404 if there is none), or ``None`` on a "new" form."""
    value = request.path_params.get(name)
    return await found(find(value)) if value else None


async def _path_space(request: Request) -> Space | None:
    return await _from_path(request, "space_id", find_space)


async def space_initial(request: Request) -> dict[str, Any]:
    """The space form's values before any change."""
    return space_values(await _path_space(request))


async def space_form_context(request: Request, closure_values: dict[str, Any] | None = None,
                             closure_errors: dict[str, str] | None = None) -> dict[str, Any]:
    """The space form's context: the space, its closures and resources, the names of the days."""
    space = await _path_space(request)
    return {"space": space, "closures": await Closure.filter(space=space) if space else [],
            "photo": await images.one(space, "photo") if space else None,
            "resources": await Resource.filter(space=space) if space else [],
            "weekdays": [gettext(d) for d in rules.WEEKDAYS], "closure_values": closure_values or {},
            "closure_errors": closure_errors or {}, "resource_kinds": RESOURCE_KINDS}


async def closure_page(request: Request) -> Response:
    """Add a closure to a space; the staff are warned of the bookings that fall on its days."""
    context = enforce(add_closure, request)
    space = await found(find_space(request.path_params["space_id"]))
    form = await read_input(request, ClosureForm)
    if not form.ok:
        return render(request, "coworking/space_form.html", {
            **await space_form_context(request, form.values, form.errors), "values": space_values(space),
            "errors": {}}, status=422)
    added, _ = await attempt(context, add_closure, form.data)
    flash(request, gettext("The closure is saved."))
    if added.clashing:
        flash(request, gettext("%(count)s booking(s) fall on these days: review them in the bookings list.",
                               count=added.clashing), "warning")
    return redirect(context.url_for("coworking:space_edit", space_id=space.id))


def resource_values(resource: Resource | None) -> dict[str, Any]:
    """What the resource form shows: the resource's fields, or a new resource's defaults."""
    if resource is None:
        return {"kind": "desk", "capacity": 1, "auto_approve": True, "min_notice_hours": 1, "max_length_hours": 8,
                "max_days_ahead": 60, "is_active": True}
    values: dict[str, Any] = {k: getattr(resource, k) for k in (
        "name", "kind", "description", "capacity", "exclusive", "auto_approve", "max_days_ahead", "is_active")}
    values["min_notice_hours"] = rules._number(resource.min_notice_minutes / 60)
    values["max_length_hours"] = rules._number(resource.max_length_minutes / 60)
    return values


async def _path_resource(request: Request) -> Resource | None:
    return await _from_path(request, "resource_id", find_resource)


async def resource_initial(request: Request) -> dict[str, Any]:
    """The resource form's values before any change."""
    return resource_values(await _path_resource(request))


async def resource_form_context(request: Request) -> dict[str, Any]:
    """The resource form's context: the resource, its space and the kinds of resource."""
    resource = await _path_resource(request)
    space_id = resource.space_id if resource else request.path_params["space_id"]
    return {"space": await found(find_space(space_id)), "resource": resource,
            "kinds": [(k, gettext(v)) for k, v in RESOURCE_KINDS.items()]}


def _programme_values(programme: Programme | None) -> dict[str, Any]:
    if programme is None:
        return {"kind": "residency", "places": 4}
    return {k: getattr(programme, k) for k in ("title", "kind", "description", "call_opens", "call_closes", "places",
                                                "cohort_start", "cohort_end")} | {"space": programme.space_id or ""}


async def _path_programme(request: Request) -> Programme | None:
    return await _from_path(request, "programme_id", find_programme)


async def programme_initial(request: Request) -> dict[str, Any]:
    """The programme form's values before any change."""
    return _programme_values(await _path_programme(request))


async def programme_form_context(request: Request) -> dict[str, Any]:
    """The programme form's context: the programme, the spaces and the kinds of programme."""
    spaces = [("", gettext("No particular space"))] + [(str(s.id), s.name) for s in await Space.all()]
    return {"programme": await _path_programme(request), "spaces": spaces,
            "kinds": [(k, gettext(v)) for k, v in PROGRAMME_KINDS.items()]}


# ---------------------------------------------------------------------------- programmes


async def apply_page(request: Request) -> Response:
    """A team's application form, while the programme's call is open."""
    context = enforce(apply, request)
    programme = await found(find_programme(request.path_params["programme_id"]))
    back = context.url_for("coworking:programme", programme_id=programme.id)
    values, errors, status = {}, {}, 200
    try:
        check_call_open(context, programme)
    except Refused as closed:
        flash(request, closed.text(), "error")
        return redirect(back)
    if request.method == "POST":
        form = await read_input(request, ApplicationForm)
        if form.ok:
            _, refusal = await attempt(context, apply, form.data)
            if refusal is None:
                flash(request, gettext("Your application is sent. The team will tell you the result."))
            else:
                flash(request, refusal.text(), "error")
            return redirect(back)
        values, errors, status = form.values, form.errors, 422
    return render(request, "coworking/apply.html", {
        "programme": programme, "values": values, "errors": errors,
        "organisations": await organisation_choices(request)}, status=status)
