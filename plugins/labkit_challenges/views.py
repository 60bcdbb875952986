"""The pages of the challenges plugin: the public call, teams, submissions, the jury and the results."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit import auth, events, uploads
from labkit.exports import csv_response, json_response
from labkit.notifications import notify
from labkit.i18n import N_, gettext
from labkit.web import Problem, flash, page_params, paginate, read_form, redirect, render

from labkit_challenges import exports, rules, services
from labkit_challenges.forms import (
    ChallengeIn,
    ConflictIn,
    CriterionIn,
    ForwardIn,
    JoinIn,
    JurorIn,
    ResultsIn,
    RoleIn,
    ScorecardIn,
    ScoreIn,
    SubmissionIn,
    TeamIn,
)
from labkit_challenges.models import (
    KINDS,
    LICENCES,
    ROLES,
    Assignment,
    Attachment,
    Challenge,
    Conflict,
    Criterion,
    Juror,
    Score,
    Submission,
    Team,
    TeamMember,
    Vote,
)
from labkit_challenges.rules import PHASE_LABELS, RuleError

MANAGE = "challenges.manage"
TAKE_PART = "challenges.take_part"
VOTE = "challenges.vote"

SDG_NAMES = {
    1: N_("No poverty"), 2: N_("Zero hunger"), 3: N_("Good health and well-being"), 4: N_("Quality education"),
    5: N_("Gender equality"), 6: N_("Clean water and sanitation"), 7: N_("Affordable and clean energy"),
    8: N_("Decent work and economic growth"), 9: N_("Industry, innovation and infrastructure"),
    10: N_("Reduced inequalities"), 11: N_("Sustainable cities and communities"),
    12: N_("Responsible consumption and production"), 13: N_("Climate action"), 14: N_("Life below water"),
    15: N_("Life on land"), 16: N_("Peace, justice and strong institutions"), 17: N_("Partnerships for the goals"),
}


# --------------------------------------------------------------------------------- helpers


def can_manage(request: Request) -> bool:
    return auth.has_permission(request, MANAGE)


def person_id(request: Request) -> int | None:
    person = request.state.person
    return person.id if person is not None else None


async def load_challenge(request: Request) -> Challenge:
    """The challenge of the URL; drafts exist only for staff."""
    challenge = await Challenge.get_or_none(id=request.path_params["cid"])
    if challenge is None or (not challenge.is_published and not can_manage(request)):
        raise Problem(404, gettext("This challenge does not exist."), kind="not-found")
    return challenge


async def load_submission(request: Request, challenge: Challenge) -> Submission:
    submission = await Submission.get_or_none(id=request.path_params["sid"], challenge=challenge).select_related("team")
    if submission is None:
        raise Problem(404, gettext("This submission does not exist."), kind="not-found")
    return submission


async def juror_of(challenge: Challenge, pid: int | None) -> Juror | None:
    return None if pid is None else await Juror.get_or_none(challenge=challenge, person_id=pid)


async def may_see_submission(request: Request, challenge: Challenge, submission: Submission) -> bool:
    """Staff and the team always; jurors of the challenge and the public once the call has closed."""
    if can_manage(request):
        return True
    pid = person_id(request)
    if pid is not None and await TeamMember.exists(team_id=submission.team_id, person_id=pid):
        return True
    if submission.status != "submitted":
        return False
    return rules.submissions_visible(challenge, services.now())


async def names_hidden(request: Request, challenge: Challenge, submission: Submission | None = None) -> bool:
    """Team names and members are hidden under blind review, except from staff and the team itself."""
    if not rules.hide_teams(challenge) or can_manage(request):
        return False
    pid = person_id(request)
    return not (submission is not None and pid is not None
                and await TeamMember.exists(team_id=submission.team_id, person_id=pid))


def rule_error(request: Request, error: RuleError, url: str) -> Response:
    """A refused button action: say why on the page the visitor came from."""
    flash(request, error.text(), "error")
    return redirect(url)


def choices_licences(challenge_licences: list[str]) -> list[tuple[str, str]]:
    return [(key, f"{LICENCES[key]} ({key})") for key in challenge_licences if key in LICENCES]


def challenge_context(challenge: Challenge) -> dict[str, Any]:
    now = services.now()
    return {"challenge": challenge, "phase": rules.phase(challenge, now), "phase_labels": PHASE_LABELS,
            "timeline": rules.timeline(challenge, now), "kinds": KINDS}


# ----------------------------------------------------------------------------- challenges


async def index(request: Request) -> Response:
    """Every published challenge (staff also see drafts), newest call first."""
    query = Challenge.all() if can_manage(request) else Challenge.filter(is_published=True)
    kind = request.query_params.get("kind", "")
    if kind in KINDS:
        query = query.filter(kind=kind)
    number, size = page_params(request, default_size=12)
    page = await paginate(query.order_by("-opens_at", "id"), number, size)
    now = services.now()
    phases = {c.id: rules.phase(c, now) for c in page.items}
    return render(request, "challenges/index.html", {
        "page": page, "phases": phases, "phase_labels": PHASE_LABELS, "kinds": KINDS, "kind": kind,
        "params": f"&kind={kind}" if kind in KINDS else "",
    })


def _form_values(challenge: Challenge | None, zone: Any) -> dict[str, Any]:
    if challenge is None:
        return {"kind": "challenge", "licences": ["MIT", "Apache-2.0", "GPL-3.0-or-later", "CC-BY-4.0", "CC-BY-SA-4.0"],
                "default_licence": "MIT", "max_team_size": 5, "scale_max": 10, "sdgs": []}
    values: dict[str, Any] = {}
    for name in ChallengeIn.model_fields:
        value = getattr(challenge, name)
        if hasattr(value, "astimezone"):
            value = value.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
        values[name] = value
    values["topics"] = ", ".join(challenge.topics)
    return values


async def _edit(request: Request, challenge: Challenge | None) -> Response:
    person = auth.require(request, MANAGE)
    zone = request.app.state.settings.zone
    values, errors, status = _form_values(challenge, zone), {}, 200
    if request.method == "POST":
        form = await read_form(request, ChallengeIn)
        values, status = form.values, 422
        values.setdefault("licences", [])
        values.setdefault("sdgs", [])
        if form.ok:
            errors = {k: gettext(v) for k, v in services.challenge_errors(form.data).items()}
            if not errors:
                try:
                    if challenge is None:
                        challenge = await services.create_challenge(form.data, person)
                        flash(request, gettext("The challenge was created. Now add its evaluation criteria and jury."))
                    else:
                        await services.update_challenge(challenge, form.data)
                        flash(request, gettext("The challenge was saved."))
                    return redirect(f"/challenges/{challenge.id}/manage")
                except RuleError as error:
                    errors = {error.field: error.text()}
                    status = error.status
        else:
            errors = form.errors or {}
    values["sdgs"] = [int(v) for v in values.get("sdgs", []) if str(v).isdigit()]
    return render(request, "challenges/form.html", {
        "challenge": challenge, "values": values, "errors": errors, "kinds": KINDS, "licences": LICENCES,
        "sdg_names": SDG_NAMES,
    }, status=status)


async def create(request: Request) -> Response:
    """Staff describe a new challenge."""
    return await _edit(request, None)


async def edit(request: Request) -> Response:
    """Staff change a challenge."""
    auth.require(request, MANAGE)
    return await _edit(request, await load_challenge(request))


async def detail(request: Request) -> Response:
    """A challenge's public page: the problem, the phases, how to take part."""
    challenge = await load_challenge(request)
    pid = person_id(request)
    member = await services.membership(challenge.id, pid)
    my_submission = await Submission.get_or_none(team_id=member.team_id) if member else None
    criteria = await Criterion.filter(challenge=challenge)
    visible = rules.submissions_visible(challenge, services.now())
    submissions = await Submission.filter(challenge=challenge, status="submitted").order_by("submitted_at", "id") \
        if visible else []
    my_vote = await Vote.get_or_none(challenge=challenge, person_id=pid) if pid else None
    return render(request, "challenges/detail.html", {
        **challenge_context(challenge), "member": member, "my_submission": my_submission, "criteria": criteria,
        "submissions": submissions, "submissions_visible": visible, "licences": LICENCES,
        "is_juror": await juror_of(challenge, pid) is not None, "sdg_names": SDG_NAMES, "my_vote": my_vote,
        "hide_teams": rules.hide_teams(challenge) and not can_manage(request),
    })


