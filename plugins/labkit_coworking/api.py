"""The coworking JSON API under ``/api/v1/coworking/``: spaces, availability, bookings, programmes."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse

from labkit import auth
from labkit.api import ApiRoute
from labkit.i18n import gettext
from labkit.web import Problem, page_params, paginate, read_json

from labkit_coworking import rules, services
from labkit_coworking.forms import ApplicationForm, BookingIn, DecisionForm
from labkit_coworking.models import BOOKING_STATUSES, Application, Booking, Closure, Programme, Resource, Space


class ResourceOut(BaseModel):
    id: int
    name: str
    kind: str
    description: str
    capacity: int
    exclusive: bool
    auto_approve: bool
    min_notice_minutes: int
    max_length_minutes: int
    max_days_ahead: int


class ClosureOut(BaseModel):
    first_day: date
    last_day: date
    reason: str


class SpaceOut(BaseModel):
    id: int
    name: str
    address: str
    latitude: float | None
    longitude: float | None
    description: str
    accessibility: str
    guidelines: str
    amenities: list[str]
    opening_hours: dict[str, list[str]]
    quota_hours_per_week: int
    timezone: str
    resources: list[ResourceOut]
    closures: list[ClosureOut]
    url: str


class SpaceList(BaseModel):
    items: list[SpaceOut]


class SlotOut(BaseModel):
    resource_id: int
    start: datetime
    end: datetime
    free: int
    capacity: int


class Availability(BaseModel):
    space_id: int
    first_day: date
    days: int
    slots: list[SlotOut]


class BookingOut(BaseModel):
    id: int
    resource_id: int
    resource: str
    space_id: int
    start: datetime
    end: datetime
    attendees: int
    purpose: str
    status: str
    decision_reason: str
    organisation_ref: str | None
    series: str | None
    person_id: int
    url: str
    ics: str


class BookingPage(BaseModel):
    items: list[BookingOut]
    page: int
    per_page: int
    total: int
    pages: int


class OccurrenceOut(BaseModel):
    start: datetime | None
    end: datetime | None
    ok: bool
    reasons: list[str]


class Preview(BaseModel):
    occurrences: list[OccurrenceOut]


class BookingResult(BaseModel):
    items: list[BookingOut]
    skipped: list[OccurrenceOut]


class ApplicationOut(BaseModel):
    id: int
    programme_id: int
    project_title: str
    status: str


class ProgrammeOut(BaseModel):
    id: int
    title: str
    kind: str
    description: str
    space_id: int | None
    call_opens: date
    call_closes: date
    places: int
    cohort_start: date
    cohort_end: date
    call_open: bool
    cohort: list[str]


class ProgrammeList(BaseModel):
    items: list[ProgrammeOut]


# ------------------------------------------------------------------------------ builders


def _space_out(space: Space, resources: list[Resource], closures: list[Closure], timezone: str) -> SpaceOut:
    hours = rules.hours_from_json(space.opening_hours)
    return SpaceOut(
        id=space.id, name=space.name, address=space.address, latitude=space.latitude, longitude=space.longitude,
        description=space.description, accessibility=space.accessibility, guidelines=space.guidelines,
        amenities=space.amenity_list, quota_hours_per_week=space.quota_hours_per_week, timezone=timezone,
        opening_hours={str(day): [f"{rules.format_minutes(a)}-{rules.format_minutes(b)}" for a, b in hours.get(day, [])]
                       for day in range(7)},
        resources=[ResourceOut(**{k: getattr(r, k) for k in ResourceOut.model_fields}) for r in resources if r.is_active],
        closures=[ClosureOut(first_day=c.first_day, last_day=c.last_day, reason=c.reason) for c in closures],
        url=f"/coworking/spaces/{space.id}",
    )


def booking_out(booking: Booking) -> BookingOut:
    return BookingOut(
        id=booking.id, resource_id=booking.resource_id, resource=booking.resource.name,
        space_id=booking.resource.space_id, start=booking.start, end=booking.end, attendees=booking.attendees,
        purpose=booking.purpose, status=booking.status, decision_reason=booking.decision_reason,
        organisation_ref=booking.organisation_ref, series=booking.series, person_id=booking.person_id,
        url=f"/coworking/bookings/{booking.id}", ics=f"/coworking/bookings/{booking.id}.ics",
    )


def _occurrence_out(occurrence: services.Occurrence) -> OccurrenceOut:
    return OccurrenceOut(start=occurrence.start, end=occurrence.end, ok=occurrence.ok,
                         reasons=[r.text() for r in occurrence.refusals])


def _wish(request: Request, data: BookingIn) -> services.Request:
    occurrences = services.occurrences_from_local(data.start, data.end, data.repeat_weeks,
                                                  services.timezone_of(request.app))
    return services.Request(resource_id=data.resource_id, occurrences=occurrences, attendees=data.attendees,
                            purpose=data.purpose, organisation_ref=data.organisation_ref,
                            accept_guidelines=data.accept_guidelines, on_conflict=data.on_conflict)


# ------------------------------------------------------------------------------ handlers


async def list_spaces(request: Request) -> JSONResponse:
    """The spaces open for booking, with their resources, opening hours and coming closures."""
    timezone = services.timezone_of(request.app)
    today = services.local_today(request.app)
    items = []
    for space in await Space.filter(is_active=True):
        items.append(_space_out(space, await Resource.filter(space=space),
                                await Closure.filter(space=space, last_day__gte=today), timezone))
    return JSONResponse(SpaceList(items=items).model_dump(mode="json"))


async def get_space(request: Request) -> JSONResponse:
    """One space."""
    space = await Space.get_or_none(id=request.path_params["space_id"], is_active=True)
    if space is None:
        raise Problem(404, gettext("No such space."), kind="not-found")
    today = services.local_today(request.app)
    out = _space_out(space, await Resource.filter(space=space), await Closure.filter(space=space, last_day__gte=today),
                     services.timezone_of(request.app))
    return JSONResponse(out.model_dump(mode="json"))


async def availability(request: Request) -> JSONResponse:
    """Free places per resource and hour for ``days`` days from ``start`` (closed hours omitted)."""
    space = await Space.get_or_none(id=request.path_params["space_id"], is_active=True)
    if space is None:
        raise Problem(404, gettext("No such space."), kind="not-found")
    params = request.query_params
    try:
        first = date.fromisoformat(params["start"]) if params.get("start") else services.local_today(request.app)
        days = int(params.get("days", "7"))
    except ValueError:
        raise Problem(400, gettext("start is a date (YYYY-MM-DD) and days a whole number."), kind="bad-query") from None
    if not 1 <= days <= 31:
        raise Problem(400, gettext("days must be between 1 and 31."), kind="bad-query")
    resources = await Resource.filter(space=space, is_active=True)
    if params.get("resource"):
        resources = [r for r in resources if str(r.id) == params["resource"]]
    table = await services.availability(request.app, space, resources, first, days)
    slots = [SlotOut(resource_id=rid, start=s.start, end=s.end, free=s.free, capacity=s.capacity)
             for rid, per_day in table.items() for per_slot in per_day.values() for s in per_slot.values()]
    slots.sort(key=lambda s: (s.start, s.resource_id))
    return JSONResponse(Availability(space_id=space.id, first_day=first, days=days, slots=slots).model_dump(mode="json"))


async def list_bookings(request: Request) -> JSONResponse:
    """Your bookings; with ``scope=all`` (staff) everyone's. Filter with ``status`` and ``space``."""
    person = auth.require_person(request)
    params = request.query_params
    query = Booking.all().select_related("resource")
    if params.get("scope") == "all":
        auth.require(request, "coworking.manage_bookings")
    else:
        query = query.filter(person_id=person.id)
    if params.get("status"):
        if params["status"] not in BOOKING_STATUSES:
            raise Problem(400, gettext("Unknown status."), kind="bad-query")
        query = query.filter(status=params["status"])
    if params.get("space", "").isdigit():
        query = query.filter(resource__space_id=int(params["space"]))
    number, size = page_params(request)
    page = await paginate(query.order_by("start", "id"), number, size)
    body = BookingPage(items=[booking_out(b) for b in page.items], **page.as_json())
    return JSONResponse(body.model_dump(mode="json"))


