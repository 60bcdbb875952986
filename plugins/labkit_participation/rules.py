"""The domain rules of participation, as plain functions with no HTTP in them.

A rule that refuses raises :class:`labkit.actions.Refused` with a message marked for translation;
pages show it and the API answers it as a problem document. Integrity rules that matter under concurrency (one
support per person and proposal, the per-process support limit, the seats of a meeting, one survey
response per person) are held by unique constraints and by a row lock taken inside a transaction
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite has a single writer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from labkit import throttle
from labkit.actions import Refused
from labkit.i18n import N_, gettext
from labkit.models import Person

from labkit_participation.models import (
    PHASES,
    Answer,
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
from labkit_participation.settings import ParticipationSettings

PHASE_LABELS = {
    "upcoming": N_("Not started yet"),
    "information": N_("Information"),
    "proposals": N_("Proposals"),
    "support": N_("Support"),
    "results": N_("Results"),
}
PHASE_HELP = {
    "upcoming": N_("The consultation has not started yet."),
    "information": N_("Read about the topic. Proposals open soon."),
    "proposals": N_("Send your proposals and comment on the others."),
    "support": N_("Support the proposals you like best."),
    "results": N_("The consultation is over: read the answers and the results."),
}
ANSWER_LABELS = {
    "accepted": N_("Accepted"),
    "rejected": N_("Rejected"),
    "under_study": N_("Under study"),
}

# ------------------------------------------------------------------------------ phases


def current_phase(process: Process, now: datetime) -> str:
    """The phase ``process`` is in at ``now``: ``upcoming`` before the information phase, then each
    phase until the next one starts (results has no end)."""
    if now < process.information_starts_at:
        return "upcoming"
    if now < process.proposals_starts_at:
        return "information"
    if now < process.support_starts_at:
        return "proposals"
    if now < process.results_starts_at:
        return "support"
    return "results"


def phase_dates(process: Process) -> list[tuple[str, datetime, datetime | None]]:
    """``(phase, starts, ends)`` for the timeline (results has no end)."""
    starts = [process.information_starts_at, process.proposals_starts_at, process.support_starts_at,
              process.results_starts_at]
    return [(phase, starts[i], starts[i + 1] if i + 1 < len(starts) else None) for i, phase in enumerate(PHASES)]


def check_phase_order(information: datetime, proposals: datetime, support: datetime, results: datetime) -> dict[str, str]:
    """Errors (by form field) when the phases do not follow each other; ``{}`` when they do."""
    errors: dict[str, str] = {}
    if proposals <= information:
        errors["proposals_starts_at"] = N_("The proposals phase must start after the information phase.")
    if support <= proposals:
        errors["support_starts_at"] = N_("The support phase must start after the proposals phase.")
    if results <= support:
        errors["results_starts_at"] = N_("The results phase must start after the support phase.")
    return errors


def voting_started(process: Process, now: datetime) -> bool:
    """Whether the support phase has started: from then on the voting rules are frozen."""
    return now >= process.support_starts_at


def check_voting_rules_change(process: Process, now: datetime, support_limit: int | None,
                              support_starts_at: datetime) -> dict[str, str]:
    """Once voting has started, neither the support limit nor the start of voting may change."""
    if not voting_started(process, now):
        return {}
    errors: dict[str, str] = {}
    if (support_limit or None) != (process.support_limit or None):
        errors["support_limit"] = N_("The support limit cannot change once the support phase has started.")
    minute = {"second": 0, "microsecond": 0}  # forms give minutes: compare at that precision
    if support_starts_at.replace(**minute) != process.support_starts_at.replace(**minute):
        errors["support_starts_at"] = N_("The start of the support phase cannot change once it has started.")
    return errors


def require_phase(process: Process, now: datetime, *phases: str, message: str) -> None:
    """Refuse with ``message`` unless the process is in one of ``phases``."""
    phase = current_phase(process, now)
    if phase not in phases:
        raise Refused(message, 409, kind="wrong-phase", phase=gettext(PHASE_LABELS[phase]))


# ---------------------------------------------------------------------------- proposals


async def check_rate(limits: ParticipationSettings, person: Person, action: str) -> None:
    """Refuse when ``person`` posted too often (staff are not limited); count this post otherwise."""
    if person.role in ("staff", "admin"):
        return
    if action == "proposal":
        limit, window = limits.proposals_per_hour, 3600
    else:
        limit, window = limits.comments_per_10_minutes, 600
    if not await throttle.allow(f"participation:{action}:person:{person.id}", limit, window):
        raise Refused(N_("You are posting too often. Wait a few minutes and try again."), 429, kind="rate-limited")


def check_can_propose(process: Process, now: datetime) -> None:
    require_phase(process, now, "proposals",
                  message=N_("Proposals can only be sent during the proposals phase (now: %(phase)s)."))


def check_can_edit(proposal: Proposal, process: Process, person: Person, now: datetime) -> None:
    """Only the author edits a proposal, and only until the support phase starts."""
    if proposal.author_id != person.id:
        raise Refused(N_("Only the author can edit this proposal."), 403, kind="forbidden")
    if proposal.hidden_at is not None:
        raise Refused(N_("This proposal was hidden by moderation and cannot be edited."), 409, kind="hidden")
    require_phase(process, now, "proposals",
                  message=N_("Proposals can only be edited during the proposals phase (now: %(phase)s)."))


async def support(process: Process, proposal: Proposal, person: Person, now: datetime) -> Support:
    """Record ``person``'s support of ``proposal``, or refuse (wrong phase, hidden, twice, limit)."""
    require_phase(process, now, "support",
                  message=N_("Proposals can only be supported during the support phase (now: %(phase)s)."))
    if proposal.hidden_at is not None:
        raise Refused(N_("This proposal was hidden by moderation and cannot be supported."), 409, kind="hidden")
    try:
        async with in_transaction() as connection:
            if process.support_limit:
                # The lock makes "count, then insert" atomic for this process across workers.
                await Process.select_for_update().using_db(connection).get(id=process.id)
                if await Support.filter(proposal_id=proposal.id, person_id=person.id).using_db(connection).exists():
                    raise Refused(N_("You already support this proposal."), 409, kind="already-supported")
                used = await Support.filter(process_id=process.id, person_id=person.id).using_db(connection).count()
                if used >= process.support_limit:
                    raise Refused(N_("You have used all your %(limit)s supports in this consultation. "
                                     "Withdraw one to support another proposal."), 409,
                                  kind="support-limit", limit=process.support_limit)
            return await Support.create(proposal_id=proposal.id, process_id=process.id, person_id=person.id,
                                        using_db=connection)
    except IntegrityError:
        raise Refused(N_("You already support this proposal."), 409, kind="already-supported") from None


