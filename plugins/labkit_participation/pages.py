"""The participation plugin's read-only pages and the contexts of its templates: consultations,
proposals, results, surveys, meetings, moderation, calendars and open data. Writes are actions
(``actions_*.py``), bound to pages in ``routes.py`` and ``page_forms.py``."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from labkit import auth
from labkit.action_routes import found
from labkit.calendar import CalendarEvent, ics_response
from labkit.filters import choice
from labkit.i18n import gettext
from labkit.timezones import now
from labkit.web import render

from labkit_participation import rules, service
from labkit_participation.models import Comment, Flag, Meeting, Process, Proposal, Registration, Support, Survey


def can_manage(request: Request) -> bool:
    """Whether the visitor runs consultations (and so sees drafts)."""
    return auth.has_permission(request, "participation.manage")


def _id(request: Request, name: str) -> int:
    return int(request.path_params[name])


async def process_of(request: Request) -> Process:
    """The consultation named by the path, if the visitor may see it (else the 404 page)."""
    return await found(service.get_process(_id(request, "process_id"), drafts=can_manage(request)))


async def proposal_of(request: Request) -> tuple[Proposal, Process]:
    """The proposal named by the path and its consultation (else the 404 page)."""
    return await found(service.get_proposal(_id(request, "proposal_id"), drafts=can_manage(request)))


async def meeting_of(request: Request) -> tuple[Meeting, Process]:
    """The meeting named by the path and its consultation (else the 404 page)."""
    return await found(service.get_meeting(_id(request, "meeting_id"), drafts=can_manage(request)))


# ------------------------------------------------------------------------------ processes


async def index(request: Request) -> Response:
    """Every consultation, the ones open now first."""
    moment = now()
    processes = await service.visible_processes(can_manage(request)).order_by("-information_starts_at")
    groups: dict[str, list[dict[str, Any]]] = {"open": [], "upcoming": [], "closed": []}
    for process in processes:
        phase = rules.current_phase(process, moment)
        group = "upcoming" if phase == "upcoming" else "closed" if phase == "results" else "open"
        groups[group].append({"process": process, "phase": phase,
                              "proposals": await Proposal.filter(process_id=process.id, hidden_at=None).count()})
    return render(request, "participation/index.html", {"groups": groups, "can_manage": can_manage(request),
                                                         "phase_labels": rules.PHASE_LABELS})


async def process_context(request: Request, process: Process) -> dict[str, Any]:
    """What the consultation's page shows (its comment form empty)."""
    person = request.state.person
    category = request.query_params.get("category", "")
    sort = choice(request.query_params, "sort", service.SORTS, default="supports")
    proposals = await service.proposals_query(process.id, category, sort).prefetch_related("author")
    return {
        "process": process,
        "phase": rules.current_phase(process, now()),
        "timeline": rules.phase_dates(process),
        "phase_labels": rules.PHASE_LABELS,
        "phase_help": rules.PHASE_HELP,
        "answer_labels": rules.ANSWER_LABELS,
        "proposals": proposals,
        "category": category,
        "sort": sort,
        "supported": await service.supported_ids(person, process.id),
        "supports_left": await rules.supports_left(process, person),
        "following": await service.is_following(person, process.id),
        "surveys": await Survey.filter(process_id=process.id).order_by("id"),
        "meetings": await Meeting.filter(process_id=process.id).order_by("starts_at"),
        "comments": await service.comment_tree(process.id, None),
        "can_manage": can_manage(request),
        "can_moderate": auth.has_permission(request, "participation.moderate"),
        "values": {}, "errors": {}, "reply_to": None,
    }


async def process_detail(request: Request) -> Response:
    """A consultation: its phases, proposals, surveys, meetings and comments."""
    process = await process_of(request)
    return render(request, "participation/process.html", await process_context(request, process))


async def results_context(request: Request) -> dict[str, Any]:
    """The results page: staff's summary, every proposal's answer and the survey aggregates."""
    process = await process_of(request)
    proposals = await service.proposals_query(process.id).filter(hidden_at=None)
    by_status: dict[str, list[Proposal]] = {"accepted": [], "under_study": [], "rejected": [], "": []}
    for proposal in proposals:
        by_status[proposal.answer_status or ""].append(proposal)
    surveys = [await rules.survey_results(survey) for survey in await Survey.filter(process_id=process.id)]
    return {
        "process": process, "by_status": by_status, "answer_labels": rules.ANSWER_LABELS, "surveys": surveys,
        "meetings": await Meeting.filter(process_id=process.id).order_by("starts_at"),
        "supports": await Support.filter(process_id=process.id).count(), "can_manage": can_manage(request),
    }


# ------------------------------------------------------------------------------ proposals


async def proposal_context(request: Request, proposal: Proposal, process: Process) -> dict[str, Any]:
    """What a proposal's page shows (its comment and answer forms empty)."""
    person = request.state.person
    phase = rules.current_phase(process, now())
    return {
        "process": process, "proposal": proposal, "phase": phase,
        "phase_labels": rules.PHASE_LABELS, "answer_labels": rules.ANSWER_LABELS,
        "supports": await service.support_count(proposal.id),
        "supported": person is not None and await Support.filter(proposal_id=proposal.id, person_id=person.id).exists(),
        "supports_left": await rules.supports_left(process, person),
        "comments": await service.comment_tree(process.id, proposal.id),
        "can_edit": person is not None and proposal.author_id == person.id and proposal.hidden_at is None
        and phase == "proposals",
        "can_manage": can_manage(request),
        "can_moderate": auth.has_permission(request, "participation.moderate"),
        "flags": await Flag.filter(target="proposal", target_id=proposal.id).count(),
        "values": {}, "errors": {}, "reply_to": None, "answer_values": {"status": proposal.answer_status or "",
                                                      "text": proposal.answer_text},
        "answer_errors": {},
    }


