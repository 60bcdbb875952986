"""Residencies and visiting schemes: call, applications by teams, selection, cohort, indicators."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from labkit.models import Notification
from labkit.notifications import shown
from labkit.periods import Period
from labkit.plugins import await_me_maybe
from labkit.testing import RunningLab

from .conftest import booking_json, login, make_resource, make_space, next_weekday, person
from labkit_coworking.models import Application, Booking, Member


def _today() -> date:
    return datetime.now(ZoneInfo("America/Sao_Paulo")).date()


async def hook(lab: RunningLab, name: str, **kwargs):
    (result,) = [r for slug, r in lab.plugins.results(name, **kwargs) if slug == "coworking"]
    return await await_me_maybe(result)


async def test_a_residency_from_call_to_cohort_and_the_projects_indicator(cw: RunningLab) -> None:
    staff, member = await login(cw, "staff"), await login(cw)
    today = _today()
    form = {"title": "Residência Maker", "kind": "residency", "description": "Quatro meses no **Fab Lab**.",
            "call_opens": (today - timedelta(days=1)).isoformat(), "call_closes": (today + timedelta(days=10)).isoformat(),
            "places": "1", "cohort_start": (today + timedelta(days=5)).isoformat(),
            "cohort_end": (today + timedelta(days=90)).isoformat()}
    assert (await member.submit("/coworking/staff/programmes/new", form)).status_code == 403
    bad = await staff.submit("/coworking/staff/programmes/new", form)
    assert bad.status_code == 422 and "The cohort must start after the call closes." in bad.text
    form["cohort_start"] = (today + timedelta(days=20)).isoformat()
    created = await staff.submit("/coworking/staff/programmes/new", form)
    assert created.status_code == 303
    programme_url = created.headers["location"]
    programme_id = int(programme_url.rsplit("/", 1)[1])
    page = await member.get(programme_url)
    assert "<strong>Fab Lab</strong>" in page.text and "Apply with your team" in page.text

    teammate = await person(name="Diego Ferreira")
    short = await member.submit(f"/coworking/programmes/{programme_id}/apply", {"project_title": "Composteira",
                                                                              "project_description": "curta"})
    assert short.status_code == 422 and "Enter at least 20 characters." in short.text
    sent = await member.submit(f"/coworking/programmes/{programme_id}/apply", {
        "project_title": "Composteira comunitária", "organisation_ref": "7",
        "project_description": "Sensores de baixo custo para hortas comunitárias da zona leste.",
        "members": f"Diego Ferreira, {teammate.email}\nLuana Reis"})
    assert sent.status_code == 303
    again = await member.submit(f"/coworking/programmes/{programme_id}/apply", {
        "project_title": "Outra ideia", "project_description": "Uma segunda candidatura que não deve valer."})
    assert "You have already applied to this programme." in (await member.get(again.headers["location"])).text
    rival = await login(cw)
    await rival.api.post(f"/api/v1/coworking/programmes/{programme_id}/applications", json={
        "project_title": "Sensor de enchente", "project_description": "Alertas por SMS para moradores de áreas de risco."})
    mine, theirs = await Application.all().order_by("id")
    members = await Member.filter(application=mine).order_by("id")
    assert [(m.name, m.person_id) for m in members] == [(member.person.name, member.person.id),
                                                      ("Diego Ferreira", teammate.id), ("Luana Reis", None)]

    listing = await staff.get(f"/coworking/staff/programmes/{programme_id}/applications")
    assert "Composteira comunitária" in listing.text and "Coletivo Periferia Conectada" in listing.text
    assert (await member.submit(f"/coworking/staff/applications/{mine.id}/select")).status_code == 403
    assert (await staff.submit(f"/coworking/staff/applications/{mine.id}/select")).status_code == 303
    full = await staff.submit(f"/coworking/staff/applications/{theirs.id}/select")
    assert "All 1 places of this programme are taken." in (await staff.get(full.headers["location"])).text
    await staff.submit(f"/coworking/staff/applications/{theirs.id}/reject", {"reason": "Fora do escopo"})
    assert (await Application.get(id=theirs.id)).status == "rejected"
    assert shown(await Notification.filter(person_id=rival.person.id).first(), "en").endswith("was not selected: Fora do escopo")
    assert "Welcome to the cohort" in shown(await Notification.filter(person_id=member.person.id).first(), "en")

    public = await cw.client().get(programme_url)
    assert "Composteira comunitária" in public.text and "Diego Ferreira, Luana Reis" in public.text
    assert "Sensor de enchente" not in public.text
    api = (await cw.client().get("/api/v1/coworking/programmes")).json()
    assert api["items"][0]["cohort"] == ["Composteira comunitária"] and api["items"][0]["call_open"] is True

    (item,) = await hook(cw, "labkit_portfolio")
    assert item.indicator == "projects" and item.key == f"residency:{mine.id}" and item.kind == "residency"
    assert item.started == today + timedelta(days=20) and item.title == "Composteira comunitária"
    assert item.team == tuple(sorted((member.person.id, teammate.id)))
    assert [text for _day, text in item.milestones][-2:] == ["cohort started", "cohort ends"]

    cohort_month = Period.parse((today + timedelta(days=20)).strftime("%Y-%m"))
    residents = await hook(cw, "labkit_participants", period=cohort_month)
    assert f"person:{member.person.id}" in residents and f"person:{teammate.id}" in residents
    assert f"person:{rival.person.id}" not in residents
    contributions = await hook(cw, "labkit_indicators", period=cohort_month)
    assert [(c.indicator, c.value, c.breakdown) for c in contributions] == [
        ("participants", 1, {"kind": "resident_without_account"})]


async def test_applications_outside_the_call_are_refused(cw: RunningLab) -> None:
    staff, member = await login(cw, "staff"), await login(cw)
    today = _today()
    created = await staff.submit("/coworking/staff/programmes/new", {
        "title": "Visitas técnicas", "kind": "visiting", "call_opens": (today + timedelta(days=3)).isoformat(),
        "call_closes": (today + timedelta(days=9)).isoformat(), "places": "10",
        "cohort_start": (today + timedelta(days=10)).isoformat(), "cohort_end": (today + timedelta(days=11)).isoformat()})
    programme_id = int(created.headers["location"].rsplit("/", 1)[1])
    assert "Apply with your team" not in (await member.get(created.headers["location"])).text
    response = await member.api.post(f"/api/v1/coworking/programmes/{programme_id}/applications", json={
        "project_title": "Cedo demais", "project_description": "Uma candidatura antes de a chamada abrir."})
    assert response.status_code == 409 and response.json()["detail"] == "The call for this programme is not open."
    assert await Application.all().count() == 0


async def test_participants_personal_data_and_erasure(cw: RunningLab) -> None:
    desks = await make_resource(await make_space(name="Pátio"), name="Mesas", capacity=4)
    ana, bia = await login(cw), await login(cw)
    day = next_weekday(1)
    await ana.api.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 9, 10, purpose="Projeto da Ana"))
    cancelled = (await bia.api.post("/api/v1/coworking/bookings", json=booking_json(desks, day, 9, 10))).json()["items"][0]["id"]
    await bia.api.post(f"/api/v1/coworking/bookings/{cancelled}/cancel")
    period = Period.parse(day.strftime("%Y-%m"))
    assert await hook(cw, "labkit_participants", period=period) == [f"person:{ana.person.id}"]
    data = await hook(cw, "labkit_personal_data", person_id=ana.person.id)
    assert data["bookings"][0]["purpose"] == "Projeto da Ana" and data["bookings"][0]["resource"] == "Mesas"
    await hook(cw, "labkit_erase_person", person_id=ana.person.id)
    booking = await Booking.get(person_id=ana.person.id)
    assert booking.purpose == "" and booking.status == "cancelled"  # kept for the record, without the text; freed
