"""The coworking pages: spaces, the week view, booking, decisions, programmes and staff tools."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit import auth, references
from labkit.calendar import CalendarEvent, ics_response
from labkit.exports import csv_response
from labkit.i18n import gettext
from labkit.periods import Period
from labkit.web import Problem, flash, read_form, redirect, render

from labkit_coworking import rules, services
from labkit_coworking.forms import (
    ApplicationForm, BookingForm, ClosureForm, DecisionForm, ProgrammeForm, ResourceForm, SpaceForm,
)
from labkit_coworking.models import (
    APPLICATION_STATUSES, BOOKING_STATUSES, PROGRAMME_KINDS, RESOURCE_KINDS, Application, Booking, Closure,
    Programme, Resource, Space,
)

# ------------------------------------------------------------------------------- helpers


def _timezone(request: Request) -> str:
    return services.timezone_of(request.app)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        raise Problem(400, gettext("Dates are written YYYY-MM-DD."), kind="bad-query") from None


async def _space(space_id: int, *, active_only: bool = True) -> Space:
    query = Space.filter(id=space_id)
    if active_only:
        query = query.filter(is_active=True)
    space = await query.first()
    if space is None:
        raise Problem(404, gettext("No such space."), kind="not-found")
    return space


async def organisation_choices(request: Request) -> list[tuple[str, str]] | None:
    """Organisations to choose from, or ``None`` when no plugin of this lab offers them."""
    if "organisation" not in references.kinds(request.app):
        return None
    found = await references.search(request.app, "organisation", request.query_params.get("org_q", ""), 50)
    return [(ref.id, ref.label) for ref in found]


async def visible_booking(request: Request, booking_id: int) -> Booking:
    """A booking its requester or the staff may see; 404 for anyone else (no leak of existence)."""
    person = auth.require_person(request)
    booking = await Booking.filter(id=booking_id).select_related("resource__space", "person").first()
    if booking is None or (booking.person_id != person.id and not auth.has_permission(request, "coworking.manage_bookings")):
        raise Problem(404, gettext("No such booking."), kind="not-found")
    return booking


def hours_rows(space: Space) -> list[tuple[str, str]]:
    hours = rules.hours_from_json(space.opening_hours)
    return [(gettext(rules.WEEKDAYS[day]), rules.format_intervals(hours.get(day, [])) or gettext("Closed"))
            for day in range(7)]


# ------------------------------------------------------------------------------- public


async def index(request: Request) -> Response:
    """The lab's spaces and the open calls of its programmes."""
    spaces = await Space.filter(is_active=True).prefetch_related("resources")
    today = services.local_today(request.app)
    programmes = await Programme.filter(cohort_end__gte=today).order_by("call_closes")
    return render(request, "coworking/index.html", {
        "spaces": spaces, "programmes": programmes, "today": today, "kinds": PROGRAMME_KINDS})


async def space_detail(request: Request) -> Response:
    space = await _space(request.path_params["space_id"])
    resources = await Resource.filter(space=space, is_active=True)
    today = services.local_today(request.app)
    closures = await Closure.filter(space=space, last_day__gte=today)
    return render(request, "coworking/space.html", {
        "space": space, "resources": resources, "closures": closures, "hours": hours_rows(space),
        "resource_kinds": RESOURCE_KINDS})


