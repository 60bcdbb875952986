"""The participation pages that hold forms: the context and first values of each form page, and
the forms that sit on another page (a comment under a proposal, staff's answer, a meeting's
record, a survey's answers), which re-render that page with the messages. Every write runs an
action (``actions_*.py``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from labkit.action_routes import enforce, found, submit
from labkit.actions import Refused
from labkit.i18n import gettext
from labkit.timezones import now
from labkit.web import flash, redirect, render

from labkit_participation import actions_processes as processes
from labkit_participation import actions_proposals as proposals
from labkit_participation import rules, service
from labkit_participation.models import Meeting, Process, Question, SurveyResponse
from labkit_participation.pages import (
    can_manage,
    meeting_context,
    meeting_of,
    process_context,
    process_of,
    proposal_context,
    proposal_of,
)

# ------------------------------------------------------------------------- consultations


async def new_process_context(request: Request) -> dict[str, Any]:
    """The empty consultation form."""
    return {"process": None, "locked": False}


async def process_form_context(request: Request) -> dict[str, Any]:
    """The consultation being edited; its voting rules are locked once voting started."""
    process = await process_of(request)
    return {"process": process, "locked": rules.voting_started(process, now())}


async def process_values(request: Request) -> dict[str, Any]:
    """The edited consultation's fields as the form shows them."""
    process = await process_of(request)
    zone = request.app.state.settings.zone
    return {
        "title": process.title, "summary": process.summary, "description": process.description,
        "topic": process.topic, "categories": ", ".join(process.categories or []),
        "support_limit": process.support_limit or "",
        "required_verification": process.required_verification,
        "published": "on" if process.published else "",
        **{name: service.local_input(getattr(process, name), zone) for name in processes.PHASE_FIELDS},
    }


async def results_values(request: Request) -> dict[str, Any]:
    """The results' summary as published so far."""
    return {"results_text": (await process_of(request)).results_text}


async def survey_form_context(request: Request) -> dict[str, Any]:
    """The consultation a new survey belongs to."""
    return {"process": await process_of(request)}


# ------------------------------------------------------------------------------ proposals


def _proposal_page(request: Request, proposal_id: int) -> str:
    return request.app.url_path_for("participation:proposal", proposal_id=proposal_id)


def _process_page(request: Request, process_id: int) -> str:
    return request.app.url_path_for("participation:process", process_id=process_id)


async def proposal_new(request: Request) -> Response:
    """Send a proposal: the form is open only during the proposals phase."""
    enforce(proposals.create_proposal, request)
    process = await process_of(request)
    try:
        rules.check_can_propose(process, now())
    except Refused as refusal:
        flash(request, refusal.text(), "error")
        return redirect(_process_page(request, process.id))
    return await _proposal_form(request, process, None, {})


async def proposal_edit(request: Request) -> Response:
    """Edit one's own proposal: only its author, only during the proposals phase."""
    person = enforce(proposals.update_proposal, request).actor
    proposal, process = await proposal_of(request)
    try:
        rules.check_can_edit(proposal, process, person, now())
    except Refused as refusal:
        flash(request, refusal.text(), "error")
        return redirect(_proposal_page(request, proposal.id))
    values: dict[str, Any] = {k: getattr(proposal, k) for k in ("title", "body", "category", "location")}
    values.update(latitude=proposal.latitude if proposal.latitude is not None else "",
                  longitude=proposal.longitude if proposal.longitude is not None else "")
    return await _proposal_form(request, process, proposal, values)


async def _proposal_form(request: Request, process: Process, proposal: Any, values: dict[str, Any]) -> Response:
    errors: dict[str, str] = {}
    if request.method == "POST":
        outcome = await submit(request, proposals.update_proposal if proposal else proposals.create_proposal)
        if outcome.ok:
            flash(request, gettext("Your proposal was saved.") if proposal else
                  gettext("Your proposal was published. Thank you!"))
            return redirect(_proposal_page(request, outcome.result.proposal.id))
        values, errors = outcome.values, outcome.errors
    return render(request, "participation/proposal_form.html",
                  {"process": process, "proposal": proposal, "values": values, "errors": errors},
                  status=422 if errors else 200)


async def answer(request: Request) -> Response:
    """Staff answer a proposal in public (accepted, rejected, under study) with an explanation."""
    outcome = await submit(request, proposals.answer)
    if outcome.ok:
        flash(request, gettext("The answer was published and the followers were told."))
        return redirect(_proposal_page(request, outcome.result.proposal.id))
    proposal, process = await proposal_of(request)
    context = await proposal_context(request, proposal, process)
    context.update(answer_values=outcome.values, answer_errors=outcome.errors)
    return render(request, "participation/proposal.html", context, status=422)


