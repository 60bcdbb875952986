"""Collaborative mapping: visitors propose organisations and corrections, the team approves or
rejects them with a reason, and every change is kept in the organisation's history."""

from __future__ import annotations

import asyncio
import os

import pytest

from labkit.testing import RunningLab

from .conftest import org


async def _proposal_id(name: str) -> int:
    from labkit_mapping.models import Proposal

    proposal = await Proposal.filter(organisation__name=name).order_by("-id").first()
    assert proposal is not None
    return proposal.id


async def test_a_visitor_proposes_and_the_team_approves_it_into_the_directory(map_lab: RunningLab) -> None:
    visitor = map_lab.client()
    sent = await visitor.submit("/mapping/propose", org(proposer_email="ana@example.org", note="Conheci na feira."))
    assert sent.status_code == 303
    assert "Coletivo Código Aberto" not in (await visitor.get("/mapping/")).text
    assert (await visitor.get("/api/v1/mapping/organisations")).json()["total"] == 0

    staff = await map_lab.login_as("staff")
    queue = await staff.get("/mapping/moderation")
    assert "Coletivo Código Aberto" in queue.text
    proposal_id = await _proposal_id("Coletivo Código Aberto")
    review = await staff.get(f"/mapping/moderation/{proposal_id}")
    assert "ana@example.org" in review.text and "Conheci na feira." in review.text
    decided = await staff.submit(f"/mapping/moderation/{proposal_id}", {"decision": "approve"})
    assert decided.status_code == 303

    directory = await visitor.get("/mapping/")
    assert "Coletivo Código Aberto" in directory.text
    listed = (await visitor.get("/api/v1/mapping/organisations")).json()
    assert listed["total"] == 1 and listed["items"][0]["source"] == "form"
    page = await visitor.get(listed["items"][0]["url"].removeprefix("http://lab.test"))
    assert "<strong>software livre</strong>" in page.text
    assert "ana@example.org" not in page.text, "the proposer's contact is private"

    history = (await staff.get(f"/mapping/organisations/{listed['items'][0]['id']}")).text
    assert "proposed" in history and "approved" in history and staff.person.name in history


async def test_a_member_is_told_of_the_rejection_and_its_reason(map_lab: RunningLab) -> None:
    from labkit.models import Notification
    from labkit.notifications import shown

    from labkit_mapping.models import Change, Organisation

    member = await map_lab.login_as("member")
    assert (await member.submit("/mapping/propose", org())).status_code == 303
    staff = await map_lab.login_as("staff")
    proposal_id = await _proposal_id("Coletivo Código Aberto")

    no_reason = await staff.submit(f"/mapping/moderation/{proposal_id}", {"decision": "reject"})
    assert no_reason.status_code == 422
    assert "Give the reason for the rejection" in no_reason.text
    assert (await Organisation.get(name="Coletivo Código Aberto")).status == "proposed"

    rejected = await staff.submit(f"/mapping/moderation/{proposal_id}",
                                  {"decision": "reject", "reason": "Não trabalha com tecnologia aberta."})
    assert rejected.status_code == 303
    organisation = await Organisation.get(name="Coletivo Código Aberto")
    assert organisation.status == "rejected"
    assert (await map_lab.client().get(f"/mapping/organisations/{organisation.id}")).status_code == 404
    note = await Notification.get(person_id=member.person.id)
    assert "Não trabalha com tecnologia aberta." in shown(note, "en")
    change = await Change.filter(organisation=organisation, action="rejected").first()
    assert change is not None and change.note == "Não trabalha com tecnologia aberta."

    again = await staff.submit(f"/mapping/moderation/{proposal_id}", {"decision": "approve"}, follow_redirects=True)
    assert "This proposal was already decided." in again.text
    assert (await Organisation.get(id=organisation.id)).status == "rejected"


async def test_a_correction_waits_for_the_team_and_its_fields_go_into_the_history(map_lab: RunningLab) -> None:
    from labkit_mapping.models import Change

    staff = await map_lab.login_as("staff")
    created = await staff.submit("/mapping/propose", org())
    assert created.status_code == 303
    url = created.headers["location"]
    visitor = map_lab.client()
    form = org(website="https://codigoaberto.example.net", founding_year="2014", note="O site mudou.")
    sent = await visitor.submit(url + "/correct", form)
    assert sent.status_code == 303
    assert "codigoaberto.example.org" in (await visitor.get(url)).text, "nothing changes before the review"

    organisation_page = await staff.get(url)
    assert "A proposal about this organisation waits for review." in organisation_page.text
    proposal_id = await _proposal_id("Coletivo Código Aberto")
    review = await staff.get(f"/mapping/moderation/{proposal_id}")
    assert "https://codigoaberto.example.net" in review.text and "founding_year" in review.text
    assert (await staff.submit(f"/mapping/moderation/{proposal_id}", {"decision": "approve"})).status_code == 303

    page = await visitor.get(url)
    assert "https://codigoaberto.example.net" in page.text and "2014" in page.text
    applied = await Change.get(action="correction_applied")
    assert applied.fields_changed == {"website": ["https://codigoaberto.example.org", "https://codigoaberto.example.net"],
                                      "founding_year": [2015, 2014]}
    assert applied.actor_id == staff.person.id