# ------------------------------------------------------------------------------ managing


async def _manage_context(challenge: Challenge) -> dict[str, Any]:
    criteria = await Criterion.filter(challenge=challenge)
    jurors = await Juror.filter(challenge=challenge).select_related("person").order_by("id")
    submissions = await Submission.filter(challenge=challenge).select_related("team").order_by("submitted_at", "id")
    assignments = {(a.juror_id, a.submission_id) for a in await Assignment.filter(juror__challenge_id=challenge.id)}
    scored = {(s[0], s[1]) for s in await Score.filter(juror__challenge_id=challenge.id).values_list("juror_id", "submission_id")}
    conflicts = {(c.juror_id, c.team_id): c.reason for c in await Conflict.filter(juror__challenge_id=challenge.id)}
    members = {(m.person_id, m.team_id) for m in await TeamMember.filter(challenge=challenge)}
    grid: dict[tuple[int, int], str] = {}
    for juror in jurors:
        for submission in submissions:
            key = (juror.id, submission.id)
            if (juror.person_id, submission.team_id) in members:
                grid[key] = "member"
            elif (juror.id, submission.team_id) in conflicts:
                grid[key] = "conflict"
            elif key in scored:
                grid[key] = "scored"
            elif key in assignments:
                grid[key] = "assigned"
            else:
                grid[key] = ""
    return {**challenge_context(challenge), "criteria": criteria, "jurors": jurors, "submissions": submissions,
            "grid": grid, "scores_exist": bool(scored), "standings": await services.standings(challenge),
            "conflicts": conflicts}


