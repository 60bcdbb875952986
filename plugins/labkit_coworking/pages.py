"""The coworking pages that only read: spaces, the week view, bookings, programmes, the staff's
queue, report and applications (the forms are in :mod:`labkit_coworking.pages_forms`)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from labkit import images, references
from labkit.action_routes import context_of, found
from labkit.calendar import CalendarEvent, ics_response
from labkit.exports import csv_response
from labkit.filters import choice
from labkit.i18n import gettext
from labkit.periods import Period
from labkit.web import Problem, render

from labkit_coworking import rules, services
from labkit_coworking.actions_programmes import find_programme
from labkit_coworking.models import (
    APPLICATION_STATUSES,
    BOOKING_STATUSES,
    PROGRAMME_KINDS,
    RESOURCE_KINDS,
    Application,
    Booking,
    Closure,
    Programme,
    Resource,
    Space,
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


async def shown_booking(request: Request) -> Booking:
    """The booking of the path if its requester or the staff ask; 404 for anyone else."""
    return await found(services.visible_booking(context_of(request), request.path_params["booking_id"]))


def hours_rows(space: Space) -> list[tuple[str, str]]:
    """The opening hours of each weekday, as the space page lists them."""
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
        "spaces": spaces, "photos": await images.of(Space, [s.id for s in spaces], "photo"),
        "programmes": programmes, "today": today, "kinds": PROGRAMME_KINDS})


async def space_detail(request: Request) -> Response:
    """A space: its resources, opening hours, guidelines and coming closures."""
    space = await _space(request.path_params["space_id"])
    resources = await Resource.filter(space=space, is_active=True)
    today = services.local_today(request.app)
    closures = await Closure.filter(space=space, last_day__gte=today)
    return render(request, "coworking/space.html", {
        "space": space, "photo": await images.one(space, "photo"), "resources": resources, "closures": closures,
        "hours": hours_rows(space),
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
    begin = rules.wall_clock_to_utc(first, 0, timezone)
    if person is not None:
        mine = await Booking.filter(person_id=person.id, resource_id__in=[r.id for r in shown],
                                    status__in=("pending", "approved"), start__lt=begin + timedelta(days=8),
                                    end__gt=begin).select_related("resource")
    held = await Booking.filter(holder__isnull=False, resource_id__in=[r.id for r in shown], status="approved",
                                start__lt=begin + timedelta(days=8), end__gt=begin)
    return render(request, "coworking/week.html", {
        "space": space, "resources": resources, "shown": shown, "chosen": chosen, "table": table,
        "days": days, "minutes": minutes, "fmt": rules.format_minutes, "today": today, "mine": mine, "held": held,
        "previous": (first - timedelta(days=7)).isoformat(), "next": (first + timedelta(days=7)).isoformat(),
        "statuses": BOOKING_STATUSES, "now": services.utc_now(),
        "weekday": lambda d: gettext(rules.WEEKDAYS[d.weekday()]),
    })


def _booking_event(request: Request, booking: Booking, with_person: bool = False) -> CalendarEvent:
    base = request.app.state.settings.lab.base_url.rstrip("/")
    title = f"{booking.resource.name} · {booking.resource.space.name}"
    description = booking.purpose if with_person else ""
    return CalendarEvent(
        uid=f"coworking-booking-{booking.id}@{base.split('://')[-1]}",
        title=title, start=booking.start, end=booking.end, description=description,
        location=booking.resource.space.address, url=context_of(request).absolute_url("coworking:booking", booking_id=booking.id),
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
    """One booking as an iCalendar file (its requester or the staff)."""
    booking = await shown_booking(request)
    return ics_response(booking.resource.name, [_booking_event(request, booking, with_person=True)],
                        filename=f"booking-{booking.id}.ics")


async def booking_detail(request: Request) -> Response:
    """One booking, its series and the decisions the viewer may take."""
    booking = await shown_booking(request)
    organisation = await references.resolve(request.app, "organisation", booking.organisation_ref)
    series = []
    if booking.series:
        series = await Booking.filter(series=booking.series).order_by("start")
    return render(request, "coworking/booking.html", {
        "booking": booking, "organisation": organisation, "statuses": BOOKING_STATUSES, "series": series,
        "now": services.utc_now(), "values": {}, "errors": {}})


async def my_bookings(request: Request) -> Response:
    """The signed-in person's coming and past bookings."""
    person = request.state.person
    now = services.utc_now()
    upcoming = await Booking.filter(person_id=person.id, end__gte=now).select_related("resource__space").order_by("start")
    past = await Booking.filter(person_id=person.id, end__lt=now).select_related("resource__space").order_by("-start").limit(50)
    return render(request, "coworking/mine.html", {"upcoming": upcoming, "past": past, "statuses": BOOKING_STATUSES})


# --------------------------------------------------------------------------------- staff


async def staff_bookings(request: Request) -> Response:
    """The staff's queue: requests waiting for approval first, then the coming bookings."""
    status = choice(request.query_params, "status", BOOKING_STATUSES, default="pending")
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


# ---------------------------------------------------------------------------- programmes


async def programmes(request: Request) -> Response:
    """Every residency and visiting scheme, newest call first."""
    items = await Programme.all().order_by("-call_opens")
    return render(request, "coworking/programmes.html", {
        "programmes": items, "kinds": PROGRAMME_KINDS, "today": services.local_today(request.app)})


async def cohort(app: Any, programme: Programme) -> list[dict[str, Any]]:
    """The selected teams of a programme with their members and organisation."""
    teams = []
    for application in await Application.filter(programme=programme, status="selected").prefetch_related("members"):
        organisation = await references.resolve(app, "organisation", application.organisation_ref)
        teams.append({"application": application, "organisation": organisation,
                      "members": [m.name for m in application.members]})
    return teams


async def programme_detail(request: Request) -> Response:
    """A programme, its cohort and, for the visitor, their application."""
    programme = await found(find_programme(request.path_params["programme_id"]))
    person = request.state.person
    mine = await Application.get_or_none(programme=programme, applicant_id=person.id) if person else None
    return render(request, "coworking/programme.html", {
        "programme": programme, "kinds": PROGRAMME_KINDS, "cohort": await cohort(request.app, programme),
        "today": services.local_today(request.app), "mine": mine, "statuses": APPLICATION_STATUSES,
        "open": services.call_is_open(programme, services.local_today(request.app))})


async def applications(request: Request) -> Response:
    """The staff's list of a programme's applications, to select teams."""
    programme = await found(find_programme(request.path_params["programme_id"]))
    items = await Application.filter(programme=programme).prefetch_related("members", "applicant")
    organisations = {a.id: await references.resolve(request.app, "organisation", a.organisation_ref) for a in items}
    selected = sum(1 for a in items if a.status == "selected")
    return render(request, "coworking/applications.html", {
        "programme": programme, "applications": items, "organisations": organisations,
        "statuses": APPLICATION_STATUSES, "selected": selected})
