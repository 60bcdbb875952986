"""The coworking JSON API's models and reads under ``/api/v1/coworking/``: spaces, availability,
bookings, programmes (its writes are the actions, bound in :mod:`labkit_coworking.routes`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse

from labkit import images
from labkit.action_routes import context_of, found
from labkit.actions import Context, Refused
from labkit.i18n import gettext
from labkit.models import Image
from labkit.web import Problem, page_params, paginate, read_json

from labkit_coworking import rules, services
from labkit_coworking.actions_bookings import book
from labkit_coworking.forms import BookingIn
from labkit_coworking.models import BOOKING_STATUSES, Application, Booking, Closure, Programme, Resource, Space
from labkit_coworking.web import require


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
    photo: images.ImageOut | None = None


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
    person_id: int | None
    held_by: str
    """For a hold another plugin put on the space (a training session): what holds it; else empty."""
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


PHOTO = "photo"


def _space_out(ctx: Context, space: Space, resources: list[Resource], closures: list[Closure],
               photo: Image | None) -> SpaceOut:
    hours = rules.hours_from_json(space.opening_hours)
    return SpaceOut(
        id=space.id, name=space.name, address=space.address, latitude=space.latitude, longitude=space.longitude,
        description=space.description, accessibility=space.accessibility, guidelines=space.guidelines,
        amenities=space.amenity_list, quota_hours_per_week=space.quota_hours_per_week,
        timezone=services.timezone_of(ctx.app),
        opening_hours={str(day): [f"{rules.format_minutes(a)}-{rules.format_minutes(b)}" for a, b in hours.get(day, [])]
                       for day in range(7)},
        resources=[ResourceOut(**{k: getattr(r, k) for k in ResourceOut.model_fields}) for r in resources if r.is_active],
        closures=[ClosureOut(first_day=c.first_day, last_day=c.last_day, reason=c.reason) for c in closures],
        url=ctx.url_for("coworking:space", space_id=space.id),
        photo=images.as_json(photo, ctx.settings.lab.base_url),
    )


async def space_out(ctx: Context, space: Space) -> SpaceOut:
    """One space with its resources, coming closures and photo."""
    today = services.local_today(ctx.app)
    return _space_out(ctx, space, await Resource.filter(space=space),
                      await Closure.filter(space=space, last_day__gte=today), await images.one(space, PHOTO))


async def present_space(ctx: Context, space: Space) -> dict[str, Any]:
    """The answer of saving a space through the API (a space not yet open for booking too)."""
    return (await space_out(ctx, space)).model_dump(mode="json")


def booking_out(ctx: Context, booking: Booking) -> BookingOut:
    """A booking as the API shows it (its resource loaded)."""
    return BookingOut(
        id=booking.id, resource_id=booking.resource_id, resource=booking.resource.name,
        space_id=booking.resource.space_id, start=booking.start, end=booking.end, attendees=booking.attendees,
        purpose=booking.purpose, status=booking.status, decision_reason=booking.decision_reason,
        organisation_ref=booking.organisation_ref, series=booking.series, person_id=booking.person_id,
        held_by=booking.held_by,
        url=ctx.url_for("coworking:booking", booking_id=booking.id),
        ics=ctx.url_for("coworking:booking_ics", booking_id=booking.id),
    )


def booking_json(ctx: Context, booking: Booking) -> dict[str, Any]:
    """A booking as the API's answer (its resource loaded)."""
    return booking_out(ctx, booking).model_dump(mode="json")


def _occurrence_out(occurrence: services.Occurrence) -> OccurrenceOut:
    return OccurrenceOut(start=occurrence.start, end=occurrence.end, ok=occurrence.ok,
                         reasons=[r.text() for r in occurrence.refusals])


def preview_out(ctx: Context, occurrences: list[services.Occurrence]) -> dict[str, Any]:
    """A checked request: every date, free or not and why."""
    return Preview(occurrences=[_occurrence_out(o) for o in occurrences]).model_dump(mode="json")


def application_out(ctx: Context, application: Application) -> dict[str, Any]:
    """A team's application as the API shows it."""
    return ApplicationOut(id=application.id, programme_id=application.programme_id,
                          project_title=application.project_title, status=application.status).model_dump(mode="json")