async def manage(request: Request, errors: dict[str, dict[str, str]] | None = None,
                 values: dict[str, dict[str, Any]] | None = None, status: int = 200) -> Response:
    """Staff's page for a challenge: criteria, jury, assignments, scoring progress, results."""
    auth.require(request, MANAGE)
    challenge = await load_challenge(request)
    return render(request, "challenges/manage.html", {
        **await _manage_context(challenge), "errors": errors or {}, "values": values or {},
    }, status=status)


async def _manage_form(request: Request, model: Any, name: str, action: Any) -> Response:
    """Validate a staff form of the manage page, run ``action(challenge, data)``, re-render on error."""
    auth.require(request, MANAGE)
    challenge = await load_challenge(request)
    form = await read_form(request, model)
    if not form.ok:
        return await manage(request, {name: form.errors or {}}, {name: form.values}, status=422)
    try:
        message = await action(challenge, form.data)
    except RuleError as error:
        return await manage(request, {name: {error.field: error.text()}}, {name: form.values}, status=error.status)
    flash(request, message)
    return redirect(f"/challenges/{challenge.id}/manage#{name}")


async def add_criterion(request: Request) -> Response:
    async def action(challenge: Challenge, data: CriterionIn) -> str:
        await services.add_criterion(challenge, data)
        return gettext("The criterion was added.")
    return await _manage_form(request, CriterionIn, "criteria", action)


async def update_criterion(request: Request) -> Response:
    async def action(challenge: Challenge, data: CriterionIn) -> str:
        criterion = await Criterion.get_or_none(id=request.path_params["criterion"], challenge=challenge)
        if criterion is None:
            raise RuleError(N_("This criterion does not exist."), status=404)
        await services.update_criterion(challenge, criterion, data)
        return gettext("The criterion was saved.")
    return await _manage_form(request, CriterionIn, "criteria", action)


async def delete_criterion(request: Request) -> Response:
    auth.require(request, MANAGE)
    challenge = await load_challenge(request)
    criterion = await Criterion.get_or_none(id=request.path_params["criterion"], challenge=challenge)
    if criterion is None:
        raise Problem(404, gettext("This criterion does not exist."))
    try:
        await services.delete_criterion(challenge, criterion)
    except RuleError as error:
        return await manage(request, {"criteria": {"__all__": error.text()}}, status=error.status)
    flash(request, gettext("The criterion was removed."))
    return redirect(f"/challenges/{challenge.id}/manage#criteria")


async def add_juror(request: Request) -> Response:
    async def action(challenge: Challenge, data: JurorIn) -> str:
        juror = await services.add_juror(challenge, data.email)
        await juror.fetch_related("person")
        return gettext("%(name)s joined the jury.", name=juror.person.name)
    return await _manage_form(request, JurorIn, "jury", action)


