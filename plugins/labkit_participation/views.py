"""Pages of the participation plugin: consultations, proposals, supports, comments, surveys,
meetings, results and moderation. Every write checks a permission; forms carry CSRF tokens."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit import auth, events
from labkit.calendar import CalendarEvent, ics_response
from labkit.i18n import N_, gettext
from labkit.timezones import now
from labkit.web import flash, read_form, redirect, render, safe_next

from labkit_participation import exports, rules, service
from labkit_participation.forms import (
    AnswerIn,
    CommentIn,
    FlagIn,
    HideIn,
    MeetingIn,
    MeetingRecordIn,
    ProcessIn,
    ProposalIn,
    ResultsIn,
    SurveyIn,
)
from labkit_participation.models import (
    Comment,
    Flag,
    Follow,
    Meeting,
    Process,
    Proposal,
    Question,
    Registration,
    Support,
    Survey,
    SurveyResponse,
)

PREFIX = "/participation"


def _refusal(request: Request, error: rules.Refused, back: str) -> Response:
    """A refused action from a button: say why on the page the person came from."""
    flash(request, error.text(), "error")
    return redirect(back)


def _form_errors(error: rules.Refused) -> dict[str, str]:
    errors = {key: gettext(message) for key, message in error.errors.items()}
    if not errors or error.message not in error.errors.values():
        errors.setdefault("__all__", error.text())
    return errors


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise service.not_found() from None


# ------------------------------------------------------------------------------ processes


async def index(request: Request) -> Response:
    """Every consultation, the ones open now first."""
    moment = now()
    processes = await service.visible_processes(request).order_by("-information_starts_at")
    groups: dict[str, list[dict[str, Any]]] = {"open": [], "upcoming": [], "closed": []}
    for process in processes:
        phase = rules.current_phase(process, moment)
        group = "upcoming" if phase == "upcoming" else "closed" if phase == "results" else "open"
        groups[group].append({"process": process, "phase": phase,
                              "proposals": await Proposal.filter(process_id=process.id, hidden_at=None).count()})
    return render(request, "participation/index.html", {"groups": groups, "can_manage": service.can_manage(request),
                                                         "phase_labels": rules.PHASE_LABELS})


async def _process_context(request: Request, process: Process) -> dict[str, Any]:
    person = request.state.person
    moment = now()
    category = request.query_params.get("category", "")
    sort = request.query_params.get("sort", "supports")
    if sort not in service.SORTS:
        sort = "supports"
    proposals = await service.proposals_query(process.id, category, sort).prefetch_related("author")
    return {
        "process": process,
        "phase": rules.current_phase(process, moment),
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
        "can_manage": service.can_manage(request),
        "can_moderate": auth.has_permission(request, "participation.moderate"),
        "values": {}, "errors": {}, "reply_to": None,
    }


async def process_detail(request: Request) -> Response:
    process = await service.get_process(request, _int(request.path_params["process_id"]))
    return render(request, "participation/process.html", await _process_context(request, process))


def _process_values(process: Process, request: Request) -> dict[str, Any]:
    return {
        "title": process.title, "summary": process.summary, "description": process.description,
        "topic": process.topic, "categories": ", ".join(process.categories or []),
        "support_limit": process.support_limit or "",
        "published": "on" if process.published else "",
        **{name: service.local_input(getattr(process, name), request)
           for name in ("information_starts_at", "proposals_starts_at", "support_starts_at", "results_starts_at")},
    }


PHASE_FIELDS = ("information_starts_at", "proposals_starts_at", "support_starts_at", "results_starts_at")


async def process_form(request: Request) -> Response:
    """Create a consultation, or edit one (``process_id`` in the path)."""
    person = auth.require(request, "participation.manage")
    process_id = request.path_params.get("process_id")
    process = await service.get_process(request, _int(process_id)) if process_id is not None else None
    values: dict[str, Any] = _process_values(process, request) if process else {}
    errors: dict[str, str] = {}
    locked = process is not None and rules.voting_started(process, now())
    if request.method == "POST":
        form = await read_form(request, ProcessIn)
        values, errors = form.values, dict(form.errors or {})
        if form.ok:
            data = form.data
            errors = service.convert_times(data, PHASE_FIELDS, request)
            if not errors:
                errors = {k: gettext(v) for k, v in rules.check_phase_order(
                    *(getattr(data, name) for name in PHASE_FIELDS)).items()}
            if not errors and process is not None:
                errors = {k: gettext(v) for k, v in rules.check_voting_rules_change(
                    process, now(), data.support_limit, data.support_starts_at).items()}
            if not errors:
                fields = {"title": data.title, "summary": data.summary, "description": data.description,
                          "topic": data.topic, "categories": data.category_list(), "support_limit": data.support_limit,
                          "published": data.published, **{name: getattr(data, name) for name in PHASE_FIELDS}}
                if process is None:
                    process = await Process.create(created_by_id=person.id, **fields)
                    await events.emit(request.app, "participation.process_created", person.id, process_id=process.id)
                    flash(request, gettext("The consultation was created."))
                else:
                    await process.update_from_dict(fields).save()
                    flash(request, gettext("The consultation was saved."))
                return redirect(f"{PREFIX}/processes/{process.id}")
    return render(request, "participation/process_form.html",
                  {"process": process, "values": values, "errors": errors, "locked": locked},
                  status=422 if errors else 200)


async def follow(request: Request) -> Response:
    """Follow or stop following a consultation (``action`` = follow / unfollow)."""
    person = auth.require(request, "participation.take_part")
    process = await service.get_process(request, _int(request.path_params["process_id"]))
    form = await request.form()
    if form.get("action") == "unfollow":
        await Follow.filter(process_id=process.id, person_id=person.id).delete()
        flash(request, gettext("You no longer follow this consultation."))
    else:
        await rules.follow(process, person)
        flash(request, gettext("You follow this consultation: you will be told about answers and results."))
    return redirect(f"{PREFIX}/processes/{process.id}")


async def results(request: Request) -> Response:
    """The results page: staff's summary, every proposal's answer and the survey aggregates."""
    process = await service.get_process(request, _int(request.path_params["process_id"]))
    values, errors, status = {"results_text": process.results_text}, {}, 200
    if request.method == "POST":
        person = auth.require(request, "participation.manage")
        form = await read_form(request, ResultsIn)
        if form.ok:
            await service.publish_results(request.app, process, person, form.data.results_text, now())
            flash(request, gettext("The results were published."))
            return redirect(f"{PREFIX}/processes/{process.id}/results")
        values, errors, status = form.values, form.errors, 422
    proposals = await service.proposals_query(process.id).filter(hidden_at=None)
    by_status: dict[str, list[Proposal]] = {"accepted": [], "under_study": [], "rejected": [], "": []}
    for proposal in proposals:
        by_status[proposal.answer_status or ""].append(proposal)
    surveys = [await rules.survey_results(survey) for survey in await Survey.filter(process_id=process.id)]
    return render(request, "participation/results.html", {
        "process": process, "by_status": by_status, "answer_labels": rules.ANSWER_LABELS, "surveys": surveys,
        "meetings": await Meeting.filter(process_id=process.id).order_by("starts_at"),
        "supports": await Support.filter(process_id=process.id).count(),
        "can_manage": service.can_manage(request), "values": values, "errors": errors,
    }, status=status)


# ------------------------------------------------------------------------------ proposals


async def proposal_form(request: Request) -> Response:
    """Send a proposal (``process_id`` in the path), or edit one's own (``proposal_id``)."""
    person = auth.require(request, "participation.propose")
    proposal = None
    if "proposal_id" in request.path_params:
        proposal, process = await service.get_proposal(request, _int(request.path_params["proposal_id"]))
        try:
            rules.check_can_edit(proposal, process, person, now())
        except rules.Refused as error:
            return _refusal(request, error, f"{PREFIX}/proposals/{proposal.id}")
        values: dict[str, Any] = {k: getattr(proposal, k) for k in ("title", "body", "category", "location")}
        values.update(latitude=proposal.latitude if proposal.latitude is not None else "",
                      longitude=proposal.longitude if proposal.longitude is not None else "")
    else:
        process = await service.get_process(request, _int(request.path_params["process_id"]))
        try:
            rules.check_can_propose(process, now())
        except rules.Refused as error:
            return _refusal(request, error, f"{PREFIX}/processes/{process.id}")
        values = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = await read_form(request, ProposalIn)
        values, errors = form.values, dict(form.errors or {})
        if form.ok and process.categories and form.data.category not in process.categories:
            errors["category"] = gettext("Choose one of the options.")
        if form.ok and not errors:
            data = form.data.model_dump()
            try:
                if proposal is None:
                    await rules.check_rate(request.app.state.settings, person, "proposal")
                    proposal = await Proposal.create(process_id=process.id, author_id=person.id, **data)
                    await rules.follow(process, person)
                    await events.emit(request.app, "participation.proposal_created", person.id,
                                      proposal_id=proposal.id, process_id=process.id)
                    flash(request, gettext("Your proposal was published. Thank you!"))
                else:
                    await proposal.update_from_dict(data).save()
                    flash(request, gettext("Your proposal was saved."))
                return redirect(f"{PREFIX}/proposals/{proposal.id}")
            except rules.Refused as error:
                errors = _form_errors(error)
    return render(request, "participation/proposal_form.html",
                  {"process": process, "proposal": proposal, "values": values, "errors": errors},
                  status=422 if errors else 200)


