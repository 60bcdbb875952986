"""The JSON API under ``/api/v1/challenges/``: its reads and answers (the writes are actions, see ``routes.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse

from labkit import images
from labkit.action_routes import context_of
from labkit.actions import Context, Refused
from labkit.i18n import gettext
from labkit.models import Image
from labkit.web import Problem, page_params, paginate, read_json

from labkit_challenges import exports, jury, rules, services
from labkit_challenges.actions_teams import save_submission
from labkit_challenges.forms import SubmissionIn, SubmissionSave
from labkit_challenges.lookups import (
    may_see_submission,
    my_jury,
    names_hidden,
    problem,
    shown,
    submission_of,
)
from labkit_challenges.models import (
    Assignment,
    Challenge,
    Criterion,
    Score,
    Submission,
    TeamMember,
    Vote,
)
from labkit_challenges.pages import url_challenge


class PhaseOut(BaseModel):
    phase: str
    starts: datetime | None
    state: str


class ChallengeOut(BaseModel):
    id: int
    kind: str
    title: str
    summary: str
    owner: str
    topics: list[str]
    sdgs: list[int]
    phase: str
    opens_at: str
    closes_at: str
    evaluation_starts_at: str
    results_published_at: str | None
    implementation_starts_at: str | None
    event_starts_at: str | None
    event_ends_at: str | None
    venue: str
    licences: list[str]
    blind_review: bool
    community_vote: bool
    scale_max: int
    cover: images.ImageOut | None = None


class ChallengeList(BaseModel):
    items: list[ChallengeOut]
    page: int
    per_page: int
    total: int
    pages: int


class CriterionOut(BaseModel):
    id: int
    name: str
    description: str
    weight: int


class ChallengeDetail(ChallengeOut):
    problem: str
    rules: str
    prize: str
    timeline: list[PhaseOut]
    criteria: list[CriterionOut]


class SubmissionOut(BaseModel):
    id: int
    title: str
    summary: str
    description: str
    licence: str
    code_url: str
    prototype_url: str
    video_url: str
    status: str
    submitted_at: datetime
    team: str | None
    """``None`` under blind review (until the results are published)."""
    members: list[str] | None


class SubmissionList(BaseModel):
    items: list[SubmissionOut]


class StandingOut(BaseModel):
    submission_id: int
    title: str
    rank: int | None
    score: float | None
    scorecards: int
    winner: bool
    award: str
    community_votes: int | None


class ResultsOut(BaseModel):
    challenge_id: int
    published_at: datetime
    jury_statement: str
    ranking: list[StandingOut]
    tie_break: str


class AssignmentOut(BaseModel):
    submission_id: int
    title: str
    team: str | None
    scored: bool


class AssignmentList(BaseModel):
    items: list[AssignmentOut]


class ScorecardOut(BaseModel):
    submission_id: int
    scores: dict[str, int]


class VoteOut(BaseModel):
    challenge_id: int
    submission_id: int


COVER = "cover"


def _as_out(challenge: Challenge, cover: Image | None, base_url: str) -> dict[str, Any]:
    return {**exports.challenge_summary(challenge), "cover": images.as_json(cover, base_url)}


def _base_url(request: Request) -> str:
    return str(request.app.state.settings.lab.base_url)


async def list_challenges(request: Request) -> JSONResponse:
    """Published challenges, newest call first (``kind`` filters)."""
    query = Challenge.filter(is_published=True)
    kind = request.query_params.get("kind")
    if kind:
        query = query.filter(kind=kind)
    number, size = page_params(request)
    page = await paginate(query.order_by("-opens_at", "id"), number, size)
    covers = await images.of(Challenge, [c.id for c in page.items], COVER)
    items = [ChallengeOut(**_as_out(c, covers.get(c.id), _base_url(request))) for c in page.items]
    return JSONResponse(ChallengeList(items=items, **page.as_json()).model_dump(mode="json"))


async def get_challenge(request: Request) -> JSONResponse:
    """One challenge with its cover, phases and evaluation criteria."""
    return JSONResponse(await present_challenge(context_of(request), await url_challenge(request)))


async def present_challenge(ctx: Context, challenge: Challenge) -> dict[str, Any]:
    """A challenge with its cover, phases and criteria (the answer of creating or changing one)."""
    criteria = await Criterion.filter(challenge=challenge)
    timeline = [PhaseOut(phase=p["phase"], starts=p["starts"], state=p["state"])
                for p in rules.timeline(challenge, services.now())]
    cover = await images.one(challenge, COVER)
    body = ChallengeDetail(**_as_out(challenge, cover, ctx.settings.lab.base_url), problem=challenge.problem,
                           rules=challenge.rules, prize=challenge.prize, timeline=timeline,
                           criteria=[CriterionOut(id=c.id, name=c.name, description=c.description, weight=c.weight)
                                     for c in criteria])
    return body.model_dump(mode="json")


async def submission_out(ctx: Context, challenge: Challenge, submission: Submission) -> SubmissionOut:
    """A submission as the API shows it to the person asking (teams hidden under blind review)."""
    hidden = await names_hidden(ctx, challenge, submission)
    members = None if hidden else [m.person.name for m in await TeamMember.filter(
        team_id=submission.team_id).select_related("person").order_by("id")]
    return SubmissionOut(id=submission.id, title=submission.title, summary=submission.summary,
                         description=submission.description, licence=submission.licence, code_url=submission.code_url,
                         prototype_url=submission.prototype_url, video_url=submission.video_url,
                         status=submission.status, submitted_at=submission.submitted_at,
                         team=None if hidden else submission.team.name, members=members)


async def list_submissions(request: Request) -> JSONResponse:
    """The submissions the visitor may see (teams hidden under blind review)."""
    ctx = context_of(request)
    challenge = await url_challenge(request)
    items = []
    for submission in await Submission.filter(challenge=challenge).select_related("team").order_by("submitted_at", "id"):
        if await may_see_submission(ctx, challenge, submission):
            items.append(await submission_out(ctx, challenge, submission))
    return JSONResponse(SubmissionList(items=items).model_dump(mode="json"))


async def get_submission(request: Request) -> JSONResponse:
    """One submission, as the rules allow the visitor to see it."""
    ctx = context_of(request)
    challenge = await url_challenge(request)
    submission = await shown(submission_of(challenge, request.path_params["sid"]))
    if not await may_see_submission(ctx, challenge, submission):
        raise Problem(404, gettext("This submission does not exist."), kind="not-found")
    return JSONResponse((await submission_out(ctx, challenge, submission)).model_dump(mode="json"))


async def put_submission(request: Request) -> JSONResponse:
    """Create or update the caller's team submission (before the deadline): 201 when created."""
    ctx = context_of(request)
    data = await read_json(request, SubmissionIn)
    try:
        submission = await save_submission.run(ctx, SubmissionSave(**data.model_dump(), cid=request.path_params["cid"]))
    except Refused as refusal:
        raise problem(refusal) from None
    await submission.fetch_related("team")
    body = await submission_out(ctx, await url_challenge(request), submission)
    return JSONResponse(body.model_dump(mode="json"), status_code=201 if submission.created_now else 200)  # type: ignore[attr-defined]


