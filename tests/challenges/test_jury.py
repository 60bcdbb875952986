"""The jury: weighted criteria, assignments, conflicts of interest, blind review, scoring and the lock."""

from __future__ import annotations

from labkit.testing import RunningLab

from tests.challenges.conftest import make_challenge, make_submission, make_team, set_phase


async def _setup(clab: RunningLab, **fields):
    """A challenge in evaluation with two criteria, a juror and two teams' submissions."""
    from labkit_challenges.models import Criterion, Juror

    challenge = await make_challenge("evaluation", scale_max=10, **fields)
    impact = await Criterion.create(challenge=challenge, name="Impacto", weight=3, position=0)
    feasible = await Criterion.create(challenge=challenge, name="Viabilidade", weight=1, position=1)
    juror_client = await clab.login_as("member")
    juror = await Juror.create(challenge=challenge, person=juror_client.person)
    a = await make_team(challenge, await clab.person("member", name="Ana Souza"), name="Equipe Azul")
    b = await make_team(challenge, await clab.person("member", name="Bruno Lima"), name="Equipe Verde")
    first = await make_submission(challenge, a, title="Travessia Segura")
    second = await make_submission(challenge, b, title="Rota Escolar")
    return challenge, (impact, feasible), juror_client, juror, (first, second)


def card(criteria, values, comment=""):
    return {f"score_{c.id}": str(v) for c, v in zip(criteria, values)} | \
           {f"comment_{c.id}": comment for c in criteria}


async def test_a_juror_scores_only_assigned_submissions_on_the_scale(clab: RunningLab) -> None:
    from labkit_challenges.models import Assignment, Score

    challenge, criteria, client, juror, (first, second) = await _setup(clab)
    await Assignment.create(juror=juror, submission=first)
    url = f"/challenges/{challenge.id}/jury/{first.id}"
    outside = await client.submit(url, card(criteria, [11, 5]))
    assert outside.status_code == 422 and "The score must be between 0 and 10." in outside.text
    partial = await client.submit(url, {f"score_{criteria[0].id}": "5"})
    assert partial.status_code == 422 and "Give a score for every criterion." in partial.text
    assert await Score.all().count() == 0
    saved = await client.submit(url, card(criteria, [8, 6], "Bem documentado"))
    assert saved.status_code == 303
    assert sorted(await Score.filter(juror=juror).values_list("value", flat=True)) == [6, 8]

    not_assigned = await client.submit(f"/challenges/{challenge.id}/jury/{second.id}", card(criteria, [5, 5]))
    assert not_assigned.status_code == 403 and "This submission is not assigned to you." in not_assigned.text
    assert (await client.get(f"/challenges/{challenge.id}/jury/{second.id}")).status_code == 403
    api = await client.put(f"/api/v1/challenges/{challenge.id}/submissions/{second.id}/scorecard",
                           json={"scores": [{"criterion": c.id, "value": 5} for c in criteria]},
                           headers={"X-CSRF-Token": await client.csrf_token()})
    assert api.status_code == 403 and api.json()["detail"] == "This submission is not assigned to you."
    stranger = await clab.login_as("member")
    assert (await stranger.get(f"/challenges/{challenge.id}/jury")).status_code == 403
    assert await Score.filter(submission=second).count() == 0


async def test_scoring_waits_for_the_evaluation_phase(clab: RunningLab) -> None:
    from labkit_challenges.models import Assignment, Score

    challenge, criteria, client, juror, (first, _second) = await _setup(clab)
    await Assignment.create(juror=juror, submission=first)
    await set_phase(challenge, "closed")
    early = await client.submit(f"/challenges/{challenge.id}/jury/{first.id}", card(criteria, [5, 5]))
    assert early.status_code == 409 and "Scoring opens when the evaluation phase starts." in early.text
    assert await Score.all().count() == 0


