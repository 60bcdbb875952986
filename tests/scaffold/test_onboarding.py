"""The onboarding plugin: the lab's MENTORING.md as a checklist that staff tick off, ticks kept
in the database (on SQLite, and on PostgreSQL when LABKIT_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest

from labkit.testing import RunningLab

from labkit_onboarding.rules import parse_plan

PLAN = """# Mentoring plan of Test Lab

Intro text, not a milestone. - [ ] neither is this

## Training, day 1
- [ ] Kick-off with the **mayor's office** <!-- d1-mandate -->
- [x] Team named before the plan <!-- d1-team -->

## Month 1
- [ ] Public launch
- [ ] Public launch
```
- [ ] inside a code block, not a milestone
```
"""


@pytest.fixture
async def onboarding_lab(make_lab) -> RunningLab:
    lab = await make_lab(plugins=["onboarding"])
    (lab.settings.lab_dir / "MENTORING.md").write_text(PLAN, encoding="utf-8")
    return lab


def test_the_plan_is_read_from_headings_and_task_items_with_stable_keys() -> None:
    plan = parse_plan(PLAN)
    assert plan.title == "Mentoring plan of Test Lab"
    assert [s.title for s in plan.sections] == ["Training, day 1", "Month 1"]
    assert [i.key for i in plan.items] == ["d1-mandate", "d1-team", "public-launch", "public-launch-2"]
    assert plan.items[0].text == "Kick-off with the **mayor's office**"
    assert [i.checked_in_file for i in plan.items] == [False, True, False, False]
    reworded = parse_plan(PLAN.replace("Kick-off with the", "Opening meeting with the"))
    assert reworded.items[0].key == "d1-mandate"


async def test_staff_tick_a_milestone_with_a_note_and_untick_it(onboarding_lab: RunningLab) -> None:
    staff = await onboarding_lab.login_as("staff")
    page = await staff.get("/onboarding/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "1 of 4 milestones done" in page.text
    assert "<strong>mayor&#39;s office</strong>" in page.text or "<strong>mayor's office</strong>" in page.text
    assert "Already checked in MENTORING.md." in page.text
    assert "inside a code block" not in page.text

    done = await staff.submit("/onboarding/items/d1-mandate", {"done": "true", "note": "Signed decree <b>12</b>"})
    assert done.status_code == 303 and done.headers["location"] == "/onboarding/#item-d1-mandate"
    page = await staff.get("/onboarding/", headers={"Accept-Language": "en"})
    assert "2 of 4 milestones done" in page.text
    assert f"Ticked by {staff.person.name}" in page.text
    assert "Signed decree &lt;b&gt;12&lt;/b&gt;" in page.text
    home = await staff.get("/", headers={"Accept-Language": "en"})
    assert "2 of 4 milestones of the mentoring plan done." in home.text

    again = await staff.submit("/onboarding/items/d1-mandate", {"done": "true"})
    assert again.status_code == 303
    undone = await staff.submit("/onboarding/items/d1-mandate", {"done": "false"})
    assert undone.status_code == 303
    page = await staff.get("/onboarding/", headers={"Accept-Language": "en"})
    assert "1 of 4 milestones done" in page.text


async def test_a_too_long_note_rerenders_with_the_message_and_saves_nothing(onboarding_lab: RunningLab) -> None:
    staff = await onboarding_lab.login_as("staff")
    response = await staff.submit("/onboarding/items/public-launch", {"done": "true", "note": "x" * 501},
                                  headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Enter at most 500 characters." in response.text
    assert 'aria-invalid="true"' in response.text
    assert "1 of 4 milestones done" in response.text
    assert (await staff.submit("/onboarding/items/no-such-milestone", {"done": "true"})).status_code == 404


async def test_only_staff_see_and_tick_the_plan(onboarding_lab: RunningLab) -> None:
    anonymous = onboarding_lab.client()
    page = await anonymous.get("/onboarding/")
    assert page.status_code == 303 and page.headers["location"].startswith("/account/login")
    member = await onboarding_lab.login_as("member")
    assert (await member.get("/onboarding/")).status_code == 403
    assert (await member.submit("/onboarding/items/d1-mandate", {"done": "true"})).status_code == 403
    home = await member.get("/")
    assert "/onboarding/" not in home.text
    staff = await onboarding_lab.login_as("staff")
    assert 'href="/onboarding/"' in (await staff.get("/")).text


async def test_the_api_lists_and_ticks_milestones(onboarding_lab: RunningLab) -> None:
    from labkit.auth import create_token

    staff = await onboarding_lab.person("staff")
    api = onboarding_lab.client(token=await create_token(staff, "script"))
    listing = (await api.get("/api/v1/onboarding/checklist")).json()
    assert listing["done"] == 1 and listing["total"] == 4 and listing["items"][1]["checked_in_file"] is True
    ticked = await api.post("/api/v1/onboarding/items/public-launch", json={"done": True, "note": "Launched"})
    assert ticked.status_code == 200
    assert ticked.json() | {"done_at": None} == {"key": "public-launch", "section": "Month 1", "text": "Public launch",
                                                 "done": True, "checked_in_file": False, "done_by": staff.name,
                                                 "done_at": None, "note": "Launched"}
    bad = await api.post("/api/v1/onboarding/items/public-launch", json={"done": "maybe"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    missing = await api.post("/api/v1/onboarding/items/nope", json={"done": True})
    assert missing.status_code == 404
    member = await onboarding_lab.person("member")
    forbidden = await onboarding_lab.client(token=await create_token(member, "m")).get("/api/v1/onboarding/checklist")
    assert forbidden.status_code == 403


async def test_a_person_erased_leaves_the_milestone_done_without_their_name(onboarding_lab: RunningLab) -> None:
    from labkit_onboarding import labkit_erase_person, labkit_personal_data
    from labkit_onboarding.models import Tick

    staff = await onboarding_lab.login_as("staff")
    await staff.submit("/onboarding/items/d1-mandate", {"done": "true", "note": "ok"})
    data = await labkit_personal_data(person_id=staff.person.id)
    assert data["milestones_ticked"][0]["milestone"] == "Kick-off with the **mayor's office**"
    await labkit_erase_person(person_id=staff.person.id)
    tick = await Tick.get(key="d1-mandate")
    assert tick.done_by_id is None


async def test_the_page_speaks_the_visitors_language(onboarding_lab: RunningLab) -> None:
    staff = await onboarding_lab.login_as("staff")
    page = await staff.get("/onboarding/", headers={"Accept-Language": "pt-BR"})
    assert "1 de 4 marcos concluídos" in page.text and "Marcar como concluído" in page.text
    spanish = await staff.get("/onboarding/", headers={"Accept-Language": "es"})
    assert "1 de 4 hitos completados" in spanish.text
    french = await staff.get("/onboarding/", headers={"Accept-Language": "fr"})
    assert "1 sur 4 étapes accomplies" in french.text


async def test_a_lab_without_a_plan_says_how_to_write_one(make_lab) -> None:
    lab = await make_lab(plugins=["onboarding"])
    staff = await lab.login_as("staff")
    page = await staff.get("/onboarding/", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "This lab has no mentoring plan yet." in page.text


@pytest.mark.skipif(not os.environ.get("LABKIT_TEST_DATABASE_URL"), reason="concurrency needs PostgreSQL")
async def test_staff_ticking_the_same_milestone_at_once_leave_one_tick(onboarding_lab: RunningLab) -> None:
    from labkit_onboarding.models import Tick

    clients = [await onboarding_lab.login_as("staff") for _ in range(6)]
    tokens = [await client.csrf_token() for client in clients]
    responses = await asyncio.gather(*[
        client.post("/onboarding/items/public-launch", data={"csrf_token": token, "done": "true"})
        for client, token in zip(clients, tokens, strict=True)])
    assert {r.status_code for r in responses} == {303}
    assert await Tick.filter(key="public-launch").count() == 1


async def test_labkit_new_demo_loads_sample_data_and_prints_a_working_sign_in(labs: Path) -> None:
    from .conftest import labkit, running

    made = labkit("new", "--demo", "--no-input", "demo-lab", "--set", "modules=onboarding", cwd=labs)
    assert made.returncode == 0, made.stderr
    email, password = re.search(r"sign in as (\S+) with password (\S+)", made.stdout).groups()
    async with running(labs / "demo-lab") as client:
        page = await client.get("/account/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        signed = await client.post("/account/login", data={"csrf_token": token, "email": email, "password": password})
        assert signed.status_code == 303
        plan = await client.get("/onboarding/", headers={"Accept-Language": "en"})
    assert plan.status_code == 200 and "3 of 31 milestones done" in plan.text
