"""Support votes: one per person and proposal, within the consultation's limit, only during the
support phase; enforced by the database under concurrent requests (PostgreSQL)."""

from __future__ import annotations

import asyncio
import os

import pytest

from labkit.auth import create_token
from labkit.testing import RunningLab

from .conftest import proposal_of

EN = {"Accept-Language": "en"}
needs_postgres = pytest.mark.skipif(not os.environ.get("LABKIT_TEST_DATABASE_URL"),
                                    reason="concurrency needs PostgreSQL (LABKIT_TEST_DATABASE_URL)")


async def test_support_from_the_page_shows_the_count_and_twice_is_refused(plab: RunningLab, make_process) -> None:
    from labkit_participation.models import Support

    process = await make_process("support")
    author = await plab.person("member")
    proposal = await proposal_of(process, author)
    member = await plab.login_as("member")
    url = f"/participation/proposals/{proposal.id}"
    assert (await member.submit(url + "/support")).status_code == 303
    page = await member.get(url, headers=EN)
    assert "Thank you for your support!" in page.text and "1 support<" in page.text
    assert "Withdraw my support" in page.text
    # A second support (an old tab, a double click) is refused with a clear message.
    again = await member.post(url + "/support", data={"csrf_token": await member.csrf_token()})
    assert again.status_code == 303
    assert "You already support this proposal." in (await member.get(url, headers=EN)).text
    assert await Support.filter(proposal_id=proposal.id).count() == 1
    # The author's own listing shows the count too.
    listing = await plab.client().get(f"/participation/processes/{process.id}", headers=EN)
    assert "1 support<" in listing.text
    # Withdrawing gives the support back.
    assert (await member.submit(url + "/support", {"action": "withdraw"})).status_code == 303
    assert await Support.filter(proposal_id=proposal.id).count() == 0


async def test_support_outside_the_support_phase_is_refused(plab: RunningLab, make_process) -> None:
    from labkit_participation.models import Support

    member = await plab.login_as("member")
    token = await create_token(member.person, "t")
    api = plab.client(token=token)
    for phase in ("information", "proposals", "results"):
        process = await make_process(phase)
        proposal = await proposal_of(process, member.person)
        response = await api.post(f"/api/v1/participation/proposals/{proposal.id}/support", headers=EN)
        assert response.status_code == 409, phase
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"].startswith("Proposals can only be supported during the support phase")
    assert await Support.all().count() == 0


async def test_the_support_limit_is_held_and_a_withdrawal_frees_a_support(plab: RunningLab, make_process) -> None:
    process = await make_process("support", support_limit=2)
    author = await plab.person("member")
    proposals = [await proposal_of(process, author, title=f"Proposal number {i}") for i in range(3)]
    member = await plab.person("member")
    api = plab.client(token=await create_token(member, "t"))
    first = await api.post(f"/api/v1/participation/proposals/{proposals[0].id}/support")
    assert first.status_code == 201 and first.json() == {"proposal_id": proposals[0].id, "supports": 1,
                                                         "supported": True, "supports_left": 1}
    assert (await api.post(f"/api/v1/participation/proposals/{proposals[1].id}/support")).status_code == 201
    third = await api.post(f"/api/v1/participation/proposals/{proposals[2].id}/support", headers=EN)
    assert third.status_code == 409
    assert third.json()["detail"] == ("You have used all your 2 supports in this consultation. "
                                      "Withdraw one to support another proposal.")
    assert third.json()["type"].endswith("support-limit")
    assert (await api.delete(f"/api/v1/participation/proposals/{proposals[0].id}/support")).status_code == 200
    assert (await api.post(f"/api/v1/participation/proposals/{proposals[2].id}/support")).status_code == 201


async def test_anonymous_visitors_cannot_support(plab: RunningLab, make_process) -> None:
    process = await make_process("support")
    proposal = await proposal_of(process, await plab.person("member"))
    response = await plab.client().submit(f"/participation/proposals/{proposal.id}/support")
    assert response.status_code == 303 and response.headers["location"].startswith("/account/login")


async def test_supporting_a_hidden_proposal_is_refused(plab: RunningLab, make_process) -> None:
    from labkit.timezones import now

    process = await make_process("support")
    proposal = await proposal_of(process, await plab.person("member"), hidden_at=now(), hidden_reason="Spam")
    api = plab.client(token=await create_token(await plab.person("member"), "t"))
    response = await api.post(f"/api/v1/participation/proposals/{proposal.id}/support", headers=EN)
    assert response.status_code == 409
    assert "hidden by moderation" in response.json()["detail"]


@needs_postgres
async def test_twenty_simultaneous_supports_by_one_person_leave_exactly_one(plab: RunningLab, make_process) -> None:
    from labkit_participation.models import Support

    for limit in (None, 5):  # with and without the per-process limit (two code paths)
        process = await make_process("support", support_limit=limit)
        proposal = await proposal_of(process, await plab.person("member"))
        token = await create_token(await plab.person("member"), "t")
        clients = [plab.client(token=token) for _ in range(20)]
        responses = await asyncio.gather(*(c.post(f"/api/v1/participation/proposals/{proposal.id}/support",
                                                  headers=EN) for c in clients))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201] + [409] * 19, statuses
        refused = [r.json() for r in responses if r.status_code == 409]
        assert all(body["detail"] == "You already support this proposal." for body in refused)
        assert await Support.filter(proposal_id=proposal.id).count() == 1


@needs_postgres
async def test_simultaneous_supports_by_twenty_people_all_count(plab: RunningLab, make_process) -> None:
    from labkit_participation.models import Support

    process = await make_process("support", support_limit=1)
    proposal = await proposal_of(process, await plab.person("member"))
    tokens = [await create_token(await plab.person("member"), "t") for _ in range(20)]
    responses = await asyncio.gather(*(plab.client(token=t).post(
        f"/api/v1/participation/proposals/{proposal.id}/support") for t in tokens))
    assert [r.status_code for r in responses] == [201] * 20
    assert await Support.filter(proposal_id=proposal.id).count() == 20
    page = await plab.client().get(f"/participation/proposals/{proposal.id}", headers=EN)
    assert "20 supports" in page.text


@needs_postgres
async def test_the_limit_holds_under_simultaneous_supports_of_different_proposals(plab: RunningLab, make_process) -> None:
    from labkit_participation.models import Support

    process = await make_process("support", support_limit=3)
    author = await plab.person("member")
    proposals = [await proposal_of(process, author, title=f"Proposal number {i}") for i in range(12)]
    voter = await plab.person("member")
    token = await create_token(voter, "t")
    responses = await asyncio.gather(*(plab.client(token=token).post(
        f"/api/v1/participation/proposals/{p.id}/support", headers=EN) for p in proposals))
    assert sorted(r.status_code for r in responses) == [201] * 3 + [409] * 9
    assert all(r.json()["type"].endswith("support-limit") for r in responses if r.status_code == 409)
    assert await Support.filter(process_id=process.id, person_id=voter.id).count() == 3
