"""iCalendar files and feeds (RFC 5545) for bookings, hearings and events."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import icalendar
from starlette.responses import Response


@dataclass(frozen=True)
class CalendarEvent:
    """One event of a calendar. ``uid`` must be stable (``"booking-42@lab.example"``)."""

    uid: str
    title: str
    start: datetime
    end: datetime
    description: str = ""
    location: str = ""
    url: str = ""
    status: str = "CONFIRMED"


def ics_bytes(name: str, events: Iterable[CalendarEvent]) -> bytes:
    """A VCALENDAR holding ``events`` (times written in UTC)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//labkit//labkit//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for item in events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("summary", item.title)
        event.add("dtstart", item.start.astimezone(UTC))
        event.add("dtend", item.end.astimezone(UTC))
        event.add("dtstamp", datetime.now(UTC))
        event.add("status", item.status)
        if item.description:
            event.add("description", item.description)
        if item.location:
            event.add("location", item.location)
        if item.url:
            event.add("url", item.url)
        calendar.add_component(event)
    return calendar.to_ical()


def ics_response(name: str, events: Iterable[CalendarEvent], filename: str | None = None) -> Response:
    """An ``text/calendar`` response; with ``filename`` it downloads as that file."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else None
    return Response(ics_bytes(name, events), media_type="text/calendar; charset=utf-8", headers=headers)