async def test_conflicts_of_interest_a_juror_never_scores_their_own_or_a_declared_team(clab: RunningLab) -> None:
    from labkit_challenges.models import Assignment, Conflict, Score, TeamMember

    challenge, criteria, client, juror, (first, second) = await _setup(clab)
    staff = await clab.login_as("staff")
    # a juror who is in a team cannot be assigned its submission
    await TeamMember.create(team_id=second.team_id, challenge=challenge, person=client.person, role="member",
                            conduct_accepted_at=second.submitted_at)
    refused = await staff.submit(f"/challenges/{challenge.id}/assignments",
                                 {"juror": juror.id, "submission": second.id, "action": "assign"})
    assert refused.status_code == 303
    assert not await Assignment.exists(juror=juror, submission=second)
    assert "This juror cannot score this submission (member of the team)." in (await staff.get(f"/challenges/{challenge.id}/manage")).text
    # even if an assignment slipped in, the score is refused
    await Assignment.create(juror=juror, submission=second)
    own = await client.submit(f"/challenges/{challenge.id}/jury/{second.id}", card(criteria, [10, 10]))
    assert own.status_code == 403
    # a declared conflict removes the assignment and any scores, and blocks scoring
    await Assignment.create(juror=juror, submission=first)
    assert (await client.submit(f"/challenges/{challenge.id}/jury/{first.id}", card(criteria, [7, 7]))).status_code == 303
    declared = await client.submit(f"/challenges/{challenge.id}/jury/{first.id}/conflict", {"reason": "Fui orientador"})
    assert declared.status_code == 303
    assert await Conflict.filter(juror=juror, team_id=first.team_id).count() == 1
    assert await Score.filter(juror=juror, submission=first).count() == 0
    await Assignment.create(juror=juror, submission=first)  # staff cannot get around it either
    blocked = await client.submit(f"/challenges/{challenge.id}/jury/{first.id}", card(criteria, [7, 7]))
    assert blocked.status_code == 403 and "declared a conflict of interest" in blocked.text
    made = await staff.submit(f"/challenges/{challenge.id}/assignments", {"action": "all"})
    assert made.status_code == 303
    manage = await staff.get(f"/challenges/{challenge.id}/manage")
    assert "Conflict declared" in manage.text and "Fui orientador" in manage.text and "Team member" in manage.text


async def test_criteria_need_positive_weights_and_freeze_once_scored(clab: RunningLab) -> None:
    from labkit_challenges.models import Assignment, Criterion

    challenge, criteria, client, juror, (first, _second) = await _setup(clab)
    staff = await clab.login_as("staff")
    zero = await staff.submit(f"/challenges/{challenge.id}/criteria", {"name": "Inovação", "weight": "0"})
    assert zero.status_code == 422 and "Enter a number greater than 0." in zero.text
    assert (await staff.submit(f"/challenges/{challenge.id}/criteria", {"name": "Inovação", "weight": "2"})).status_code == 303
    extra = await Criterion.get(challenge=challenge, name="Inovação")
    await extra.delete()
    await Assignment.create(juror=juror, submission=first)
    await client.submit(f"/challenges/{challenge.id}/jury/{first.id}", card(criteria, [5, 5]))
    for url, data in ((f"/challenges/{challenge.id}/criteria", {"name": "Nova", "weight": "1"}),
                      (f"/challenges/{challenge.id}/criteria/{criteria[0].id}", {"name": "Impacto", "weight": "9"}),
                      (f"/challenges/{challenge.id}/criteria/{criteria[1].id}/delete", {})):
        refused = await staff.submit(url, data)
        assert refused.status_code == 409, url
        assert "The criteria cannot change once scoring has started." in refused.text
    assert [(c.name, c.weight) for c in await Criterion.filter(challenge=challenge)] == [("Impacto", 3), ("Viabilidade", 1)]
    member = await clab.login_as("member")
    assert (await member.submit(f"/challenges/{challenge.id}/criteria", {"name": "X", "weight": "1"})).status_code == 403