async def remove_juror(request: Request) -> Response:
    auth.require(request, MANAGE)
    challenge = await load_challenge(request)
    juror = await Juror.get_or_none(id=request.path_params["juror"], challenge=challenge)
    if juror is None:
        raise Problem(404, gettext("This juror does not exist."))
    try:
        await services.remove_juror(challenge, juror)
    except RuleError as error:
        return rule_error(request, error, f"/challenges/{challenge.id}/manage#jury")
    flash(request, gettext("The juror was removed."))
    return redirect(f"/challenges/{challenge.id}/manage#jury")


async def assignments(request: Request) -> Response:
    """Assign (or unassign) one submission to one juror, or everything to everyone."""
    auth.require(request, MANAGE)
    challenge = await load_challenge(request)
    form = await request.form()
    back = f"/challenges/{challenge.id}/manage#assignments"
    try:
        if form.get("action") == "all":
            made = await services.assign_all(challenge)
            flash(request, gettext("%(count)s assignments were made.", count=made))
            return redirect(back)
        juror = await Juror.get_or_none(id=int(str(form.get("juror", "0")) or 0), challenge=challenge)
        submission = await Submission.get_or_none(id=int(str(form.get("submission", "0")) or 0), challenge=challenge)
        if juror is None or submission is None:
            raise RuleError(N_("Choose a juror and a submission of this challenge."), status=422)
        if form.get("action") == "unassign":
            await services.unassign(juror, submission)
            flash(request, gettext("The assignment was removed."))
        else:
            await services.assign(juror, submission)
            await notify(request.app, juror.person_id, gettext("A submission of “%(title)s” was assigned to you for scoring.",
                                                               title=challenge.title), f"/challenges/{challenge.id}/jury")
            flash(request, gettext("The submission was assigned."))
    except ValueError:
        flash(request, gettext("Choose a juror and a submission of this challenge."), "error")
    except RuleError as error:
        return rule_error(request, error, back)
    return redirect(back)


async def publish_results(request: Request) -> Response:
    async def action(challenge: Challenge, data: ResultsIn) -> str:
        await services.publish_results(challenge, data.statement, data.winners)
        await events.emit(request.app, "challenges.results_published", person_id(request),
                          challenge_id=challenge.id, winners=data.winners)
        await notify_teams(request, challenge)
        return gettext("The results are published. The scores are now locked.")
    return await _manage_form(request, ResultsIn, "results", action)


async def notify_teams(request: Request, challenge: Challenge) -> None:
    """Tell every member of a submitting team that the results are out."""
    teams = await Submission.filter(challenge=challenge, status="submitted").values_list("team_id", flat=True)
    people = set(await TeamMember.filter(team_id__in=list(teams)).values_list("person_id", flat=True)) if teams else set()
    for pid in sorted(people):
        await notify(request.app, pid, gettext("The results of “%(title)s” are published.", title=challenge.title),
                     f"/challenges/{challenge.id}/results")


async def take_forward(request: Request) -> Response:
    auth.require(request, MANAGE)
    challenge = await load_challenge(request)
    submission = await load_submission(request, challenge)
    form = await read_form(request, ForwardIn)
    back = f"/challenges/{challenge.id}/manage#results"
    if not form.ok:
        flash(request, next(iter((form.errors or {}).values())), "error")
        return redirect(back)
    try:
        await services.take_forward(challenge, submission, form.data.taken_forward_on)
    except RuleError as error:
        return rule_error(request, error, back)
    await events.emit(request.app, "challenges.winner_taken_forward", person_id(request),
                      challenge_id=challenge.id, submission_id=submission.id)
    flash(request, gettext("“%(title)s” is now a project of the lab.", title=submission.title))
    return redirect(back)


# ----------------------------------------------------------------------------------- teams


async def new_team(request: Request) -> Response:
    """Form a team: its name, and the code of conduct accepted."""
    challenge = await load_challenge(request)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        person = auth.require(request, TAKE_PART)
        form = await read_form(request, TeamIn)
        values, status = form.values, 422
        if form.ok:
            try:
                await services.create_team(challenge, person, form.data.name)
                flash(request, gettext("Your team was created. Share the invitation link with your team mates."))
                return redirect(f"/challenges/{challenge.id}/team")
            except RuleError as error:
                errors, status = {error.field: error.text()}, error.status
        else:
            errors = form.errors or {}
    else:
        auth.require_person(request)
    return render(request, "challenges/team_new.html", {**challenge_context(challenge), "values": values,
                                                        "errors": errors}, status=status)