async def week(request: Request) -> Response:
    """Availability of a space's resources for one week, as a table of days and hours."""
    space = await _space(request.path_params["space_id"])
    timezone = _timezone(request)
    today = services.local_today(request.app)
    first = _day(request.query_params.get("start"), today)
    first -= timedelta(days=first.weekday())
    resources = await Resource.filter(space=space, is_active=True)
    chosen = _int(request.query_params.get("resource"))
    shown = [r for r in resources if r.id == chosen] or resources
    table = await services.availability(request.app, space, shown, first, 7)
    days = [first + timedelta(days=n) for n in range(7)]
    minutes = sorted({m for per_resource in table.values() for slots in per_resource.values() for m in slots})
    person = request.state.person
    mine: list[Booking] = []
    if person is not None:
        begin = rules.wall_clock_to_utc(first, 0, timezone)
        mine = await Booking.filter(person_id=person.id, resource_id__in=[r.id for r in shown],
                                    status__in=("pending", "approved"), start__lt=begin + timedelta(days=8),
                                    end__gt=begin).select_related("resource")
    return render(request, "coworking/week.html", {
        "space": space, "resources": resources, "shown": shown, "chosen": chosen, "table": table,
        "days": days, "minutes": minutes, "fmt": rules.format_minutes, "today": today, "mine": mine,
        "previous": (first - timedelta(days=7)).isoformat(), "next": (first + timedelta(days=7)).isoformat(),
        "statuses": BOOKING_STATUSES, "now": services.utc_now(),
        "weekday": lambda d: gettext(rules.WEEKDAYS[d.weekday()]),
    })


def _booking_event(request: Request, booking: Booking, with_person: bool = False) -> CalendarEvent:
    settings = request.app.state.settings
    base = settings.lab.base_url.rstrip("/")
    title = f"{booking.resource.name} · {booking.resource.space.name}"
    description = booking.purpose if with_person else ""
    return CalendarEvent(
        uid=f"coworking-booking-{booking.id}@{base.split('://')[-1]}",
        title=title, start=booking.start, end=booking.end, description=description,
        location=booking.resource.space.address, url=f"{base}/coworking/bookings/{booking.id}",
        status="CONFIRMED" if booking.status == "approved" else "TENTATIVE",
    )


async def space_feed(request: Request) -> Response:
    """The space's iCalendar feed: approved and pending bookings, without who booked or why."""
    space = await _space(request.path_params["space_id"])
    since = services.utc_now() - timedelta(days=30)
    bookings = await Booking.filter(resource__space_id=space.id, status__in=("pending", "approved"),
                                    end__gt=since).select_related("resource__space")
    return ics_response(space.name, [_booking_event(request, b) for b in bookings])


async def booking_ics(request: Request) -> Response:
    booking = await visible_booking(request, request.path_params["booking_id"])
    return ics_response(booking.resource.name, [_booking_event(request, booking, with_person=True)],
                        filename=f"booking-{booking.id}.ics")


# ------------------------------------------------------------------------------ booking