async def proposal_detail(request: Request) -> Response:
    """A proposal with its supports, staff's answer and comments."""
    proposal, process = await proposal_of(request)
    return render(request, "participation/proposal.html", await proposal_context(request, proposal, process))


# ----------------------------------------------------------------------------- moderation


async def moderation(request: Request) -> Response:
    """Reported items, most reported first, with the means to hide them or block their authors."""
    flags = await Flag.all().order_by("-created_at").values("target", "target_id", "reason", "created_at")
    items: dict[tuple[str, int], dict[str, Any]] = {}
    for row in flags:
        entry = items.setdefault((row["target"], row["target_id"]), {"target": row["target"], "id": row["target_id"],
                                                                     "count": 0, "reasons": [], "last": row["created_at"]})
        entry["count"] += 1
        if row["reason"]:
            entry["reasons"].append(row["reason"])
    for (target, target_id), entry in items.items():
        record = await rules.TARGETS[target].get_or_none(id=target_id).select_related("author")
        entry["record"] = record
        entry["url"] = _flagged_url(request, target, target_id, record)
    ordered = sorted((e for e in items.values() if e["record"] is not None), key=lambda e: (-e["count"], e["id"]))
    hidden = [*await Proposal.filter(hidden_at__not_isnull=True).order_by("-hidden_at").limit(50),
              *await Comment.filter(hidden_at__not_isnull=True).order_by("-hidden_at").limit(50)]
    return render(request, "participation/moderation.html", {
        "items": ordered, "hidden": hidden, "can_block": auth.has_permission(request, "participation.block")})


def _flagged_url(request: Request, target: str, target_id: int, record: Any) -> str:
    """Where a reported proposal or comment is shown."""
    if target == "proposal":
        return request.app.url_path_for("participation:proposal", proposal_id=target_id)
    if record is None:
        return ""
    if record.proposal_id:
        return request.app.url_path_for("participation:proposal", proposal_id=record.proposal_id) + f"#comment-{target_id}"
    return request.app.url_path_for("participation:process", process_id=record.process_id) + f"#comment-{target_id}"


# ------------------------------------------------------------------------------- meetings


async def meeting_context(request: Request, meeting: Meeting, process: Process) -> dict[str, Any]:
    """What a meeting's page shows (its record form filled with the record)."""
    person = request.state.person
    taken = await Registration.filter(meeting_id=meeting.id).count()
    return {
        "meeting": meeting, "process": process, "taken": taken,
        "seats_left": None if meeting.seats is None else max(0, meeting.seats - taken),
        "registered": person is not None and await Registration.filter(meeting_id=meeting.id,
                                                                        person_id=person.id).exists(),
        "started": now() >= meeting.starts_at, "can_manage": can_manage(request),
        "record_values": {"minutes": meeting.minutes, "attendance_count": meeting.attendance_count
                          if meeting.attendance_count is not None else "",
                          "cancelled": "on" if meeting.cancelled else ""},
        "record_errors": {},
    }


async def meeting_detail(request: Request) -> Response:
    """A hearing or meeting: when and where, its seats, and its record once held."""
    meeting, process = await meeting_of(request)
    return render(request, "participation/meeting.html", await meeting_context(request, meeting, process))


def _calendar_event(request: Request, meeting: Meeting, process: Process) -> CalendarEvent:
    base = request.app.state.settings.lab.base_url.rstrip("/")
    host = base.split("://", 1)[-1].split("/", 1)[0] or "labkit"
    where = ", ".join(part for part in (meeting.place, meeting.online_url) if part)
    return CalendarEvent(uid=f"participation-meeting-{meeting.id}@{host}", title=meeting.title,
                         start=meeting.starts_at, end=meeting.ends_at,
                         description=f"{process.title}\n\n{meeting.agenda}".strip(), location=where,
                         url=base + request.app.url_path_for("participation:meeting", meeting_id=meeting.id),
                         status="CANCELLED" if meeting.cancelled else "CONFIRMED")


async def meeting_ics(request: Request) -> Response:
    """One meeting as a calendar file."""
    meeting, process = await meeting_of(request)
    return ics_response(meeting.title, [_calendar_event(request, meeting, process)],
                        filename=f"meeting-{meeting.id}.ics")


async def process_calendar(request: Request) -> Response:
    """The calendar feed of a consultation's hearings and meetings (subscribe to it)."""
    process = await process_of(request)
    meetings = await Meeting.filter(process_id=process.id).order_by("starts_at")
    return ics_response(process.title, [_calendar_event(request, m, process) for m in meetings])


async def calendar_feed(request: Request) -> Response:
    """Every published consultation's hearings and meetings in one feed."""
    meetings = await Meeting.filter(process__published=True).order_by("starts_at").select_related("process")
    return ics_response(gettext("Participation"), [_calendar_event(request, m, m.process) for m in meetings])


# ------------------------------------------------------------------------------ open data


async def open_data(request: Request) -> Response:
    """The open data page: what can be downloaded, by consultation and survey."""
    processes = await Process.filter(published=True).order_by("-information_starts_at")
    surveys = await Survey.filter(process__published=True).order_by("id").select_related("process")
    return render(request, "participation/data.html", {"processes": processes, "surveys": surveys})