async def team(request: Request) -> Response:
    """The visitor's own team: members, roles, invitation link, leaving."""
    person = auth.require_person(request)
    challenge = await load_challenge(request)
    member = await services.membership(challenge.id, person.id)
    if member is None:
        flash(request, gettext("You are not in a team for this challenge yet."), "info")
        return redirect(f"/challenges/{challenge.id}")
    members = await TeamMember.filter(team_id=member.team_id).select_related("person").order_by("joined_at", "id")
    token = services.invite_token(request.app.state.settings.secret_key, member.team)
    base = request.app.state.settings.lab.base_url.rstrip("/")
    return render(request, "challenges/team.html", {
        **challenge_context(challenge), "member": member, "members": members, "roles": ROLES,
        "invite_url": f"{base}/challenges/join/{token}",
        "submission": await Submission.get_or_none(team_id=member.team_id),
    })


async def join(request: Request) -> Response:
    """Join a team through its signed invitation link."""
    team_ = await services.team_from_token(request.app.state.settings.secret_key, request.path_params["token"])
    if team_ is None or not team_.challenge.is_published:
        raise Problem(404, gettext("This invitation link is not valid any more. Ask your team for a new one."))
    challenge = team_.challenge
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        person = auth.require(request, TAKE_PART)
        form = await read_form(request, JoinIn)
        status = 422
        if form.ok:
            try:
                await services.join_team(team_, person)
                flash(request, gettext("Welcome to the team %(name)s!", name=team_.name))
                return redirect(f"/challenges/{challenge.id}/team")
            except RuleError as error:
                errors, status = {error.field: error.text()}, error.status
        else:
            errors = form.errors or {}
    else:
        auth.require_person(request)
    return render(request, "challenges/join.html", {**challenge_context(challenge), "team": team_,
                                                    "errors": errors, "values": {}}, status=status)


async def _my_membership(request: Request) -> tuple[Challenge, TeamMember]:
    person = auth.require(request, TAKE_PART)
    challenge = await load_challenge(request)
    member = await services.membership(challenge.id, person.id)
    if member is None:
        raise Problem(403, gettext("You are not in a team for this challenge."), kind="forbidden")
    return challenge, member


async def leave(request: Request) -> Response:
    challenge, member = await _my_membership(request)
    try:
        await services.leave_team(member)
    except RuleError as error:
        return rule_error(request, error, f"/challenges/{challenge.id}/team")
    flash(request, gettext("You left the team."))
    return redirect(f"/challenges/{challenge.id}")


async def change_member(request: Request) -> Response:
    """A lead changes a member's role or removes them."""
    challenge, lead = await _my_membership(request)
    other = await TeamMember.get_or_none(id=request.path_params["member"], team_id=lead.team_id).select_related("team")
    back = f"/challenges/{challenge.id}/team"
    if other is None:
        raise Problem(404, gettext("This person is not in your team."))
    try:
        if request.path_params["action"] == "remove":
            await services.remove_member(lead, other)
            flash(request, gettext("The member was removed from the team."))
        else:
            form = await read_form(request, RoleIn)
            if not form.ok:
                raise RuleError(N_("Choose one of the options."), status=422)
            await services.set_role(lead, other, form.data.role)
            flash(request, gettext("The role was changed."))
    except RuleError as error:
        return rule_error(request, error, back)
    return redirect(back)


async def renew_invite(request: Request) -> Response:
    challenge, member = await _my_membership(request)
    try:
        await services.renew_invite(member)
    except RuleError as error:
        return rule_error(request, error, f"/challenges/{challenge.id}/team")
    flash(request, gettext("A new invitation link was made; the old one no longer works."))
    return redirect(f"/challenges/{challenge.id}/team")


# ----------------------------------------------------------------------------- submissions


def _submission_values(submission: Submission | None, challenge: Challenge) -> dict[str, Any]:
    if submission is None:
        return {"licence": challenge.default_licence}
    return {name: getattr(submission, name) for name in SubmissionIn.model_fields}


