"""From winners to projects: portfolio items, events, participants; the community vote; open data."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from labkit.periods import Period
from labkit.testing import RunningLab
from labkit.timezones import now

from tests.challenges.conftest import make_challenge, make_submission, make_team

LISTENER = '''
from labkit import PluginInfo, hookimpl

HEARD = []

@hookimpl
def labkit_plugin_info():
    return PluginInfo(title="Listener")

@hookimpl
def labkit_event(event):
    HEARD.append((event.name, dict(event.data)))
'''


@pytest.fixture
async def lab_with_listener(make_lab, tmp_path: Path) -> RunningLab:
    source = tmp_path / "listener.py"
    source.write_text(LISTENER, encoding="utf-8")
    return await make_lab(plugins=["challenges", "listener"], local_plugins=[source])


async def _portfolio(lab: RunningLab) -> list:
    return dict(await lab.plugins.aresults("labkit_portfolio"))["challenges"]


async def test_winners_become_projects_and_prototypes_products(lab_with_listener: RunningLab) -> None:
    import listener

    from labkit_challenges.models import Criterion

    lab = lab_with_listener
    challenge = await make_challenge("evaluation", title="Mobilidade SP")
    await Criterion.create(challenge=challenge, name="Impacto", weight=1)
    ana, bruno = await lab.person("member", name="Ana"), await lab.person("member", name="Bruno")
    team = await make_team(challenge, ana, bruno)
    winner = await make_submission(challenge, team, title="Travessia Segura", prototype_url="https://app.example.org")
    other = await make_submission(challenge, await make_team(challenge, await lab.person(), name="Outra"), title="Outra")
    assert await _portfolio(lab) == []

    staff = await lab.login_as("staff")
    published = await staff.submit(f"/challenges/{challenge.id}/results/publish",
                                   {"statement": "Declaração do júri sobre o desafio.", "winners": str(winner.id)})
    assert published.status_code == 303
    assert ("challenges.results_published", {"challenge_id": challenge.id, "winners": [winner.id]}) in listener.HEARD
    from labkit.models import Notification

    told = await Notification.filter(url=f"/challenges/{challenge.id}/results").values_list("person_id", flat=True)
    assert {ana.id, bruno.id} <= set(told)
    items = {item.key: item for item in await _portfolio(lab)}
    assert set(items) == {f"submission:{winner.id}", f"prototype:{winner.id}"}
    project, product = items[f"submission:{winner.id}"], items[f"prototype:{winner.id}"]
    assert (project.indicator, project.kind, project.title) == ("projects", "challenge", "Travessia Segura")
    assert set(project.team) == {ana.id, bruno.id}
    assert project.started == now().date() or project.started == (now() - timedelta(days=1)).date()
    assert any(text == "Winner of Mobilidade SP" for _day, text in project.milestones)
    assert (product.indicator, product.kind, product.url) == ("products", "prototype", "https://app.example.org")

    # only a winner can be taken forward; the date becomes the project's start
    refused = await staff.submit(f"/challenges/{challenge.id}/submissions/{other.id}/forward", {"taken_forward_on": "2026-05-04"})
    assert refused.status_code == 303 and not any(k.endswith(f":{other.id}") for k in items)
    forward = await staff.submit(f"/challenges/{challenge.id}/submissions/{winner.id}/forward", {"taken_forward_on": "2026-05-04"})
    assert forward.status_code == 303
    assert ("challenges.winner_taken_forward", {"challenge_id": challenge.id, "submission_id": winner.id}) in listener.HEARD
    project = {item.key: item for item in await _portfolio(lab)}[f"submission:{winner.id}"]
    assert project.started == date(2026, 5, 4)
    assert project.milestones[-1] == (date(2026, 5, 4), "Taken forward to implementation")


async def test_participants_are_distinct_team_members_who_submitted_and_voters(clab: RunningLab) -> None:
    from labkit.auth import participant_id

    from labkit_challenges.models import Vote

    challenge = await make_challenge("closed", community_vote=True)
    ana, bruno, carla = await clab.person(), await clab.person(), await clab.person()
    submitted = await make_submission(challenge, await make_team(challenge, ana, bruno), submitted_at=now())
    await make_team(challenge, carla, name="Sem envio")  # formed a team but never submitted
    voter = await clab.person()
    await Vote.create(challenge=challenge, submission=submitted, person=voter)
    await Vote.create(challenge=challenge, submission=submitted, person=carla)
    period = Period.parse(str(now().year))
    found = dict(await clab.plugins.aresults("labkit_participants", period=period))["challenges"]
    assert sorted(found) == sorted(participant_id(p.id) for p in (ana, bruno, voter, carla))
    assert dict(await clab.plugins.aresults("labkit_participants", period=Period.parse("2001")))["challenges"] == []


async def test_one_community_vote_per_person_kept_apart_from_the_ranking(clab: RunningLab) -> None:
    from labkit_challenges.models import Vote

    challenge = await make_challenge("closed", community_vote=True)
    member = await clab.person()
    first = await make_submission(challenge, await make_team(challenge, member))
    second = await make_submission(challenge, await make_team(challenge, await clab.person(), name="B"), title="B")
    voter = await clab.login_as("member")
    assert (await voter.submit(f"/challenges/{challenge.id}/submissions/{first.id}/vote")).status_code == 303
    await voter.submit(f"/challenges/{challenge.id}/submissions/{second.id}/vote")
    assert "You have already voted in this challenge." in (await voter.get(f"/challenges/{challenge.id}")).text
    own = await clab.login_as("member", person=member)
    api = await own.post(f"/api/v1/challenges/{challenge.id}/submissions/{first.id}/vote",
                         headers={"X-CSRF-Token": await own.csrf_token()})
    assert api.status_code == 403 and api.json()["detail"] == "You cannot vote for your own team."
    assert await Vote.filter(challenge=challenge).count() == 1


@pytest.mark.skipif(not os.environ.get("LABKIT_TEST_DATABASE_URL"), reason="needs PostgreSQL for real concurrency")
async def test_concurrent_votes_by_one_person_count_once(clab: RunningLab) -> None:
    from labkit.auth import create_token

    from labkit_challenges.models import Vote

    challenge = await make_challenge("closed", community_vote=True)
    submission = await make_submission(challenge, await make_team(challenge, await clab.person()))
    token = await create_token(await clab.person(), "votes")
    clients = [clab.client(token=token) for _ in range(8)]
    answers = await asyncio.gather(*(c.post(f"/api/v1/challenges/{challenge.id}/submissions/{submission.id}/vote")
                                     for c in clients))
    assert sorted(a.status_code for a in answers) == [201] + [409] * 7
    assert await Vote.filter(challenge=challenge).count() == 1


async def test_open_data_has_no_personal_data_and_results_only_once_published(clab: RunningLab) -> None:
    from labkit_challenges.models import Criterion, Juror, Score

    challenge = await make_challenge("evaluation")
    criterion = await Criterion.create(challenge=challenge, name="Impacto", weight=2)
    ana = await clab.person("member", name="Ana Pereira", email="ana.pereira@example.org")
    submission = await make_submission(challenge, await make_team(challenge, ana, name="Equipe Ana"),
                                       title="=HYPERLINK(\"http://x\")")
    juror = await Juror.create(challenge=challenge, person=await clab.person("member", name="Jurada Zélia"))
    await Score.create(juror=juror, submission=submission, criterion=criterion, value=7, comment="Comentário privado")
    anonymous = clab.client()
    before = (await anonymous.get(f"/challenges/{challenge.id}/export.json")).json()
    assert before["submissions"][0]["rank"] is None and before["submissions"][0]["score"] is None
    csv_text = (await anonymous.get(f"/challenges/{challenge.id}/export.csv")).text
    assert csv_text.splitlines()[1].split(",")[3].startswith("\"'=HYPERLINK"), "CSV injection neutralised"
    staff = await clab.login_as("staff")
    await staff.submit(f"/challenges/{challenge.id}/results/publish", {"statement": "Declaração final do júri."})
    after = (await anonymous.get(f"/challenges/{challenge.id}/export.json")).json()
    assert after["submissions"][0]["rank"] == 1 and after["submissions"][0]["score"] == 7.0
    text = json.dumps(after) + (await anonymous.get(f"/challenges/{challenge.id}/export.csv")).text
    for personal in ("Ana Pereira", "ana.pereira", "Equipe Ana", "Zélia", "Comentário privado"):
        assert personal not in text


async def test_drafts_are_hidden_and_staff_create_challenges_with_checked_dates(clab: RunningLab) -> None:
    from labkit_challenges.models import Challenge

    draft = await make_challenge("open", is_published=False, title="Rascunho secreto")
    public = clab.client()
    assert (await public.get(f"/challenges/{draft.id}")).status_code == 404
    assert "Rascunho secreto" not in (await public.get("/challenges/")).text
    assert (await public.get(f"/api/v1/challenges/{draft.id}")).status_code == 404
    staff = await clab.login_as("staff")
    form = {"kind": "hackathon", "title": "Hackathon da educação", "summary": "Um fim de semana de dados abertos.",
            "problem": "Como usar os dados da fila das creches?", "owner": "Secretaria de Educação",
            "topics": "educação, dados", "sdgs": ["4", "10"], "licences": ["MIT", "CC-BY-4.0"], "default_licence": "MIT",
            "opens_at": "2026-06-01T09:00", "closes_at": "2026-05-01T18:00", "evaluation_starts_at": "2026-06-20T09:00",
            "max_team_size": "4", "scale_max": "5", "is_published": "1"}
    bad = await staff.submit("/challenges/new", form)
    assert bad.status_code == 422
    assert "The deadline must come after the opening of the call." in bad.text
    assert "A hackathon needs the date of its event." in bad.text
    assert 'value="Hackathon da educação"' in bad.text
    assert await Challenge.filter(title="Hackathon da educação").count() == 0
    good = await staff.submit("/challenges/new", {**form, "closes_at": "2026-06-15T18:00",
                                                  "event_starts_at": "2026-06-13T09:00", "event_ends_at": "2026-06-14T18:00"})
    assert good.status_code == 303
    made = await Challenge.get(title="Hackathon da educação")
    assert made.topics == ["educação", "dados"] and made.sdgs == [4, 10] and made.kind == "hackathon"
    assert made.opens_at.astimezone().utcoffset() is not None and made.opens_at.hour == 12  # 09:00 in São Paulo is 12:00 UTC
    member = await clab.login_as("member")
    assert (await member.submit("/challenges/new", form)).status_code == 403


async def test_pages_and_api_answer_in_every_phase(clab: RunningLab) -> None:
    staff = await clab.login_as("staff")
    for phase in ("announced", "open", "closed", "evaluation"):
        challenge = await make_challenge(phase, community_vote=True, kind="hackathon", event_starts_at=now())
        await make_submission(challenge, await make_team(challenge, await clab.person()))
        for client in (clab.client(), staff):
            for url in (f"/challenges/{challenge.id}", f"/challenges/{challenge.id}/results", "/challenges/", "/"):
                assert (await client.get(url)).status_code == 200, (phase, url)
        assert (await staff.get(f"/challenges/{challenge.id}/manage")).status_code == 200
        assert (await staff.get(f"/challenges/{challenge.id}/edit")).status_code == 200
        body = (await clab.client().get(f"/api/v1/challenges/{challenge.id}")).json()
        assert body["phase"] == phase
    listing = (await clab.client().get("/api/v1/challenges/")).json()
    assert listing["total"] == 4
    spec = (await clab.client().get("/api/v1/openapi.json")).json()
    assert "/api/v1/challenges/{cid}/submissions/{sid}/scorecard" in spec["paths"]


async def test_pages_speak_the_visitor_language(clab: RunningLab) -> None:
    challenge = await make_challenge("open")
    for language, heading, phase in (("pt-BR", "O problema", "Chamada aberta"), ("es", "El problema", "Convocatoria abierta"),
                                     ("fr", "Le problème", "Appel ouvert"), ("en", "The problem", "Open call")):
        page = await clab.client().get(f"/challenges/{challenge.id}", headers={"Accept-Language": language})
        assert heading in page.text and phase in page.text, language


async def test_personal_data_export_and_erasure(clab: RunningLab) -> None:
    from labkit_challenges.models import Conflict, Juror, Submission, Team, TeamMember, Vote

    challenge = await make_challenge("closed", community_vote=True)
    ana = await clab.person("member", name="Ana")
    submitted = await make_submission(challenge, await make_team(challenge, ana, name="Equipe Azul"))
    other = await make_challenge("open", title="Outro desafio")
    lonely = await make_team(other, ana, name="Sem proposta")
    juror = await Juror.create(challenge=other, person=ana)
    rival = await make_team(other, await clab.person(), name="Rival")
    await make_submission(other, rival, title="Rival")
    await Conflict.create(juror=juror, team=rival, reason="Minha prima está na equipe")
    await Vote.create(challenge=challenge, submission=await make_submission(
        challenge, await make_team(challenge, await clab.person(), name="B"), title="B"), person=ana)
    data = dict(await clab.plugins.aresults("labkit_personal_data", person_id=ana.id))["challenges"]
    assert {t["team"] for t in data["teams"]} == {"Equipe Azul", "Sem proposta"}
    assert data["votes"][0]["submission"] == "B" and data["juries"] == ["Outro desafio"]
    assert data["conflicts_declared"] == [{"team": "Rival", "reason": "Minha prima está na equipe"}]

    await clab.plugins.aresults("labkit_erase_person", person_id=ana.id)
    assert not await Team.exists(id=lonely.id), "a team that never submitted goes with its last member"
    assert await TeamMember.exists(team_id=submitted.team_id, person=ana), "a submitting team keeps its record"
    assert await Submission.exists(id=submitted.id) and await Vote.exists(person=ana)
    assert await Conflict.filter(juror=juror).values_list("reason", flat=True) == [""]
