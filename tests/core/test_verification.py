"""Verified accounts: the core refuses an action to a person without the verification it needs (page
and API alike), the e-mail confirmation link works once and expires, staff mark people by hand and
match them with a census list of which only keyed hashes are stored."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

import pytest

from labkit import verification
from labkit.models import CensusEntry, Person, Verification
from labkit.testing import PASSWORD, LabClient, RunningLab

ECHO = Path(__file__).parent / "echo_plugin" / "labkit_echo"
LINK = re.compile(r"/account/confirm/\S+")


@pytest.fixture
async def echo_lab(make_lab) -> RunningLab:
    return await make_lab(plugins=["echo"], local_plugins=[ECHO])


async def whisper(client: LabClient, text: str = "Hi"):
    return await client.post("/api/v1/echo/7/whisper", json={"text": text}, headers={"X-CSRF-Token": await client.csrf_token()})


async def test_an_unconfirmed_person_reads_but_cannot_act_until_the_link_is_opened(
        echo_lab: RunningLab, caplog: pytest.LogCaptureFixture) -> None:
    person = await echo_lab.person(verified=False)
    client = await echo_lab.login_as(person=person)
    assert (await client.get("/")).status_code == 200  # reading stays open
    refused = await whisper(client)
    assert refused.status_code == 403 and refused.json()["type"] == "urn:labkit:problem:unverified"
    assert "confirmed e-mail address" in refused.json()["detail"] and "ask for a new one" in refused.json()["detail"]
    page = await client.submit("/echo/7/whisper", {"text": "Hi"})
    assert page.status_code == 403 and 'href="/account/verification"' in page.text

    with caplog.at_level(logging.INFO, logger="labkit.mail"):
        sent = await client.submit("/account/confirm", {"email": person.email})
        await echo_lab.deliver_mail()
    assert sent.status_code == 303
    link = LINK.search(caplog.text).group(0)
    assert (await client.get(link)).status_code == 200  # opening the link changes nothing by itself
    assert await verification.kinds_of(person) == frozenset()
    confirmed = await client.submit(link)
    assert confirmed.headers["location"] == "/"
    assert (await whisper(client)).json() == {"item": 7, "text": "hi", "by": person.name}
    assert await Verification.filter(person_id=person.id, kind="email").exists()


async def test_a_confirmation_link_works_once_and_a_forged_one_never(echo_lab: RunningLab, caplog: pytest.LogCaptureFixture) -> None:
    person = await echo_lab.person(verified=False)
    with caplog.at_level(logging.INFO, logger="labkit.mail"):
        await echo_lab.client().submit("/account/confirm", {"email": person.email})
        await echo_lab.client().submit("/account/confirm", {"email": person.email})
        await echo_lab.deliver_mail()
    first, second = LINK.findall(caplog.text)[:2]
    assert (await echo_lab.client().submit(first)).headers["location"] == "/"
    for used in (first, second, first[:-3] + "abc"):  # used, made before the use, forged
        answer = await echo_lab.client().submit(used)
        assert answer.headers["location"] == "/account/confirm"


async def test_a_confirmation_link_expires(make_lab, caplog: pytest.LogCaptureFixture) -> None:
    lab = await make_lab(plugins=[], settings={"security": {"confirm_link_max_age": 1}})
    person = await lab.person(verified=False)
    with caplog.at_level(logging.INFO, logger="labkit.mail"):
        await lab.client().submit("/account/confirm", {"email": person.email})
        await lab.deliver_mail()
    await asyncio.sleep(2.1)
    answer = await lab.client().submit(LINK.search(caplog.text).group(0))
    assert answer.headers["location"] == "/account/confirm"
    assert await verification.kinds_of(person) == frozenset()


async def test_asking_again_says_the_same_for_anybody_and_is_limited(core_lab: RunningLab, caplog: pytest.LogCaptureFixture) -> None:
    waiting = await core_lab.person(verified=False)
    confirmed = await core_lab.person()
    with caplog.at_level(logging.INFO, logger="labkit.mail"):
        answers = [await core_lab.client().submit("/account/confirm", {"email": email})
                   for email in [waiting.email] * 5 + [confirmed.email, "nobody@example.org"]]
        await core_lab.deliver_mail()
    assert {(a.status_code, a.headers["location"]) for a in answers} == {(303, "/account/login")}
    assert caplog.text.count("/account/confirm/") == 3  # three links an hour to one address, nothing to the others


async def test_a_handler_can_ask_for_more_than_a_confirmed_address(echo_lab: RunningLab) -> None:
    member = await echo_lab.login_as("member")
    refused = await whisper(member, "staff")
    assert refused.status_code == 403 and "checked by the lab's staff" in refused.json()["detail"]
    staff = await echo_lab.login_as("staff")
    assert (await staff.get("/admin/people")).status_code == 200
    marked = await staff.submit(f"/admin/people/{member.person.id}/verification", {"kind": "staff", "granted": "true"})
    assert marked.status_code == 303
    assert (await whisper(member, "staff")).status_code == 200
    record = await Verification.get(person_id=member.person.id, kind="staff")
    assert record.granted_by_id == staff.person.id


async def test_staff_see_and_override_the_state_and_members_cannot(core_lab: RunningLab) -> None:
    member = await core_lab.login_as("member")
    target = await core_lab.person(verified=False, name="Unconfirmed Person")
    forbidden = await member.submit(f"/admin/people/{target.id}/verification", {"kind": "email", "granted": "true"})
    assert forbidden.status_code == 403
    staff = await core_lab.login_as("staff")
    await staff.submit(f"/admin/people/{target.id}/verification", {"kind": "email", "granted": "true"})
    assert "email" in await verification.kinds_of(target)
    page = (await staff.get("/admin/people", params={"q": "Unconfirmed"})).text
    assert "confirmed e-mail address: yes" in page
    await staff.submit(f"/admin/people/{target.id}/verification", {"kind": "email", "granted": "false"})
    assert await verification.kinds_of(target) == frozenset()
    bad = await staff.submit(f"/admin/people/{target.id}/verification", {"kind": "census", "granted": "true"})
    assert bad.status_code == 303 and await verification.kinds_of(target) == frozenset()  # census is only by match


async def test_the_census_keeps_only_keyed_hashes_and_one_identifier_verifies_one_account(core_lab: RunningLab) -> None:
    staff = await core_lab.login_as("staff")
    csv = b"identifier\n123.456.789-09\n987.654.321-00\n"
    uploaded = await staff.post("/admin/census", data={"csrf_token": await staff.csrf_token()},
                                files={"file": ("census.csv", csv, "text/csv")})
    assert uploaded.status_code == 303
    digests = await CensusEntry.all().values_list("digest", flat=True)
    assert len(digests) == 2 and not any("12345678909" in d or "123" in d[:3] for d in digests)
    assert verification.census_digest(core_lab.settings.secret_key, "12345678909") in digests

    ana, bruno = await core_lab.login_as(), await core_lab.login_as()
    wrong = await ana.submit("/account/verification/census", {"identifier": "111.111.111-11"})
    assert wrong.status_code == 422 and "not on the census list" in wrong.text
    matched = await ana.submit("/account/verification/census", {"identifier": "12345678909"})
    assert matched.status_code == 303 and "census" in await verification.kinds_of(ana.person)
    taken = await bruno.submit("/account/verification/census", {"identifier": "123 456 789 09"})
    assert taken.status_code == 422 and "census" not in await verification.kinds_of(bruno.person)
    for _ in range(9):
        await bruno.submit("/account/verification/census", {"identifier": "000"})
    assert (await bruno.submit("/account/verification/census", {"identifier": "987.654.321-00"})).status_code == 429


async def test_the_export_lists_verifications_and_deletion_removes_them_and_frees_the_identifier(core_lab: RunningLab) -> None:
    staff = await core_lab.login_as("staff")
    await staff.post("/admin/census", data={"csrf_token": await staff.csrf_token()},
                     files={"file": ("census.csv", b"identifier\n529.982.247-25\n", "text/csv")})
    member = await core_lab.login_as()
    await member.submit("/account/verification/census", {"identifier": "52998224725"})
    export = (await member.get("/account/export")).json()
    assert [v["kind"] for v in export["verifications"]] == ["email", "census"]
    assert (await member.submit("/account/delete", {"password": PASSWORD})).status_code == 303
    assert not await Verification.filter(person_id=member.person.id).exists()
    assert await CensusEntry.filter(claimed_by_id=None).count() == 1


async def test_a_census_file_without_the_column_is_refused(core_lab: RunningLab) -> None:
    staff = await core_lab.login_as("staff")
    answer = await staff.post("/admin/census", data={"csrf_token": await staff.csrf_token()},
                              files={"file": ("census.csv", b"cpf\n1\n", "text/csv")})
    assert answer.status_code == 422 and await CensusEntry.all().count() == 0
    assert (await (await core_lab.login_as("member")).get("/admin/census")).status_code == 403


async def test_an_invitation_or_a_reset_link_proves_the_address(core_lab: RunningLab, caplog: pytest.LogCaptureFixture) -> None:
    admin = await core_lab.login_as("admin")
    with caplog.at_level(logging.INFO, logger="labkit.mail"):
        await admin.submit("/admin/people/new", {"name": "Invited", "email": "invited@example.org", "role": "member"})
        await core_lab.deliver_mail()
    link = re.search(r"/account/reset/\S+", caplog.text).group(0)
    chosen = await core_lab.client().submit(link, {"password": PASSWORD, "password_again": PASSWORD})
    assert chosen.status_code == 303
    assert "email" in await verification.kinds_of(await Person.get(email="invited@example.org"))
