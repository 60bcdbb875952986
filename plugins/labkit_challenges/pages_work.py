"""The working pages of a challenge — staff's manage page, a team's page, a juror's assignments —
and what each form page shows. Read-only: the forms post to actions (see ``routes.py``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from labkit import uploads
from labkit.action_routes import context_of
from labkit.i18n import gettext
from labkit.web import Problem, flash, redirect, render

from labkit_challenges import invitations, jury, rules, services
from labkit_challenges.bindings import Again
from labkit_challenges.forms import ChallengeIn, SubmissionIn
from labkit_challenges.lookups import (
    acting,
    invited_team,
    my_jury,
    my_team,
    shown,
    submission_of,
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
    TeamMember,
)
from labkit_challenges.pages import SDG_NAMES, challenge_context, url_challenge

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
            "grid": grid, "scores_exist": bool(scored), "standings": await jury.standings(challenge),
            "conflicts": conflicts}


async def _manage_page(request: Request, errors: dict[str, dict[str, str]], values: dict[str, dict[str, Any]],
                       status: int) -> Response:
    challenge = await url_challenge(request)
    return render(request, "challenges/manage.html", {
        **await _manage_context(challenge), "errors": errors, "values": values,
    }, status=status)


async def manage(request: Request) -> Response:
    """Staff's page for a challenge: criteria, jury, assignments, scoring progress, results."""
    return await _manage_page(request, {}, {}, 200)


def manage_again(section: str) -> Again:
    """Shows the manage page again with a form's messages and values in ``section`` (``criteria``...)."""

    async def again(request: Request, values: dict[str, Any] | None, errors: dict[str, str], status: int) -> Response:
        return await _manage_page(request, {section: errors}, {section: values or {}}, status)

    return again


# ------------------------------------------------------------------------- challenge form


def _challenge_values(challenge: Challenge | None, zone: Any) -> dict[str, Any]:
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


async def challenge_form(request: Request, values: dict[str, Any] | None) -> dict[str, Any]:
    """The new or edited challenge's form: its values (the challenge's own on a fresh form)."""
    challenge = await url_challenge(request) if "cid" in request.path_params else None
    if values is None:
        values = _challenge_values(challenge, request.app.state.settings.zone)
    values.setdefault("licences", [])
    values["sdgs"] = [int(v) for v in values.get("sdgs", []) if str(v).isdigit()]
    return {"challenge": challenge, "values": values, "kinds": KINDS, "licences": LICENCES, "sdg_names": SDG_NAMES}


# ----------------------------------------------------------------------------------- teams


async def team_form(request: Request, values: dict[str, Any] | None) -> dict[str, Any]:
    """The form that starts a team."""
    return {**challenge_context(await url_challenge(request)), "values": values or {}}


async def join_form(request: Request, values: dict[str, Any] | None) -> dict[str, Any]:
    """The page of an invitation link: the team, the code of conduct to accept."""
    team = await shown(invited_team(context_of(request), request.path_params["token"]))
    return {**challenge_context(team.challenge), "team": team, "values": {}}


async def team(request: Request) -> Response:
    """The visitor's own team: members, roles, invitation link, leaving."""
    ctx = context_of(request)
    person = await shown(acting(ctx))
    challenge = await url_challenge(request)
    member = await services.membership(challenge.id, person.id)
    if member is None:
        flash(request, gettext("You are not in a team for this challenge yet."), "info")
        return redirect(ctx.url_for("challenges:detail", cid=challenge.id))
    members = await TeamMember.filter(team_id=member.team_id).select_related("person").order_by("joined_at", "id")
    token = services.invite_token(ctx.settings.secret_key, member.team)
    looking = request.query_params.get("looking", "")[:100]
    return render(request, "challenges/team.html", {
        **challenge_context(challenge), "member": member, "members": members, "roles": ROLES,
        "looking": looking, **(await invitations.seekers(request.app, looking) if member.role == "lead" else {}),
        "invite_url": ctx.absolute_url("challenges:join", token=token),
        "submission": await Submission.get_or_none(team_id=member.team_id),
    })


# ----------------------------------------------------------------------------- submissions


async def submission_form(request: Request, values: dict[str, Any] | None) -> dict[str, Any]:
    """The team's submission form, with its files and the limits on attachments."""
    challenge, member = await shown(my_team(context_of(request), request.path_params["cid"]))
    submission = await Submission.get_or_none(team_id=member.team_id)
    if values is None:
        values = {name: getattr(submission, name) for name in SubmissionIn.model_fields} if submission \
            else {"licence": challenge.default_licence}
    limits = request.app.state.plugins.settings_of("challenges")
    types = limits.attachment_types
    return {
        **challenge_context(challenge), "submission": submission,
        "values": {k: v for k, v in values.items() if isinstance(v, str)},
        "licence_choices": [(key, f"{LICENCES[key]} ({key})") for key in challenge.licences if key in LICENCES],
        "attachments": await Attachment.filter(submission=submission).order_by("id") if submission else [],
        "accept": ",".join("." + ext for t in types for ext in uploads.FILE_TYPES[t].extensions),
        "types_text": uploads.describe(types), "max_size": uploads.format_size(limits.max_attachment_bytes),
        "max_files": limits.max_attachments,
    }


# ------------------------------------------------------------------------------- the jury


async def jury_page(request: Request) -> Response:
    """A juror's assignments, with what they have scored and their conflicts of interest."""
    challenge, juror = await shown(my_jury(context_of(request), request.path_params["cid"]))
    assigned = await Assignment.filter(juror=juror).select_related("submission", "submission__team").order_by("id")
    scored = set(await Score.filter(juror=juror).values_list("submission_id", flat=True))
    conflicts = await Conflict.filter(juror=juror).select_related("team")
    return render(request, "challenges/jury.html", {
        **challenge_context(challenge), "assigned": assigned, "scored": scored, "conflicts": conflicts,
        "hide": rules.hide_teams(challenge), "criteria_count": await Criterion.filter(challenge=challenge).count(),
    })


async def scorecard_form(request: Request, values: dict[str, Any] | None) -> dict[str, Any]:
    """The scorecard of one submission; a fresh one only for a submission assigned to the juror."""
    challenge, juror = await shown(my_jury(context_of(request), request.path_params["cid"]))
    submission = await shown(submission_of(challenge, request.path_params["sid"]))
    if values is None:
        reason = await jury.conflict_reason(juror, submission)
        if reason is not None or not await Assignment.exists(juror=juror, submission=submission):
            raise Problem(403, gettext("This submission is not yours to score."), kind="forbidden")
        existing = await Score.filter(juror=juror, submission=submission)
        values = {f"score_{s.criterion_id}": s.value for s in existing} | \
                 {f"comment_{s.criterion_id}": s.comment for s in existing}
    return {
        **challenge_context(challenge), "submission": submission, "criteria": await Criterion.filter(challenge=challenge),
        "values": values, "hide": rules.hide_teams(challenge),
        "attachments": await Attachment.filter(submission=submission).order_by("id"),
        "locked": challenge.results_published_at is not None,
    }