async def _proposal_context(request: Request, proposal: Proposal, process: Process) -> dict[str, Any]:
    person = request.state.person
    moment = now()
    return {
        "process": process, "proposal": proposal, "phase": rules.current_phase(process, moment),
        "phase_labels": rules.PHASE_LABELS, "answer_labels": rules.ANSWER_LABELS,
        "supports": await service.support_count(proposal.id),
        "supported": person is not None and await Support.filter(proposal_id=proposal.id, person_id=person.id).exists(),
        "supports_left": await rules.supports_left(process, person),
        "comments": await service.comment_tree(process.id, proposal.id),
        "can_edit": person is not None and proposal.author_id == person.id and proposal.hidden_at is None
        and rules.current_phase(process, moment) == "proposals",
        "can_manage": service.can_manage(request),
        "can_moderate": auth.has_permission(request, "participation.moderate"),
        "flags": await Flag.filter(target="proposal", target_id=proposal.id).count(),
        "values": {}, "errors": {}, "reply_to": None, "answer_values": {"status": proposal.answer_status or "",
                                                      "text": proposal.answer_text},
        "answer_errors": {},
    }


async def proposal_detail(request: Request) -> Response:
    proposal, process = await service.get_proposal(request, _int(request.path_params["proposal_id"]))
    return render(request, "participation/proposal.html", await _proposal_context(request, proposal, process))


