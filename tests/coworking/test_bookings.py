"""Booking through the pages and the API: every rule refuses with its reason and saves nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from labkit.models import Notification
from labkit.notifications import shown
from labkit.testing import RunningLab
from labkit.timezones import local_to_utc

from .conftest import api_client, booking_json, heard, login, make_resource, make_space, next_dst_change, next_weekday
from labkit_coworking.models import Booking, Closure

SP = "America/Sao_Paulo"


async def test_a_member_books_a_desk_through_the_form_and_sees_it(cw: RunningLab) -> None:
    space = await make_space()
    desks = await make_resource(space, name="Estações de trabalho", capacity=12)
    client = await login(cw, "member")
    form = await client.get(f"/coworking/book?resource={desks.id}")
    assert "Be <strong>kind</strong>." in form.text and 'name="accept_guidelines"' in form.text
    day = next_weekday(2)
    response = await client.submit("/coworking/book", {
        "resource": desks.id, "day": day.isoformat(), "start_time": "09:00", "end_time": "12:30",
        "attendees": "2", "purpose": "Prototyping the bike-lane map", "accept_guidelines": "on"})
    assert response.status_code == 303
    booking = await Booking.get()
    assert response.headers["location"] == f"/coworking/bookings/{booking.id}"
    assert booking.status == "approved" and booking.attendees == 2 and booking.person_id == client.person.id
    assert booking.start == local_to_utc(datetime.combine(day, time(9)), SP)
    assert booking.end - booking.start == timedelta(hours=3, minutes=30)
    page = await client.get(response.headers["location"])
    assert "Booked: 1 date(s). See you there!" in page.text and "Prototyping the bike-lane map" in page.text
    mine = await client.get("/coworking/mine")
    assert f"/coworking/bookings/{booking.id}" in mine.text
    assert ("coworking.booking_created", {"booking_id": booking.id, "resource_id": desks.id, "status": "approved"}) in heard(cw)
    (notice,) = await Notification.filter(person_id=client.person.id)
    assert "confirmed" in shown(notice, "en") and notice.url == f"/coworking/bookings/{booking.id}"


async def test_each_rule_refuses_with_its_reason_and_nothing_is_saved(cw: RunningLab) -> None:
    space = await make_space(opening_hours={str(d): [[9 * 60, 18 * 60]] for d in range(5)}, quota_hours_per_week=6)
    desks = await make_resource(space, capacity=3, min_notice_minutes=24 * 60, max_length_minutes=4 * 60,
                                max_days_ahead=60)
    monday = next_weekday(0, at_least=3)
    await Closure.create(space=space, first_day=monday + timedelta(days=2), last_day=monday + timedelta(days=2),
                         reason="Carnaval")
    client = await api_client(cw)

    async def refused(status: int, field: str, message: str, **body) -> None:
        sent = booking_json(desks, monday, 9, 11)
        sent.update(body)
        response = await client.api.post("/api/v1/coworking/bookings", json=sent)
        assert response.status_code == status, response.text
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert {"field": field, "message": message} in [{k: e[k] for k in ("field", "message")} for e in problem["errors"]], problem

    await refused(422, "end", "The end must be after the start.", end=booking_json(desks, monday, 8, 8)["end"])
    await refused(422, "start", "Outside opening hours: on Monday the space is open 09:00-18:00.",
                  end=booking_json(desks, monday, 9, 19)["end"])
    saturday = monday + timedelta(days=5)
    await refused(422, "start", "The space is closed on Saturday.", **{k: v for k, v in booking_json(desks, saturday, 9, 10).items() if k in ("start", "end")})
    wednesday = monday + timedelta(days=2)
    await refused(422, "start", f"The space is closed from {wednesday} to {wednesday}: Carnaval",
                  **{k: v for k, v in booking_json(desks, wednesday, 9, 10).items() if k in ("start", "end")})
    await refused(422, "end", "A booking may last at most 4 hours; this one lasts 5.", end=booking_json(desks, monday, 9, 14)["end"])
    await refused(422, "attendees", "Too many attendees: this resource holds at most 3.", attendees=4)
    await refused(422, "accept_guidelines", "Read and accept the space's guidelines to book.", accept_guidelines=False)
    soon = datetime.now(ZoneInfo(SP)) + timedelta(hours=2)
    await refused(422, "start", "Book at least 24 hours in advance.", start=soon.replace(tzinfo=None).isoformat(timespec="minutes"),
                  end=(soon + timedelta(hours=1)).replace(tzinfo=None).isoformat(timespec="minutes"))
    far = monday + timedelta(days=63)
    await refused(422, "start", "You can book at most 60 days ahead.",
                  **{k: v for k, v in booking_json(desks, far, 9, 10).items() if k in ("start", "end")})
    assert await Booking.all().count() == 0

    # the quota: 6 hours a week in the space
    assert (await client.api.post("/api/v1/coworking/bookings", json=booking_json(desks, monday, 9, 13))).status_code == 201
    await refused(422, "end", "This would exceed your quota of 6 hours a week in this space (you already hold 4).",
                  start=booking_json(desks, monday + timedelta(days=1), 9, 12)["start"],
                  end=booking_json(desks, monday + timedelta(days=1), 9, 12)["end"])
    next_week = monday + timedelta(days=7)
    assert (await client.api.post("/api/v1/coworking/bookings", json=booking_json(desks, next_week, 9, 12))).status_code == 201
    assert await Booking.all().count() == 2


async def test_the_form_re_renders_with_the_reasons_and_keeps_what_was_typed(cw: RunningLab) -> None:
    space = await make_space(opening_hours={str(d): [[9 * 60, 18 * 60]] for d in range(7)})
    desks = await make_resource(space, capacity=2)
    client = await login(cw, "member")
    day = next_weekday(3)
    response = await client.submit("/coworking/book", {
        "resource": desks.id, "day": day.isoformat(), "start_time": "17:00", "end_time": "19:00",
        "attendees": "3", "purpose": "Hackathon prep"})
    assert response.status_code == 422
    text = response.text
    assert "Outside opening hours: on Thursday the space is open 09:00-18:00." in text
    assert "Too many attendees: this resource holds at most 2." in text
    assert "Read and accept the space&#39;s guidelines to book." in text
    assert 'value="Hackathon prep"' not in text and "Hackathon prep</textarea>" in text
    assert f'value="{day.isoformat()}"' in text
    missing = await client.submit("/coworking/book", {"resource": desks.id})
    assert missing.status_code == 422 and "This field is required." in missing.text
    assert await Booking.all().count() == 0


async def test_a_taken_slot_is_a_409_on_the_api_and_a_form_message_on_the_page(cw: RunningLab) -> None:
    space = await make_space()
    room = await make_resource(space, name="Sala Paulo Freire", kind="room", capacity=8, exclusive=True)
    first, second = await api_client(cw), await login(cw, "member")
    day = next_weekday(1)
    assert (await first.api.post("/api/v1/coworking/bookings", json=booking_json(room, day, 10, 12, attendees=5))).status_code == 201
    taken = await second.api.post("/api/v1/coworking/bookings", json=booking_json(room, day, 11, 13))
    assert taken.status_code == 409 and taken.json()["detail"] == "The slot is taken."
    assert taken.json()["type"].endswith("slot-taken")
    page = await second.submit("/coworking/book", {"resource": room.id, "day": day.isoformat(), "start_time": "11:00",
                                                   "end_time": "13:00", "purpose": "Reunião", "accept_guidelines": "on"})
    assert page.status_code == 409
    assert "The slot is taken: the resource is already booked at that time." in page.text
    back_to_back = await second.api.post("/api/v1/coworking/bookings", json=booking_json(room, day, 12, 13))
    assert back_to_back.status_code == 201
    assert await Booking.all().count() == 2


async def test_a_daylight_saving_change_inside_the_range(make_lab) -> None:
    lab = await make_lab(plugins=["coworking"], settings={"lab": {"timezone": "Europe/Lisbon"}})
    day, change = next_dst_change("Europe/Lisbon")
    space = await make_space()
    desks = await make_resource(space, max_length_minutes=3 * 60 + 30)
    client = await api_client(lab)
    body = {"resource_id": desks.id, "start": f"{day}T00:00", "end": f"{day}T04:00" if change > 0 else f"{day}T03:00",
            "purpose": "Night shift", "accept_guidelines": True}
    # Across the change day 00:00-04:00 (spring) is 3 real hours; 00:00-03:00 (autumn) is 4
    response = await client.api.post("/api/v1/coworking/bookings", json=body)
    if change > 0:
        assert response.status_code == 201, response.text
        booking = await Booking.get()
        assert booking.end - booking.start == timedelta(hours=3)
    else:
        assert response.status_code == 422
        assert response.json()["errors"][0]["message"] == "A booking may last at most 3.5 hours; this one lasts 4."
    gap = await client.api.post("/api/v1/coworking/bookings", json={**body, "start": f"{day}T01:30" if change > 0 else f"{day}T05:00",
                                                                 "end": f"{day}T06:00"})
    if change > 0:  # 01:30 does not exist that night
        assert gap.status_code == 422
        assert gap.json()["errors"][0]["message"] == "This time does not exist in the lab's time zone (the clocks change then)."


async def test_approval_workflow_with_reasons_notifications_and_events(cw: RunningLab) -> None:
    space = await make_space()
    printer = await make_resource(space, name="Impressora 3D", kind="equipment", capacity=1, exclusive=True,
                                  auto_approve=False)
    member, staff = await login(cw, "member"), await login(cw, "staff")
    day = next_weekday(4)
    created = await member.api.post("/api/v1/coworking/bookings", json=booking_json(printer, day, 14, 16))
    assert created.status_code == 201
    booking_id = created.json()["items"][0]["id"]
    assert created.json()["items"][0]["status"] == "pending"
    # a pending request holds the slot
    other = await login(cw, "member")
    assert (await other.api.post("/api/v1/coworking/bookings", json=booking_json(printer, day, 15, 16))).status_code == 409
    # members cannot decide, not even on their own request
    assert (await member.api.post(f"/api/v1/coworking/bookings/{booking_id}/approve")).status_code == 403
    assert (await other.get(f"/coworking/bookings/{booking_id}")).status_code == 404
    queue = await staff.get("/coworking/staff/bookings")
    assert f"/coworking/bookings/{booking_id}" in queue.text and "Working on a civic app" in queue.text
    approved = await staff.submit(f"/coworking/bookings/{booking_id}/approve?next=queue")
    assert approved.status_code == 303 and approved.headers["location"] == "/coworking/staff/bookings"
    assert (await Booking.get(id=booking_id)).status == "approved"
    again = await staff.api.post(f"/api/v1/coworking/bookings/{booking_id}/approve")
    assert again.status_code == 409
    notices = [shown(n, "en") for n in await Notification.filter(person_id=member.person.id).order_by("id")]
    assert notices[-1].startswith("Your booking of Impressora 3D on ") and notices[-1].endswith(" is approved.")
    assert ("coworking.booking_approved", {"booking_id": booking_id, "resource_id": printer.id}) in heard(cw)

    # rejection needs a reason, which the requester reads
    second = await member.api.post("/api/v1/coworking/bookings", json=booking_json(printer, day + timedelta(days=7), 9, 10))
    second_id = second.json()["items"][0]["id"]
    no_reason = await staff.api.post(f"/api/v1/coworking/bookings/{second_id}/reject", json={"reason": " "})
    assert no_reason.status_code == 422
    rejected = await staff.api.post(f"/api/v1/coworking/bookings/{second_id}/reject", json={"reason": "Manutenção da máquina"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    page = await member.get(f"/coworking/bookings/{second_id}")
    assert "Manutenção da máquina" in page.text and "Rejected" in page.text
    assert shown(await Notification.filter(person_id=member.person.id).order_by("-id").first(), "en").endswith(
        "was not approved: Manutenção da máquina")
    # the freed slot can be booked by someone else
    assert (await other.api.post("/api/v1/coworking/bookings", json=booking_json(printer, day + timedelta(days=7), 9, 10))).status_code == 201


async def test_cancellation_by_the_requester_and_no_show_marking_by_staff(cw: RunningLab) -> None:
    space = await make_space()
    desks = await make_resource(space, capacity=1)
    member, staff = await login(cw, "member"), await login(cw, "staff")
    day = next_weekday(0)
    booking_id = (await member.api.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 9, 10))).json()["items"][0]["id"]
    # no-show only once it has started
    early = await staff.api.post(f"/api/v1/coworking/bookings/{booking_id}/no-show")
    assert early.status_code == 409
    stranger = await api_client(cw)
    assert (await stranger.api.post(f"/api/v1/coworking/bookings/{booking_id}/cancel")).status_code == 404
    cancelled = await member.submit(f"/coworking/bookings/{booking_id}/cancel")
    assert cancelled.status_code == 303
    assert (await Booking.get(id=booking_id)).status == "cancelled"
    assert ("coworking.booking_cancelled", {"booking_id": booking_id, "resource_id": desks.id}) in heard(cw)
    assert (await stranger.api.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 9, 10))).status_code == 201

    now = datetime.now(UTC).replace(microsecond=0)
    started = await Booking.create(resource=desks, person=member.person, start=now - timedelta(hours=1),
                                   end=now + timedelta(hours=1), status="approved", purpose="x",
                                   guidelines_accepted_at=now)
    assert (await member.api.post(f"/api/v1/coworking/bookings/{started.id}/no-show")).status_code == 403
    page = await staff.get(f"/coworking/bookings/{started.id}")
    assert "Mark as a no-show" in page.text
    assert (await staff.submit(f"/coworking/bookings/{started.id}/no-show")).status_code == 303
    assert (await Booking.get(id=started.id)).status == "no_show"
    assert shown(await Notification.filter(person_id=member.person.id).order_by("-id").first(), "en").endswith(
        "was marked as a no-show.")


async def test_weekly_booking_preview_then_skip_or_book_nothing(cw: RunningLab) -> None:
    space = await make_space()
    room = await make_resource(space, name="Sala", kind="room", capacity=6, exclusive=True)
    member, other = await login(cw, "member"), await api_client(cw)
    day = next_weekday(2)
    third = day + timedelta(days=14)
    assert (await other.api.post("/api/v1/coworking/bookings", json=booking_json(room, third, 10, 11))).status_code == 201
    await Closure.create(space=space, first_day=day + timedelta(days=21), last_day=day + timedelta(days=21), reason="Feriado")
    form = {"resource": room.id, "day": day.isoformat(), "start_time": "10:00", "end_time": "12:00", "attendees": "4",
            "purpose": "Reunião semanal do coletivo", "accept_guidelines": "on", "repeat_weeks": "5"}
    preview = await member.submit("/coworking/book", form)
    assert preview.status_code == 200 and "3 of 5 dates are free." in preview.text and "Nothing is booked yet." in preview.text
    assert "The slot is taken: the resource is already booked at that time." in preview.text
    assert "The space is closed from" in preview.text and "Feriado" in preview.text
    assert "Book nothing" in preview.text and 'name="on_conflict" value="skip"' in preview.text
    assert await Booking.filter(person_id=member.person.id).count() == 0

    # "book only if all are free" (the API's default) books nothing at all
    body = booking_json(room, day, 10, 12, repeat_weeks=5, attendees=4)
    refused = await member.api.post("/api/v1/coworking/bookings", json=body)
    assert refused.status_code == 422 and len(refused.json()["errors"]) == 2
    assert await Booking.filter(person_id=member.person.id).count() == 0
    checked = await member.api.post("/api/v1/coworking/bookings/preview", json=body)
    assert [o["ok"] for o in checked.json()["occurrences"]] == [True, True, False, False, True]

    confirmed = await member.submit("/coworking/book", {**form, "confirm": "1", "on_conflict": "skip"})
    assert confirmed.status_code == 303
    booked = await Booking.filter(person_id=member.person.id).order_by("start")
    assert [b.start.astimezone(ZoneInfo(SP)).date() for b in booked] == [day, day + timedelta(days=7), day + timedelta(days=28)]
    assert len({b.series for b in booked}) == 1 and booked[0].series
    page = await member.get(f"/coworking/bookings/{booked[0].id}")
    assert "Other dates of this weekly booking" in page.text


async def test_the_last_free_dates_taken_meanwhile_book_nothing(cw: RunningLab) -> None:
    space = await make_space()
    room = await make_resource(space, name="Sala", kind="room", capacity=6, exclusive=True)
    member, other = await login(cw, "member"), await api_client(cw)
    day = next_weekday(3)
    form = {"resource": room.id, "day": day.isoformat(), "start_time": "14:00", "end_time": "15:00",
            "purpose": "Mentoria", "accept_guidelines": "on", "repeat_weeks": "3"}
    preview = await member.submit("/coworking/book", form)
    assert "Book all 3 dates" in preview.text
    assert (await other.api.post("/api/v1/coworking/bookings", json=booking_json(room, day + timedelta(days=7), 14, 15))).status_code == 201
    late = await member.submit("/coworking/book", {**form, "confirm": "1", "on_conflict": "fail"})
    assert late.status_code == 409 and "Nothing was booked: some dates are no longer free." in late.text
    assert await Booking.filter(person_id=member.person.id).count() == 0


async def test_bookings_on_behalf_of_an_organisation(cw: RunningLab) -> None:
    space = await make_space()
    desks = await make_resource(space)
    member = await login(cw, "member")
    form = await member.get(f"/coworking/book?resource={desks.id}")
    assert "On behalf of an organisation" in form.text and "Coletivo Periferia Conectada" in form.text
    picker = await member.get("/api/v1/references/organisation", params={"q": "bike"})
    assert picker.json()["items"][0]["id"] == "8"
    day = next_weekday(1)
    unknown = await member.api.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 9, 10, organisation_ref="99"))
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["message"] == "This organisation is not known."
    response = await member.submit("/coworking/book", {"resource": desks.id, "day": day.isoformat(), "start_time": "09:00",
                                                       "end_time": "10:00", "purpose": "Oficina", "accept_guidelines": "on",
                                                       "organisation_ref": "7"})
    booking = await Booking.get()
    assert response.status_code == 303 and booking.organisation_ref == "7"
    page = await member.get(f"/coworking/bookings/{booking.id}")
    assert '<a href="/orgs/7">Coletivo Periferia Conectada</a>' in page.text


async def test_without_a_plugin_offering_organisations_the_field_is_hidden(make_lab) -> None:
    lab = await make_lab(plugins=["coworking"])
    desks = await make_resource(await make_space())
    member = await login(lab, "member")
    form = await member.get(f"/coworking/book?resource={desks.id}")
    assert form.status_code == 200 and "organisation_ref" not in form.text
    response = await member.api.post("/api/v1/coworking/bookings",
                                 json=booking_json(desks, next_weekday(1), 9, 10, organisation_ref="7"))
    assert response.status_code == 201 and response.json()["items"][0]["organisation_ref"] is None


async def test_staff_manage_spaces_resources_and_closures_and_members_cannot(cw: RunningLab) -> None:
    staff, member = await login(cw, "staff"), await login(cw, "member")
    assert (await member.get("/coworking/staff/spaces/new")).status_code == 403
    assert (await member.submit("/coworking/staff/spaces/new", {"name": "Hack"})).status_code == 403
    bad = await staff.submit("/coworking/staff/spaces/new", {"name": "Fab Lab Livre", "hours_0": "9-18", "latitude": "200"})
    assert bad.status_code == 422
    assert "Write opening hours as 09:00-18:00, several separated by commas." in bad.text
    assert 'value="Fab Lab Livre"' in bad.text
    created = await staff.submit("/coworking/staff/spaces/new", {
        "name": "Fab Lab Livre", "address": "Rua Vergueiro, 1000", "hours_0": "09:00-12:00, 13:00-18:00",
        "hours_5": "10:00-14:00", "guidelines": "Use óculos de proteção.", "amenities": "Wi-Fi\nCafé",
        "latitude": "-23.57", "longitude": "-46.64", "is_active": "on"})
    assert created.status_code == 303
    space_id = int(created.headers["location"].rsplit("/", 1)[1])
    resource = await staff.submit(f"/coworking/staff/spaces/{space_id}/resources/new", {
        "name": "Cortadora a laser", "kind": "equipment", "capacity": "1", "exclusive": "on", "min_notice_hours": "24",
        "max_length_hours": "2", "max_days_ahead": "30", "is_active": "on"})
    assert resource.status_code == 303
    closure = await staff.submit(f"/coworking/staff/spaces/{space_id}/closures",
                                 {"first_day": "2026-12-24", "last_day": "2026-12-23", "reason": "Natal"})
    assert closure.status_code == 422 and "The last day must not be before the first day." in closure.text
    assert (await staff.submit(f"/coworking/staff/spaces/{space_id}/closures",
                               {"first_day": "2026-12-24", "last_day": "2026-12-25", "reason": "Natal"})).status_code == 303
    public = await member.get(f"/coworking/spaces/{space_id}")
    assert "09:00-12:00, 13:00-18:00" in public.text and "Cortadora a laser" in public.text
    assert "Use óculos de proteção." in public.text and "<li>Café</li>" in public.text
    assert "Confirmed by the team" in public.text
    api = (await member.api.get(f"/api/v1/coworking/spaces/{space_id}")).json()
    assert api["opening_hours"]["0"] == ["09:00-12:00", "13:00-18:00"] and api["opening_hours"]["6"] == []
    assert api["resources"][0]["max_length_minutes"] == 120 and api["resources"][0]["exclusive"] is True
    assert api["closures"] == [] or api["closures"][0]["reason"] == "Natal"


async def test_the_api_lists_my_bookings_and_staff_see_all(cw: RunningLab) -> None:
    desks = await make_resource(await make_space(), capacity=5)
    ana, bia, staff = await api_client(cw), await api_client(cw), await api_client(cw, "staff")
    day = next_weekday(1)
    await ana.api.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 9, 10))
    await bia.api.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 9, 10))
    mine = (await ana.api.get("/api/v1/coworking/bookings")).json()
    assert mine["total"] == 1 and mine["items"][0]["person_id"] == ana.person.id
    assert (await ana.api.get("/api/v1/coworking/bookings", params={"scope": "all"})).status_code == 403
    everyone = (await staff.api.get("/api/v1/coworking/bookings", params={"scope": "all", "status": "approved"})).json()
    assert everyone["total"] == 2
    assert (await cw.client().get("/api/v1/coworking/bookings")).status_code == 401
    availability = (await cw.client().get(f"/api/v1/coworking/spaces/{desks.space_id}/availability",
                                          params={"start": day.isoformat(), "days": "1"})).json()
    nine = [s for s in availability["slots"] if s["start"].startswith(local_to_utc(datetime.combine(day, time(9)), SP).isoformat()[:16])]
    assert nine[0]["free"] == 3 and nine[0]["capacity"] == 5
    assert (await cw.client().get(f"/api/v1/coworking/spaces/{desks.space_id}/availability", params={"days": "99"})).status_code == 400


async def test_the_week_view_shows_availability_my_bookings_and_navigates(cw: RunningLab) -> None:
    space = await make_space(opening_hours={str(d): [[9 * 60, 12 * 60]] for d in range(5)})
    desks = await make_resource(space, name="Mesas", capacity=4)
    member = await login(cw, "member")
    monday = next_weekday(0, at_least=7)
    created = await member.api.post("/api/v1/coworking/bookings", json=booking_json(desks, monday + timedelta(days=1), 10, 11, attendees=3))
    booking_id = created.json()["items"][0]["id"]
    page = await member.get(f"/coworking/spaces/{space.id}/week", params={"start": (monday + timedelta(days=3)).isoformat()})
    text = page.text
    assert page.status_code == 200 and "<caption>Week of" in text and '<th scope="row">09:00</th>' in text
    assert '<th scope="row">12:00</th>' not in text
    assert f'href="/coworking/bookings/{booking_id}">Your booking (Approved)' in text
    assert "1 of 4 free" in text and "4 of 4 free" in text and "Closed" in text
    assert f"?start={(monday - timedelta(days=7)).isoformat()}" in text and f"?start={(monday + timedelta(days=7)).isoformat()}" in text
    anonymous = await cw.client().get(f"/coworking/spaces/{space.id}/week", params={"start": monday.isoformat()})
    assert "Your booking" not in anonymous.text and "Working on a civic app" not in anonymous.text
    assert (await cw.client().get(f"/coworking/spaces/{space.id}/week", params={"start": "not-a-date"})).status_code == 400


async def test_pages_and_refusals_speak_the_visitors_language(cw: RunningLab) -> None:
    space = await make_space(opening_hours={str(d): [[9 * 60, 18 * 60]] for d in range(5)})
    desks = await make_resource(space, name="Mesas", capacity=2)
    client = cw.client()
    page = await client.get(f"/coworking/spaces/{space.id}", headers={"Accept-Language": "pt-BR"})
    assert "Horário de funcionamento" in page.text and "Sábado" in page.text and "Reservar Mesas" in page.text
    member = await api_client(cw)
    refused = await member.post("/api/v1/coworking/bookings", headers={"Accept-Language": "es"},
                                json=booking_json(desks, next_weekday(5), 9, 10, attendees=3))
    messages = [e["message"] for e in refused.json()["errors"]]
    assert "El espacio no abre ese día (Sábado)." in messages
    assert "Demasiadas personas: este recurso admite como máximo 2." in messages