async def preview_booking(request: Request) -> JSONResponse:
    """Check a (weekly) request without booking: which dates are free and why the others are not."""
    person = auth.require(request, "coworking.book")
    data = await read_json(request, BookingIn)
    occurrences = await services.preview(request.app, person, _wish(request, data))
    return JSONResponse(Preview(occurrences=[_occurrence_out(o) for o in occurrences]).model_dump(mode="json"))


async def create_booking(request: Request) -> JSONResponse:
    """Book a resource (every week for ``repeat_weeks`` weeks). 409 when the slot is taken."""
    person = auth.require(request, "coworking.book")
    data = await read_json(request, BookingIn)
    try:
        created, skipped = await services.book(request.app, person, _wish(request, data))
    except services.BookingRefused as refused:
        detail = (gettext("The slot is taken.") if refused.status == 409
                  else gettext("The booking breaks the space's rules."))
        raise Problem(refused.status, detail, errors=refused.errors(),
                      kind="slot-taken" if refused.status == 409 else "booking-refused") from None
    result = await Booking.filter(id__in=[b.id for b in created]).select_related("resource").order_by("start")
    body = BookingResult(items=[booking_out(b) for b in result], skipped=[_occurrence_out(o) for o in skipped])
    return JSONResponse(body.model_dump(mode="json"), status_code=201)


