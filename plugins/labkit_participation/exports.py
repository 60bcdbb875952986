"""Open data: proposals with their support counts, survey aggregates and hearing records, as CSV
and JSON. Only published consultations and visible proposals; never names, e-mails or ids of people."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.functions import Count

from labkit.exports import csv_response, json_response

from labkit_participation import rules
from labkit_participation.models import Comment, Meeting, Proposal, Registration, Survey

PROPOSAL_FIELDS = ("id", "process_id", "process_title", "title", "body", "category", "location", "latitude",
                   "longitude", "created_at", "supports", "comments", "answer_status", "answer_text", "answered_at")
SURVEY_FIELDS = ("survey_id", "process_id", "survey_title", "responses", "question_id", "question", "kind",
                 "answered", "option", "count")
MEETING_FIELDS = ("id", "process_id", "process_title", "kind", "title", "starts_at", "ends_at", "place", "online_url",
                  "seats", "registrations", "attendance_count", "cancelled", "agenda", "minutes")


def _process_filter(request: Request) -> dict[str, Any]:
    value = request.query_params.get("process", "")
    return {"process_id": int(value)} if value.isdigit() else {}


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


async def proposal_rows(request: Request) -> list[dict[str, Any]]:
    query = Proposal.filter(process__published=True, hidden_at=None, **_process_filter(request)) \
        .annotate(support_count=Count("supports", distinct=True)).order_by("process_id", "id").prefetch_related("process")
    proposals = await query
    comments = dict(await Comment.filter(proposal_id__in=[p.id for p in proposals], hidden_at=None)
                    .annotate(n=Count("id")).group_by("proposal_id").values_list("proposal_id", "n"))
    return [{
        "id": p.id, "process_id": p.process_id, "process_title": p.process.title, "title": p.title, "body": p.body,
        "category": p.category, "location": p.location, "latitude": p.latitude, "longitude": p.longitude,
        "created_at": _iso(p.created_at), "supports": p.support_count, "comments": comments.get(p.id, 0),
        "answer_status": p.answer_status or "", "answer_text": p.answer_text, "answered_at": _iso(p.answered_at),
    } for p in proposals]


async def survey_rows(request: Request) -> list[dict[str, Any]]:
    rows = []
    surveys = await Survey.filter(process__published=True, **_process_filter(request)).order_by("id")
    for survey in surveys:
        result = await rules.survey_results(survey)
        for question in result["questions"]:
            options = question["options"] or [{"option": "", "count": question["answered"]}]
            for option in options:
                rows.append({"survey_id": survey.id, "process_id": survey.process_id, "survey_title": survey.title,
                             "responses": result["responses"], "question_id": question["id"],
                             "question": question["text"], "kind": question["kind"], "answered": question["answered"],
                             "option": option["option"], "count": option["count"]})
    return rows


async def meeting_rows(request: Request) -> list[dict[str, Any]]:
    meetings = await Meeting.filter(process__published=True, **_process_filter(request)).order_by("starts_at", "id") \
        .select_related("process")
    taken = dict(await Registration.filter(meeting_id__in=[m.id for m in meetings]).annotate(n=Count("id"))
                 .group_by("meeting_id").values_list("meeting_id", "n"))
    return [{
        "id": m.id, "process_id": m.process_id, "process_title": m.process.title, "kind": m.kind, "title": m.title,
        "starts_at": _iso(m.starts_at), "ends_at": _iso(m.ends_at), "place": m.place, "online_url": m.online_url,
        "seats": m.seats, "registrations": taken.get(m.id, 0), "attendance_count": m.attendance_count,
        "cancelled": m.cancelled, "agenda": m.agenda, "minutes": m.minutes,
    } for m in meetings]


def _download(name: str, fields: tuple[str, ...], rows_of: Any) -> tuple[Any, Any]:
    async def as_csv(request: Request) -> Response:
        rows = await rows_of(request)
        return csv_response(f"{name}.csv", fields, [[row[f] for f in fields] for row in rows])

    async def as_json(request: Request) -> Response:
        return json_response(f"{name}.json", {"fields": list(fields), "items": await rows_of(request)})

    as_csv.__doc__ = as_json.__doc__ = f"Open data: {name.replace('-', ' ')}."
    return as_csv, as_json


routes = []
for _name, _fields, _rows in (("proposals", PROPOSAL_FIELDS, proposal_rows), ("survey-results", SURVEY_FIELDS, survey_rows),
                              ("hearings", MEETING_FIELDS, meeting_rows)):
    _csv, _json = _download(_name, _fields, _rows)
    routes += [Route(f"/data/{_name}.csv", _csv, name=f"data_{_name}_csv"),
               Route(f"/data/{_name}.json", _json, name=f"data_{_name}_json")]