async def comment(request: Request) -> Response:
    """Comment on a consultation or a proposal, or reply to a comment."""
    on_proposal = "proposal_id" in request.path_params
    outcome = await submit(request, proposals.comment if on_proposal else proposals.comment_process)
    if outcome.ok:
        created = outcome.result
        flash(request, gettext("Your comment was published."))
        page = (_proposal_page(request, created.proposal_id) if created.proposal_id
                else _process_page(request, created.process_id))
        return redirect(f"{page}#comment-{created.id}")
    errors, reply_to = dict(outcome.errors), outcome.values.get("parent_id")
    if outcome.refusal is not None:
        errors = {"body": outcome.refusal.text()}
        if outcome.refusal.message == proposals.MISSING_PARENT:
            reply_to = None  # no reply form to show it in
    elif "parent_id" in errors:  # a hidden field: say it, with the text, in the main comment form
        errors.setdefault("body", gettext(proposals.MISSING_PARENT))
        reply_to = None
    if on_proposal:
        proposal, process = await proposal_of(request)
        context = await proposal_context(request, proposal, process)
    else:
        context = await process_context(request, await process_of(request))
    context.update(values=outcome.values, errors=errors, reply_to=reply_to)
    return render(request, "participation/proposal.html" if on_proposal else "participation/process.html",
                  context, status=422)


# ------------------------------------------------------------------------------- surveys


async def survey(request: Request) -> Response:
    """A survey: the questions to answer, or the aggregated results once answered or closed;
    staff open and close it here (``action`` = open / close)."""
    survey, process = await found(service.get_survey(int(request.path_params["survey_id"]),
                                                     drafts=can_manage(request)))
    questions = await Question.filter(survey_id=survey.id)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = await request.form()
        if form.get("action") in ("close", "open"):
            opening = form.get("action") == "open"
            await submit(request, processes.open_survey if opening else processes.close_survey)
            flash(request, gettext("The survey is open.") if opening else gettext("The survey is closed."))
            return redirect(request.url.path)
        enforce(processes.respond, request)
        for question in questions:
            key = f"q{question.id}"
            if question.kind == "multiple":
                values[str(question.id)] = [v for v in form.getlist(key) if isinstance(v, str)]
            else:
                value = form.get(key)
                values[str(question.id)] = value.strip() if isinstance(value, str) else None
        outcome = await submit(request, processes.respond, {"answers": values})
        if outcome.ok:
            flash(request, gettext("Thank you for your answers!"))
            return redirect(request.url.path)
        errors = outcome.errors
    person = request.state.person
    answered = person is not None and await SurveyResponse.filter(survey_id=survey.id, person_id=person.id).exists()
    return render(request, "participation/survey.html", {
        "survey": survey, "process": process, "questions": questions, "answered": answered,
        "results": await rules.survey_results(survey), "values": values, "errors": errors,
        "phase": rules.current_phase(process, now()), "can_manage": can_manage(request),
    }, status=422 if errors else 200)


# ------------------------------------------------------------------------------ meetings


async def new_meeting_context(request: Request) -> dict[str, Any]:
    """The consultation a new meeting belongs to."""
    return {"process": await process_of(request), "meeting": None}


async def meeting_form_context(request: Request) -> dict[str, Any]:
    """The meeting being changed and its consultation."""
    meeting, process = await meeting_of(request)
    return {"process": process, "meeting": meeting}


async def new_meeting_values(request: Request) -> dict[str, Any]:
    """A new meeting is a public hearing unless staff say otherwise."""
    return {"kind": "hearing"}


async def meeting_values(request: Request) -> dict[str, Any]:
    """The changed meeting's fields as the form shows them."""
    meeting, _process = await meeting_of(request)
    return _meeting_values(meeting, request.app.state.settings.zone)


def _meeting_values(meeting: Meeting, zone: Any) -> dict[str, Any]:
    return {"kind": meeting.kind, "title": meeting.title, "place": meeting.place, "online_url": meeting.online_url,
            "agenda": meeting.agenda, "seats": meeting.seats or "",
            "starts_at": service.local_input(meeting.starts_at, zone),
            "ends_at": service.local_input(meeting.ends_at, zone)}


async def meeting_record(request: Request) -> Response:
    """Staff write the minutes and the attendance count (people with or without an account)."""
    outcome = await submit(request, processes.record_meeting)
    if outcome.ok:
        flash(request, gettext("The meeting's record was saved."))
        return redirect(request.app.url_path_for("participation:meeting", meeting_id=outcome.result.id))
    meeting, process = await meeting_of(request)
    context = await meeting_context(request, meeting, process)
    context.update(record_values=outcome.values, record_errors=outcome.errors)
    return render(request, "participation/meeting.html", context, status=422)