async def support(request: Request) -> Response:
    """Support a proposal, or withdraw the support (``action`` = withdraw)."""
    person = auth.require(request, "participation.support")
    proposal, process = await service.get_proposal(request, _int(request.path_params["proposal_id"]))
    back = safe_next(str((await request.form()).get("next", "")), f"{PREFIX}/proposals/{proposal.id}")
    try:
        if (await request.form()).get("action") == "withdraw":
            await rules.withdraw_support(process, proposal, person, now())
            flash(request, gettext("Your support was withdrawn."))
        else:
            await rules.support(process, proposal, person, now())
            await rules.follow(process, person)
            await events.emit(request.app, "participation.proposal_supported", person.id,
                              proposal_id=proposal.id, process_id=process.id)
            flash(request, gettext("Thank you for your support!"))
    except rules.Refused as error:
        return _refusal(request, error, back)
    return redirect(back)


async def answer(request: Request) -> Response:
    """Staff answer a proposal in public (accepted, rejected, under study) with an explanation."""
    person = auth.require(request, "participation.manage")
    proposal, process = await service.get_proposal(request, _int(request.path_params["proposal_id"]))
    form = await read_form(request, AnswerIn)
    if not form.ok:
        context = await _proposal_context(request, proposal, process)
        context.update(answer_values=form.values, answer_errors=form.errors)
        return render(request, "participation/proposal.html", context, status=422)
    await service.publish_answer(request.app, proposal, process, person, form.data.status, form.data.text, now())
    flash(request, gettext("The answer was published and the followers were told."))
    return redirect(f"{PREFIX}/proposals/{proposal.id}")


# ------------------------------------------------------------------------------- comments


