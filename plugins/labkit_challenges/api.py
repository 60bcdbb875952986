"""The JSON API under ``/api/v1/challenges/``: challenges, submissions, results, the jury's scorecards."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse

from labkit import auth, events
from labkit.api import ApiRoute
from labkit.i18n import gettext
from labkit.web import Problem, page_params, paginate, read_json

from labkit_challenges import exports, rules, services, views
from labkit_challenges.forms import ScorecardIn, SubmissionIn
from labkit_challenges.models import Assignment, Challenge, Criterion, Score, Submission, TeamMember, Vote
from labkit_challenges.rules import RuleError


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


def _problem(error: RuleError) -> Problem:
    errors = [{"field": error.field, "message": error.text()}] if error.field != "__all__" else None
    return Problem(error.status, error.text(), errors=errors, kind="rule")


async def _challenge(request: Request) -> Challenge:
    return await views.load_challenge(request)


def _as_out(challenge: Challenge) -> dict[str, Any]:
    return exports.challenge_summary(challenge)


async def list_challenges(request: Request) -> JSONResponse:
    """Published challenges, newest call first (``kind`` filters)."""
    query = Challenge.filter(is_published=True)
    kind = request.query_params.get("kind")
    if kind:
        query = query.filter(kind=kind)
    number, size = page_params(request)
    page = await paginate(query.order_by("-opens_at", "id"), number, size)
    return JSONResponse(ChallengeList(items=[ChallengeOut(**_as_out(c)) for c in page.items],
                                      **page.as_json()).model_dump(mode="json"))


async def get_challenge(request: Request) -> JSONResponse:
    """One challenge with its phases and evaluation criteria."""
    challenge = await _challenge(request)
    criteria = await Criterion.filter(challenge=challenge)
    timeline = [PhaseOut(phase=p["phase"], starts=p["starts"], state=p["state"])
                for p in rules.timeline(challenge, services.now())]
    body = ChallengeDetail(**_as_out(challenge), problem=challenge.problem, rules=challenge.rules, prize=challenge.prize,
                           timeline=timeline, criteria=[CriterionOut(id=c.id, name=c.name, description=c.description,
                                                                     weight=c.weight) for c in criteria])
    return JSONResponse(body.model_dump(mode="json"))


async def _submission_out(request: Request, challenge: Challenge, submission: Submission) -> SubmissionOut:
    hidden = await views.names_hidden(request, challenge, submission)
    members = None if hidden else [m.person.name for m in await TeamMember.filter(
        team_id=submission.team_id).select_related("person").order_by("id")]
    return SubmissionOut(id=submission.id, title=submission.title, summary=submission.summary,
                         description=submission.description, licence=submission.licence, code_url=submission.code_url,
                         prototype_url=submission.prototype_url, video_url=submission.video_url,
                         status=submission.status, submitted_at=submission.submitted_at,
                         team=None if hidden else submission.team.name, members=members)


async def list_submissions(request: Request) -> JSONResponse:
    """The submissions the visitor may see (teams hidden under blind review)."""
    challenge = await _challenge(request)
    items = []
    for submission in await Submission.filter(challenge=challenge).select_related("team").order_by("submitted_at", "id"):
        if await views.may_see_submission(request, challenge, submission):
            items.append(await _submission_out(request, challenge, submission))
    return JSONResponse(SubmissionList(items=items).model_dump(mode="json"))


async def get_submission(request: Request) -> JSONResponse:
    """One submission, as the rules allow the visitor to see it."""
    challenge = await _challenge(request)
    submission = await views.load_submission(request, challenge)
    if not await views.may_see_submission(request, challenge, submission):
        raise Problem(404, gettext("This submission does not exist."), kind="not-found")
    return JSONResponse((await _submission_out(request, challenge, submission)).model_dump(mode="json"))


async def put_submission(request: Request) -> JSONResponse:
    """Create or update the caller's team submission (before the deadline)."""
    person = auth.require(request, views.TAKE_PART)
    challenge = await _challenge(request)
    data = await read_json(request, SubmissionIn)
    member = await services.membership(challenge.id, person.id)
    if member is None:
        raise Problem(403, gettext("You are not in a team for this challenge."), kind="forbidden")
    try:
        submission = await services.save_submission(request.app.state.settings, challenge, member, data)
    except RuleError as error:
        raise _problem(error) from None
    created = submission.created_now  # type: ignore[attr-defined]
    if created:
        await events.emit(request.app, "challenges.submission_created", person.id,
                          challenge_id=challenge.id, submission_id=submission.id)
    await submission.fetch_related("team")
    body = await _submission_out(request, challenge, submission)
    return JSONResponse(body.model_dump(mode="json"), status_code=201 if created else 200)


