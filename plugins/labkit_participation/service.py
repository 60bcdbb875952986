"""Queries and side effects shared by the pages, the API and the hooks: loading records with their
visibility rules, support counts, notifications in each person's language, and the indicator data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from tortoise.functions import Count

from labkit import auth
from labkit.actions import not_found
from labkit.models import Person
from labkit.notifications import notify
from labkit.periods import Period
from labkit.timezones import LocalTimeError, local_to_utc

from labkit_participation.models import (
    Comment,
    Flag,
    Follow,
    Meeting,
    Process,
    Proposal,
    Registration,
    Support,
    Survey,
    SurveyResponse,
)

SORTS = {"supports": "-support_count", "newest": "-created_at", "oldest": "created_at", "title": "title"}


async def get_process(process_id: int, *, drafts: bool = False) -> Process:
    """A process one may see (drafts only with ``drafts``, i.e. for staff), or a 404 refusal."""
    process = await Process.get_or_none(id=process_id)
    if process is None or (not process.published and not drafts):
        raise not_found()
    return process


async def get_proposal(proposal_id: int, *, drafts: bool = False) -> tuple[Proposal, Process]:
    """A proposal (with its author) and its process, under the process's visibility rule."""
    proposal = await Proposal.get_or_none(id=proposal_id).select_related("author")
    if proposal is None:
        raise not_found()
    return proposal, await get_process(proposal.process_id, drafts=drafts)


async def get_meeting(meeting_id: int, *, drafts: bool = False) -> tuple[Meeting, Process]:
    """A meeting and its process, under the process's visibility rule."""
    meeting = await Meeting.get_or_none(id=meeting_id)
    if meeting is None:
        raise not_found()
    return meeting, await get_process(meeting.process_id, drafts=drafts)


async def get_survey(survey_id: int, *, drafts: bool = False) -> tuple[Survey, Process]:
    """A survey and its process, under the process's visibility rule."""
    survey = await Survey.get_or_none(id=survey_id)
    if survey is None:
        raise not_found()
    return survey, await get_process(survey.process_id, drafts=drafts)


def visible_processes(drafts: bool) -> Any:
    """Every published process, and the drafts too with ``drafts``."""
    query = Process.all()
    return query if drafts else query.filter(published=True)


def proposals_query(process_id: int, category: str = "", sort: str = "supports") -> Any:
    query = Proposal.filter(process_id=process_id)
    if category:
        query = query.filter(category=category)
    return query.annotate(support_count=Count("supports")).order_by(SORTS.get(sort, "-support_count"), "id")


async def support_count(proposal_id: int) -> int:
    return await Support.filter(proposal_id=proposal_id).count()


async def supported_ids(person: Person | None, process_id: int) -> set[int]:
    if person is None:
        return set()
    return set(await Support.filter(person_id=person.id, process_id=process_id).values_list("proposal_id", flat=True))


async def is_following(person: Person | None, process_id: int) -> bool:
    return person is not None and await Follow.filter(person_id=person.id, process_id=process_id).exists()


async def comment_tree(process_id: int, proposal_id: int | None) -> list[dict[str, Any]]:
    """Comments as a tree: ``[{"comment": c, "replies": [...]}]``, oldest first."""
    comments = await Comment.filter(process_id=process_id, proposal_id=proposal_id).order_by("created_at", "id") \
        .select_related("author")
    nodes = {comment.id: {"comment": comment, "replies": []} for comment in comments}
    roots = []
    for comment in comments:
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        (parent["replies"] if parent else roots).append(nodes[comment.id])
    return roots


def convert_times(data: Any, names: tuple[str, ...], timezone: str) -> dict[str, str]:
    """Convert ``names`` of ``data`` from wall-clock times in ``timezone`` to UTC in place; return
    the (untranslated) field errors of impossible times."""
    errors: dict[str, str] = {}
    for name in names:
        try:
            setattr(data, name, local_to_utc(getattr(data, name), timezone))
        except LocalTimeError as error:
            errors[name] = str(error)
    return errors