async def comment(request: Request) -> Response:
    """Comment on a consultation or a proposal, or reply to a comment."""
    person = auth.require(request, "participation.comment")
    proposal = None
    if "proposal_id" in request.path_params:
        proposal, process = await service.get_proposal(request, _int(request.path_params["proposal_id"]))
        back = f"{PREFIX}/proposals/{proposal.id}"
    else:
        process = await service.get_process(request, _int(request.path_params["process_id"]))
        back = f"{PREFIX}/processes/{process.id}"
    form = await read_form(request, CommentIn)
    errors = dict(form.errors or {})
    reply_to = form.values.get("parent_id")
    if "parent_id" in errors:  # a hidden field: say it, with the text, in the main comment form
        errors.setdefault("body", gettext("The comment you reply to no longer exists."))
        reply_to = None
    if form.ok:
        parent = None
        if form.data.parent_id is not None:
            parent = await Comment.get_or_none(id=form.data.parent_id)
            if parent is None:
                errors["body"] = gettext("The comment you reply to no longer exists.")
                reply_to = None  # no reply form to show it in
        if not errors:
            try:
                await rules.check_can_comment(process, proposal, parent, now())
                await rules.check_rate(request.app.state.settings, person, "comment")
                created = await Comment.create(process_id=process.id, proposal_id=proposal.id if proposal else None,
                                               parent_id=parent.id if parent else None, author_id=person.id,
                                               body=form.data.body)
                await events.emit(request.app, "participation.comment_created", person.id, comment_id=created.id,
                                  process_id=process.id, proposal_id=proposal.id if proposal else None)
                flash(request, gettext("Your comment was published."))
                return redirect(f"{back}#comment-{created.id}")
            except rules.Refused as error:
                errors = {"body": error.text()}
    if proposal is not None:
        context = await _proposal_context(request, proposal, process)
    else:
        context = await _process_context(request, process)
    context.update(values=form.values, errors=errors, reply_to=reply_to)
    return render(request, "participation/proposal.html" if proposal else "participation/process.html",
                  context, status=422)


# ----------------------------------------------------------------------------- moderation


async def flag(request: Request) -> Response:
    """Report a proposal or a comment to the moderators (once per person and item)."""
    person = auth.require(request, "participation.take_part")
    form = await read_form(request, FlagIn)
    back = safe_next(form.values.get("next"), f"{PREFIX}/")
    if not form.ok:
        flash(request, gettext("There is nothing to report here."), "error")
        return redirect(back)
    try:
        await rules.flag(form.data.target, form.data.target_id, person, form.data.reason)
        await events.emit(request.app, "participation.content_flagged", person.id, target=form.data.target,
                          target_id=form.data.target_id)
        flash(request, gettext("Thank you. The moderators will look at it."))
    except rules.Refused as error:
        flash(request, error.text(), "error")
    return redirect(back)


async def moderation(request: Request) -> Response:
    """Reported items, most reported first, with the means to hide them or block their authors."""
    auth.require(request, "participation.moderate")
    flags = await Flag.all().order_by("-created_at").values("target", "target_id", "reason", "created_at")
    items: dict[tuple[str, int], dict[str, Any]] = {}
    for row in flags:
        entry = items.setdefault((row["target"], row["target_id"]), {"target": row["target"], "id": row["target_id"],
                                                                     "count": 0, "reasons": [], "last": row["created_at"]})
        entry["count"] += 1
        if row["reason"]:
            entry["reasons"].append(row["reason"])
    for (target, target_id), entry in items.items():
        model = rules.TARGETS[target]
        record = await model.get_or_none(id=target_id).select_related("author")
        entry["record"] = record
        entry["url"] = (f"{PREFIX}/proposals/{target_id}" if target == "proposal" else
                        (f"{PREFIX}/proposals/{record.proposal_id}#comment-{target_id}" if record and record.proposal_id
                         else f"{PREFIX}/processes/{record.process_id}#comment-{target_id}" if record else ""))
    ordered = sorted((e for e in items.values() if e["record"] is not None), key=lambda e: (-e["count"], e["id"]))
    hidden = [*await Proposal.filter(hidden_at__not_isnull=True).order_by("-hidden_at").limit(50),
              *await Comment.filter(hidden_at__not_isnull=True).order_by("-hidden_at").limit(50)]
    return render(request, "participation/moderation.html", {
        "items": ordered, "hidden": hidden, "can_block": auth.has_permission(request, "participation.block")})