async def get_results(request: Request) -> JSONResponse:
    """The published ranking with the jury's statement (community votes apart)."""
    challenge = await _challenge(request)
    if challenge.results_published_at is None:
        raise Problem(404, gettext("The results of this challenge are not published yet."), kind="not-published")
    ranking = [StandingOut(submission_id=s.submission.id, title=s.submission.title, rank=s.ranked.rank,
                           score=s.ranked.score_display, scorecards=s.ranked.scorecards, winner=s.submission.is_winner,
                           award=s.submission.award, community_votes=s.votes if challenge.community_vote else None)
               for s in await services.standings(challenge)]
    body = ResultsOut(challenge_id=challenge.id, published_at=challenge.results_published_at,
                      jury_statement=challenge.jury_statement, ranking=ranking,
                      tie_break="weighted mean; then the highest-weight criterion's mean; then more scorecards; "
                                "then the earlier submission; then the lower submission id")
    return JSONResponse(body.model_dump(mode="json"))


async def my_assignments(request: Request) -> JSONResponse:
    """The caller's assignments as a juror (team names hidden under blind review)."""
    person = auth.require_person(request)
    challenge = await _challenge(request)
    juror = await views.juror_of(challenge, person.id)
    if juror is None:
        raise Problem(403, gettext("You are not on the jury of this challenge."), kind="forbidden")
    scored = set(await Score.filter(juror=juror).values_list("submission_id", flat=True))
    hide = rules.hide_teams(challenge)
    items = [AssignmentOut(submission_id=a.submission.id, title=a.submission.title,
                           team=None if hide else a.submission.team.name, scored=a.submission.id in scored)
             for a in await Assignment.filter(juror=juror).select_related("submission", "submission__team").order_by("id")]
    return JSONResponse(AssignmentList(items=items).model_dump(mode="json"))


async def put_scorecard(request: Request) -> JSONResponse:
    """Save the caller's whole scorecard for an assigned submission (every criterion, on the scale)."""
    person = auth.require_person(request)
    challenge = await _challenge(request)
    juror = await views.juror_of(challenge, person.id)
    if juror is None:
        raise Problem(403, gettext("You are not on the jury of this challenge."), kind="forbidden")
    submission = await views.load_submission(request, challenge)
    data = await read_json(request, ScorecardIn)
    try:
        await services.save_scorecard(challenge, juror, submission, data)
    except RuleError as error:
        raise _problem(error) from None
    scores = {str(c): v for c, v in await Score.filter(juror=juror, submission=submission).values_list("criterion_id", "value")}
    return JSONResponse(ScorecardOut(submission_id=submission.id, scores=scores).model_dump())


async def post_vote(request: Request) -> JSONResponse:
    """Cast the caller's one community vote in this challenge."""
    person = auth.require(request, views.VOTE)
    challenge = await _challenge(request)
    submission = await views.load_submission(request, challenge)
    try:
        vote = await services.vote(challenge, submission, person)
    except RuleError as error:
        raise _problem(error) from None
    return JSONResponse(VoteOut(challenge_id=challenge.id, submission_id=vote.submission_id).model_dump(), status_code=201)


async def export(request: Request) -> JSONResponse:
    """The challenge as open data (no personal data)."""
    challenge = await _challenge(request)
    return JSONResponse(await exports.challenge_document(challenge))


routes = [
    ApiRoute("/", list_challenges, name="list", response=ChallengeList,
             query={"kind": "challenge, hackathon or cocreation", "page": "page number", "per_page": "items per page"}),
    ApiRoute("/{cid:int}", get_challenge, name="detail", response=ChallengeDetail),
    ApiRoute("/{cid:int}/submissions", list_submissions, name="submissions", response=SubmissionList),
    ApiRoute("/{cid:int}/submissions/{sid:int}", get_submission, name="submission", response=SubmissionOut),
    ApiRoute("/{cid:int}/submission", put_submission, methods=["PUT"], name="put_submission", body=SubmissionIn,
             response=SubmissionOut, permission=views.TAKE_PART),
    ApiRoute("/{cid:int}/results", get_results, name="results", response=ResultsOut),
    ApiRoute("/{cid:int}/assignments", my_assignments, name="assignments", response=AssignmentList),
    ApiRoute("/{cid:int}/submissions/{sid:int}/scorecard", put_scorecard, methods=["PUT"], name="scorecard",
             body=ScorecardIn, response=ScorecardOut),
    ApiRoute("/{cid:int}/submissions/{sid:int}/vote", post_vote, methods=["POST"], name="vote", response=VoteOut,
             permission=views.VOTE, status=201),
    ApiRoute("/{cid:int}/export", export, name="export"),
]