async def get_booking(request: Request) -> JSONResponse:
    """One of your bookings (staff: any)."""
    booking = await _visible(request)
    return JSONResponse(booking_out(booking).model_dump(mode="json"))


async def _visible(request: Request) -> Booking:
    person = auth.require_person(request)
    booking = await Booking.filter(id=request.path_params["booking_id"]).select_related("resource").first()
    if booking is None or (booking.person_id != person.id and not auth.has_permission(request, "coworking.manage_bookings")):
        raise Problem(404, gettext("No such booking."), kind="not-found")
    return booking


async def booking_action(request: Request) -> JSONResponse:
    """Cancel (requester or staff), approve, reject (reason required) or mark a no-show (staff)."""
    action = request.path_params["action"].replace("-", "_")
    if action not in ("cancel", "approve", "reject", "no_show"):
        raise Problem(404, gettext("No such action."), kind="not-found")
    booking = await _visible(request)
    person = request.state.person
    if action != "cancel" or booking.person_id != person.id:
        auth.require(request, "coworking.manage_bookings")
    reason = ""
    if await request.body():
        reason = (await read_json(request, DecisionForm)).reason
    await services.decide(request.app, booking.id, person, action, reason)
    booking = await Booking.filter(id=booking.id).select_related("resource").first()
    return JSONResponse(booking_out(booking).model_dump(mode="json"))


async def _programme_out(request: Request, programme: Programme) -> ProgrammeOut:
    team_titles = await Application.filter(programme=programme, status="selected").values_list("project_title", flat=True)
    fields = {k: getattr(programme, k) for k in ("id", "title", "kind", "description", "space_id", "call_opens",
                                                 "call_closes", "places", "cohort_start", "cohort_end")}
    return ProgrammeOut(**fields, call_open=services.call_is_open(programme, services.local_today(request.app)),
                        cohort=list(team_titles))


async def list_programmes(request: Request) -> JSONResponse:
    """Residencies and visiting schemes, with the projects of their cohorts."""
    items = [await _programme_out(request, p) for p in await Programme.all().order_by("-call_opens")]
    return JSONResponse(ProgrammeList(items=items).model_dump(mode="json"))


async def apply(request: Request) -> JSONResponse:
    """Apply to a programme with your team's project (while its call is open)."""
    person = auth.require(request, "coworking.apply")
    programme = await Programme.get_or_none(id=request.path_params["programme_id"])
    if programme is None:
        raise Problem(404, gettext("No such programme."), kind="not-found")
    data = await read_json(request, ApplicationForm)
    application = await services.apply(request.app, person, programme, data.project_title, data.project_description,
                                       data.organisation_ref, data.member_list())
    out = ApplicationOut(id=application.id, programme_id=programme.id, project_title=application.project_title,
                         status=application.status)
    return JSONResponse(out.model_dump(mode="json"), status_code=201)


routes = [
    ApiRoute("/spaces", list_spaces, name="spaces", response=SpaceList),
    ApiRoute("/spaces/{space_id:int}", get_space, name="space", response=SpaceOut),
    ApiRoute("/spaces/{space_id:int}/availability", availability, name="availability", response=Availability,
             query={"start": "first day (YYYY-MM-DD, default today)", "days": "1-31 (default 7)",
                    "resource": "only this resource id"}),
    ApiRoute("/bookings", list_bookings, name="bookings", response=BookingPage, permission="coworking.book",
             query={"scope": "'all' for staff", "status": "pending, approved, rejected, cancelled or no_show",
                    "space": "space id", "page": "page number", "per_page": "1-100"}),
    ApiRoute("/bookings", create_booking, methods=["POST"], name="book", body=BookingIn, response=BookingResult,
             permission="coworking.book", status=201),
    ApiRoute("/bookings/preview", preview_booking, methods=["POST"], name="preview", body=BookingIn,
             response=Preview, permission="coworking.book"),
    ApiRoute("/bookings/{booking_id:int}", get_booking, name="booking", response=BookingOut, permission="coworking.book"),
    ApiRoute("/bookings/{booking_id:int}/{action:str}", booking_action, methods=["POST"], name="booking_action",
             body=DecisionForm, response=BookingOut, permission="coworking.manage_bookings"),
    ApiRoute("/programmes", list_programmes, name="programmes", response=ProgrammeList),
    ApiRoute("/programmes/{programme_id:int}/applications", apply, methods=["POST"], name="apply",
             body=ApplicationForm, response=ApplicationOut, permission="coworking.apply", status=201),
]
