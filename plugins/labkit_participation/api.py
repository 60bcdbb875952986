"""The JSON API under ``/api/v1/participation/`` (described in ``/api/v1/openapi.json``).

Reads of published consultations are public; writes need a session (with the ``X-CSRF-Token``
header) or an API token, and the permission named on each route. Refusals are RFC 9457 problem
documents whose ``type`` ends with a stable kind (``already-supported``, ``support-limit``,
``wrong-phase``...).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse

from labkit import auth, events
from labkit.api import ApiRoute
from labkit.i18n import N_, gettext
from labkit.timezones import now
from labkit.web import Problem, page_params, read_json

from labkit_participation import rules, service
from labkit_participation.forms import AnswerIn, CommentIn, FlagIn, HideIn, ProcessIn, ProposalIn, SurveyResponseIn
from labkit_participation.models import Comment, Follow, Meeting, Process, Proposal, Question, Registration


class PhaseOut(BaseModel):
    phase: str
    starts_at: datetime
    ends_at: datetime | None


class ProcessOut(BaseModel):
    id: int
    title: str
    summary: str
    description: str
    topic: str
    categories: list[str]
    phase: str
    phases: list[PhaseOut]
    support_limit: int | None
    results_published: bool
    url: str


class ProcessList(BaseModel):
    items: list[ProcessOut]


class AnswerOut(BaseModel):
    status: str
    text: str
    answered_at: datetime


class ProposalOut(BaseModel):
    id: int
    process_id: int
    title: str
    body: str
    category: str
    location: str
    latitude: float | None
    longitude: float | None
    author: str
    supports: int
    created_at: datetime
    hidden: bool
    hidden_reason: str
    answer: AnswerOut | None
    url: str


class ProposalList(BaseModel):
    items: list[ProposalOut]
    page: int
    per_page: int
    total: int
    pages: int


class SupportOut(BaseModel):
    proposal_id: int
    supports: int
    supported: bool
    supports_left: int | None


class CommentOut(BaseModel):
    id: int
    parent_id: int | None
    author: str
    body: str
    hidden: bool
    created_at: datetime


class CommentList(BaseModel):
    items: list[CommentOut]


class QuestionOut(BaseModel):
    id: int
    kind: str
    text: str
    options: list[str]
    required: bool


class SurveyOut(BaseModel):
    id: int
    process_id: int
    title: str
    description: str
    is_open: bool
    questions: list[QuestionOut]


class OptionCount(BaseModel):
    option: str
    count: int


class QuestionResult(BaseModel):
    id: int
    kind: str
    text: str
    answered: int
    options: list[OptionCount]


class SurveyResults(BaseModel):
    survey: int
    title: str
    responses: int
    questions: list[QuestionResult]


class MeetingOut(BaseModel):
    id: int
    process_id: int
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    online_url: str
    agenda: str
    minutes: str
    seats: int | None
    registrations: int
    attendance_count: int | None
    cancelled: bool


class MeetingList(BaseModel):
    items: list[MeetingOut]


class RegistrationOut(BaseModel):
    meeting_id: int
    registered: bool
    seats_left: int | None


class Done(BaseModel):
    ok: bool


def _problem(error: rules.Refused) -> Problem:
    errors = [{"field": key, "message": gettext(message)} for key, message in error.errors.items()]
    return Problem(error.status, error.text(), errors=errors, kind=error.kind)


def _process_out(process: Process) -> dict[str, Any]:
    return ProcessOut(
        id=process.id, title=process.title, summary=process.summary, description=process.description,
        topic=process.topic, categories=process.categories or [], phase=rules.current_phase(process, now()),
        phases=[PhaseOut(phase=p, starts_at=s, ends_at=e) for p, s, e in rules.phase_dates(process)],
        support_limit=process.support_limit, results_published=process.results_published_at is not None,
        url=f"/participation/processes/{process.id}",
    ).model_dump(mode="json")


def _proposal_out(proposal: Proposal, supports: int) -> dict[str, Any]:
    hidden = proposal.hidden_at is not None
    answer = None
    if proposal.answer_status and proposal.answered_at:
        answer = AnswerOut(status=proposal.answer_status, text=proposal.answer_text, answered_at=proposal.answered_at)
    return ProposalOut(
        id=proposal.id, process_id=proposal.process_id, title="" if hidden else proposal.title,
        body="" if hidden else proposal.body, category=proposal.category, location="" if hidden else proposal.location,
        latitude=None if hidden else proposal.latitude, longitude=None if hidden else proposal.longitude,
        author="" if hidden else proposal.author.name, supports=supports, created_at=proposal.created_at,
        hidden=hidden, hidden_reason=proposal.hidden_reason, answer=answer, url=f"/participation/proposals/{proposal.id}",
    ).model_dump(mode="json")


def _id(request: Request, name: str) -> int:
    return int(request.path_params[name])


async def list_processes(request: Request) -> JSONResponse:
    """Published consultations, newest first, with their current phase."""
    processes = await service.visible_processes(request).order_by("-information_starts_at")
    return JSONResponse({"items": [_process_out(p) for p in processes]})


async def get_process(request: Request) -> JSONResponse:
    """One consultation with its phases."""
    return JSONResponse(_process_out(await service.get_process(request, _id(request, "process_id"))))


async def create_process(request: Request) -> JSONResponse:
    """Create a consultation (times without an offset are read in the lab's time zone)."""
    person = auth.require(request, "participation.manage")
    data = await read_json(request, ProcessIn)
    errors = service.convert_times(data, ("information_starts_at", "proposals_starts_at", "support_starts_at",
                                          "results_starts_at"), request)
    errors = errors or {k: gettext(v) for k, v in rules.check_phase_order(
        data.information_starts_at, data.proposals_starts_at, data.support_starts_at, data.results_starts_at).items()}
    if errors:
        raise Problem(422, gettext("Some fields are not valid."), kind="validation",
                      errors=[{"field": k, "message": v} for k, v in errors.items()])
    fields = data.model_dump(exclude={"categories"})
    process = await Process.create(created_by_id=person.id, categories=data.category_list(), **fields)
    await events.emit(request.app, "participation.process_created", person.id, process_id=process.id)
    return JSONResponse(_process_out(process), status_code=201)


async def list_proposals(request: Request) -> JSONResponse:
    """A consultation's proposals with their support counts (``sort``: supports, newest, oldest, title)."""
    process = await service.get_process(request, _id(request, "process_id"))
    number, size = page_params(request)
    category = request.query_params.get("category", "")
    total = await Proposal.filter(process_id=process.id, **({"category": category} if category else {})).count()
    items = await service.proposals_query(process.id, category, request.query_params.get("sort", "supports")) \
        .offset((number - 1) * size).limit(size).prefetch_related("author")
    pages = max(1, -(-total // size))
    return JSONResponse({"items": [_proposal_out(p, p.support_count) for p in items], "page": number,
                         "per_page": size, "total": total, "pages": pages})


async def create_proposal(request: Request) -> JSONResponse:
    """Send a proposal during the proposals phase."""
    person = auth.require(request, "participation.propose")
    process = await service.get_process(request, _id(request, "process_id"))
    data = await read_json(request, ProposalIn)
    try:
        rules.check_can_propose(process, now())
        if process.categories and data.category not in process.categories:
            raise rules.Refused(N_("Choose one of the options."), 422, kind="validation",
                                errors={"category": N_("Choose one of the options.")})
        await rules.check_rate(request.app.state.settings, person, "proposal")
    except rules.Refused as error:
        raise _problem(error) from None
    proposal = await Proposal.create(process_id=process.id, author_id=person.id, **data.model_dump())
    await rules.follow(process, person)
    await events.emit(request.app, "participation.proposal_created", person.id, proposal_id=proposal.id,
                      process_id=process.id)
    await proposal.fetch_related("author")
    return JSONResponse(_proposal_out(proposal, 0), status_code=201)


async def get_proposal(request: Request) -> JSONResponse:
    """One proposal with its support count and staff's answer."""
    proposal, _process = await service.get_proposal(request, _id(request, "proposal_id"))
    return JSONResponse(_proposal_out(proposal, await service.support_count(proposal.id)))


async def update_proposal(request: Request) -> JSONResponse:
    """Edit one's own proposal (until the support phase starts)."""
    person = auth.require(request, "participation.propose")
    proposal, process = await service.get_proposal(request, _id(request, "proposal_id"))
    data = await read_json(request, ProposalIn)
    try:
        rules.check_can_edit(proposal, process, person, now())
    except rules.Refused as error:
        raise _problem(error) from None
    await proposal.update_from_dict(data.model_dump()).save()
    return JSONResponse(_proposal_out(proposal, await service.support_count(proposal.id)))


async def _support_state(process: Process, proposal: Proposal, person: Any, supported: bool) -> dict[str, Any]:
    return SupportOut(proposal_id=proposal.id, supports=await service.support_count(proposal.id), supported=supported,
                      supports_left=await rules.supports_left(process, person)).model_dump()


async def support(request: Request) -> JSONResponse:
    """Support a proposal (once per person; within the consultation's limit)."""
    person = auth.require(request, "participation.support")
    proposal, process = await service.get_proposal(request, _id(request, "proposal_id"))
    try:
        await rules.support(process, proposal, person, now())
    except rules.Refused as error:
        raise _problem(error) from None
    await rules.follow(process, person)
    await events.emit(request.app, "participation.proposal_supported", person.id, proposal_id=proposal.id,
                      process_id=process.id)
    return JSONResponse(await _support_state(process, proposal, person, True), status_code=201)


async def withdraw(request: Request) -> JSONResponse:
    """Withdraw one's support during the support phase."""
    person = auth.require(request, "participation.support")
    proposal, process = await service.get_proposal(request, _id(request, "proposal_id"))
    try:
        await rules.withdraw_support(process, proposal, person, now())
    except rules.Refused as error:
        raise _problem(error) from None
    return JSONResponse(await _support_state(process, proposal, person, False))


async def answer(request: Request) -> JSONResponse:
    """Publish staff's answer to a proposal; the author and the followers are notified."""
    person = auth.require(request, "participation.manage")
    proposal, process = await service.get_proposal(request, _id(request, "proposal_id"))
    data = await read_json(request, AnswerIn)
    await service.publish_answer(request.app, proposal, process, person, data.status, data.text, now())
    return JSONResponse(_proposal_out(proposal, await service.support_count(proposal.id)))


def _comment_out(comment: Comment) -> dict[str, Any]:
    hidden = comment.hidden_at is not None
    return CommentOut(id=comment.id, parent_id=comment.parent_id, author="" if hidden else comment.author.name,
                      body=gettext("Hidden by moderation: %(reason)s", reason=comment.hidden_reason) if hidden
                      else comment.body, hidden=hidden, created_at=comment.created_at).model_dump(mode="json")


async def list_comments(request: Request) -> JSONResponse:
    """A proposal's comments, oldest first (replies carry their ``parent_id``)."""
    proposal, _process = await service.get_proposal(request, _id(request, "proposal_id"))
    comments = await Comment.filter(proposal_id=proposal.id).order_by("created_at", "id").select_related("author")
    return JSONResponse({"items": [_comment_out(c) for c in comments]})


async def create_comment(request: Request) -> JSONResponse:
    """Comment on a proposal, or reply to one of its comments."""
    person = auth.require(request, "participation.comment")
    proposal, process = await service.get_proposal(request, _id(request, "proposal_id"))
    data = await read_json(request, CommentIn)
    parent = await Comment.get_or_none(id=data.parent_id) if data.parent_id is not None else None
    if data.parent_id is not None and parent is None:
        raise Problem(422, gettext("The comment you reply to no longer exists."), kind="validation")
    try:
        await rules.check_can_comment(process, proposal, parent, now())
        await rules.check_rate(request.app.state.settings, person, "comment")
    except rules.Refused as error:
        raise _problem(error) from None
    comment = await Comment.create(process_id=process.id, proposal_id=proposal.id, author_id=person.id,
                                   parent_id=parent.id if parent else None, body=data.body)
    await events.emit(request.app, "participation.comment_created", person.id, comment_id=comment.id,
                      process_id=process.id, proposal_id=proposal.id)
    await comment.fetch_related("author")
    return JSONResponse(_comment_out(comment), status_code=201)


async def follow(request: Request) -> JSONResponse:
    """Follow a consultation: be notified of answers and results."""
    person = auth.require(request, "participation.take_part")
    process = await service.get_process(request, _id(request, "process_id"))
    if request.method == "DELETE":
        await Follow.filter(process_id=process.id, person_id=person.id).delete()
    else:
        await rules.follow(process, person)
    return JSONResponse({"ok": True})


async def flag(request: Request) -> JSONResponse:
    """Report a proposal or a comment to the moderators (once per person and item)."""
    person = auth.require(request, "participation.take_part")
    data = await read_json(request, FlagIn)
    try:
        await rules.flag(data.target, data.target_id, person, data.reason)
    except rules.Refused as error:
        raise _problem(error) from None
    await events.emit(request.app, "participation.content_flagged", person.id, target=data.target,
                      target_id=data.target_id)
    return JSONResponse({"ok": True}, status_code=201)


async def hide(request: Request) -> JSONResponse:
    """Hide a proposal or a comment with a public reason."""
    person = auth.require(request, "participation.moderate")
    data = await read_json(request, HideIn)
    try:
        await rules.hide(data.target, data.target_id, data.reason, now())
    except rules.Refused as error:
        raise _problem(error) from None
    await events.emit(request.app, "participation.content_hidden", person.id, target=data.target,
                      target_id=data.target_id)
    return JSONResponse({"ok": True})


async def get_survey(request: Request) -> JSONResponse:
    """A survey and its questions."""
    survey, _process = await service.get_survey(request, _id(request, "survey_id"))
    questions = await Question.filter(survey_id=survey.id)
    return JSONResponse(SurveyOut(
        id=survey.id, process_id=survey.process_id, title=survey.title, description=survey.description,
        is_open=survey.is_open, questions=[QuestionOut(id=q.id, kind=q.kind, text=q.text, options=q.options,
                                                       required=q.required) for q in questions]).model_dump())


async def respond(request: Request) -> JSONResponse:
    """Answer a survey, once: ``{"answers": {"<question id>": "option" | ["a", "b"] | "text"}}``."""
    person = auth.require(request, "participation.take_part")
    survey, process = await service.get_survey(request, _id(request, "survey_id"))
    data = await read_json(request, SurveyResponseIn)
    try:
        await rules.respond(survey, process, person, data.answers, now())
    except rules.Refused as error:
        raise _problem(error) from None
    await rules.follow(process, person)
    await events.emit(request.app, "participation.survey_answered", person.id, survey_id=survey.id,
                      process_id=process.id)
    return JSONResponse({"ok": True}, status_code=201)


async def survey_results(request: Request) -> JSONResponse:
    """A survey's aggregated answers (counts per option; no personal data, no free texts)."""
    survey, _process = await service.get_survey(request, _id(request, "survey_id"))
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
    meeting, _process = await service.get_meeting(request, _id(request, "meeting_id"))
    return JSONResponse(await _meeting_out(meeting))


async def registration(request: Request) -> JSONResponse:
    """Register for a meeting (POST) or cancel the registration (DELETE)."""
    person = auth.require(request, "participation.take_part")
    meeting, process = await service.get_meeting(request, _id(request, "meeting_id"))
    try:
        if request.method == "DELETE":
            await rules.unregister(meeting, person, now())
        else:
            await rules.register(meeting, person, now())
    except rules.Refused as error:
        raise _problem(error) from None
    if request.method != "DELETE":
        await rules.follow(process, person)
        await events.emit(request.app, "participation.meeting_registered", person.id, meeting_id=meeting.id)
    taken = await Registration.filter(meeting_id=meeting.id).count()
    return JSONResponse(RegistrationOut(
        meeting_id=meeting.id, registered=request.method != "DELETE",
        seats_left=None if meeting.seats is None else max(0, meeting.seats - taken)).model_dump(),
        status_code=201 if request.method == "POST" else 200)


P = "/processes/{process_id:int}"
R = "/proposals/{proposal_id:int}"
api_routes = [
    ApiRoute("/processes", list_processes, name="processes", response=ProcessList),
    ApiRoute("/processes", create_process, methods=["POST"], name="create_process", body=ProcessIn,
             response=ProcessOut, permission="participation.manage", status=201),
    ApiRoute(P, get_process, name="process", response=ProcessOut),
    ApiRoute(P + "/proposals", list_proposals, name="proposals", response=ProposalList,
             query={"sort": "supports (default), newest, oldest or title", "category": "only this category",
                    "page": "page number", "per_page": "items per page (at most 100)"}),
    ApiRoute(P + "/proposals", create_proposal, methods=["POST"], name="create_proposal", body=ProposalIn,
             response=ProposalOut, permission="participation.propose", status=201),
    ApiRoute(P + "/follow", follow, methods=["POST", "DELETE"], name="follow", response=Done,
             permission="participation.take_part"),
    ApiRoute(R, get_proposal, name="proposal", response=ProposalOut),
    ApiRoute(R, update_proposal, methods=["PUT"], name="update_proposal", body=ProposalIn, response=ProposalOut,
             permission="participation.propose"),
    ApiRoute(R + "/support", support, methods=["POST"], name="support", response=SupportOut,
             permission="participation.support", status=201),
    ApiRoute(R + "/support", withdraw, methods=["DELETE"], name="withdraw_support", response=SupportOut,
             permission="participation.support"),
    ApiRoute(R + "/answer", answer, methods=["POST"], name="answer", body=AnswerIn, response=ProposalOut,
             permission="participation.manage"),
    ApiRoute(R + "/comments", list_comments, name="comments", response=CommentList),
    ApiRoute(R + "/comments", create_comment, methods=["POST"], name="create_comment", body=CommentIn,
             response=CommentOut, permission="participation.comment", status=201),
    ApiRoute("/flags", flag, methods=["POST"], name="flag", body=FlagIn, response=Done,
             permission="participation.take_part", status=201),
    ApiRoute("/moderation/hide", hide, methods=["POST"], name="hide", body=HideIn, response=Done,
             permission="participation.moderate"),
    ApiRoute("/surveys/{survey_id:int}", get_survey, name="survey", response=SurveyOut),
    ApiRoute("/surveys/{survey_id:int}/responses", respond, methods=["POST"], name="respond", body=SurveyResponseIn,
             response=Done, permission="participation.take_part", status=201),
    ApiRoute("/surveys/{survey_id:int}/results", survey_results, name="survey_results", response=SurveyResults),
    ApiRoute("/meetings", list_meetings, name="meetings", response=MeetingList,
             query={"process": "only this consultation's meetings"}),
    ApiRoute("/meetings/{meeting_id:int}", get_meeting, name="meeting", response=MeetingOut),
    ApiRoute("/meetings/{meeting_id:int}/registration", registration, methods=["POST", "DELETE"],
             name="registration", response=RegistrationOut, permission="participation.take_part", status=201),
]
