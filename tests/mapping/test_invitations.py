"""An organisation's administrators invite colleagues by e-mail (a link that works once, before it
expires, for whoever opens it signed in; used, withdrawn and expired links all say "no longer
valid"; members who are not administrators may not invite nor see the invitations), list and
withdraw the invitations on the page and the API, and make members administrators or back, the
last administrator staying while others remain; expired invitations are purged by the app's
housekeeping 30 days later; on PostgreSQL, two administrators demoting each other at once."""

from __future__ import annotations

import asyncio
import logging
import os
import re
from datetime import UTC, datetime, timedelta

import pytest

from labkit.auth import create_token
from labkit.testing import LabClient, RunningLab

from tests.mapping.conftest import org

NO_LONGER_VALID = "This invitation is no longer valid"


@pytest.fixture(autouse=True)
def _mail_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="labkit.mail")


async def _mailed_invitation(lab: RunningLab, caplog: pytest.LogCaptureFixture) -> str:
    """The one invitation link mailed since the last call."""
    await lab.deliver_mail()
    links = re.findall(r"http://lab\.test(/mapping/invitations/\S+)", caplog.text)
    caplog.clear()
    assert len(links) == 1, caplog.text
    return links[0]


async def _organisation_with_admin(lab: RunningLab) -> tuple[int, LabClient]:
    """A published organisation whose first member (so its administrator) is a fresh member."""
    from labkit_mapping.models import Membership

    staff = await lab.login_as("staff")
    created = await staff.submit("/mapping/propose", org(website=""))
    org_id = int(created.headers["location"].rsplit("/", 1)[1])
    admin = await lab.login_as("member")
    await admin.submit(f"/mapping/organisations/{org_id}/claim", {})
    row = await Membership.get(person_id=admin.person.id)
    await staff.submit(f"/mapping/memberships/{row.id}/decide", {"decision": "approve"})
    assert (await Membership.get(id=row.id)).role == "admin"
    return org_id, admin


async def _invite(client: LabClient, org_id: int, email: str):
    return await client.submit(f"/mapping/organisations/{org_id}/invitations", {"email": email})


async def test_an_invitation_makes_a_member_once(map_lab: RunningLab, caplog) -> None:
    from labkit_mapping import membership
    from labkit_mapping.models import Invitation, Membership

    org_id, admin = await _organisation_with_admin(map_lab)
    page = await admin.get(f"/mapping/organisations/{org_id}")
    assert "Invite a colleague" in page.text
    assert (await _invite(admin, org_id, "not an address")).status_code == 303
    assert not await Invitation.exists(), "a bad address is refused"
    sent = await _invite(admin, org_id, "bia@example.org")
    assert sent.status_code == 303
    link = await _mailed_invitation(map_lab, caplog)
    stored = await Invitation.get(organisation_id=org_id)
    code = link.rsplit("/", 1)[1]
    assert stored.email == "bia@example.org" and stored.code_hash == membership.digest(code) != code
    assert "bia@example.org" in (await admin.get(f"/mapping/organisations/{org_id}")).text

    assert (await map_lab.client().get(link)).headers["location"].startswith("/account/login")
    bia = await map_lab.login_as("member")
    assert (await bia.get(link)).status_code == 200, "opening the link changes nothing"
    assert not await Membership.exists(person_id=bia.person.id)
    joined = await bia.submit(link)
    assert joined.status_code == 303 and joined.headers["location"] == f"/mapping/organisations/{org_id}"
    row = await Membership.get(person_id=bia.person.id)
    assert (row.status, row.role, row.proof, row.confirmed_by_id) == ("confirmed", "member", "member", admin.person.id)
    assert not await Invitation.exists(), "the invitation is used up"
    assert "Make an administrator" in (await admin.get(f"/mapping/organisations/{org_id}")).text
    assert "Make an administrator" not in (await bia.get(f"/mapping/organisations/{org_id}")).text

    carlos = await map_lab.login_as("member")
    again = await carlos.submit(link)
    assert again.status_code == 404 and NO_LONGER_VALID in again.text
    shown = await carlos.get(link)
    assert NO_LONGER_VALID in shown.text and "Accept the invitation" not in shown.text
    assert not await Membership.exists(person_id=carlos.person.id)