async def _booking_form_context(request: Request, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    resources = await Resource.filter(is_active=True, space__is_active=True).select_related("space").order_by("space_id", "name")
    chosen = next((r for r in resources if str(r.id) == str(values.get("resource", ""))), None)
    return {"resources": resources, "chosen": chosen, "values": values, "errors": errors,
            "organisations": await organisation_choices(request), "resource_kinds": RESOURCE_KINDS}


def _wish(form: BookingForm, timezone: str) -> services.Request | None:
    start, end = form.local_range()
    occurrences = services.occurrences_from_local(start, end, form.repeat_weeks, timezone)
    return services.Request(resource_id=form.resource, occurrences=occurrences, attendees=form.attendees,
                            purpose=form.purpose, organisation_ref=form.organisation_ref,
                            accept_guidelines=form.accept_guidelines, on_conflict=form.on_conflict)


def _refusal_errors(occurrences: list[services.Occurrence]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for occurrence in occurrences:
        for refusal in occurrence.refusals:
            field = refusal.field if refusal.field in ("end", "attendees", "accept_guidelines", "organisation_ref") else "start_time"
            if field == "end":
                field = "end_time"
            errors.setdefault(field, refusal.text())
    return errors


async def book(request: Request) -> Response:
    """The booking form; a weekly booking shows its dates (and conflicts) before anything is saved."""
    person = auth.require(request, "coworking.book")
    if request.method == "GET":
        params = request.query_params
        values = {"resource": params.get("resource", ""), "day": params.get("day", ""),
                  "start_time": params.get("start", ""), "end_time": params.get("end", ""), "attendees": "1",
                  "repeat_weeks": "1"}
        return render(request, "coworking/book.html", await _booking_form_context(request, values, {}))
    form = await read_form(request, BookingForm)
    status = 422
    if form.ok:
        wish = _wish(form.data, _timezone(request))
        if form.data.repeat_weeks > 1 and form.values.get("confirm") != "1":
            occurrences = await services.preview(request.app, person, wish)
            if any(o.ok for o in occurrences):
                return render(request, "coworking/preview.html", {
                    "occurrences": occurrences, "values": form.values,
                    "free": sum(1 for o in occurrences if o.ok), "total": len(occurrences)})
            errors = _refusal_errors(occurrences)
            status = 409 if all(o.conflict for o in occurrences) else 422
        else:
            try:
                created, _skipped = await services.book(request.app, person, wish)
            except services.BookingRefused as refused:
                errors, status = _refusal_errors(refused.occurrences), refused.status
                if form.data.repeat_weeks > 1:
                    errors["__all__"] = gettext("Nothing was booked: some dates are no longer free.")
            else:
                if created[0].status == "approved":
                    flash(request, gettext("Booked: %(count)s date(s). See you there!", count=len(created)))
                else:
                    flash(request, gettext("Your request for %(count)s date(s) was sent; the team will confirm it.",
                                           count=len(created)))
                return redirect(f"/coworking/bookings/{created[0].id}")
    else:
        errors = form.errors or {}
    context = await _booking_form_context(request, form.values, errors)
    return render(request, "coworking/book.html", context, status=status)


async def booking_detail(request: Request) -> Response:
    booking = await visible_booking(request, request.path_params["booking_id"])
    organisation = await references.resolve(request.app, "organisation", booking.organisation_ref)
    series = []
    if booking.series:
        series = await Booking.filter(series=booking.series).order_by("start")
    return render(request, "coworking/booking.html", {
        "booking": booking, "organisation": organisation, "statuses": BOOKING_STATUSES, "series": series,
        "now": services.utc_now(), "values": {}, "errors": {}})


async def booking_action(request: Request) -> Response:
    """Cancel (the requester or staff), approve, reject or mark a no-show (staff)."""
    action = request.path_params["action"].replace("-", "_")
    if action not in ("cancel", "approve", "reject", "no_show"):
        raise Problem(404, gettext("This page does not exist."))
    booking = await visible_booking(request, request.path_params["booking_id"])
    person = request.state.person
    if action != "cancel" or booking.person_id != person.id:
        auth.require(request, "coworking.manage_bookings")
    form = await read_form(request, DecisionForm)
    reason = form.data.reason if form.ok else ""
    try:
        await services.decide(request.app, booking.id, person, action, reason)
    except Problem as problem:
        if problem.status_code not in (409, 422):
            raise
        flash(request, str(problem.detail), "error")
    else:
        flash(request, {
            "approve": gettext("The booking is approved and the requester was told."),
            "reject": gettext("The booking is rejected and the requester was told why."),
            "cancel": gettext("The booking is cancelled."),
            "no_show": gettext("The booking is marked as a no-show."),
        }[action])
    target = request.query_params.get("next", "")
    return redirect("/coworking/staff/bookings" if target == "queue" else f"/coworking/bookings/{booking.id}")


async def my_bookings(request: Request) -> Response:
    person = auth.require_person(request)
    now = services.utc_now()
    upcoming = await Booking.filter(person_id=person.id, end__gte=now).select_related("resource__space").order_by("start")
    past = await Booking.filter(person_id=person.id, end__lt=now).select_related("resource__space").order_by("-start").limit(50)
    return render(request, "coworking/mine.html", {"upcoming": upcoming, "past": past, "statuses": BOOKING_STATUSES})


# --------------------------------------------------------------------------------- staff


async def staff_bookings(request: Request) -> Response:
    """The staff's queue: requests waiting for approval first, then the coming bookings."""
    auth.require(request, "coworking.manage_bookings")
    status = request.query_params.get("status", "pending")
    if status not in BOOKING_STATUSES:
        status = "pending"
    space_id = _int(request.query_params.get("space"))
    query = Booking.filter(status=status).select_related("resource__space", "person")
    if status in ("pending", "approved"):
        query = query.filter(end__gte=services.utc_now())
    if space_id:
        query = query.filter(resource__space_id=space_id)
    bookings = await query.order_by("start").limit(200)
    return render(request, "coworking/staff_bookings.html", {
        "bookings": bookings, "status": status, "statuses": BOOKING_STATUSES, "spaces": await Space.all(),
        "space_id": space_id, "now": services.utc_now()})


def _month(request: Request) -> Period:
    code = request.query_params.get("month") or services.local_today(request.app).strftime("%Y-%m")
    try:
        period = Period.parse(code)
    except ValueError:
        raise Problem(400, gettext("Choose a month as YYYY-MM."), kind="bad-query") from None
    if period.frequency != "M":
        raise Problem(400, gettext("Choose a month as YYYY-MM."), kind="bad-query")
    return period


async def report(request: Request) -> Response:
    """Hours booked against hours open, per space and resource, for one month (page or CSV)."""
    auth.require(request, "coworking.view_reports")
    period = _month(request)
    rows = await services.utilisation(request.app, period.start, period.end - timedelta(days=1))
    if request.query_params.get("format") == "csv":
        return csv_response(f"coworking-utilisation-{period.code}.csv",
                            ["month", "space", "resource", "hours_open", "hours_booked", "bookings", "utilisation"],
                            [[period.code, r.space, r.resource, round(r.hours_open, 2), round(r.hours_booked, 2),
                              r.bookings, round(r.ratio, 4)] for r in rows])
    previous = (period.start - timedelta(days=1)).strftime("%Y-%m")
    following = period.end.strftime("%Y-%m")
    return render(request, "coworking/report.html", {"rows": rows, "period": period, "previous": previous,
                                                     "following": following})


def _space_values(space: Space | None) -> dict[str, Any]:
    if space is None:
        return {"is_active": True, **{f"hours_{d}": ("09:00-18:00" if d < 5 else "") for d in range(7)}}
    hours = rules.hours_from_json(space.opening_hours)
    values: dict[str, Any] = {k: getattr(space, k) for k in (
        "name", "address", "description", "accessibility", "guidelines", "amenities", "quota_hours_per_week",
        "is_active")}
    values["latitude"] = "" if space.latitude is None else space.latitude
    values["longitude"] = "" if space.longitude is None else space.longitude
    values.update({f"hours_{d}": rules.format_intervals(hours.get(d, [])) for d in range(7)})
    return values


async def space_edit(request: Request) -> Response:
    """Create or change a space: its description, opening hours, guidelines and closures."""
    auth.require(request, "coworking.manage_spaces")
    space_id = request.path_params.get("space_id")
    space = await _space(space_id, active_only=False) if space_id else None
    values, errors, status = _space_values(space), {}, 200
    if request.method == "POST":
        form = await read_form(request, SpaceForm)
        if form.ok:
            data = form.data
            fields = data.model_dump(exclude={f"hours_{d}" for d in range(7)})
            fields["opening_hours"] = rules.hours_to_json(data.opening_hours())
            if space is None:
                space = await Space.create(**fields)
            else:
                await space.update_from_dict(fields).save()
            flash(request, gettext("%(name)s is saved.", name=space.name))
            return redirect(f"/coworking/staff/spaces/{space.id}")
        values, errors, status = form.values, form.errors, 422
    closures = await Closure.filter(space=space) if space else []
    resources = await Resource.filter(space=space) if space else []
    return render(request, "coworking/space_form.html", {
        "space": space, "values": values, "errors": errors, "closures": closures, "resources": resources,
        "weekdays": [gettext(d) for d in rules.WEEKDAYS], "closure_values": {}, "closure_errors": {},
        "resource_kinds": RESOURCE_KINDS}, status=status)


async def closure_add(request: Request) -> Response:
    auth.require(request, "coworking.manage_spaces")
    space = await _space(request.path_params["space_id"], active_only=False)
    form = await read_form(request, ClosureForm)
    if not form.ok:
        return render(request, "coworking/space_form.html", {
            "space": space, "values": _space_values(space), "errors": {}, "closures": await Closure.filter(space=space),
            "resources": await Resource.filter(space=space), "weekdays": [gettext(d) for d in rules.WEEKDAYS],
            "closure_values": form.values, "closure_errors": form.errors, "resource_kinds": RESOURCE_KINDS}, status=422)
    await Closure.create(space=space, **form.data.model_dump())
    clashing = await Booking.filter(resource__space_id=space.id, status__in=("pending", "approved"),
                                    start__gte=rules.wall_clock_to_utc(form.data.first_day, 0, _timezone(request)),
                                    start__lt=rules.wall_clock_to_utc(form.data.last_day + timedelta(days=1), 0,
                                                                      _timezone(request))).count()
    flash(request, gettext("The closure is saved."))
    if clashing:
        flash(request, gettext("%(count)s booking(s) fall on these days: review them in the bookings list.",
                               count=clashing), "warning")
    return redirect(f"/coworking/staff/spaces/{space.id}")


async def closure_delete(request: Request) -> Response:
    auth.require(request, "coworking.manage_spaces")
    closure = await Closure.get_or_none(id=request.path_params["closure_id"])
    if closure is None:
        raise Problem(404, gettext("No such closure."), kind="not-found")
    await closure.delete()
    flash(request, gettext("The closure is removed."))
    return redirect(f"/coworking/staff/spaces/{closure.space_id}")


def _resource_values(resource: Resource | None) -> dict[str, Any]:
    if resource is None:
        return {"kind": "desk", "capacity": 1, "auto_approve": True, "min_notice_hours": 1, "max_length_hours": 8,
                "max_days_ahead": 60, "is_active": True}
    values: dict[str, Any] = {k: getattr(resource, k) for k in (
        "name", "kind", "description", "capacity", "exclusive", "auto_approve", "max_days_ahead", "is_active")}
    values["min_notice_hours"] = rules._number(resource.min_notice_minutes / 60)
    values["max_length_hours"] = rules._number(resource.max_length_minutes / 60)
    return values


async def resource_edit(request: Request) -> Response:
    auth.require(request, "coworking.manage_spaces")
    resource = None
    if "resource_id" in request.path_params:
        resource = await Resource.get_or_none(id=request.path_params["resource_id"])
        if resource is None:
            raise Problem(404, gettext("No such resource."), kind="not-found")
        space = await _space(resource.space_id, active_only=False)
    else:
        space = await _space(request.path_params["space_id"], active_only=False)
    values, errors, status = _resource_values(resource), {}, 200
    if request.method == "POST":
        form = await read_form(request, ResourceForm)
        if form.ok:
            data = form.data.model_dump(exclude={"min_notice_hours", "max_length_hours"})
            data["min_notice_minutes"] = round(form.data.min_notice_hours * 60)
            data["max_length_minutes"] = round(form.data.max_length_hours * 60)
            if resource is None:
                resource = await Resource.create(space=space, **data)
            else:
                await resource.update_from_dict(data).save()
            flash(request, gettext("%(name)s is saved.", name=resource.name))
            return redirect(f"/coworking/staff/spaces/{space.id}")
        values, errors, status = form.values, form.errors, 422
    return render(request, "coworking/resource_form.html", {
        "space": space, "resource": resource, "values": values, "errors": errors,
        "kinds": [(k, gettext(v)) for k, v in RESOURCE_KINDS.items()]}, status=status)


# ---------------------------------------------------------------------------- programmes


async def programmes(request: Request) -> Response:
    items = await Programme.all().order_by("-call_opens")
    return render(request, "coworking/programmes.html", {
        "programmes": items, "kinds": PROGRAMME_KINDS, "today": services.local_today(request.app)})


async def _programme(programme_id: int) -> Programme:
    programme = await Programme.filter(id=programme_id).select_related("space").first()
    if programme is None:
        raise Problem(404, gettext("No such programme."), kind="not-found")
    return programme


async def cohort(app: Any, programme: Programme) -> list[dict[str, Any]]:
    """The selected teams of a programme with their members and organisation."""
    teams = []
    for application in await Application.filter(programme=programme, status="selected").prefetch_related("members"):
        organisation = await references.resolve(app, "organisation", application.organisation_ref)
        teams.append({"application": application, "organisation": organisation,
                      "members": [m.name for m in application.members]})
    return teams


async def programme_detail(request: Request) -> Response:
    programme = await _programme(request.path_params["programme_id"])
    person = request.state.person
    mine = await Application.get_or_none(programme=programme, applicant_id=person.id) if person else None
    return render(request, "coworking/programme.html", {
        "programme": programme, "kinds": PROGRAMME_KINDS, "cohort": await cohort(request.app, programme),
        "today": services.local_today(request.app), "mine": mine, "statuses": APPLICATION_STATUSES,
        "open": services.call_is_open(programme, services.local_today(request.app))})


async def programme_apply(request: Request) -> Response:
    person = auth.require(request, "coworking.apply")
    programme = await _programme(request.path_params["programme_id"])
    values, errors, status = {}, {}, 200
    if not services.call_is_open(programme, services.local_today(request.app)):
        flash(request, gettext("The call for this programme is not open."), "error")
        return redirect(f"/coworking/programmes/{programme.id}")
    if request.method == "POST":
        form = await read_form(request, ApplicationForm)
        if form.ok:
            data = form.data
            try:
                await services.apply(request.app, person, programme, data.project_title, data.project_description,
                                     data.organisation_ref, data.member_list())
            except Problem as problem:
                if problem.status_code != 409:
                    raise
                flash(request, str(problem.detail), "error")
            else:
                flash(request, gettext("Your application is sent. The team will tell you the result."))
            return redirect(f"/coworking/programmes/{programme.id}")
        values, errors, status = form.values, form.errors, 422
    return render(request, "coworking/apply.html", {
        "programme": programme, "values": values, "errors": errors,
        "organisations": await organisation_choices(request)}, status=status)


def _programme_values(programme: Programme | None) -> dict[str, Any]:
    if programme is None:
        return {"kind": "residency", "places": 4}
    return {k: getattr(programme, k) for k in ("title", "kind", "description", "call_opens", "call_closes", "places",
                                                "cohort_start", "cohort_end")} | {"space": programme.space_id or ""}


async def programme_edit(request: Request) -> Response:
    auth.require(request, "coworking.manage_programmes")
    programme = await _programme(request.path_params["programme_id"]) if "programme_id" in request.path_params else None
    values, errors, status = _programme_values(programme), {}, 200
    if request.method == "POST":
        form = await read_form(request, ProgrammeForm)
        if form.ok:
            data = form.data.model_dump(exclude={"space"})
            data["space_id"] = form.data.space if form.data.space and await Space.exists(id=form.data.space) else None
            if programme is None:
                programme = await Programme.create(**data)
            else:
                await programme.update_from_dict(data).save()
            flash(request, gettext("%(name)s is saved.", name=programme.title))
            return redirect(f"/coworking/programmes/{programme.id}")
        values, errors, status = form.values, form.errors, 422
    spaces = [("", gettext("No particular space"))] + [(str(s.id), s.name) for s in await Space.all()]
    return render(request, "coworking/programme_form.html", {
        "programme": programme, "values": values, "errors": errors, "spaces": spaces,
        "kinds": [(k, gettext(v)) for k, v in PROGRAMME_KINDS.items()]}, status=status)


async def applications(request: Request) -> Response:
    auth.require(request, "coworking.manage_programmes")
    programme = await _programme(request.path_params["programme_id"])
    items = await Application.filter(programme=programme).prefetch_related("members", "applicant")
    organisations = {a.id: await references.resolve(request.app, "organisation", a.organisation_ref) for a in items}
    selected = sum(1 for a in items if a.status == "selected")
    return render(request, "coworking/applications.html", {
        "programme": programme, "applications": items, "organisations": organisations,
        "statuses": APPLICATION_STATUSES, "selected": selected})


async def application_decide(request: Request) -> Response:
    person = auth.require(request, "coworking.manage_programmes")
    if request.path_params["decision"] not in ("select", "reject"):
        raise Problem(404, gettext("This page does not exist."))
    application = await Application.get_or_none(id=request.path_params["application_id"])
    if application is None:
        raise Problem(404, gettext("No such application."), kind="not-found")
    form = await read_form(request, DecisionForm)
    selected = request.path_params["decision"] == "select"
    try:
        await services.select(request.app, application.id, person, selected, form.data.reason if form.ok else "")
    except Problem as problem:
        if problem.status_code != 409:
            raise
        flash(request, str(problem.detail), "error")
    else:
        flash(request, gettext("The team is selected.") if selected else gettext("The application is turned down."))
    return redirect(f"/coworking/staff/programmes/{application.programme_id}/applications")


routes = [
    Route("/", index, name="index"),
    Route("/spaces/{space_id:int}", space_detail, name="space"),
    Route("/spaces/{space_id:int}/week", week, name="week"),
    Route("/spaces/{space_id:int}/calendar.ics", space_feed, name="feed"),
    Route("/book", book, methods=["GET", "POST"], name="book"),
    Route("/mine", my_bookings, name="mine"),
    Route("/bookings/{booking_id:int}", booking_detail, name="booking"),
    Route("/bookings/{booking_id:int}.ics", booking_ics, name="booking_ics"),
    Route("/bookings/{booking_id:int}/{action:str}", booking_action, methods=["POST"], name="booking_action"),
    Route("/programmes", programmes, name="programmes"),
    Route("/programmes/{programme_id:int}", programme_detail, name="programme"),
    Route("/programmes/{programme_id:int}/apply", programme_apply, methods=["GET", "POST"], name="apply"),
    Route("/staff/bookings", staff_bookings, name="staff_bookings"),
    Route("/staff/report", report, name="report"),
    Route("/staff/spaces/new", space_edit, methods=["GET", "POST"], name="space_new"),
    Route("/staff/spaces/{space_id:int}", space_edit, methods=["GET", "POST"], name="space_edit"),
    Route("/staff/spaces/{space_id:int}/closures", closure_add, methods=["POST"], name="closure_add"),
    Route("/staff/closures/{closure_id:int}/delete", closure_delete, methods=["POST"], name="closure_delete"),
    Route("/staff/spaces/{space_id:int}/resources/new", resource_edit, methods=["GET", "POST"], name="resource_new"),
    Route("/staff/resources/{resource_id:int}", resource_edit, methods=["GET", "POST"], name="resource_edit"),
    Route("/staff/programmes/new", programme_edit, methods=["GET", "POST"], name="programme_new"),
    Route("/staff/programmes/{programme_id:int}", programme_edit, methods=["GET", "POST"], name="programme_edit"),
    Route("/staff/programmes/{programme_id:int}/applications", applications, name="applications"),
    Route("/staff/applications/{application_id:int}/{decision:str}", application_decide, methods=["POST"],
          name="application_decide"),
]