async def withdraw_support(process: Process, proposal: Proposal, person: Person, now: datetime) -> None:
    """Take back a support while the support phase lasts."""
    require_phase(process, now, "support",
                  message=N_("Supports can only be withdrawn during the support phase (now: %(phase)s)."))
    deleted = await Support.filter(proposal_id=proposal.id, person_id=person.id).delete()
    if not deleted:
        raise Refused(N_("You do not support this proposal."), 409, kind="not-supported")


async def supports_left(process: Process, person: Person | None) -> int | None:
    """How many supports ``person`` may still give in ``process`` (``None``: no limit)."""
    if not process.support_limit or person is None:
        return None
    used = await Support.filter(process_id=process.id, person_id=person.id).count()
    return max(0, process.support_limit - used)


# ---------------------------------------------------------------------------- comments


async def check_can_comment(process: Process, proposal: Proposal | None, parent: Comment | None, now: datetime) -> None:
    """Comments are open from the information phase on, never on hidden items."""
    require_phase(process, now, "information", "proposals", "support", "results",
                  message=N_("Comments open when the consultation starts (now: %(phase)s)."))
    if proposal is not None and proposal.hidden_at is not None:
        raise Refused(N_("This proposal was hidden by moderation: comments are closed."), 409, kind="hidden")
    if parent is not None:
        if parent.hidden_at is not None:
            raise Refused(N_("This comment was hidden by moderation: you cannot reply to it."), 409, kind="hidden")
        if parent.process_id != process.id or parent.proposal_id != (proposal.id if proposal else None):
            raise Refused(N_("The comment you reply to belongs elsewhere."), 422, kind="validation")


# ------------------------------------------------------------------------------ follows


async def follow(process: Process, person: Person) -> bool:
    """Make ``person`` follow ``process``; ``False`` if they already did."""
    try:
        await Follow.create(process_id=process.id, person_id=person.id)
        return True
    except IntegrityError:
        return False


async def follower_ids(process_id: int) -> list[int]:
    return list(await Follow.filter(process_id=process_id, person__is_active=True)
                .values_list("person_id", flat=True))


