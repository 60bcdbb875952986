"""Organisations claimed by their people: the proof by a mail at the organisation's website
domain (a wrong or free-mail domain refused, the link working once, before it expires, for the
person who asked), claims decided by the team or the members, members who edit the entry directly
(in the public history), leaving and removing, the functions other plugins call, account deletion
and the data export; on PostgreSQL, claims confirmed at the same moment."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from datetime import UTC, datetime, timedelta

import pytest

from labkit.auth import create_token
from labkit.testing import PASSWORD, LabClient, RunningLab

from tests.mapping.conftest import org

WEBSITE = "https://www.codigoaberto.org.br/sobre"


async def _organisation(lab: RunningLab, **overrides: str) -> int:
    staff = await lab.login_as("staff")
    created = await staff.submit("/mapping/propose", org(**{"website": WEBSITE, **overrides}))
    assert created.status_code == 303, created.text
    return int(created.headers["location"].rsplit("/", 1)[1])


@pytest.fixture(autouse=True)
def _mail_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="labkit.mail")  # from the start: the lab's own worker may send first


async def _mailed_link(lab: RunningLab, caplog: pytest.LogCaptureFixture) -> str:
    """The one claim link mailed since the last call."""
    await lab.deliver_mail()
    links = re.findall(r"http://lab\.test(/mapping/claims/\S+)", caplog.text)
    caplog.clear()
    assert len(links) == 1, caplog.text
    return links[0]


async def _claim(client: LabClient, org_id: int, **fields: str):
    return await client.submit(f"/mapping/organisations/{org_id}/claim", fields)


async def test_a_mail_at_the_domain_proves_the_claim_once(map_lab: RunningLab, caplog) -> None:
    from labkit_mapping.models import Membership

    org_id = await _organisation(map_lab)
    ana = await map_lab.login_as("member")
    for address, message in [("ana@outro.org.br", "Give an address at the organisation&#39;s website domain, codigoaberto.org.br"),
                             ("ana@gmail.com", "An address at gmail.com proves nothing"),
                             ("ana@codigoaberto.org.br.evil.com", "Give an address at the organisation&#39;s website domain")]:
        refused = await _claim(ana, org_id, email=address)
        assert refused.status_code == 422 and message in refused.text, address
    assert await Membership.all().count() == 0

    sent = await _claim(ana, org_id, email="ana@equipe.codigoaberto.org.br", note="Coordeno o coletivo.")
    assert sent.status_code == 303
    link = await _mailed_link(map_lab, caplog)
    row = await Membership.get(person_id=ana.person.id)
    assert (row.status, row.proof_email) == ("pending", "ana@equipe.codigoaberto.org.br")

    other = await map_lab.login_as("member")
    assert (await other.submit(link)).status_code == 403, "only the person who asked confirms"
    assert (await map_lab.client().get(link)).headers["location"].startswith("/account/login")

    assert (await ana.get(link)).status_code == 200, "opening the link changes nothing"
    assert (await Membership.get(id=row.id)).status == "pending"
    confirmed = await ana.submit(link)
    assert confirmed.status_code == 303 and confirmed.headers["location"] == f"/mapping/organisations/{org_id}"
    row = await Membership.get(id=row.id)
    assert (row.status, row.role, row.proof, row.code_hash) == ("confirmed", "admin", "domain", "")
    assert (await ana.submit(link)).status_code == 404, "the link works once"


async def test_an_expired_link_is_refused(map_lab: RunningLab, caplog) -> None:
    from labkit_mapping.models import Membership

    org_id = await _organisation(map_lab)
    ana = await map_lab.login_as("member")
    await _claim(ana, org_id, email="ana@codigoaberto.org.br")
    link = await _mailed_link(map_lab, caplog)
    await Membership.all().update(code_expires_at=datetime.now(UTC) - timedelta(minutes=1))
    expired = await ana.submit(link)
    assert expired.status_code == 422 and "This link expired" in expired.text
    assert (await Membership.get(person_id=ana.person.id)).status == "pending"


async def test_an_organisation_without_a_website_is_claimed_through_the_team(map_lab: RunningLab) -> None:
    from labkit.models import Notification

    from labkit_mapping.models import Membership

    org_id = await _organisation(map_lab, website="")
    ana = await map_lab.login_as("member")
    page = await ana.get(f"/mapping/organisations/{org_id}/claim")
    assert "has no website of its own" in page.text and 'name="email"' not in page.text
    refused = await _claim(ana, org_id, email="ana@codigoaberto.org.br")
    assert refused.status_code == 422 and "This organisation has no website" in refused.text
    assert (await _claim(ana, org_id, note="Sou a coordenadora.")).status_code == 303

    staff = await map_lab.login_as("staff")
    queue = await staff.get("/mapping/moderation")
    assert "Sou a coordenadora." in queue.text
    row = await Membership.get(person_id=ana.person.id)
    outsider = await map_lab.login_as("member")
    await outsider.submit(f"/mapping/memberships/{row.id}/decide", {"decision": "approve"})
    assert (await Membership.get(id=row.id)).status == "pending", "a stranger does not decide"
    decided = await staff.submit(f"/mapping/memberships/{row.id}/decide", {"decision": "approve", "next": "/mapping/moderation"})
    assert decided.status_code == 303 and decided.headers["location"] == "/mapping/moderation"
    row = await Membership.get(id=row.id)
    assert (row.status, row.role, row.proof, row.confirmed_by_id) == ("confirmed", "admin", "staff", staff.person.id)
    told = await Notification.get(person_id=ana.person.id)
    assert "You are now a member of" in told.message


async def test_members_decide_who_joins_admins_remove_and_members_leave(map_lab: RunningLab) -> None:
    from labkit.models import Notification

    from labkit_mapping import membership
    from labkit_mapping.models import Membership

    org_id = await _organisation(map_lab)
    ana = await map_lab.login_as("member")
    bruno = await map_lab.login_as("member")
    carla = await map_lab.login_as("member")
    await _claim(ana, org_id)
    staff = await map_lab.login_as("staff")
    await staff.submit(f"/mapping/memberships/{(await Membership.get(person_id=ana.person.id)).id}/decide",
                       {"decision": "approve"})

    await _claim(bruno, org_id, note="Sou voluntário.")
    assert await Notification.filter(person_id=ana.person.id, message__contains="asks to join").exists()
    bruno_row = await Membership.get(person_id=bruno.person.id)
    page = await ana.get(f"/mapping/organisations/{org_id}")
    assert "Sou voluntário." in page.text and "Claims waiting" in page.text
    await ana.submit(f"/mapping/memberships/{bruno_row.id}/decide", {"decision": "approve"})
    bruno_row = await Membership.get(id=bruno_row.id)
    assert (bruno_row.status, bruno_row.role, bruno_row.proof) == ("confirmed", "member", "member")

    await _claim(carla, org_id)
    carla_row = await Membership.get(person_id=carla.person.id)
    await bruno.submit(f"/mapping/memberships/{carla_row.id}/decide", {"decision": "refuse", "reason": "Não conhecemos."})
    assert not await Membership.exists(id=carla_row.id)
    assert await Notification.filter(person_id=carla.person.id, message__contains="was not accepted").exists()

    ana_row = await Membership.get(person_id=ana.person.id)
    await bruno.submit(f"/mapping/memberships/{ana_row.id}/delete")
    assert await Membership.exists(id=ana_row.id), "a member does not remove an administrator"
    ties = await membership.members_of(org_id)
    assert [(t.person_name, t.role) for t in ties] == [(ana.person.name, "admin"), (bruno.person.name, "member")]
    assert [t.organisation_id for t in await membership.confirmed_organisations(bruno.person.id)] == [org_id]

    await ana.submit(f"/mapping/memberships/{bruno_row.id}/delete")
    assert not await Membership.exists(id=bruno_row.id)
    assert await Notification.filter(person_id=bruno.person.id, message__contains="no longer a member").exists()
    await ana.submit(f"/mapping/memberships/{ana_row.id}/delete")
    assert await membership.members_of(org_id) == []


async def test_members_edit_directly_and_the_public_history_names_them(map_lab: RunningLab) -> None:
    from labkit_mapping.models import Change, Membership

    org_id = await _organisation(map_lab)
    ana = await map_lab.login_as("member")
    assert (await ana.get(f"/mapping/organisations/{org_id}/edit")).status_code == 403
    await _claim(ana, org_id)
    staff = await map_lab.login_as("staff")
    await staff.submit(f"/mapping/memberships/{(await Membership.get(person_id=ana.person.id)).id}/decide",
                       {"decision": "approve"})

    invalid = await ana.submit(f"/mapping/organisations/{org_id}/edit", org(website=WEBSITE, founding_year="1200"))
    assert invalid.status_code == 422, "the team's validation applies"
    saved = await ana.submit(f"/mapping/organisations/{org_id}/edit",
                             org(website=WEBSITE, description="Ensinamos software livre desde 2015.", note="Texto novo."))
    assert saved.status_code == 303
    change = await Change.get(action="member_updated")
    assert change.actor_id == ana.person.id
    assert change.fields_changed["description"][1] == "Ensinamos software livre desde 2015."

    public = await map_lab.client().get(f"/mapping/organisations/{org_id}")
    history = public.text.split('id="history"')[1]
    assert ana.person.name in history and "edited by a member" in history and "Texto novo." in history
    assert "the lab's team" in history, "the team's entries do not name its people in public"

    token = await create_token(ana.person, "script")
    api = map_lab.client(token=token)
    patched = await api.patch(f"/api/v1/mapping/organisations/{org_id}", json={"contact_phone": "+55 11 5555-0000"})
    assert patched.status_code == 200 and patched.json()["contact_phone"] == "+55 11 5555-0000"
    archived = await api.patch(f"/api/v1/mapping/organisations/{org_id}", json={"status": "archived"})
    assert archived.status_code == 403 and archived.json()["type"].endswith("forbidden")
    other_org = await _organisation(map_lab, name="Outra Organização", website="https://outra.org.br")
    assert (await api.patch(f"/api/v1/mapping/organisations/{other_org}", json={"region": "sul"})).status_code == 403


async def test_the_api_claims_confirms_and_leaves(map_lab: RunningLab, caplog) -> None:
    org_id = await _organisation(map_lab)
    ana = await map_lab.person("member")
    api = map_lab.client(token=await create_token(ana, "script"))
    wrong = await api.post(f"/api/v1/mapping/organisations/{org_id}/claims", json={"email": "ana@yahoo.com"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "email"
    claimed = await api.post(f"/api/v1/mapping/organisations/{org_id}/claims", json={"email": "ana@codigoaberto.org.br"})
    assert claimed.status_code == 201 and claimed.json()["status"] == "pending"
    code = (await _mailed_link(map_lab, caplog)).rsplit("/", 1)[1]
    confirmed = await api.post(f"/api/v1/mapping/claims/{code}")
    assert confirmed.status_code == 200 and confirmed.json()["role"] == "admin"
    assert (await api.post(f"/api/v1/mapping/claims/{code}")).status_code == 404
    again = await api.post(f"/api/v1/mapping/organisations/{org_id}/claims", json={})
    assert again.status_code == 409
    left = await api.delete(f"/api/v1/mapping/memberships/{confirmed.json()['id']}")
    assert left.status_code == 200


async def test_deleting_an_account_removes_its_memberships_and_the_export_lists_them(map_lab: RunningLab) -> None:
    from labkit_mapping.models import Membership

    org_id = await _organisation(map_lab)
    ana = await map_lab.login_as("member")
    await _claim(ana, org_id, email="ana@codigoaberto.org.br", note="Coordeno.")
    exported = json.loads((await ana.get("/account/export")).text)
    [tie] = [item for part in exported.values() if isinstance(part, dict) for item in part.get("map_memberships", [])]
    assert {k: tie[k] for k in ("organisation", "status", "proof_email", "note")} == {
        "organisation": "Coletivo Código Aberto", "status": "pending", "proof_email": "ana@codigoaberto.org.br",
        "note": "Coordeno."}
    assert (await ana.submit("/account/delete", {"password": PASSWORD})).status_code == 303
    assert not await Membership.exists(organisation_id=org_id)


@pytest.mark.skipif(not os.environ.get("LABKIT_TEST_DATABASE_URL"), reason="needs PostgreSQL for real concurrency")
async def test_two_claims_approved_at_once_make_one_administrator(map_lab: RunningLab) -> None:
    from labkit_mapping.models import Membership

    org_id = await _organisation(map_lab, website="")
    people = [await map_lab.login_as("member") for _ in range(2)]
    for person in people:
        assert (await _claim(person, org_id)).status_code == 303
    deciders = [await map_lab.login_as("staff") for _ in range(2)]
    tokens = [await d.csrf_token() for d in deciders]
    rows = await Membership.filter(organisation_id=org_id).order_by("id")
    answers = await asyncio.gather(*(
        decider.post(f"/mapping/memberships/{row.id}/decide", data={"csrf_token": token, "decision": "approve"})
        for decider, token, row in zip(deciders, tokens, rows, strict=True)))
    assert [a.status_code for a in answers] == [303, 303]
    roles = sorted(m.role for m in await Membership.filter(organisation_id=org_id, status="confirmed"))
    assert roles == ["admin", "member"]


@pytest.mark.skipif(not os.environ.get("LABKIT_TEST_DATABASE_URL"), reason="needs PostgreSQL for real concurrency")
async def test_one_person_claiming_twice_at_once_makes_one_claim(map_lab: RunningLab) -> None:
    from labkit_mapping.models import Membership

    org_id = await _organisation(map_lab, website="")
    ana = await map_lab.person("member")
    api = map_lab.client(token=await create_token(ana, "script"))
    answers = await asyncio.gather(*(api.post(f"/api/v1/mapping/organisations/{org_id}/claims", json={})
                                     for _ in range(4)))
    assert all(a.status_code in (201, 409) for a in answers), [a.status_code for a in answers]
    assert await Membership.filter(person_id=ana.id).count() == 1