async def test_a_correction_that_changes_nothing_is_refused(map_lab: RunningLab) -> None:
    from labkit_mapping.models import Proposal

    staff = await map_lab.login_as("staff")
    url = (await staff.submit("/mapping/propose", org())).headers["location"]
    same = await map_lab.client().submit(url + "/correct", org())
    assert same.status_code == 422
    assert "You did not change anything" in same.text
    assert await Proposal.all().count() == 0


async def test_only_the_team_moderates_and_edits(map_lab: RunningLab) -> None:
    from labkit_mapping.models import Organisation

    await map_lab.client().submit("/mapping/propose", org())
    proposal_id = await _proposal_id("Coletivo Código Aberto")
    organisation = await Organisation.get(name="Coletivo Código Aberto")
    member = await map_lab.login_as("member")
    assert (await member.get("/mapping/moderation")).status_code == 403
    assert (await member.submit(f"/mapping/moderation/{proposal_id}", {"decision": "approve"})).status_code == 403
    assert (await member.get(f"/mapping/organisations/{organisation.id}")).status_code == 404
    assert (await member.submit(f"/mapping/organisations/{organisation.id}/edit", org(name="Outro"))).status_code == 403
    anonymous = await map_lab.client().submit("/mapping/import", {})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/account/login")
    assert (await Organisation.get(id=organisation.id)).status == "proposed"


async def test_the_team_edits_archives_and_republishes_with_history(map_lab: RunningLab) -> None:
    from labkit_mapping.models import Change

    staff = await map_lab.login_as("staff")
    url = (await staff.submit("/mapping/propose", org())).headers["location"]
    edited = await staff.submit(url + "/edit", org(name="Coletivo Código Aberto SP", note="Nome oficial."))
    assert edited.status_code == 303
    archived = await staff.submit(url + "/status", {"status": "archived"})
    assert archived.status_code == 303
    assert (await map_lab.client().get(url)).status_code == 404
    assert "Coletivo Código Aberto SP" not in (await map_lab.client().get("/mapping/")).text
    await staff.submit(url + "/status", {"status": "published"})
    assert (await map_lab.client().get(url)).status_code == 200
    actions = [c.action for c in await Change.all().order_by("id")]
    assert actions == ["created", "updated", "status", "status"]
    renamed = await Change.get(action="updated")
    assert renamed.fields_changed == {"name": ["Coletivo Código Aberto", "Coletivo Código Aberto SP"]}
    assert renamed.note == "Nome oficial."


async def test_the_teams_hand_written_writes_wait_for_the_current_terms(map_lab: RunningLab) -> None:
    from labkit import consent

    from labkit_mapping.models import Organisation

    await map_lab.client().submit("/mapping/propose", org())
    proposal_id = await _proposal_id("Coletivo Código Aberto")
    organisation = await Organisation.get(name="Coletivo Código Aberto")
    staff = await map_lab.login_as("staff")
    await consent.publish("terms", {"en": "Terms v2"}, None)
    review = f"/mapping/moderation/{proposal_id}"
    assert (await staff.get(review)).status_code == 200, "reading stays open"
    decided = await staff.submit(review, {"decision": "approve"}, headers={"Referer": map_lab.url + review})
    assert decided.status_code == 303 and decided.headers["location"] == f"/account/consent?next={review}"
    archived = await staff.submit(f"/mapping/organisations/{organisation.id}/status", {"status": "archived"})
    assert archived.headers["location"].startswith("/account/consent")
    assert (await Organisation.get(id=organisation.id)).status == "proposed"

    await staff.submit(f"/account/consent?next={review}", {"version_terms": "1"})
    assert (await staff.submit(review, {"decision": "approve"})).status_code == 303
    assert (await Organisation.get(id=organisation.id)).status == "published"


@pytest.mark.skipif(not os.environ.get("LABKIT_TEST_DATABASE_URL"), reason="needs PostgreSQL for real concurrency")
async def test_two_moderators_deciding_at_once_decide_once(map_lab: RunningLab) -> None:
    from labkit_mapping.models import Change, Proposal

    await map_lab.client().submit("/mapping/propose", org())
    proposal_id = await _proposal_id("Coletivo Código Aberto")
    first, second = await map_lab.login_as("staff"), await map_lab.login_as("staff")
    tokens = [await first.csrf_token(), await second.csrf_token()]
    await asyncio.gather(
        first.post(f"/mapping/moderation/{proposal_id}", data={"csrf_token": tokens[0], "decision": "approve"}),
        second.post(f"/mapping/moderation/{proposal_id}",
                    data={"csrf_token": tokens[1], "decision": "reject", "reason": "Duplicado."}))
    proposal = await Proposal.get(id=proposal_id)
    assert proposal.status in ("approved", "rejected")
    assert await Change.filter(action__in=["approved", "rejected"]).count() == 1
