"""Consultations: staff create them with phases that follow each other in the lab's time zone;
the phase decides what people can do; voting rules freeze once the support phase starts."""

from __future__ import annotations

from datetime import UTC, datetime

from labkit.testing import RunningLab

from .conftest import proposal_of

FORM = {
    "title": "Merenda escolar", "summary": "School meals", "description": "**Read** this first.",
    "topic": "Education", "categories": "Menu, Access, Menu",
    "information_starts_at": "2030-03-01T09:00", "proposals_starts_at": "2030-03-10T09:00",
    "support_starts_at": "2030-04-01T00:00", "results_starts_at": "2030-05-01T00:00",
    "support_limit": "3", "published": "on",
}


async def test_staff_create_a_consultation_with_local_times(plab: RunningLab) -> None:
    from labkit_participation.models import Process

    staff = await plab.login_as("staff")
    response = await staff.submit("/participation/processes/new", FORM)
    assert response.status_code == 303, response.text
    process = await Process.get(title="Merenda escolar")
    assert response.headers["location"] == f"/participation/processes/{process.id}"
    # 09:00 in São Paulo (UTC-3) is 12:00 UTC.
    assert process.information_starts_at == datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
    assert process.categories == ["Menu", "Access"]
    assert process.support_limit == 3
    page = await plab.client().get(f"/participation/processes/{process.id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Not started yet" in page.text and "<strong>Read</strong>" in page.text
    assert "Each person may support up to 3 proposals." in page.text


async def test_phases_out_of_order_are_refused_and_nothing_is_saved(plab: RunningLab) -> None:
    from labkit_participation.models import Process

    staff = await plab.login_as("staff")
    bad = {**FORM, "support_starts_at": "2030-03-05T00:00"}
    response = await staff.submit("/participation/processes/new", bad, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "The support phase must start after the proposals phase." in response.text
    assert 'value="Merenda escolar"' in response.text  # what was typed is kept
    skipped = {**FORM, "information_starts_at": "2030-03-01T09:00", "proposals_starts_at": "2030-03-10T09:00"}
    assert (await staff.submit("/participation/processes/new", {**skipped, "title": ""})).status_code == 422
    assert await Process.all().count() == 0


async def test_members_cannot_create_consultations_and_drafts_stay_hidden(plab: RunningLab, make_process) -> None:
    member = await plab.login_as("member")
    assert (await member.submit("/participation/processes/new", FORM)).status_code == 403
    draft = await make_process("proposals", title="Secret draft", published=False)
    assert (await plab.client().get(f"/participation/processes/{draft.id}")).status_code == 404
    assert "Secret draft" not in (await plab.client().get("/participation/")).text
    assert "Secret draft" not in (await plab.client().get("/api/v1/participation/processes")).text
    staff = await plab.login_as("staff")
    assert (await staff.get(f"/participation/processes/{draft.id}")).status_code == 200


async def test_voting_rules_are_locked_once_support_has_started(plab: RunningLab, make_process) -> None:
    process = await make_process("support", support_limit=3)
    staff = await plab.login_as("staff")
    form = (await staff.get(f"/participation/processes/{process.id}/edit")).text
    assert "Voting has started" in form
    values = {name: value for name, value in
              __import__("re").findall(r'name="([a-z_]+)" type="[a-z-]+"\s+value="([^"]*)"', form)}
    values.update(title="Renamed", published="on")
    changed = await staff.submit(f"/participation/processes/{process.id}/edit", {**values, "support_limit": "5"},
                                 headers={"Accept-Language": "en"})
    assert changed.status_code == 422
    assert "The support limit cannot change once the support phase has started." in changed.text
    await process.refresh_from_db()
    assert process.support_limit == 3 and process.title != "Renamed"
    kept = await staff.submit(f"/participation/processes/{process.id}/edit", {**values, "support_limit": "3"})
    assert kept.status_code == 303
    await process.refresh_from_db()
    assert process.title == "Renamed"


async def test_what_people_can_do_follows_the_phase(plab: RunningLab, make_process) -> None:
    member = await plab.login_as("member")
    info = await make_process("information")
    refused = await member.get(f"/participation/processes/{info.id}/proposals/new", headers={"Accept-Language": "en"})
    assert refused.status_code == 303
    page = await member.get(refused.headers["location"], headers={"Accept-Language": "en"})
    assert "Proposals can only be sent during the proposals phase (now: Information)." in page.text
    supporting = await make_process("support")
    proposal = await proposal_of(supporting, member.person)
    edit = await member.get(f"/participation/proposals/{proposal.id}/edit")
    assert edit.status_code == 303  # editing closes when the support phase starts
    api = await member.post(f"/api/v1/participation/processes/{supporting.id}/proposals",
                            json={"title": "Too late now", "body": "This arrives during the support phase."},
                            headers={"X-CSRF-Token": await member.csrf_token(), "Accept-Language": "en"})
    assert api.status_code == 409
    assert api.json()["type"].endswith("wrong-phase")
    assert "(now: Support)" in api.json()["detail"]
