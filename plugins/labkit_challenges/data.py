"""What the challenges plugin gives the lab's hooks: winners for the portfolio, participants for
the indicators, and a person's data for their export and erasure."""

from __future__ import annotations

from typing import Any

from labkit.auth import participant_id
from labkit.hooktypes import PortfolioItem
from labkit.periods import Period

from labkit_challenges import services
from labkit_challenges.models import (
    Conflict,
    Juror,
    Score,
    Submission,
    TeamMember,
    Vote,
)


async def team_ids(team_id: int) -> tuple[int, ...]:
    """The people of a team, by id, in the order they joined."""
    return tuple(await TeamMember.filter(team_id=team_id).order_by("id").values_list("person_id", flat=True))


async def portfolio() -> list[PortfolioItem]:
    """Winners of published challenges as projects, their prototypes as products."""
    items: list[PortfolioItem] = []
    winners = await Submission.filter(is_winner=True, status="submitted", challenge__results_published_at__isnull=False,
                                      challenge__is_published=True).select_related("challenge").order_by("id")
    for submission in winners:
        challenge = submission.challenge
        published = challenge.results_published_at.date()  # type: ignore[union-attr]
        started = submission.taken_forward_on or published
        milestones = [(submission.submitted_at.date(), f"Submitted to {challenge.title}"),
                      (published, f"Winner of {challenge.title}")]
        if submission.taken_forward_on:
            milestones.append((submission.taken_forward_on, "Taken forward to implementation"))
        team = await team_ids(submission.team_id)
        items.append(PortfolioItem(indicator="projects", key=f"submission:{submission.id}", kind="challenge",
                                   title=submission.title, started=started, description=submission.summary,
                                   url=f"/challenges/{challenge.id}/submissions/{submission.id}",
                                   milestones=tuple(milestones), team=team))
        if submission.prototype_url:
            items.append(PortfolioItem(indicator="products", key=f"prototype:{submission.id}", kind="prototype",
                                       title=submission.title, started=started, url=submission.prototype_url,
                                       description=submission.summary, team=team))
    return items


async def participants(period: Period, timezone: str) -> list[str]:
    """Team members of submissions made in ``period`` and the community's voters in it."""
    start, end = period.bounds(timezone)
    teams = await Submission.filter(submitted_at__gte=start, submitted_at__lt=end, status="submitted",
                                    challenge__is_published=True).values_list("team_id", flat=True)
    people = set(await TeamMember.filter(team_id__in=list(teams)).values_list("person_id", flat=True)) if teams else set()
    people |= set(await Vote.filter(created_at__gte=start, created_at__lt=end).values_list("person_id", flat=True))
    return [participant_id(person_id) for person_id in sorted(people)]


async def personal_data(person_id: int) -> dict[str, Any]:
    """What the plugin holds about a person: teams, juries, scores, conflicts and votes."""
    memberships = await TeamMember.filter(person_id=person_id).select_related("team", "challenge")
    teams = []
    for m in memberships:
        submission = await Submission.get_or_none(team_id=m.team_id)
        teams.append({"challenge": m.challenge.title, "team": m.team.name, "role": m.role,
                      "joined_at": m.joined_at.isoformat(), "code_of_conduct_accepted_at": m.conduct_accepted_at.isoformat(),
                      "submission": submission.title if submission else None})
    juries = await Juror.filter(person_id=person_id).select_related("challenge")
    scores = await Score.filter(juror__person_id=person_id).select_related("submission", "criterion")
    conflicts = await Conflict.filter(juror__person_id=person_id).select_related("team")
    votes = await Vote.filter(person_id=person_id).select_related("challenge", "submission")
    return {
        "teams": teams,
        "juries": [j.challenge.title for j in juries],
        "scores_given": [{"submission": s.submission.title, "criterion": s.criterion.name, "value": s.value,
                          "comment": s.comment} for s in scores],
        "conflicts_declared": [{"team": c.team.name, "reason": c.reason} for c in conflicts],
        "votes": [{"challenge": v.challenge.title, "submission": v.submission.title,
                   "at": v.created_at.isoformat()} for v in votes],
    }


async def erase_person(person_id: int) -> None:
    """Submissions, scores and votes stay for the record (the account is anonymised by the core);
    each team the person was in is handed to its next member or closed (see
    :func:`services.erase_member`), and a conflict's free-text reason is cleared."""
    for member in await TeamMember.filter(person_id=person_id):
        await services.erase_member(member)
    juries = await Juror.filter(person_id=person_id).values_list("id", flat=True)
    if juries:
        await Conflict.filter(juror_id__in=list(juries)).update(reason="")