# ---------------------------------------------------------------------------- moderation

TARGETS = {"proposal": Proposal, "comment": Comment}


async def flag(target: str, target_id: int, person: Person, reason: str) -> Flag:
    """Report an item once per person; refuse a second report."""
    model = TARGETS.get(target)
    if model is None or not await model.filter(id=target_id).exists():
        raise Refused(N_("There is nothing to report here."), 404, kind="not-found")
    try:
        return await Flag.create(target=target, target_id=target_id, person_id=person.id, reason=reason[:300])
    except IntegrityError:
        raise Refused(N_("You already reported this. The moderators will look at it."), 409,
                      kind="already-flagged") from None


async def hide(target: str, target_id: int, reason: str, now: datetime) -> Proposal | Comment:
    """Hide a proposal or a comment with a public reason."""
    model = TARGETS.get(target)
    item = await model.get_or_none(id=target_id) if model else None
    if item is None:
        raise Refused(N_("There is nothing to hide here."), 404, kind="not-found")
    if not reason.strip():
        raise Refused(N_("Say why the item is hidden: the reason is shown in its place."), 422, kind="validation",
                      errors={"reason": N_("This field is required.")})
    item.hidden_at, item.hidden_reason = now, reason.strip()[:300]
    await item.save(update_fields=["hidden_at", "hidden_reason"])
    return item


async def unhide(target: str, target_id: int) -> None:
    model = TARGETS.get(target)
    if model is None or not await model.filter(id=target_id).update(hidden_at=None, hidden_reason=""):
        raise Refused(N_("There is nothing to show again here."), 404, kind="not-found")


async def block(person_id: int, by: Person) -> Person:
    """Deactivate an account and end its sessions (staff and admins cannot be blocked here)."""
    target = await Person.get_or_none(id=person_id)
    if target is None:
        raise Refused(N_("This account does not exist."), 404, kind="not-found")
    if target.id == by.id or target.role in ("staff", "admin"):
        raise Refused(N_("Only members' accounts can be blocked here."), 403, kind="forbidden")
    target.is_active = False
    target.session_version += 1
    await target.save(update_fields=["is_active", "session_version"])
    return target


# ------------------------------------------------------------------------------ surveys


def _bad_questions(message: str, number: int = 0) -> Refused:
    """A refusal shown beside the survey editor's ``questions`` field."""
    return Refused(message, 422, kind="validation", errors={"questions": message}, number=number)