async def submission_form(request: Request) -> Response:
    """The team's submission: create or edit it until the deadline, with attachments."""
    challenge, member = await _my_membership(request)
    submission = await Submission.get_or_none(team_id=member.team_id)
    values, errors, status = _submission_values(submission, challenge), {}, 200
    if request.method == "POST":
        form = await read_form(request, SubmissionIn)
        values, status = {k: v for k, v in form.values.items() if isinstance(v, str)}, 422
        if form.ok:
            files = [f for f in (await request.form()).getlist("attachments") if not isinstance(f, str)]
            try:
                saved = await services.save_submission(request.app.state.settings, challenge, member, form.data, files)
                flash(request, gettext("Your submission was saved. You can edit it until the deadline."))
                if saved.created_now:  # not `submission is None`: a team mate may have submitted meanwhile
                    await events.emit(request.app, "challenges.submission_created", member.person_id,
                                      challenge_id=challenge.id, submission_id=saved.id)
                return redirect(f"/challenges/{challenge.id}/submissions/{saved.id}")
            except RuleError as error:
                errors, status = {error.field: error.text()}, error.status
        else:
            errors = form.errors or {}
    types, max_bytes, max_files = services.limits(request.app.state.settings)
    return render(request, "challenges/submission_form.html", {
        **challenge_context(challenge), "submission": submission, "values": values, "errors": errors,
        "licence_choices": choices_licences(challenge.licences),
        "attachments": await Attachment.filter(submission=submission).order_by("id") if submission else [],
        "accept": ",".join("." + ext for t in types for ext in uploads.FILE_TYPES[t].extensions),
        "types_text": uploads.describe(types), "max_size": uploads.format_size(max_bytes), "max_files": max_files,
    }, status=status)


async def withdraw(request: Request) -> Response:
    challenge, member = await _my_membership(request)
    submission = await Submission.get_or_none(team_id=member.team_id)
    if submission is None:
        raise Problem(404, gettext("Your team has not submitted anything."))
    try:
        await services.withdraw(challenge, submission)
    except RuleError as error:
        return rule_error(request, error, f"/challenges/{challenge.id}/submission")
    flash(request, gettext("Your submission was withdrawn. You can submit again until the deadline."))
    return redirect(f"/challenges/{challenge.id}/team")


async def delete_attachment(request: Request) -> Response:
    challenge, member = await _my_membership(request)
    attachment = await Attachment.get_or_none(id=request.path_params["aid"], submission__team_id=member.team_id)
    if attachment is None:
        raise Problem(404, gettext("This file does not exist."))
    try:
        await services.delete_attachment(request.app.state.settings, challenge, attachment)
    except RuleError as error:
        return rule_error(request, error, f"/challenges/{challenge.id}/submission")
    flash(request, gettext("The file was removed."))
    return redirect(f"/challenges/{challenge.id}/submission")


async def submission_page(request: Request) -> Response:
    """A submission, as the rules allow the visitor to see it."""
    challenge = await load_challenge(request)
    submission = await load_submission(request, challenge)
    if not await may_see_submission(request, challenge, submission):
        raise Problem(404, gettext("This submission does not exist."), kind="not-found")
    hidden = await names_hidden(request, challenge, submission)
    members = [] if hidden else await TeamMember.filter(team_id=submission.team_id).select_related("person")
    pid = person_id(request)
    my_vote = await Vote.get_or_none(challenge=challenge, person_id=pid) if pid else None
    juror = await juror_of(challenge, pid)
    return render(request, "challenges/submission.html", {
        **challenge_context(challenge), "submission": submission, "hidden": hidden, "members": members,
        "attachments": await Attachment.filter(submission=submission).order_by("id"), "licences": LICENCES,
        "is_member": pid is not None and await TeamMember.exists(team_id=submission.team_id, person_id=pid),
        "my_vote": my_vote, "votes": await Vote.filter(submission=submission).count(),
        "assigned": juror is not None and await Assignment.exists(juror=juror, submission=submission),
    })


