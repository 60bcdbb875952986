"""Open data of a challenge: its description, criteria, submissions and results, without personal data.

Neither people nor team names leave the lab this way (a team's name often names its people):
submissions are identified by their number and title only. Scores appear only once the results
are published, and only as the jury's aggregate (never one juror's scores).
"""

from __future__ import annotations

from typing import Any

from labkit_challenges import jury, rules, services
from labkit_challenges.models import Challenge, Criterion, Submission, TeamMember

SCHEMA = "labkit.challenges.challenge"
VERSION = "1.0"

SUBMISSION_COLUMNS = ["challenge_id", "challenge_title", "submission_id", "title", "summary", "licence", "code_url",
                      "prototype_url", "video_url", "submitted_at", "team_size", "rank", "score", "scorecards",
                      "winner", "award", "community_votes", "taken_forward_on"]


def challenge_summary(challenge: Challenge) -> dict[str, Any]:
    now = services.now()
    return {
        "id": challenge.id,
        "kind": challenge.kind,
        "title": challenge.title,
        "summary": challenge.summary,
        "owner": challenge.owner,
        "topics": challenge.topics,
        "sdgs": challenge.sdgs,
        "phase": rules.phase(challenge, now),
        "opens_at": challenge.opens_at.isoformat(),
        "closes_at": challenge.closes_at.isoformat(),
        "evaluation_starts_at": challenge.evaluation_starts_at.isoformat(),
        "results_published_at": challenge.results_published_at.isoformat() if challenge.results_published_at else None,
        "implementation_starts_at": (challenge.implementation_starts_at.isoformat()
                                     if challenge.implementation_starts_at else None),
        "event_starts_at": challenge.event_starts_at.isoformat() if challenge.event_starts_at else None,
        "event_ends_at": challenge.event_ends_at.isoformat() if challenge.event_ends_at else None,
        "venue": challenge.venue,
        "licences": challenge.licences,
        "blind_review": challenge.blind_review,
        "community_vote": challenge.community_vote,
        "scale_max": challenge.scale_max,
    }


async def _rows(challenge: Challenge) -> list[dict[str, Any]]:
    if not rules.submissions_visible(challenge, services.now()):
        return []
    published = challenge.results_published_at is not None
    standings = {s.submission.id: s for s in await jury.standings(challenge)}
    rows = []
    for submission in await Submission.filter(challenge=challenge, status="submitted").order_by("submitted_at", "id"):
        standing = standings.get(submission.id)
        ranked = standing.ranked if standing and published else None
        rows.append({
            "challenge_id": challenge.id, "challenge_title": challenge.title, "submission_id": submission.id,
            "title": submission.title, "summary": submission.summary, "licence": submission.licence,
            "code_url": submission.code_url, "prototype_url": submission.prototype_url,
            "video_url": submission.video_url, "submitted_at": submission.submitted_at.isoformat(),
            "team_size": await TeamMember.filter(team_id=submission.team_id).count(),
            "rank": ranked.rank if ranked else None, "score": ranked.score_display if ranked else None,
            "scorecards": ranked.scorecards if ranked else None,
            "winner": submission.is_winner if published else None, "award": submission.award if published else None,
            "community_votes": standing.votes if standing and published and challenge.community_vote else None,
            "taken_forward_on": submission.taken_forward_on.isoformat() if submission.taken_forward_on else None,
        })
    return rows


async def submission_rows(challenge: Challenge) -> tuple[list[str], list[list[Any]]]:
    rows = await _rows(challenge)
    return SUBMISSION_COLUMNS, [[row[column] for column in SUBMISSION_COLUMNS] for row in rows]


async def challenge_document(challenge: Challenge) -> dict[str, Any]:
    criteria = await Criterion.filter(challenge=challenge)
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "challenge": challenge_summary(challenge),
        "jury_statement": challenge.jury_statement if challenge.results_published_at else None,
        "criteria": [{"id": c.id, "name": c.name, "description": c.description, "weight": c.weight} for c in criteria],
        "submissions": await _rows(challenge),
    }
