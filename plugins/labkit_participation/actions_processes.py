"""What staff and people do with a consultation as a whole: create and edit it, follow it, publish
its results, and run its surveys and meetings. Each use case is declared once, for the page and
the API alike (see ``routes.py``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from labkit.actions import Context, Refused, action
from labkit.i18n import N_
from labkit.timezones import now

from labkit_participation import forms, rules, service
from labkit_participation.forms import MeetingIn, MeetingRecordIn, ProcessIn, ResultsIn, SurveyIn
from labkit_participation.models import Follow, Meeting, Process, Question, Registration, Survey

MANAGE = "participation.manage"
TAKE_PART = "participation.take_part"
PHASE_FIELDS = ("information_starts_at", "proposals_starts_at", "support_starts_at", "results_starts_at")
INVALID = N_("Some fields are not valid.")


class ProcessPath(BaseModel):
    """A consultation named by the path."""

    model_config = ConfigDict(extra="forbid")

    process_id: int


class ProcessChange(ProcessIn):
    """A consultation's new content (its id from the path)."""

    process_id: int


def _refuse_fields(errors: dict[str, str]) -> None:
    """Refuse with ``errors`` (untranslated, by field) when there are any."""
    if errors:
        raise Refused(INVALID, 422, kind="validation", errors=errors)


def _process_fields(ctx: Context, data: ProcessIn) -> dict[str, Any]:
    """The columns of a consultation from ``data``, its times converted to UTC, once the phases
    are checked to follow each other."""
    _refuse_fields(service.convert_times(data, PHASE_FIELDS, ctx.settings.lab.timezone))
    _refuse_fields(rules.check_phase_order(*(getattr(data, name) for name in PHASE_FIELDS)))
    return {**data.model_dump(exclude={"categories"}), "categories": data.category_list()}


@action("participation.create_process", input=ProcessIn, permission=MANAGE)
async def create_process(ctx: Context, data: ProcessIn) -> Process:
    """Create a consultation (times without an offset are read in the lab's time zone)."""
    process = await Process.create(created_by_id=ctx.actor.id, **_process_fields(ctx, data))
    await ctx.emit("participation.process_created", process_id=process.id)
    return process


@action("participation.update_process", input=ProcessChange, permission=MANAGE)
async def update_process(ctx: Context, data: ProcessChange) -> Process:
    """Change a consultation; its voting rules are frozen once the support phase has started."""
    process = await service.get_process(data.process_id, drafts=True)
    fields = _process_fields(ctx, data)
    _refuse_fields(rules.check_voting_rules_change(process, now(), data.support_limit, data.support_starts_at))
    del fields["process_id"]
    await process.update_from_dict(fields).save()
    return process


@action("participation.follow", input=ProcessPath, permission=TAKE_PART)
async def follow(ctx: Context, data: ProcessPath) -> Process:
    """Follow a consultation: be notified of answers and results."""
    process = await service.get_process(data.process_id, drafts=ctx.allows(MANAGE))
    await rules.follow(process, ctx.actor)
    return process


@action("participation.unfollow", input=ProcessPath, permission=TAKE_PART)
async def unfollow(ctx: Context, data: ProcessPath) -> Process:
    """Stop following a consultation."""
    process = await service.get_process(data.process_id, drafts=ctx.allows(MANAGE))
    await Follow.filter(process_id=process.id, person_id=ctx.actor.id).delete()
    return process


class ResultsChange(ResultsIn):
    """The results' summary of the consultation named by the path."""

    process_id: int


@action("participation.publish_results", input=ResultsChange, permission=MANAGE)
async def publish_results(ctx: Context, data: ResultsChange) -> Process:
    """Publish (or correct) a consultation's results; its followers are told the first time."""
    process = await service.get_process(data.process_id, drafts=True)
    first = process.results_published_at is None
    process.results_text, process.results_published_at = data.results_text, process.results_published_at or now()
    await process.save(update_fields=["results_text", "results_published_at"])
    if first:
        recipients = set(await rules.follower_ids(process.id)) - {ctx.actor.id}
        await service.notify_people(ctx.app, recipients, N_("The results of the consultation “%(title)s” are published."),
                                    ctx.url_for("participation:results", process_id=process.id), title=process.title)
    await ctx.emit("participation.results_published", process_id=process.id)
    return process


# ------------------------------------------------------------------------------- surveys


class NewSurvey(SurveyIn):
    """A survey of the consultation named by the path."""

    process_id: int


@action("participation.create_survey", input=NewSurvey, permission=MANAGE)
async def create_survey(ctx: Context, data: NewSurvey) -> Survey:
    """Create a survey from the editor's lines (see :func:`rules.parse_questions`)."""
    process = await service.get_process(data.process_id, drafts=True)
    questions = rules.parse_questions(data.questions)
    survey = await Survey.create(process_id=process.id, title=data.title, description=data.description)
    await Question.bulk_create([Question(survey_id=survey.id, position=i, **q) for i, q in enumerate(questions)])
    return survey