async def test_blind_review_hides_teams_from_jurors_in_pages_and_api(clab: RunningLab) -> None:
    from labkit_challenges.models import Assignment

    challenge, criteria, client, juror, (first, second) = await _setup(clab, blind_review=True)
    await Assignment.create(juror=juror, submission=first)
    pages = [await client.get(f"/challenges/{challenge.id}/jury"),
             await client.get(f"/challenges/{challenge.id}/jury/{first.id}"),
             await client.get(f"/challenges/{challenge.id}/submissions/{first.id}"),
             await clab.client().get(f"/challenges/{challenge.id}/submissions/{first.id}")]
    for page in pages:
        assert page.status_code == 200
        assert "Travessia Segura" in page.text
        assert "Equipe Azul" not in page.text and "Ana Souza" not in page.text
    api = (await client.get(f"/api/v1/challenges/{challenge.id}/assignments")).json()["items"]
    assert api == [{"submission_id": first.id, "title": "Travessia Segura", "team": None, "scored": False}]
    listed = (await client.get(f"/api/v1/challenges/{challenge.id}/submissions")).json()["items"]
    assert {item["team"] for item in listed} == {None} and {str(item["members"]) for item in listed} == {"None"}
    staff = await clab.login_as("staff")
    assert "Equipe Azul" in (await staff.get(f"/challenges/{challenge.id}/manage")).text
    # without blind review the juror sees the team
    challenge.blind_review = False
    await challenge.save()
    assert "Equipe Azul" in (await client.get(f"/challenges/{challenge.id}/jury")).text
    assert (await client.get(f"/api/v1/challenges/{challenge.id}/submissions/{first.id}")).json()["members"] == ["Ana Souza"]


async def test_staff_see_who_scored_what_and_results_lock_the_scores(clab: RunningLab) -> None:
    from labkit_challenges.models import Assignment, Challenge, Juror, Score

    challenge, criteria, client, juror, (first, second) = await _setup(clab)
    other_client = await clab.login_as("member")
    other = await Juror.create(challenge=challenge, person=other_client.person)
    for j in (juror, other):
        for s in (first, second):
            await Assignment.create(juror=j, submission=s)
    await client.submit(f"/challenges/{challenge.id}/jury/{first.id}", card(criteria, [9, 7]))
    await client.submit(f"/challenges/{challenge.id}/jury/{second.id}", card(criteria, [6, 10]))
    await other_client.submit(f"/challenges/{challenge.id}/jury/{first.id}", card(criteria, [8, 8]))
    staff = await clab.login_as("staff")
    manage = await staff.get(f"/challenges/{challenge.id}/manage")
    assert manage.text.count("Scored") >= 3 and "Assigned, not scored" in manage.text

    assert (await clab.client().get(f"/api/v1/challenges/{challenge.id}/results")).status_code == 404
    short = await staff.submit(f"/challenges/{challenge.id}/results/publish", {"statement": "curto"})
    assert short.status_code == 422
    published = await staff.submit(f"/challenges/{challenge.id}/results/publish",
                                   {"statement": "O júri destacou a qualidade dos dados.", "winners": str(first.id)})
    assert published.status_code == 303
    assert (await Challenge.get(id=challenge.id)).results_published_at is not None

    locked = await other_client.submit(f"/challenges/{challenge.id}/jury/{second.id}", card(criteria, [1, 1]))
    assert locked.status_code == 409 and "The results are published: the scores are locked." in locked.text
    changed = await client.put(f"/api/v1/challenges/{challenge.id}/submissions/{first.id}/scorecard",
                               json={"scores": [{"criterion": c.id, "value": 0} for c in criteria]},
                               headers={"X-CSRF-Token": await client.csrf_token()})
    assert changed.status_code == 409 and "locked" in changed.json()["detail"]
    assert await Score.filter(juror=other, submission=second).count() == 0
    assert sorted(await Score.filter(juror=juror, submission=first).values_list("value", flat=True)) == [7, 9]
    again = await staff.submit(f"/challenges/{challenge.id}/results/publish",
                               {"statement": "De novo, outra declaração."})
    assert again.status_code == 409

    # first: juror A (9,7) -> 8.5, juror B (8,8) -> 8 ; mean 8.25. second: (6,10) -> 7.0
    results = (await clab.client().get(f"/api/v1/challenges/{challenge.id}/results")).json()
    assert [(r["title"], r["rank"], r["score"], r["scorecards"], r["winner"]) for r in results["ranking"]] == [
        ("Travessia Segura", 1, 8.25, 2, True), ("Rota Escolar", 2, 7.0, 1, False)]
    page = await clab.client().get(f"/challenges/{challenge.id}/results", headers={"Accept-Language": "en"})
    assert "O júri destacou a qualidade dos dados." in page.text and "8.25" in page.text
