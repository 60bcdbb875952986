"""Calendar feeds parsed back with an iCalendar library, and the monthly utilisation report."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import icalendar

from labkit.testing import RunningLab
from labkit.timezones import local_to_utc

from .conftest import api_client, booking_json, login, make_resource, make_space, next_weekday
from labkit_coworking.models import Booking, Closure

SP = "America/Sao_Paulo"


async def test_space_feed_and_booking_ics_parse_back_and_link_to_the_booking(cw: RunningLab) -> None:
    space = await make_space(name="Pátio Digital", address="Rua Líbero Badaró, 425")
    desks = await make_resource(space, name="Mesas", capacity=4)
    printer = await make_resource(space, name="Impressora 3D", capacity=1, exclusive=True, auto_approve=False)
    member = await login(cw)
    day = next_weekday(1)
    desk_id = (await member.api.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 9, 11, purpose="Segredo do projeto"))).json()["items"][0]["id"]
    printer_id = (await member.api.post("/api/v1/coworking/bookings", json=booking_json(printer, day, 14, 15))).json()["items"][0]["id"]
    await member.api.post(f"/api/v1/coworking/bookings/{printer_id}/cancel")
    pending = (await member.api.post("/api/v1/coworking/bookings", json=booking_json(printer, day, 16, 17))).json()["items"][0]["id"]

    feed = await cw.client().get(f"/coworking/spaces/{space.id}/calendar.ics")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(feed.content)
    assert str(calendar["x-wr-calname"]) == "Pátio Digital"
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == 2  # the cancelled one is gone
    desk_event = next(e for e in events.values() if str(e["url"]).endswith(f"/coworking/bookings/{desk_id}"))
    assert str(desk_event["summary"]) == "Mesas · Pátio Digital"
    assert desk_event.decoded("dtstart") == local_to_utc(datetime.combine(day, time(9)), SP)
    assert desk_event.decoded("dtend") - desk_event.decoded("dtstart") == timedelta(hours=2)
    assert str(desk_event["location"]) == "Rua Líbero Badaró, 425" and str(desk_event["status"]) == "CONFIRMED"
    assert str(desk_event["url"]) == f"{cw.settings.lab.base_url.rstrip('/')}/coworking/bookings/{desk_id}"
    pending_event = next(e for e in events.values() if str(e["url"]).endswith(f"/coworking/bookings/{pending}"))
    assert str(pending_event["status"]) == "TENTATIVE"
    assert b"Segredo do projeto" not in feed.content and member.person.name.encode() not in feed.content

    own = await member.get(f"/coworking/bookings/{desk_id}.ics")
    assert own.headers["content-disposition"] == f'attachment; filename="booking-{desk_id}.ics"'
    (event,) = icalendar.Calendar.from_ical(own.content).walk("VEVENT")
    assert str(event["description"]) == "Segredo do projeto" and str(event["url"]).endswith(f"/coworking/bookings/{desk_id}")
    stranger = await login(cw)
    assert (await stranger.get(f"/coworking/bookings/{desk_id}.ics")).status_code == 404
    assert (await cw.client().get(f"/coworking/bookings/{desk_id}.ics")).status_code == 303  # to sign in


async def test_monthly_utilisation_per_space_and_resource_with_csv(cw: RunningLab) -> None:
    weekdays = {str(d): [[9 * 60, 18 * 60]] for d in range(5)}
    space = await make_space(name="Pátio Digital", opening_hours=weekdays)
    desks = await make_resource(space, name="Mesas", capacity=2)
    room = await make_resource(space, name="Sala", capacity=8, exclusive=True)
    await make_space(name="Vazio", opening_hours={})
    member = await api_client(cw)
    # September 2025: 22 weekdays, minus the 7th (a Sunday anyway) -> closure on Monday the 1st
    await Closure.create(space=space, first_day=date(2025, 9, 1), last_day=date(2025, 9, 1), reason="Teste")
    open_hours = 21 * 9

    def at(day: int, hour: int) -> datetime:
        return local_to_utc(datetime(2025, 9, day, hour), SP)

    for resource, day, first, last, attendees, status in [
        (desks, 2, 9, 13, 2, "approved"), (desks, 3, 9, 18, 1, "no_show"), (desks, 4, 9, 12, 1, "cancelled"),
        (room, 2, 10, 12, 6, "approved"), (room, 5, 14, 15, 3, "rejected"),
    ]:
        await Booking.create(resource=resource, person=member.person, start=at(day, first), end=at(day, last),
                             attendees=attendees, status=status, guidelines_accepted_at=datetime.now(UTC))
    staff = await login(cw, "staff")
    assert (await (await login(cw)).get("/coworking/staff/report")).status_code == 403
    page = await staff.get("/coworking/staff/report", params={"month": "2025-09"})
    assert page.status_code == 200 and "Hours booked against hours open" in page.text
    download = await staff.get("/coworking/staff/report", params={"month": "2025-09", "format": "csv"})
    assert download.headers["content-disposition"] == 'attachment; filename="coworking-utilisation-2025-09.csv"'
    rows = {(r["space"], r["resource"]): r for r in csv.DictReader(io.StringIO(download.text))}
    assert float(rows[("Pátio Digital", "Mesas")]["hours_open"]) == open_hours * 2
    assert float(rows[("Pátio Digital", "Mesas")]["hours_booked"]) == 4 * 2 + 9
    assert rows[("Pátio Digital", "Mesas")]["bookings"] == "2"
    assert float(rows[("Pátio Digital", "Sala")]["hours_open"]) == open_hours
    assert float(rows[("Pátio Digital", "Sala")]["hours_booked"]) == 2
    total = rows[("Pátio Digital", "")]
    assert float(total["hours_open"]) == open_hours * 3 and float(total["hours_booked"]) == 19
    assert float(total["utilisation"]) == round(19 / (open_hours * 3), 4)
    assert float(rows[("Vazio", "")]["hours_open"]) == 0
    assert (await staff.get("/coworking/staff/report", params={"month": "2025"})).status_code == 400