async def test_expired_and_withdrawn_invitations_are_refused(map_lab: RunningLab, caplog) -> None:
    from labkit_mapping.models import Invitation, Membership

    org_id, admin = await _organisation_with_admin(map_lab)
    await _invite(admin, org_id, "bia@example.org")
    link = await _mailed_invitation(map_lab, caplog)
    await Invitation.all().update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    bia = await map_lab.login_as("member")
    shown = await bia.get(link)
    assert shown.status_code == 200 and NO_LONGER_VALID in shown.text and "Accept the invitation" not in shown.text
    expired = await bia.submit(link)
    assert expired.status_code == 404 and NO_LONGER_VALID in expired.text
    assert "expired" in (await admin.get(f"/mapping/organisations/{org_id}")).text, "still listed, marked expired"

    await _invite(admin, org_id, "bia@example.org")
    link = await _mailed_invitation(map_lab, caplog)
    fresh = await Invitation.filter(expires_at__gt=datetime.now(UTC)).get()
    outsider = await map_lab.login_as("member")
    assert (await outsider.submit(f"/mapping/invitations/{fresh.id}/delete")).status_code == 403
    assert await Invitation.exists(id=fresh.id)
    assert (await admin.submit(f"/mapping/invitations/{fresh.id}/delete")).status_code == 303
    assert NO_LONGER_VALID in (await bia.get(link)).text
    withdrawn = await bia.submit(link)
    assert withdrawn.status_code == 404 and NO_LONGER_VALID in withdrawn.text
    assert not await Membership.exists(person_id=bia.person.id)


async def test_only_administrators_invite_and_invitations_are_rate_limited(map_lab: RunningLab, caplog) -> None:
    from labkit_mapping.models import Invitation

    org_id, admin = await _organisation_with_admin(map_lab)
    bia = await map_lab.person("member")
    member_api = map_lab.client(token=await create_token(bia, "script"))
    await _invite(admin, org_id, "bia@example.org")
    code = (await _mailed_invitation(map_lab, caplog)).rsplit("/", 1)[1]
    joined = await member_api.post(f"/api/v1/mapping/invitations/{code}")
    assert joined.status_code == 200 and (joined.json()["role"], joined.json()["proof"]) == ("member", "member")
    refused = await member_api.post(f"/api/v1/mapping/organisations/{org_id}/invitations",
                                    json={"email": "carlos@example.org"})
    assert refused.status_code == 403 and refused.json()["status"] == 403
    assert await Invitation.all().count() == 0

    admin_api = map_lab.client(token=await create_token(admin.person, "script"))
    answers = [await admin_api.post(f"/api/v1/mapping/organisations/{org_id}/invitations",
                                    json={"email": "carlos@example.org"}) for _ in range(4)]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert "code" not in answers[0].json() and answers[0].json()["email"] == "carlos@example.org"
    withdrawn = await admin_api.delete(f"/api/v1/mapping/invitations/{answers[0].json()['id']}")
    assert withdrawn.status_code == 200 and await Invitation.all().count() == 2


async def test_administrators_and_the_team_list_invitations_others_do_not(map_lab: RunningLab, caplog) -> None:
    from labkit_mapping.models import Invitation

    org_id, admin = await _organisation_with_admin(map_lab)
    await _invite(admin, org_id, "bia@example.org")
    await _invite(admin, org_id, "carlos@example.org")
    await Invitation.filter(email="carlos@example.org").update(expires_at=datetime.now(UTC) - timedelta(days=1))
    path = f"/api/v1/mapping/organisations/{org_id}/invitations"

    admin_api = map_lab.client(token=await create_token(admin.person, "script"))
    listed = await admin_api.get(path)
    assert listed.status_code == 200
    assert [(i["email"], i["expired"]) for i in listed.json()["items"]] == [
        ("bia@example.org", False), ("carlos@example.org", True)]
    assert all("code" not in key for item in listed.json()["items"] for key in item)
    staff_api = map_lab.client(token=await create_token(await map_lab.person("staff"), "script"))
    assert [i["email"] for i in (await staff_api.get(path)).json()["items"]] == ["bia@example.org", "carlos@example.org"]

    member = await map_lab.person("member")
    refused = await map_lab.client(token=await create_token(member, "script")).get(path)
    assert refused.status_code == 403 and refused.json()["status"] == 403 and "bia@" not in refused.text
    assert (await map_lab.client().get(path)).status_code == 401
    member_page = await (await map_lab.login_as("member", member)).get(f"/mapping/organisations/{org_id}")
    assert "bia@example.org" not in member_page.text and "Withdraw" not in member_page.text

    first = listed.json()["items"][0]["id"]
    assert (await admin_api.delete(f"/api/v1/mapping/invitations/{first}")).status_code == 200
    assert [i["email"] for i in (await admin_api.get(path)).json()["items"]] == ["carlos@example.org"]