async def hide(request: Request) -> Response:
    """Hide a proposal or a comment with a public reason, or show it again (``action`` = unhide)."""
    person = auth.require(request, "participation.moderate")
    raw = await request.form()
    back = safe_next(str(raw.get("next", "")), f"{PREFIX}/moderation")
    try:
        if raw.get("action") == "unhide":
            await rules.unhide(str(raw.get("target")), _int(raw.get("target_id")))
            flash(request, gettext("The item is visible again."))
            return redirect(back)
        form = await read_form(request, HideIn)
        if not form.ok:
            raise rules.Refused(N_("Say why the item is hidden: the reason is shown in its place."), 422)
        await rules.hide(form.data.target, form.data.target_id, form.data.reason, now())
        await events.emit(request.app, "participation.content_hidden", person.id, target=form.data.target,
                          target_id=form.data.target_id)
        flash(request, gettext("The item is hidden."))
    except rules.Refused as error:
        flash(request, error.text(), "error")
    return redirect(back)


async def block(request: Request) -> Response:
    """Block a member's account: they are signed out everywhere and can no longer sign in."""
    person = auth.require(request, "participation.block")
    raw = await request.form()
    back = safe_next(str(raw.get("next", "")), f"{PREFIX}/moderation")
    try:
        target = await rules.block(_int(raw.get("person_id")), person)
        await events.emit(request.app, "participation.account_blocked", person.id, person_id=target.id)
        flash(request, gettext("The account was blocked."))
    except rules.Refused as error:
        flash(request, error.text(), "error")
    return redirect(back)


# ------------------------------------------------------------------------------- surveys


async def survey_form(request: Request) -> Response:
    """Staff create a survey for a consultation."""
    auth.require(request, "participation.manage")
    process = await service.get_process(request, _int(request.path_params["process_id"]))
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = await read_form(request, SurveyIn)
        values, errors = form.values, dict(form.errors or {})
        if form.ok:
            try:
                questions = rules.parse_questions(form.data.questions)
            except rules.Refused as error:
                errors = {"questions": error.text()}
            else:
                survey = await Survey.create(process_id=process.id, title=form.data.title,
                                             description=form.data.description)
                await Question.bulk_create([Question(survey_id=survey.id, position=i, **q)
                                            for i, q in enumerate(questions)])
                flash(request, gettext("The survey was created."))
                return redirect(f"{PREFIX}/surveys/{survey.id}")
    return render(request, "participation/survey_form.html", {"process": process, "values": values, "errors": errors},
                  status=422 if errors else 200)


async def survey_detail(request: Request) -> Response:
    """A survey: the questions to answer, or the aggregated results once answered or closed."""
    survey, process = await service.get_survey(request, _int(request.path_params["survey_id"]))
    person = request.state.person
    questions = await Question.filter(survey_id=survey.id)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        raw = await request.form()
        if raw.get("action") in ("close", "open"):
            auth.require(request, "participation.manage")
            survey.is_open = raw.get("action") == "open"
            await survey.save(update_fields=["is_open"])
            flash(request, gettext("The survey is open.") if survey.is_open else gettext("The survey is closed."))
            return redirect(f"{PREFIX}/surveys/{survey.id}")
        person = auth.require(request, "participation.take_part")
        for question in questions:
            key = f"q{question.id}"
            if question.kind == "multiple":
                values[str(question.id)] = [v for v in raw.getlist(key) if isinstance(v, str)]
            else:
                value = raw.get(key)
                values[str(question.id)] = value.strip() if isinstance(value, str) else None
        try:
            await rules.respond(survey, process, person, values, now())
            await rules.follow(process, person)
            await events.emit(request.app, "participation.survey_answered", person.id, survey_id=survey.id,
                              process_id=process.id)
            flash(request, gettext("Thank you for your answers!"))
            return redirect(f"{PREFIX}/surveys/{survey.id}")
        except rules.Refused as error:
            errors = _form_errors(error)
    answered = person is not None and await SurveyResponse.filter(survey_id=survey.id, person_id=person.id).exists()
    return render(request, "participation/survey.html", {
        "survey": survey, "process": process, "questions": questions, "answered": answered,
        "results": await rules.survey_results(survey), "values": values, "errors": errors,
        "phase": rules.current_phase(process, now()), "can_manage": service.can_manage(request),
    }, status=errors and 422 or 200)


# ------------------------------------------------------------------------------- meetings


def _meeting_values(meeting: Meeting, request: Request) -> dict[str, Any]:
    return {"kind": meeting.kind, "title": meeting.title, "place": meeting.place, "online_url": meeting.online_url,
            "agenda": meeting.agenda, "seats": meeting.seats or "",
            "starts_at": service.local_input(meeting.starts_at, request),
            "ends_at": service.local_input(meeting.ends_at, request)}