def local_input(value: datetime | None, zone: Any) -> str:
    """An aware time as a ``datetime-local`` value in the lab's time zone."""
    if value is None:
        return ""
    return value.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


# -------------------------------------------------------------------------- notifications


async def notify_people(app: Starlette, person_ids: set[int] | list[int], message: str, url: str,
                        translated: tuple[str, ...] = (), **values: Any) -> int:
    """Notify each active person of ``person_ids`` of ``message`` (untranslated, with placeholders
    filled from ``values``; those named in ``translated`` are messages too): each reads it in
    their own language."""
    people = await Person.filter(id__in=list(set(person_ids)), is_active=True).values_list("id", flat=True)
    for person_id in people:
        await notify(app, person_id, message, url, params=values, translated=translated)
    return len(people)


# ------------------------------------------------------------------------------ indicators


async def participants_in(period: Period, timezone: str) -> list[str]:
    """Everyone with an account who proposed, commented, supported, answered a survey or registered."""
    start, end = period.bounds(timezone)
    ids: set[int] = set()
    for model, field in ((Proposal, "author_id"), (Comment, "author_id"), (Support, "person_id"),
                         (SurveyResponse, "person_id"), (Registration, "person_id")):
        ids.update(await model.filter(created_at__gte=start, created_at__lt=end).values_list(field, flat=True))
    return [auth.participant_id(person_id) for person_id in sorted(ids)]


async def hearing_attendance_in(period: Period, timezone: str) -> int:
    """People counted at the door of meetings held in ``period`` (most have no account)."""
    start, end = period.bounds(timezone)
    counts = await Meeting.filter(starts_at__gte=start, starts_at__lt=end, cancelled=False,
                                  attendance_count__not_isnull=True).values_list("attendance_count", flat=True)
    return sum(counts)


async def personal_data(person_id: int) -> dict[str, Any]:
    proposals = await Proposal.filter(author_id=person_id).values("id", "process_id", "title", "body", "category",
                                                                   "location", "created_at")
    comments = await Comment.filter(author_id=person_id).values("id", "process_id", "proposal_id", "body", "created_at")
    supports = await Support.filter(person_id=person_id).values("proposal_id", "created_at")
    follows = await Follow.filter(person_id=person_id).values("process_id", "created_at")
    flags = await Flag.filter(person_id=person_id).values("target", "target_id", "reason", "created_at")
    responses = []
    for response in await SurveyResponse.filter(person_id=person_id).prefetch_related("answers__question"):
        responses.append({"survey_id": response.survey_id, "created_at": response.created_at.isoformat(),
                          "answers": [{"question": a.question.text, "choices": a.choices, "text": a.text}
                                      for a in response.answers]})
    registrations = await Registration.filter(person_id=person_id).values("meeting_id", "created_at")

    def iso(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()} for row in rows]

    return {"proposals": iso(proposals), "comments": iso(comments), "supports": iso(supports),
            "followed_processes": iso(follows), "reports": iso(flags), "survey_responses": responses,
            "meeting_registrations": iso(registrations)}


async def erase_person(person_id: int) -> None:
    """Proposals, comments, supports and responses stay for the record (the account is anonymised
    by the core); private traces go: follows, reports, registrations to future meetings, and the
    free-text answers and places that may identify the person."""
    from labkit.timezones import now

    from labkit_participation.models import Answer

    await Follow.filter(person_id=person_id).delete()
    await Flag.filter(person_id=person_id).delete()
    future = await Meeting.filter(starts_at__gt=now()).values_list("id", flat=True)
    await Registration.filter(person_id=person_id, meeting_id__in=list(future)).delete()
    responses = await SurveyResponse.filter(person_id=person_id).values_list("id", flat=True)
    await Answer.filter(response_id__in=list(responses)).update(text="")
    await Proposal.filter(author_id=person_id).update(latitude=None, longitude=None)
