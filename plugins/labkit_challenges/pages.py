"""The public pages of the challenges plugin: the list, a challenge, a submission, the results and
the open data. Read-only: every write is an action (``actions_*.py``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from labkit import images, uploads
from labkit.action_routes import context_of
from labkit.exports import csv_response, json_response
from labkit.filters import choice, query_string
from labkit.i18n import N_, gettext
from labkit.storage import MissingFile, storage_of
from labkit.web import Problem, page_params, paginate, render

from labkit_challenges import exports, jury, rules, services
from labkit_challenges.lookups import (
    MANAGE,
    challenge_of,
    in_team,
    juror_of,
    may_see_submission,
    names_hidden,
    person_id,
    shown,
    submission_of,
)
from labkit_challenges.models import (
    KINDS,
    LICENCES,
    Assignment,
    Attachment,
    Challenge,
    Criterion,
    Submission,
    TeamMember,
    Vote,
)
from labkit_challenges.rules import PHASE_LABELS

SDG_NAMES = {
    1: N_("No poverty"), 2: N_("Zero hunger"), 3: N_("Good health and well-being"), 4: N_("Quality education"),
    5: N_("Gender equality"), 6: N_("Clean water and sanitation"), 7: N_("Affordable and clean energy"),
    8: N_("Decent work and economic growth"), 9: N_("Industry, innovation and infrastructure"),
    10: N_("Reduced inequalities"), 11: N_("Sustainable cities and communities"),
    12: N_("Responsible consumption and production"), 13: N_("Climate action"), 14: N_("Life below water"),
    15: N_("Life on land"), 16: N_("Peace, justice and strong institutions"), 17: N_("Partnerships for the goals"),
}


def challenge_context(challenge: Challenge) -> dict[str, Any]:
    """What every page of a challenge shows: its phase and timeline."""
    now = services.now()
    return {"challenge": challenge, "phase": rules.phase(challenge, now), "phase_labels": PHASE_LABELS,
            "timeline": rules.timeline(challenge, now), "kinds": KINDS}


async def url_challenge(request: Request) -> Challenge:
    """The challenge of the URL (``cid``), or the 404 page."""
    return await shown(challenge_of(context_of(request), request.path_params["cid"]))


async def index(request: Request) -> Response:
    """Every published challenge (staff also see drafts), newest call first."""
    manager = context_of(request).allows(MANAGE)
    query = Challenge.all() if manager else Challenge.filter(is_published=True)
    kind = choice(request.query_params, "kind", KINDS)
    if kind:
        query = query.filter(kind=kind)
    number, size = page_params(request, default_size=12)
    page = await paginate(query.order_by("-opens_at", "id"), number, size)
    now = services.now()
    phases = {c.id: rules.phase(c, now) for c in page.items}
    return render(request, "challenges/index.html", {
        "page": page, "phases": phases, "phase_labels": PHASE_LABELS, "kinds": KINDS, "kind": kind,
        "covers": await images.of(Challenge, [c.id for c in page.items], "cover"),
        "params": query_string(kind=kind),
    })


async def detail(request: Request) -> Response:
    """A challenge's public page: the problem, the phases, how to take part."""
    ctx = context_of(request)
    challenge = await url_challenge(request)
    pid = person_id(ctx)
    member = await services.membership(challenge.id, pid)
    my_submission = await Submission.get_or_none(team_id=member.team_id) if member else None
    criteria = await Criterion.filter(challenge=challenge)
    visible = rules.submissions_visible(challenge, services.now())
    submissions = await Submission.filter(challenge=challenge, status="submitted").order_by("submitted_at", "id") \
        if visible else []
    my_vote = await Vote.get_or_none(challenge=challenge, person_id=pid) if pid else None
    return render(request, "challenges/detail.html", {
        **challenge_context(challenge), "member": member, "my_submission": my_submission, "criteria": criteria,
        "cover": await images.one(challenge, "cover"),
        "submissions": submissions, "submissions_visible": visible, "licences": LICENCES,
        "is_juror": await juror_of(challenge, pid) is not None, "sdg_names": SDG_NAMES, "my_vote": my_vote,
        "hide_teams": rules.hide_teams(challenge) and not ctx.allows(MANAGE),
    })


async def _visible_submission(request: Request, missing: str) -> tuple[Challenge, Submission]:
    """The challenge and submission of the URL if the visitor may see it; else 404 saying ``missing``."""
    ctx = context_of(request)
    challenge = await url_challenge(request)
    submission = await shown(submission_of(challenge, request.path_params["sid"]))
    if not await may_see_submission(ctx, challenge, submission):
        raise Problem(404, gettext(missing), kind="not-found")
    return challenge, submission


async def submission_page(request: Request) -> Response:
    """A submission, as the rules allow the visitor to see it."""
    ctx = context_of(request)
    challenge, submission = await _visible_submission(request, N_("This submission does not exist."))
    hidden = await names_hidden(ctx, challenge, submission)
    members = [] if hidden else await TeamMember.filter(team_id=submission.team_id).select_related("person")
    pid = person_id(ctx)
    my_vote = await Vote.get_or_none(challenge=challenge, person_id=pid) if pid else None
    juror = await juror_of(challenge, pid)
    return render(request, "challenges/submission.html", {
        **challenge_context(challenge), "submission": submission, "hidden": hidden, "members": members,
        "attachments": await Attachment.filter(submission=submission).order_by("id"), "licences": LICENCES,
        "is_member": await in_team(ctx, submission.team_id),
        "my_vote": my_vote, "votes": await Vote.filter(submission=submission).count(),
        "assigned": juror is not None and await Assignment.exists(juror=juror, submission=submission),
    })


async def download(request: Request) -> Response:
    """An attachment, only for visitors who may see its submission."""
    missing = N_("This file does not exist.")
    _challenge, submission = await _visible_submission(request, missing)
    attachment = await Attachment.get_or_none(id=request.path_params["aid"], submission=submission)
    if attachment is None:
        raise Problem(404, gettext(missing), kind="not-found")
    try:
        return await uploads.download_response(storage_of(request.app), services.UPLOAD_AREA, attachment.stored_name,
                                               attachment.original_name, attachment.media_type)
    except (MissingFile, ValueError):
        raise Problem(404, gettext(missing), kind="not-found") from None


async def results(request: Request) -> Response:
    """The published ranking with the jury's statement; the community vote apart."""
    challenge = await url_challenge(request)
    if challenge.results_published_at is None and not context_of(request).allows(MANAGE):
        return render(request, "challenges/results.html", {**challenge_context(challenge), "standings": [],
                                                           "published": False, "votes": []})
    standings = await jury.standings(challenge)
    votes = sorted((s for s in standings if s.votes), key=lambda s: (-s.votes, s.submission.id))
    return render(request, "challenges/results.html", {
        **challenge_context(challenge), "standings": standings, "published": challenge.results_published_at is not None,
        "votes": votes,
    })


async def export_csv(request: Request) -> Response:
    """The challenge's submissions and results as open data (CSV, no personal data)."""
    challenge = await url_challenge(request)
    header, rows = await exports.submission_rows(challenge)
    return csv_response(f"challenge-{challenge.id}-submissions.csv", header, rows)


async def export_json(request: Request) -> Response:
    """The challenge, its criteria and its submissions as open data (JSON, no personal data)."""
    challenge = await url_challenge(request)
    return json_response(f"challenge-{challenge.id}.json", await exports.challenge_document(challenge))
