"""Core services the plugins share: events, notifications, references, calendars, exports, time."""

from __future__ import annotations

import csv
import io
import logging
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest

from labkit import Reservation, events, references, throttle
from labkit.calendar import CalendarEvent, ics_bytes
from labkit.exports import csv_text
from labkit.i18n import text
from labkit.models import Notification
from labkit.notifications import notify, unread_count
from labkit.testing import RunningLab
from labkit.timezones import LocalTimeError, local_to_utc

SHARING = '''
from labkit import PluginInfo, Reference, ReferenceKind, hookimpl

THINGS = {"1": "Casa do Hacker", "2": "Garoa Hacker Clube", "3": "Fab Lab Livre"}
HEARD = []

async def search(query, limit):
    found = [Reference("thing", key, label, f"/things/{key}") for key, label in THINGS.items()
             if query.lower() in label.lower()]
    return found[:limit]

async def get(key):
    return Reference("thing", key, THINGS[key], f"/things/{key}") if key in THINGS else None

@hookimpl
def labkit_plugin_info():
    return PluginInfo(title="Sharing")

@hookimpl
def labkit_references():
    return [ReferenceKind("thing", "Things", search, get)]

@hookimpl
async def labkit_event(event):
    HEARD.append(event.name)

@hookimpl
def labkit_cli(cli):
    pass
'''

FAILING_LISTENER = '''
from labkit import PluginInfo, hookimpl

@hookimpl
def labkit_plugin_info():
    return PluginInfo(title="Deaf")

@hookimpl
def labkit_event(event):
    raise RuntimeError("listener broke")
'''


@pytest.fixture
async def sharing_lab(make_lab, tmp_path: Path) -> RunningLab:
    (tmp_path / "sharing.py").write_text(SHARING)
    (tmp_path / "deaf.py").write_text(FAILING_LISTENER)
    return await make_lab(plugins=["sharing", "deaf"], local_plugins=[tmp_path / "sharing.py", tmp_path / "deaf.py"])


async def test_references_resolve_and_search_without_importing_the_offering_plugin(sharing_lab: RunningLab) -> None:
    app = sharing_lab.app
    assert (await references.resolve(app, "thing", 2)).label == "Garoa Hacker Clube"
    assert await references.resolve(app, "thing", "99") is None
    assert await references.resolve(app, "organisation", "1") is None
    assert [r.label for r in await references.search(app, "thing", "hacker")] == ["Casa do Hacker", "Garoa Hacker Clube"]
    response = await sharing_lab.client().get("/api/v1/references/thing", params={"q": "fab"})
    assert response.json() == {"items": [{"kind": "thing", "id": "3", "label": "Fab Lab Livre", "url": "/things/3"}]}
    unknown = await sharing_lab.client().get("/api/v1/references/nothing")
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"



async def test_a_kind_without_reserve_and_a_kind_nobody_offers_book_nothing(sharing_lab: RunningLab) -> None:
    app = sharing_lab.app
    hold = Reservation("test:1", text("Test"), datetime(2030, 1, 7, 12, tzinfo=UTC), datetime(2030, 1, 7, 13, tzinfo=UTC))
    assert await references.reserve(app, "thing", 2, hold) is False
    assert await references.reserve(app, "organisation", 1, hold) is False
    await references.release(app, "organisation", "test:1")  # nothing held, nothing to do


async def test_events_reach_every_listener_and_a_failing_one_is_only_logged(sharing_lab: RunningLab, caplog: pytest.LogCaptureFixture) -> None:
    module = sharing_lab.plugins.loaded["sharing"].module
    with caplog.at_level(logging.ERROR, logger="labkit.events"):
        event = await events.emit(sharing_lab.app, "sharing.thing_added", actor_id=None, thing_id=3)
    assert module.HEARD == ["sharing.thing_added"] and event.data == {"thing_id": 3}
    assert "plugin 'deaf' failed to handle event sharing.thing_added" in caplog.text


async def test_notifications_are_listed_and_marked_read(core_lab: RunningLab) -> None:
    client = await core_lab.login_as()
    await notify(core_lab.app, client.person.id, "Your booking is approved", "/coworking/bookings/1")
    await notify(core_lab.app, client.person.id, "Phishing", "https://evil.example/")
    assert await unread_count(client.person.id) == 2
    page = await client.get("/account/notifications")
    assert '<a href="/coworking/bookings/1">Your booking is approved</a>' in page.text
    assert "evil.example" not in page.text
    await client.submit("/account/notifications")
    assert await unread_count(client.person.id) == 0
    other = await core_lab.login_as()
    assert "Your booking is approved" not in (await other.get("/account/notifications")).text
    assert await Notification.all().count() == 2


async def test_throttle_allows_up_to_the_limit_within_the_window(core_lab: RunningLab) -> None:
    results = [await throttle.allow("test:propose:ip:1.2.3.4", limit=3, window_seconds=60) for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert await throttle.allow("test:propose:ip:5.6.7.8", limit=3, window_seconds=60)


def test_calendar_files_parse_back_with_an_icalendar_library() -> None:
    start = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    data = ics_bytes("Coworking", [CalendarEvent("booking-1@lab", "Desk 3", start, start.replace(hour=15),
                                                 location="Rua A, 1", url="http://lab/coworking/1")])
    parsed = icalendar.Calendar.from_ical(data)
    (event,) = parsed.walk("VEVENT")
    assert str(event["summary"]) == "Desk 3" and str(event["uid"]) == "booking-1@lab"
    assert event.decoded("dtstart") == start and str(event["location"]) == "Rua A, 1"


def test_csv_exports_neutralise_spreadsheet_formulas_but_never_numbers() -> None:
    text = csv_text(["name", "note"], [["=HYPERLINK(\"http://x\")", None], ["Ana", "-5"], ["-23.5", -46.6],
                                       ["-2+3+cmd|' /C calc'!A0", "+1e-3"], ["@SUM(A1)", "+55 11 5555-0000"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "note"], ["'=HYPERLINK(\"http://x\")", ""], ["Ana", "-5"], ["-23.5", "-46.6"],
                    ["'-2+3+cmd|' /C calc'!A0", "+1e-3"], ["'@SUM(A1)", "'+55 11 5555-0000"]]


def test_local_times_become_utc_and_daylight_saving_gaps_are_refused() -> None:
    assert local_to_utc(datetime(2026, 7, 1, 9, 0), "Europe/Lisbon") == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert local_to_utc(datetime(2026, 1, 1, 9, 0), "Europe/Lisbon") == datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(LocalTimeError):
        local_to_utc(datetime(2026, 3, 29, 1, 30), "Europe/Lisbon")
