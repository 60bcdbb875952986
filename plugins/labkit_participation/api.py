"""The JSON API's reads under ``/api/v1/participation/`` and how its answers are shaped.

Reads of published consultations are public; writes are actions (``actions_*.py``) bound in
``routes.py``: they need a session (with the ``X-CSRF-Token`` header) or an API token, and the
permission their action declares. Refusals are RFC 9457 problem documents whose ``type`` ends with
a stable kind (``already-supported``, ``support-limit``, ``wrong-phase``...).
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse

from labkit import auth
from labkit.action_routes import found
from labkit.actions import Context
from labkit.i18n import gettext
from labkit.timezones import now
from labkit.web import page_params

from labkit_participation import rules, service
from labkit_participation.actions_proposals import OnProposal
from labkit_participation.models import Comment, Meeting, Process, Proposal, Question, Registration
from labkit_participation.schemas import (
    AnswerOut,
    CommentOut,
    MeetingOut,
    PhaseOut,
    ProcessOut,
    ProposalOut,
    QuestionOut,
    RegistrationOut,
    SupportOut,
    SurveyOut,
)


def _drafts(request: Request) -> bool:
    return auth.has_permission(request, "participation.manage")


def _id(request: Request, name: str) -> int:
    return int(request.path_params[name])


def process_out(app: Starlette, process: Process) -> dict[str, Any]:
    """A consultation as the API shows it."""
    return ProcessOut(
        id=process.id, title=process.title, summary=process.summary, description=process.description,
        topic=process.topic, categories=process.categories or [], phase=rules.current_phase(process, now()),
        phases=[PhaseOut(phase=p, starts_at=s, ends_at=e) for p, s, e in rules.phase_dates(process)],
        support_limit=process.support_limit,
        required_verification=process.required_verification, results_published=process.results_published_at is not None,
        url=app.url_path_for("participation:process", process_id=process.id),
    ).model_dump(mode="json")


def _proposal_out(app: Starlette, proposal: Proposal, supports: int) -> dict[str, Any]:
    hidden = proposal.hidden_at is not None
    answer = None
    if proposal.answer_status and proposal.answered_at:
        answer = AnswerOut(status=proposal.answer_status, text=proposal.answer_text, answered_at=proposal.answered_at)
    return ProposalOut(
        id=proposal.id, process_id=proposal.process_id, title="" if hidden else proposal.title,
        body="" if hidden else proposal.body, category=proposal.category, location="" if hidden else proposal.location,
        latitude=None if hidden else proposal.latitude, longitude=None if hidden else proposal.longitude,
        author="" if hidden else proposal.author.name, supports=supports, created_at=proposal.created_at,
        hidden=hidden, hidden_reason=proposal.hidden_reason, answer=answer,
        url=app.url_path_for("participation:proposal", proposal_id=proposal.id),
    ).model_dump(mode="json")


async def proposal_out(ctx: Context, changed: OnProposal) -> dict[str, Any]:
    """A proposal an action changed, as the API shows it."""
    return _proposal_out(ctx.app, changed.proposal, await service.support_count(changed.proposal.id))


async def support_out(ctx: Context, changed: OnProposal) -> dict[str, Any]:
    """Where the acting person's support of a proposal stands."""
    proposal = changed.proposal
    supported = await service.supported_ids(ctx.person, changed.process.id)
    return SupportOut(proposal_id=proposal.id, supports=await service.support_count(proposal.id),
                      supported=proposal.id in supported,
                      supports_left=await rules.supports_left(changed.process, ctx.person)).model_dump()


def comment_out(ctx: Context | None, comment: Comment) -> dict[str, Any]:
    """A comment as the API shows it (a hidden one says why, without its author)."""
    hidden = comment.hidden_at is not None
    return CommentOut(id=comment.id, parent_id=comment.parent_id, author="" if hidden else comment.author.name,
                      body=gettext("Hidden by moderation: %(reason)s", reason=comment.hidden_reason) if hidden
                      else comment.body, hidden=hidden, created_at=comment.created_at).model_dump(mode="json")


async def registration_out(ctx: Context, meeting: Meeting) -> dict[str, Any]:
    """Whether the acting person holds a seat at a meeting, and the seats left."""
    taken = await Registration.filter(meeting_id=meeting.id).count()
    registered = await Registration.filter(meeting_id=meeting.id, person_id=ctx.actor.id).exists()
    return RegistrationOut(meeting_id=meeting.id, registered=registered,
                           seats_left=None if meeting.seats is None else max(0, meeting.seats - taken)).model_dump()