async def test_housekeeping_purges_invitations_expired_30_days_ago(map_lab: RunningLab) -> None:
    from labkit.app import housekeeping

    from labkit_mapping.models import Invitation

    org_id, admin = await _organisation_with_admin(map_lab)
    for email in ("old@example.org", "recent@example.org", "fresh@example.org"):
        await _invite(admin, org_id, email)
    now = datetime.now(UTC)
    await Invitation.filter(email="old@example.org").update(expires_at=now - timedelta(days=31))
    await Invitation.filter(email="recent@example.org").update(expires_at=now - timedelta(days=29))
    await housekeeping(map_lab.app)
    assert sorted(await Invitation.all().values_list("email", flat=True)) == ["fresh@example.org",
                                                                              "recent@example.org"]


async def test_promotion_demotion_and_the_last_administrator(map_lab: RunningLab) -> None:
    from labkit.models import Notification

    from labkit_mapping.models import Membership

    org_id, ana = await _organisation_with_admin(map_lab)
    bruno = await map_lab.login_as("member")
    await bruno.submit(f"/mapping/organisations/{org_id}/claim", {})
    bruno_row = await Membership.get(person_id=bruno.person.id)
    await ana.submit(f"/mapping/memberships/{bruno_row.id}/decide", {"decision": "approve"})
    ana_row = await Membership.get(person_id=ana.person.id)

    assert (await bruno.submit(f"/mapping/memberships/{ana_row.id}/role", {"role": "member"})).status_code == 403
    assert (await Membership.get(id=ana_row.id)).role == "admin", "a member changes no role"
    api = map_lab.client(token=await create_token(ana.person, "script"))
    last = await api.put(f"/api/v1/mapping/memberships/{ana_row.id}/role", json={"role": "member"})
    assert last.status_code == 409 and "last administrator" in last.json()["detail"]
    left = await api.delete(f"/api/v1/mapping/memberships/{ana_row.id}")
    assert left.status_code == 409 and await Membership.exists(id=ana_row.id)
    page = await ana.submit(f"/mapping/memberships/{ana_row.id}/delete")
    assert "last administrator" in (await ana.get(page.headers["location"])).text

    promoted = await api.put(f"/api/v1/mapping/memberships/{bruno_row.id}/role", json={"role": "admin"})
    assert promoted.status_code == 200 and promoted.json()["role"] == "admin"
    assert await Notification.filter(person_id=bruno.person.id, message__contains="now an administrator").exists()
    assert (await api.put(f"/api/v1/mapping/memberships/{ana_row.id}/role", json={"role": "member"})).status_code == 200
    bruno_api = map_lab.client(token=await create_token(bruno.person, "script"))
    assert (await bruno_api.delete(f"/api/v1/mapping/memberships/{bruno_row.id}")).status_code == 409
    assert (await bruno_api.delete(f"/api/v1/mapping/memberships/{ana_row.id}")).status_code == 200
    assert (await bruno_api.delete(f"/api/v1/mapping/memberships/{bruno_row.id}")).status_code == 200, \
        "the last member may leave"
    assert not await Membership.exists(organisation_id=org_id)


@pytest.mark.skipif(not os.environ.get("LABKIT_TEST_DATABASE_URL"), reason="needs PostgreSQL for real concurrency")
async def test_two_administrators_demoting_themselves_at_once_leave_one(map_lab: RunningLab) -> None:
    from labkit_mapping.models import Membership

    org_id, ana = await _organisation_with_admin(map_lab)
    bruno = await map_lab.login_as("member")
    await bruno.submit(f"/mapping/organisations/{org_id}/claim", {})
    bruno_row = await Membership.get(person_id=bruno.person.id)
    await ana.submit(f"/mapping/memberships/{bruno_row.id}/decide", {"decision": "approve"})
    await Membership.filter(id=bruno_row.id).update(role="admin")
    rows = await Membership.filter(organisation_id=org_id).order_by("id")
    apis = [map_lab.client(token=await create_token(client.person, "script")) for client in (ana, bruno)]
    answers = await asyncio.gather(*(api.put(f"/api/v1/mapping/memberships/{row.id}/role", json={"role": "member"})
                                     for api, row in zip(apis, rows, strict=True)))
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert await Membership.filter(organisation_id=org_id, role="admin").count() == 1
