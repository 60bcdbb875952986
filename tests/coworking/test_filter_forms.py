"""The week's resource picker and the staff's booking queue use the core's filter form, over HTTP:
labelled, the choices kept, the parameters unchanged, the list really narrowed."""

from __future__ import annotations

from labkit.testing import RunningLab

from .conftest import booking_json, login, make_resource, make_space, next_weekday
from tests.test_filter_forms import check_accessible, filter_form


async def test_the_week_shows_the_chosen_resource_only(cw: RunningLab) -> None:
    space = await make_space()
    desks, room = await make_resource(space, name="Mesas"), await make_resource(space, name="Sala", capacity=8)
    member = await login(cw, "member")
    monday = next_weekday(0, at_least=7).isoformat()
    url = f"/coworking/spaces/{space.id}/week"

    everything = (await member.get(url, params={"start": monday})).text
    assert f"?resource={desks.id}&amp;day=" in everything and f"?resource={room.id}&amp;day=" in everything

    picker = await filter_form(member, f"{url}?start={monday}&resource={room.id}")
    check_accessible(picker, url)
    assert picker.control("start") == {"type": "hidden", "name": "start", "value": monday, "tag": "input",
                                       "wrapped": False, "options": []}, "the week shown is kept"
    assert picker.selected("resource") == str(room.id) and picker.control("resource")["options"][0] == {"value": ""}
    assert picker.links == [], "choosing 'All resources' clears it, without leaving the week"
    only_room = (await member.get(url, params={"start": monday, "resource": room.id})).text
    assert f"?resource={room.id}&amp;day=" in only_room and f"?resource={desks.id}&amp;day=" not in only_room


async def test_the_staff_queue_filters_by_status_and_space(cw: RunningLab) -> None:
    patio, annex = await make_space(), await make_space(name="Anexo")
    printer = await make_resource(patio, name="Impressora", auto_approve=False)
    studio = await make_resource(annex, name="Estúdio", auto_approve=False)
    member, staff = await login(cw, "member"), await login(cw, "staff")
    day = next_weekday(3)
    ids = {}
    for resource in (printer, studio):
        created = await member.api.post("/api/v1/coworking/bookings", json=booking_json(resource, day, 10, 11))
        ids[resource.name] = created.json()["items"][0]["id"]
    url = "/coworking/staff/bookings"

    queue = await filter_form(staff, url)
    check_accessible(queue, url)
    assert [c["name"] for c in queue.controls] == ["status", "space"]
    assert queue.selected("status") == "pending" and queue.links == [], "waiting requests are the default"

    in_annex = await filter_form(staff, f"{url}?status=pending&space={annex.id}")
    assert in_annex.selected("space") == str(annex.id) and in_annex.links == [url]
    shown = (await staff.get(url, params={"status": "pending", "space": annex.id})).text
    assert f"/coworking/bookings/{ids['Estúdio']}" in shown and f"/coworking/bookings/{ids['Impressora']}" not in shown
    approved = (await staff.get(url, params={"status": "approved"})).text
    assert all(f"/coworking/bookings/{booking}" not in approved for booking in ids.values())
    assert (await filter_form(staff, f"{url}?status=nonsense")).selected("status") == "pending"