async def meeting_form(request: Request) -> Response:
    """Staff schedule a hearing or meeting (``process_id``) or change one (``meeting_id``)."""
    auth.require(request, "participation.manage")
    meeting = None
    if "meeting_id" in request.path_params:
        meeting, process = await service.get_meeting(request, _int(request.path_params["meeting_id"]))
        values: dict[str, Any] = _meeting_values(meeting, request)
    else:
        process = await service.get_process(request, _int(request.path_params["process_id"]))
        values = {"kind": "hearing"}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = await read_form(request, MeetingIn)
        values, errors = form.values, dict(form.errors or {})
        if form.ok:
            data = form.data
            errors = service.convert_times(data, ("starts_at", "ends_at"), request)
            if not errors and data.ends_at <= data.starts_at:
                errors["ends_at"] = gettext("The end must come after the start.")
            if not errors and meeting is not None and data.seats is not None:
                taken = await Registration.filter(meeting_id=meeting.id).count()
                if data.seats < taken:
                    errors["seats"] = gettext("%(taken)s people are already registered: give at least that many seats.",
                                              taken=taken)
            if not errors:
                fields = data.model_dump()
                if meeting is None:
                    meeting = await Meeting.create(process_id=process.id, **fields)
                    flash(request, gettext("The meeting was scheduled."))
                else:
                    await meeting.update_from_dict(fields).save()
                    flash(request, gettext("The meeting was saved."))
                return redirect(f"{PREFIX}/meetings/{meeting.id}")
    return render(request, "participation/meeting_form.html",
                  {"process": process, "meeting": meeting, "values": values, "errors": errors},
                  status=422 if errors else 200)


async def meeting_detail(request: Request) -> Response:
    meeting, process = await service.get_meeting(request, _int(request.path_params["meeting_id"]))
    person = request.state.person
    return render(request, "participation/meeting.html", await _meeting_context(request, meeting, process, person))


async def _meeting_context(request: Request, meeting: Meeting, process: Process, person: Any) -> dict[str, Any]:
    taken = await Registration.filter(meeting_id=meeting.id).count()
    return {
        "meeting": meeting, "process": process, "taken": taken,
        "seats_left": None if meeting.seats is None else max(0, meeting.seats - taken),
        "registered": person is not None and await Registration.filter(meeting_id=meeting.id,
                                                                        person_id=person.id).exists(),
        "started": now() >= meeting.starts_at, "can_manage": service.can_manage(request),
        "record_values": {"minutes": meeting.minutes, "attendance_count": meeting.attendance_count
                          if meeting.attendance_count is not None else "",
                          "cancelled": "on" if meeting.cancelled else ""},
        "record_errors": {},
    }


async def meeting_register(request: Request) -> Response:
    """Take a seat at a meeting, or give it back (``action`` = cancel)."""
    person = auth.require(request, "participation.take_part")
    meeting, process = await service.get_meeting(request, _int(request.path_params["meeting_id"]))
    back = f"{PREFIX}/meetings/{meeting.id}"
    try:
        if (await request.form()).get("action") == "cancel":
            await rules.unregister(meeting, person, now())
            flash(request, gettext("Your registration was cancelled."))
        else:
            await rules.register(meeting, person, now())
            await rules.follow(process, person)
            await events.emit(request.app, "participation.meeting_registered", person.id, meeting_id=meeting.id)
            flash(request, gettext("You are registered. See you there!"))
    except rules.Refused as error:
        return _refusal(request, error, back)
    return redirect(back)


async def meeting_record(request: Request) -> Response:
    """Staff write the minutes and the attendance count (people with or without an account)."""
    auth.require(request, "participation.manage")
    meeting, process = await service.get_meeting(request, _int(request.path_params["meeting_id"]))
    form = await read_form(request, MeetingRecordIn)
    if not form.ok:
        context = await _meeting_context(request, meeting, process, request.state.person)
        context.update(record_values=form.values, record_errors=form.errors)
        return render(request, "participation/meeting.html", context, status=422)
    await meeting.update_from_dict(form.data.model_dump()).save()
    flash(request, gettext("The meeting's record was saved."))
    return redirect(f"{PREFIX}/meetings/{meeting.id}")