async def download(request: Request) -> Response:
    """An attachment, only for visitors who may see its submission."""
    challenge = await load_challenge(request)
    submission = await load_submission(request, challenge)
    if not await may_see_submission(request, challenge, submission):
        raise Problem(404, gettext("This file does not exist."), kind="not-found")
    attachment = await Attachment.get_or_none(id=request.path_params["aid"], submission=submission)
    if attachment is None:
        raise Problem(404, gettext("This file does not exist."), kind="not-found")
    try:
        return uploads.download_response(request.app.state.settings.lab_dir, services.UPLOAD_AREA,
                                         attachment.stored_name, attachment.original_name, attachment.media_type)
    except (FileNotFoundError, ValueError):
        raise Problem(404, gettext("This file does not exist."), kind="not-found") from None


async def cast_vote(request: Request) -> Response:
    """One community vote per person and challenge."""
    person = auth.require(request, VOTE)
    challenge = await load_challenge(request)
    submission = await load_submission(request, challenge)
    back = f"/challenges/{challenge.id}/submissions/{submission.id}"
    try:
        await services.vote(challenge, submission, person)
    except RuleError as error:
        return rule_error(request, error, back)
    flash(request, gettext("Thank you: your vote was counted."))
    return redirect(back)


# ------------------------------------------------------------------------------- the jury


async def _my_jury(request: Request) -> tuple[Challenge, Juror]:
    person = auth.require_person(request)
    challenge = await load_challenge(request)
    juror = await juror_of(challenge, person.id)
    if juror is None:
        raise Problem(403, gettext("You are not on the jury of this challenge."), kind="forbidden")
    return challenge, juror


async def jury(request: Request) -> Response:
    """A juror's assignments, with what they have scored and their conflicts of interest."""
    challenge, juror = await _my_jury(request)
    assigned = await Assignment.filter(juror=juror).select_related("submission", "submission__team").order_by("id")
    scored = set(await Score.filter(juror=juror).values_list("submission_id", flat=True))
    conflicts = await Conflict.filter(juror=juror).select_related("team")
    return render(request, "challenges/jury.html", {
        **challenge_context(challenge), "assigned": assigned, "scored": scored, "conflicts": conflicts,
        "hide": rules.hide_teams(challenge), "criteria_count": await Criterion.filter(challenge=challenge).count(),
    })


async def scorecard(request: Request) -> Response:
    """Score one assigned submission on every criterion, with comments."""
    challenge, juror = await _my_jury(request)
    submission = await load_submission(request, challenge)
    criteria = await Criterion.filter(challenge=challenge)
    existing = {s.criterion_id: s for s in await Score.filter(juror=juror, submission=submission)}
    values = {f"score_{cid}": s.value for cid, s in existing.items()} | \
             {f"comment_{cid}": s.comment for cid, s in existing.items()}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = await request.form()
        values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
        status = 422
        raw = {c.id: values.get(f"score_{c.id}", "").strip() for c in criteria}
        errors = {k: gettext(v, max=challenge.scale_max) for k, v in
                  rules.scorecard_errors(raw, criteria, challenge.scale_max).items()}
        if not errors:
            card = ScorecardIn(scores=[ScoreIn(criterion=c.id, value=int(raw[c.id]),
                                               comment=values.get(f"comment_{c.id}", "")[:2000]) for c in criteria])
            try:
                await services.save_scorecard(challenge, juror, submission, card)
                flash(request, gettext("Your scores were saved."))
                return redirect(f"/challenges/{challenge.id}/jury")
            except RuleError as error:
                errors, status = {error.field: error.text()}, error.status
    else:
        reason = await services.conflict_reason(juror, submission)
        if reason is None and not await Assignment.exists(juror=juror, submission=submission):
            reason = "not assigned"
        if reason is not None:
            raise Problem(403, gettext("This submission is not yours to score."), kind="forbidden")
    return render(request, "challenges/scorecard.html", {
        **challenge_context(challenge), "submission": submission, "criteria": criteria, "values": values,
        "errors": errors, "hide": rules.hide_teams(challenge),
        "attachments": await Attachment.filter(submission=submission).order_by("id"),
        "locked": challenge.results_published_at is not None,
    }, status=status)


async def declare_conflict(request: Request) -> Response:
    challenge, juror = await _my_jury(request)
    submission = await load_submission(request, challenge)
    form = await read_form(request, ConflictIn)
    back = f"/challenges/{challenge.id}/jury"
    if not form.ok:
        flash(request, next(iter((form.errors or {}).values())), "error")
        return redirect(back)
    try:
        await services.declare_conflict(challenge, juror, submission, form.data.reason)
    except RuleError as error:
        return rule_error(request, error, back)
    flash(request, gettext("Your conflict of interest was recorded: you will not score this team."))
    return redirect(back)