class SurveyPath(BaseModel):
    """A survey named by the path."""

    model_config = ConfigDict(extra="forbid")

    survey_id: int


async def _set_open(data: SurveyPath, is_open: bool) -> Survey:
    survey, _process = await service.get_survey(data.survey_id, drafts=True)
    survey.is_open = is_open
    await survey.save(update_fields=["is_open"])
    return survey


@action("participation.open_survey", input=SurveyPath, permission=MANAGE)
async def open_survey(ctx: Context, data: SurveyPath) -> Survey:
    """Open a survey to answers again."""
    return await _set_open(data, True)


@action("participation.close_survey", input=SurveyPath, permission=MANAGE)
async def close_survey(ctx: Context, data: SurveyPath) -> Survey:
    """Close a survey: no more answers."""
    return await _set_open(data, False)


class SurveyResponseIn(forms.SurveyResponseIn):
    """Answers to the survey named by the path."""

    survey_id: int


@action("participation.respond", input=SurveyResponseIn, permission=TAKE_PART)
async def respond(ctx: Context, data: SurveyResponseIn) -> Survey:
    """Answer a survey, once: ``{"answers": {"<question id>": "option" | ["a", "b"] | "text"}}``."""
    survey, process = await service.get_survey(data.survey_id, drafts=ctx.allows(MANAGE))
    await rules.respond(survey, process, ctx.actor, data.answers, now())
    await rules.follow(process, ctx.actor)
    await ctx.emit("participation.survey_answered", survey_id=survey.id, process_id=process.id)
    return survey


# ------------------------------------------------------------------------------ meetings


class NewMeeting(MeetingIn):
    """A meeting of the consultation named by the path."""

    process_id: int


class MeetingChange(MeetingIn):
    """The new details of the meeting named by the path."""

    meeting_id: int


async def _meeting_fields(ctx: Context, data: MeetingIn, meeting: Meeting | None) -> dict[str, Any]:
    """The columns of a meeting from ``data`` (times in UTC), once its times and seats are checked."""
    _refuse_fields(service.convert_times(data, ("starts_at", "ends_at"), ctx.settings.lab.timezone))
    if data.ends_at <= data.starts_at:
        _refuse_fields({"ends_at": N_("The end must come after the start.")})
    if meeting is not None and data.seats is not None:
        taken = await Registration.filter(meeting_id=meeting.id).count()
        if data.seats < taken:
            raise Refused(INVALID, 422, kind="validation", taken=taken, errors={
                "seats": N_("%(taken)s people are already registered: give at least that many seats.")})
    return data.model_dump(include=set(MeetingIn.model_fields))


@action("participation.create_meeting", input=NewMeeting, permission=MANAGE)
async def create_meeting(ctx: Context, data: NewMeeting) -> Meeting:
    """Schedule a public hearing or a meeting of a consultation."""
    process = await service.get_process(data.process_id, drafts=True)
    return await Meeting.create(process_id=process.id, **await _meeting_fields(ctx, data, None))


@action("participation.update_meeting", input=MeetingChange, permission=MANAGE)
async def update_meeting(ctx: Context, data: MeetingChange) -> Meeting:
    """Change a meeting (never below the seats already taken)."""
    meeting, _process = await service.get_meeting(data.meeting_id, drafts=True)
    await meeting.update_from_dict(await _meeting_fields(ctx, data, meeting)).save()
    return meeting


class MeetingRecord(MeetingRecordIn):
    """The record of the meeting named by the path."""

    meeting_id: int


@action("participation.record_meeting", input=MeetingRecord, permission=MANAGE)
async def record_meeting(ctx: Context, data: MeetingRecord) -> Meeting:
    """Write a meeting's minutes and attendance count (people with or without an account)."""
    meeting, _process = await service.get_meeting(data.meeting_id, drafts=True)
    await meeting.update_from_dict(data.model_dump(exclude={"meeting_id"})).save()
    return meeting


class MeetingPath(BaseModel):
    """A meeting named by the path."""

    model_config = ConfigDict(extra="forbid")

    meeting_id: int


@action("participation.register", input=MeetingPath, permission=TAKE_PART)
async def register(ctx: Context, data: MeetingPath) -> Meeting:
    """Take a seat at a meeting (before it starts, within its seats)."""
    meeting, process = await service.get_meeting(data.meeting_id, drafts=ctx.allows(MANAGE))
    await rules.register(meeting, ctx.actor, now())
    await rules.follow(process, ctx.actor)
    await ctx.emit("participation.meeting_registered", meeting_id=meeting.id)
    return meeting


@action("participation.unregister", input=MeetingPath, permission=TAKE_PART)
async def unregister(ctx: Context, data: MeetingPath) -> Meeting:
    """Give one's seat at a meeting back (until it starts)."""
    meeting, _process = await service.get_meeting(data.meeting_id, drafts=ctx.allows(MANAGE))
    await rules.unregister(meeting, ctx.actor, now())
    return meeting

