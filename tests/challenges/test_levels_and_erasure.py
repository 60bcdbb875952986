"""A challenge's community vote can require a verification (set by staff, checked by the vote);
deleting an account hands its teams to the next member or closes them."""

from __future__ import annotations

from labkit.testing import PASSWORD, RunningLab

from .conftest import make_challenge, make_submission, make_team, set_phase


async def test_staff_require_a_census_match_and_the_vote_is_refused_until_the_person_has_it(clab: RunningLab) -> None:
    from labkit_challenges.models import Challenge, Vote

    staff = await clab.login_as("staff")
    assert 'name="required_verification"' in (await staff.get("/challenges/new")).text
    created = await staff.submit("/challenges/new", {
        "kind": "challenge", "title": "Travessias seguras", "summary": "Travessias seguras perto das escolas.",
        "problem": "Como priorizar travessias perto das escolas?", "owner": "Secretaria de Mobilidade",
        "licences": ["MIT"], "default_licence": "MIT", "opens_at": "2026-06-01T09:00",
        "closes_at": "2026-06-15T18:00", "evaluation_starts_at": "2026-06-20T09:00", "max_team_size": "4",
        "scale_max": "10", "community_vote": "1", "required_verification": "census", "is_published": "1"})
    assert created.status_code == 303, created.text[:500]
    challenge = await Challenge.get(title="Travessias seguras")
    assert challenge.required_verification == "census"
    assert 'value="census" selected' in (await staff.get(f"/challenges/{challenge.id}/edit")).text
    await set_phase(challenge, "closed")
    submission = await make_submission(challenge, await make_team(challenge, await clab.person()))
    await staff.post("/admin/census", data={"csrf_token": await staff.csrf_token()},
                     files={"file": ("census.csv", b"identifier\n529.982.247-25\n", "text/csv")})

    voter = await clab.login_as("member")
    vote_url = f"/api/v1/challenges/{challenge.id}/submissions/{submission.id}/vote"
    headers = {"X-CSRF-Token": await voter.csrf_token()}
    refused = await voter.post(vote_url, headers=headers)
    assert refused.status_code == 403 and refused.json()["type"] == "urn:labkit:problem:unverified"
    assert "found in the census list" in refused.json()["detail"]
    page = (await voter.get(f"/challenges/{challenge.id}/submissions/{submission.id}")).text
    assert "Voting in this challenge needs a verified account: found in the census list." in page
    assert 'href="/account/verification"' in page
    in_spanish = await voter.get(f"/challenges/{challenge.id}", headers={"Accept-Language": "es"})
    assert "Votar en este desafío necesita una cuenta verificada" in in_spanish.text
    assert not await Vote.exists(challenge=challenge)

    await voter.submit("/account/verification/census", {"identifier": "52998224725"})
    assert (await voter.post(vote_url, headers=headers)).status_code == 201
    assert await Vote.filter(challenge=challenge, person=voter.person).count() == 1


async def test_deleting_a_leads_account_hands_the_team_to_the_next_member(clab: RunningLab) -> None:
    from labkit_challenges.models import TeamMember

    challenge = await make_challenge("open")
    lead = await clab.login_as("member")
    first, second = await clab.person(name="Bruna"), await clab.person(name="Caio")
    team = await make_team(challenge, lead.person, first, second)
    await make_submission(challenge, team)
    assert (await lead.submit("/account/delete", {"password": PASSWORD})).status_code == 303
    roles = {m.person_id: m.role for m in await TeamMember.filter(team=team)}
    assert roles == {lead.person.id: "member", first.id: "lead", second.id: "member"}, \
        "the submitting team keeps the former member on record, and Bruna, next to join, leads"
    bruna = await clab.login_as("member", person=first)
    page = (await bruna.get(f"/challenges/{challenge.id}/team", headers={"Accept-Language": "fr"})).text
    assert "Ancien participant" in page and "Former participant" not in page


async def test_a_team_left_without_members_is_closed_or_removed(clab: RunningLab) -> None:
    from labkit_challenges import services
    from labkit_challenges.models import Team, TeamMember

    challenge = await make_challenge("open")
    alone = await clab.login_as("member")
    submitted = await make_team(challenge, alone.person, name="Sozinha")
    await make_submission(challenge, submitted)
    link = services.invite_token(clab.settings.secret_key, submitted)
    other = await make_challenge("open", title="Outro desafio")
    unsent = await make_team(other, alone.person, await clab.person(name="Dora"), name="Sem proposta")
    assert (await alone.submit("/account/delete", {"password": PASSWORD})).status_code == 303

    assert await Team.exists(id=submitted.id), "the submission stays for the record"
    stranger = await clab.login_as("member")
    join = await stranger.get(f"/challenges/join/{link}")
    assert join.status_code == 404, "nobody takes over a team whose last member is gone"
    assert [m.role for m in await TeamMember.filter(team=unsent)] == ["lead"], "Dora leads the team now"
    assert not await TeamMember.exists(team=unsent, person=alone.person), "a team that never submitted drops the membership"