def _calendar_event(request: Request, meeting: Meeting, process: Process) -> CalendarEvent:
    base = request.app.state.settings.lab.base_url.rstrip("/")
    host = base.split("://", 1)[-1].split("/", 1)[0] or "labkit"
    where = ", ".join(part for part in (meeting.place, meeting.online_url) if part)
    return CalendarEvent(uid=f"participation-meeting-{meeting.id}@{host}", title=meeting.title,
                         start=meeting.starts_at, end=meeting.ends_at,
                         description=f"{process.title}\n\n{meeting.agenda}".strip(), location=where,
                         url=f"{base}{PREFIX}/meetings/{meeting.id}",
                         status="CANCELLED" if meeting.cancelled else "CONFIRMED")


async def meeting_ics(request: Request) -> Response:
    meeting, process = await service.get_meeting(request, _int(request.path_params["meeting_id"]))
    return ics_response(meeting.title, [_calendar_event(request, meeting, process)],
                        filename=f"meeting-{meeting.id}.ics")


async def process_calendar(request: Request) -> Response:
    """The calendar feed of a consultation's hearings and meetings (subscribe to it)."""
    process = await service.get_process(request, _int(request.path_params["process_id"]))
    meetings = await Meeting.filter(process_id=process.id).order_by("starts_at")
    return ics_response(process.title, [_calendar_event(request, m, process) for m in meetings])


async def calendar_feed(request: Request) -> Response:
    """Every published consultation's hearings and meetings in one feed."""
    meetings = await Meeting.filter(process__published=True).order_by("starts_at").select_related("process")
    return ics_response(gettext("Participation"), [_calendar_event(request, m, m.process) for m in meetings])


# ------------------------------------------------------------------------------ open data


async def open_data(request: Request) -> Response:
    processes = await Process.filter(published=True).order_by("-information_starts_at")
    surveys = await Survey.filter(process__published=True).order_by("id").select_related("process")
    return render(request, "participation/data.html", {"processes": processes, "surveys": surveys})


page_routes = [
    Route("/", index, name="index"),
    Route("/processes/new", process_form, methods=["GET", "POST"], name="process_new"),
    Route("/processes/{process_id:int}", process_detail, name="process"),
    Route("/processes/{process_id:int}/edit", process_form, methods=["GET", "POST"], name="process_edit"),
    Route("/processes/{process_id:int}/follow", follow, methods=["POST"], name="follow"),
    Route("/processes/{process_id:int}/results", results, methods=["GET", "POST"], name="results"),
    Route("/processes/{process_id:int}/proposals/new", proposal_form, methods=["GET", "POST"], name="proposal_new"),
    Route("/processes/{process_id:int}/comments", comment, methods=["POST"], name="process_comment"),
    Route("/processes/{process_id:int}/surveys/new", survey_form, methods=["GET", "POST"], name="survey_new"),
    Route("/processes/{process_id:int}/meetings/new", meeting_form, methods=["GET", "POST"], name="meeting_new"),
    Route("/processes/{process_id:int}/calendar.ics", process_calendar, name="process_calendar"),
    Route("/proposals/{proposal_id:int}", proposal_detail, name="proposal"),
    Route("/proposals/{proposal_id:int}/edit", proposal_form, methods=["GET", "POST"], name="proposal_edit"),
    Route("/proposals/{proposal_id:int}/support", support, methods=["POST"], name="support"),
    Route("/proposals/{proposal_id:int}/answer", answer, methods=["POST"], name="answer"),
    Route("/proposals/{proposal_id:int}/comments", comment, methods=["POST"], name="proposal_comment"),
    Route("/surveys/{survey_id:int}", survey_detail, methods=["GET", "POST"], name="survey"),
    Route("/meetings/{meeting_id:int}", meeting_detail, name="meeting"),
    Route("/meetings/{meeting_id:int}/edit", meeting_form, methods=["GET", "POST"], name="meeting_edit"),
    Route("/meetings/{meeting_id:int}/registration", meeting_register, methods=["POST"], name="meeting_register"),
    Route("/meetings/{meeting_id:int}/record", meeting_record, methods=["POST"], name="meeting_record"),
    Route("/meetings/{meeting_id:int}/event.ics", meeting_ics, name="meeting_ics"),
    Route("/calendar.ics", calendar_feed, name="calendar"),
    Route("/flag", flag, methods=["POST"], name="flag"),
    Route("/moderation", moderation, name="moderation"),
    Route("/moderation/hide", hide, methods=["POST"], name="hide"),
    Route("/moderation/block", block, methods=["POST"], name="block"),
    Route("/data", open_data, name="data"),
    *exports.routes,
]