# ------------------------------------------------------------------------------ handlers


async def list_spaces(request: Request) -> JSONResponse:
    """The spaces open for booking, with their resources, opening hours and coming closures."""
    ctx = context_of(request)
    today = services.local_today(request.app)
    spaces = await Space.filter(is_active=True)
    photos = await images.of(Space, [space.id for space in spaces], PHOTO)
    items = []
    for space in spaces:
        items.append(_space_out(ctx, space, await Resource.filter(space=space),
                                await Closure.filter(space=space, last_day__gte=today), photos.get(space.id)))
    return JSONResponse(SpaceList(items=items).model_dump(mode="json"))


async def _active_space(request: Request) -> Space:
    space = await Space.get_or_none(id=request.path_params["space_id"], is_active=True)
    if space is None:
        raise Problem(404, gettext("No such space."), kind="not-found")
    return space


async def get_space(request: Request) -> JSONResponse:
    """One space."""
    space = await _active_space(request)
    return JSONResponse(await present_space(context_of(request), space))


async def availability(request: Request) -> JSONResponse:
    """Free places per resource and hour for ``days`` days from ``start`` (closed hours omitted)."""
    space = await _active_space(request)
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
    ctx = context_of(request)
    params = request.query_params
    query = Booking.all().select_related("resource")
    if params.get("scope") == "all":
        require(ctx, "coworking.manage_bookings")
    else:
        query = query.filter(person_id=ctx.actor.id)
    if params.get("status"):
        if params["status"] not in BOOKING_STATUSES:
            raise Problem(400, gettext("Unknown status."), kind="bad-query")
        query = query.filter(status=params["status"])
    if params.get("space", "").isdigit():
        query = query.filter(resource__space_id=int(params["space"]))
    number, size = page_params(request)
    page = await paginate(query.order_by("start", "id"), number, size)
    body = BookingPage(items=[booking_out(ctx, b) for b in page.items], **page.as_json())
    return JSONResponse(body.model_dump(mode="json"))


async def create_booking(request: Request) -> JSONResponse:
    """Book a resource (every week for ``repeat_weeks`` weeks). 409 when the slot is taken.

    The problem document of a refusal lists every date's reasons (``errors[].start``).
    """
    ctx = context_of(request)
    data = await read_json(request, BookingIn)
    try:
        booked = await book.run(ctx, data)
    except Refused as refusal:
        errors = [{"field": rules.field_of(reason), "message": reason.text(),
                   "start": occurrence.start.isoformat() if occurrence.start else ""}
                  for occurrence in refusal.values.get("occurrences", []) for reason in occurrence.refusals]
        raise Problem(refusal.status, refusal.text(), errors=errors, kind=refusal.kind) from None
    result = await Booking.filter(id__in=[b.id for b in booked.bookings]).select_related("resource").order_by("start")
    body = BookingResult(items=[booking_out(ctx, b) for b in result], skipped=[_occurrence_out(o) for o in booked.skipped])
    return JSONResponse(body.model_dump(mode="json"), status_code=201)


async def get_booking(request: Request) -> JSONResponse:
    """One of your bookings (staff: any)."""
    ctx = context_of(request)
    booking = await found(services.visible_booking(ctx, request.path_params["booking_id"]))
    return JSONResponse(booking_json(ctx, booking))


async def list_programmes(request: Request) -> JSONResponse:
    """Residencies and visiting schemes, with the projects of their cohorts."""
    today = services.local_today(request.app)
    items = []
    for programme in await Programme.all().order_by("-call_opens"):
        titles = await Application.filter(programme=programme, status="selected").values_list("project_title", flat=True)
        fields = {k: getattr(programme, k) for k in ("id", "title", "kind", "description", "space_id", "call_opens",
                                                     "call_closes", "places", "cohort_start", "cohort_end")}
        items.append(ProgrammeOut(**fields, call_open=services.call_is_open(programme, today), cohort=list(titles)))
    return JSONResponse(ProgrammeList(items=items).model_dump(mode="json"))