def parse_questions(text: str) -> list[dict[str, Any]]:
    """Read the survey editor's lines: ``single: Question? | A | B``, ``multiple: ... | ...``,
    ``text: Question?`` (``optional`` after the kind makes a question optional)."""
    questions: list[dict[str, Any]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        head, sep, rest = line.partition(":")
        words = head.strip().lower().split()
        if not sep or not words or words[0] not in ("single", "multiple", "text"):
            raise _bad_questions(N_("Line %(number)s: start with single:, multiple: or text:."), number)
        kind, required = words[0], "optional" not in words[1:]
        parts = [part.strip() for part in rest.split("|")]
        question, options = parts[0], [option for option in parts[1:] if option]
        if not question:
            raise _bad_questions(N_("Line %(number)s: write the question after the colon."), number)
        if kind != "text" and len(options) < 2:
            raise _bad_questions(N_("Line %(number)s: give at least two options separated by |."), number)
        if len(set(options)) != len(options):
            raise _bad_questions(N_("Line %(number)s: the options must differ."), number)
        questions.append({"kind": kind, "text": question[:300], "options": options if kind != "text" else [],
                          "required": required})
    if not questions:
        raise _bad_questions(N_("Write at least one question."))
    return questions


def validate_answers(questions: list[Question], raw: dict[str, Any]) -> dict[int, tuple[list[str], str]]:
    """Check answers given as ``{question_id: value}`` (a string for single choice and text, a list
    of strings for multiple choice). Return ``{question_id: (choices, text)}`` or refuse with one
    message per question (keys ``q<id>``)."""
    errors: dict[str, str] = {}
    by_id = {str(question.id): question for question in questions}
    for key in raw:
        if str(key) not in by_id:
            errors[f"q{key}"] = N_("This question is not part of the survey.")
    result: dict[int, tuple[list[str], str]] = {}
    for key, question in by_id.items():
        value = raw.get(key)
        empty = value is None or value == "" or value == []
        if empty:
            if question.required:
                errors[f"q{key}"] = N_("Answer this question.")
            continue
        if question.kind == "single":
            if not isinstance(value, str):
                errors[f"q{key}"] = N_("This question takes one choice, given as text.")
            elif value not in question.options:
                errors[f"q{key}"] = N_("Choose one of the options.")
            else:
                result[question.id] = ([value], "")
        elif question.kind == "multiple":
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                errors[f"q{key}"] = N_("This question takes a list of choices.")
            elif any(item not in question.options for item in value):
                errors[f"q{key}"] = N_("Choose among the options.")
            else:
                result[question.id] = (sorted(set(value), key=question.options.index), "")
        else:
            if not isinstance(value, str):
                errors[f"q{key}"] = N_("This question takes a text answer.")
            elif len(value) > 2000:
                errors[f"q{key}"] = N_("Enter at most %(max_length)s characters.")
            else:
                result[question.id] = ([], value.strip())
    if errors:
        raise Refused(N_("Some answers are not valid."), 422, kind="validation", errors=errors)
    return result


async def respond(survey: Survey, process: Process, person: Person, raw: dict[str, Any], now: datetime) -> SurveyResponse:
    """Store ``person``'s one response to ``survey``."""
    if not survey.is_open:
        raise Refused(N_("This survey is closed."), 409, kind="closed")
    require_phase(process, now, "information", "proposals", "support",
                  message=N_("This survey is not open in the current phase (%(phase)s)."))
    questions = await Question.filter(survey_id=survey.id)
    answers = validate_answers(questions, raw)
    try:
        async with in_transaction() as connection:
            response = await SurveyResponse.create(survey_id=survey.id, person_id=person.id, using_db=connection)
            await Answer.bulk_create([Answer(response_id=response.id, question_id=qid, choices=choices, text=text)
                                      for qid, (choices, text) in answers.items()], using_db=connection)
            return response
    except IntegrityError:
        raise Refused(N_("You already answered this survey. Thank you!"), 409, kind="already-answered") from None


async def survey_results(survey: Survey) -> dict[str, Any]:
    """Aggregates of a survey, with no personal data: counts per option; texts are not included."""
    questions = await Question.filter(survey_id=survey.id)
    responses = await SurveyResponse.filter(survey_id=survey.id).count()
    answers = await Answer.filter(response__survey_id=survey.id).values("question_id", "choices", "text")
    items = []
    for question in questions:
        mine = [answer for answer in answers if answer["question_id"] == question.id]
        counts = {option: 0 for option in question.options}
        for answer in mine:
            for choice in answer["choices"] or []:
                if choice in counts:
                    counts[choice] += 1
        items.append({
            "id": question.id, "kind": question.kind, "text": question.text, "answered": len(mine),
            "options": [{"option": option, "count": count} for option, count in counts.items()],
        })
    return {"survey": survey.id, "title": survey.title, "responses": responses, "questions": items}


# ----------------------------------------------------------------------------- meetings


async def register(meeting: Meeting, person: Person, now: datetime) -> Registration:
    """Take a seat at ``meeting``: before it starts, within the seats, once per person."""
    if meeting.cancelled:
        raise Refused(N_("This meeting was cancelled."), 409, kind="cancelled")
    if now >= meeting.starts_at:
        raise Refused(N_("Registration closed when the meeting started."), 409, kind="closed")
    try:
        async with in_transaction() as connection:
            if meeting.seats is not None:
                await Meeting.select_for_update().using_db(connection).get(id=meeting.id)
                if await Registration.filter(meeting_id=meeting.id, person_id=person.id).using_db(connection).exists():
                    raise Refused(N_("You are already registered for this meeting."), 409, kind="already-registered")
                taken = await Registration.filter(meeting_id=meeting.id).using_db(connection).count()
                if taken >= meeting.seats:
                    raise Refused(N_("All seats are taken."), 409, kind="full")
            return await Registration.create(meeting_id=meeting.id, person_id=person.id, using_db=connection)
    except IntegrityError:
        raise Refused(N_("You are already registered for this meeting."), 409, kind="already-registered") from None


async def unregister(meeting: Meeting, person: Person, now: datetime) -> None:
    if now >= meeting.starts_at:
        raise Refused(N_("The meeting has started: registrations can no longer change."), 409, kind="closed")
    if not await Registration.filter(meeting_id=meeting.id, person_id=person.id).delete():
        raise Refused(N_("You are not registered for this meeting."), 409, kind="not-registered")
