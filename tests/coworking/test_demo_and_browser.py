"""Demo data, and a person in headless Chromium booking a desk that a staff member approves."""

from __future__ import annotations

from labkit.testing import PASSWORD, RunningLab

from .conftest import make_resource, make_space, next_weekday, person
from labkit_coworking import demo
from labkit_coworking.models import Application, Booking, Programme, Resource, Space


async def test_demo_data_two_spaces_in_sao_paulo_and_the_residencia_maker(cw: RunningLab) -> None:
    await demo.load(cw.settings)
    await demo.load(cw.settings)  # a second run adds nothing
    spaces = await Space.all().order_by("name")
    assert [s.name for s in spaces] == ["Fab Lab Livre — Vergueiro", "Pátio Digital — Centro"]
    assert all("São Paulo" in s.address and s.latitude and s.guidelines for s in spaces)
    kinds = {r.kind for r in await Resource.all()}
    assert kinds == {"desk", "room", "equipment"} and await Resource.filter(name__contains="Impressora 3D").exists()
    assert await Booking.filter(status="approved").count() > 20 and await Booking.filter(status="pending").exists()
    programme = await Programme.get(title="Residência Maker")
    assert await Application.filter(programme=programme, status="selected").count() == 1
    client = cw.client()
    assert "Residência Maker" in (await client.get("/coworking/")).text
    for space in spaces:
        assert (await client.get(f"/coworking/spaces/{space.id}/week")).status_code == 200
    staff = await cw.login_as("staff", person=await person("staff"))
    report = await staff.get("/coworking/staff/report")
    assert report.status_code == 200 and "Estações de trabalho" in report.text


async def test_book_a_desk_see_it_on_the_week_view_and_a_staff_member_approves_it(cw: RunningLab, browser_page) -> None:
    space = await make_space(name="Pátio Digital — Centro")
    await make_resource(space, name="Estações de trabalho", capacity=12, auto_approve=False)
    maria, staff = await person(name="Maria Silva"), await person("staff", name="João Staff")
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    async def sign_in(who) -> None:
        await page.goto(cw.url + "/account/login")
        await page.get_by_label("E-mail").fill(who.email)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(cw.url + "/")

    await sign_in(maria)
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Coworking").click()
    await page.get_by_role("link", name="Pátio Digital — Centro").click()
    await page.get_by_role("link", name="Book Estações de trabalho").click()
    day = next_weekday(2)
    await page.get_by_label("Day").fill(day.isoformat())
    await page.get_by_label("From").fill("09:00")
    await page.get_by_label("Until").fill("12:00")
    await page.get_by_label("What is it for?").fill("Mapa colaborativo de hortas urbanas")
    await page.get_by_role("button", name="Book").click()
    assert await page.get_by_role("alert").is_visible()  # the guidelines were not accepted
    assert errors == ["Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"]
    errors.clear()
    await page.get_by_label("I have read the space's guidelines and accept them").check()
    await page.get_by_role("button", name="Book").click()
    await page.wait_for_url("**/coworking/bookings/*")
    assert await page.get_by_text("Waiting for approval").first.is_visible()

    await page.get_by_role("link", name="See the week").click()
    mine = page.get_by_role("link", name="Your booking (Waiting for approval)")
    assert await mine.count() == 3  # 09:00, 10:00 and 11:00
    await page.get_by_role("button", name="Sign out").click()

    await sign_in(staff)
    await page.goto(cw.url + "/coworking/staff/bookings")
    assert await page.get_by_role("cell", name="Mapa colaborativo de hortas urbanas").is_visible()
    await page.get_by_role("button", name="Approve").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_selector("text=The booking is approved and the requester was told.")
    booking = await Booking.get()
    assert booking.status == "approved" and booking.decided_by_id == staff.id
    await page.goto(cw.url + f"/coworking/spaces/{space.id}/week?start={day.isoformat()}")
    assert await page.get_by_text("11 of 12 free").count() == 3  # Maria's place stays taken from 09:00 to 12:00
    assert not errors, errors