async def get_results(request: Request) -> JSONResponse:
    """The published ranking with the jury's statement (community votes apart)."""
    challenge = await url_challenge(request)
    if challenge.results_published_at is None:
        raise Problem(404, gettext("The results of this challenge are not published yet."), kind="not-published")
    ranking = [StandingOut(submission_id=s.submission.id, title=s.submission.title, rank=s.ranked.rank,
                           score=s.ranked.score_display, scorecards=s.ranked.scorecards, winner=s.submission.is_winner,
                           award=s.submission.award, community_votes=s.votes if challenge.community_vote else None)
               for s in await jury.standings(challenge)]
    body = ResultsOut(challenge_id=challenge.id, published_at=challenge.results_published_at,
                      jury_statement=challenge.jury_statement, ranking=ranking,
                      tie_break="weighted mean; then the highest-weight criterion's mean; then more scorecards; "
                                "then the earlier submission; then the lower submission id")
    return JSONResponse(body.model_dump(mode="json"))


async def my_assignments(request: Request) -> JSONResponse:
    """The caller's assignments as a juror (team names hidden under blind review)."""
    challenge, juror = await shown(my_jury(context_of(request), request.path_params["cid"]))
    scored = set(await Score.filter(juror=juror).values_list("submission_id", flat=True))
    hide = rules.hide_teams(challenge)
    items = [AssignmentOut(submission_id=a.submission.id, title=a.submission.title,
                           team=None if hide else a.submission.team.name, scored=a.submission.id in scored)
             for a in await Assignment.filter(juror=juror).select_related("submission", "submission__team").order_by("id")]
    return JSONResponse(AssignmentList(items=items).model_dump(mode="json"))


async def scorecard_out(ctx: Context, submission: Submission) -> dict[str, Any]:
    """The caller's saved scorecard of ``submission``."""
    scores = await Score.filter(juror__person_id=ctx.actor.id, submission=submission).values_list("criterion_id", "value")
    return ScorecardOut(submission_id=submission.id, scores={str(c): v for c, v in scores}).model_dump()


def vote_out(ctx: Context, vote: Vote) -> dict[str, Any]:
    """A vote as the API shows it."""
    return VoteOut(challenge_id=vote.challenge_id, submission_id=vote.submission_id).model_dump()


async def export(request: Request) -> JSONResponse:
    """The challenge as open data (no personal data)."""
    challenge = await url_challenge(request)
    return JSONResponse(await exports.challenge_document(challenge))