# ---------------------------------------------------------------------------------- reads


async def list_processes(request: Request) -> JSONResponse:
    """Published consultations, newest first, with their current phase."""
    processes = await service.visible_processes(_drafts(request)).order_by("-information_starts_at")
    return JSONResponse({"items": [process_out(request.app, p) for p in processes]})


async def get_process(request: Request) -> JSONResponse:
    """One consultation with its phases."""
    return JSONResponse(process_out(request.app, await found(service.get_process(_id(request, "process_id"),
                                                                    drafts=_drafts(request)))))


async def list_proposals(request: Request) -> JSONResponse:
    """A consultation's proposals with their support counts (``sort``: supports, newest, oldest, title)."""
    process = await found(service.get_process(_id(request, "process_id"), drafts=_drafts(request)))
    number, size = page_params(request)
    category = request.query_params.get("category", "")
    total = await Proposal.filter(process_id=process.id, **({"category": category} if category else {})).count()
    items = await service.proposals_query(process.id, category, request.query_params.get("sort", "supports")) \
        .offset((number - 1) * size).limit(size).prefetch_related("author")
    pages = max(1, -(-total // size))
    return JSONResponse({"items": [_proposal_out(request.app, p, p.support_count) for p in items], "page": number,
                         "per_page": size, "total": total, "pages": pages})


async def get_proposal(request: Request) -> JSONResponse:
    """One proposal with its support count and staff's answer."""
    proposal, _process = await found(service.get_proposal(_id(request, "proposal_id"), drafts=_drafts(request)))
    return JSONResponse(_proposal_out(request.app, proposal, await service.support_count(proposal.id)))


async def list_comments(request: Request) -> JSONResponse:
    """A proposal's comments, oldest first (replies carry their ``parent_id``)."""
    proposal, _process = await found(service.get_proposal(_id(request, "proposal_id"), drafts=_drafts(request)))
    comments = await Comment.filter(proposal_id=proposal.id).order_by("created_at", "id").select_related("author")
    return JSONResponse({"items": [comment_out(None, c) for c in comments]})


async def get_survey(request: Request) -> JSONResponse:
    """A survey and its questions."""
    survey, _process = await found(service.get_survey(_id(request, "survey_id"), drafts=_drafts(request)))
    questions = await Question.filter(survey_id=survey.id)
    return JSONResponse(SurveyOut(
        id=survey.id, process_id=survey.process_id, title=survey.title, description=survey.description,
        is_open=survey.is_open, questions=[QuestionOut(id=q.id, kind=q.kind, text=q.text, options=q.options,
                                                       required=q.required) for q in questions]).model_dump())


async def survey_results(request: Request) -> JSONResponse:
    """A survey's aggregated answers (counts per option; no personal data, no free texts)."""
    survey, _process = await found(service.get_survey(_id(request, "survey_id"), drafts=_drafts(request)))
    return JSONResponse(await rules.survey_results(survey))


async def _meeting_out(meeting: Meeting) -> dict[str, Any]:
    return MeetingOut(
        id=meeting.id, process_id=meeting.process_id, kind=meeting.kind, title=meeting.title,
        starts_at=meeting.starts_at, ends_at=meeting.ends_at, place=meeting.place, online_url=meeting.online_url,
        agenda=meeting.agenda, minutes=meeting.minutes, seats=meeting.seats,
        registrations=await Registration.filter(meeting_id=meeting.id).count(),
        attendance_count=meeting.attendance_count, cancelled=meeting.cancelled,
    ).model_dump(mode="json")


async def list_meetings(request: Request) -> JSONResponse:
    """Hearings and meetings of published consultations (``process`` filters by consultation)."""
    query = Meeting.filter(process__published=True)
    process_id = request.query_params.get("process", "")
    if process_id.isdigit():
        query = query.filter(process_id=int(process_id))
    return JSONResponse({"items": [await _meeting_out(m) for m in await query.order_by("starts_at")]})


async def get_meeting(request: Request) -> JSONResponse:
    """One hearing or meeting with its registrations count and record."""
    meeting, _process = await found(service.get_meeting(_id(request, "meeting_id"), drafts=_drafts(request)))
    return JSONResponse(await _meeting_out(meeting))