# --------------------------------------------------------------------------------- results


async def results(request: Request) -> Response:
    """The published ranking with the jury's statement; the community vote apart."""
    challenge = await load_challenge(request)
    if challenge.results_published_at is None and not can_manage(request):
        return render(request, "challenges/results.html", {**challenge_context(challenge), "standings": [],
                                                           "published": False, "votes": []})
    standings = await services.standings(challenge)
    votes = sorted((s for s in standings if s.votes), key=lambda s: (-s.votes, s.submission.id))
    return render(request, "challenges/results.html", {
        **challenge_context(challenge), "standings": standings, "published": challenge.results_published_at is not None,
        "votes": votes,
    })


async def export_csv(request: Request) -> Response:
    """The challenge's submissions and results as open data (CSV, no personal data)."""
    challenge = await load_challenge(request)
    header, rows = await exports.submission_rows(challenge)
    return csv_response(f"challenge-{challenge.id}-submissions.csv", header, rows)


async def export_json(request: Request) -> Response:
    """The challenge, its criteria and its submissions as open data (JSON, no personal data)."""
    challenge = await load_challenge(request)
    return json_response(f"challenge-{challenge.id}.json", await exports.challenge_document(challenge))


routes = [
    Route("/", index, name="index"),
    Route("/new", create, methods=["GET", "POST"], name="create"),
    Route("/join/{token}", join, methods=["GET", "POST"], name="join"),
    Route("/{cid:int}", detail, name="detail"),
    Route("/{cid:int}/edit", edit, methods=["GET", "POST"], name="edit"),
    Route("/{cid:int}/manage", manage, name="manage"),
    Route("/{cid:int}/criteria", add_criterion, methods=["POST"], name="add_criterion"),
    Route("/{cid:int}/criteria/{criterion:int}", update_criterion, methods=["POST"], name="update_criterion"),
    Route("/{cid:int}/criteria/{criterion:int}/delete", delete_criterion, methods=["POST"], name="delete_criterion"),
    Route("/{cid:int}/jurors", add_juror, methods=["POST"], name="add_juror"),
    Route("/{cid:int}/jurors/{juror:int}/delete", remove_juror, methods=["POST"], name="remove_juror"),
    Route("/{cid:int}/assignments", assignments, methods=["POST"], name="assignments"),
    Route("/{cid:int}/results", results, name="results"),
    Route("/{cid:int}/results/publish", publish_results, methods=["POST"], name="publish_results"),
    Route("/{cid:int}/teams/new", new_team, methods=["GET", "POST"], name="new_team"),
    Route("/{cid:int}/team", team, name="team"),
    Route("/{cid:int}/team/leave", leave, methods=["POST"], name="leave"),
    Route("/{cid:int}/team/invite", renew_invite, methods=["POST"], name="renew_invite"),
    Route("/{cid:int}/team/members/{member:int}/{action:str}", change_member, methods=["POST"], name="change_member"),
    Route("/{cid:int}/submission", submission_form, methods=["GET", "POST"], name="submission_form"),
    Route("/{cid:int}/submission/withdraw", withdraw, methods=["POST"], name="withdraw"),
    Route("/{cid:int}/submission/attachments/{aid:int}/delete", delete_attachment, methods=["POST"],
          name="delete_attachment"),
    Route("/{cid:int}/submissions/{sid:int}", submission_page, name="submission"),
    Route("/{cid:int}/submissions/{sid:int}/attachments/{aid:int}", download, name="download"),
    Route("/{cid:int}/submissions/{sid:int}/vote", cast_vote, methods=["POST"], name="vote"),
    Route("/{cid:int}/submissions/{sid:int}/forward", take_forward, methods=["POST"], name="take_forward"),
    Route("/{cid:int}/jury", jury, name="jury"),
    Route("/{cid:int}/jury/{sid:int}", scorecard, methods=["GET", "POST"], name="scorecard"),
    Route("/{cid:int}/jury/{sid:int}/conflict", declare_conflict, methods=["POST"], name="declare_conflict"),
    Route("/{cid:int}/export.csv", export_csv, name="export_csv"),
    Route("/{cid:int}/export.json", export_json, name="export_json"),
]
