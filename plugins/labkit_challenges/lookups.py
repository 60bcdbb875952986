"""Finding a challenge's records for the person acting, shared by the actions and the pages.

What does not exist — or what this person may not know of, like a draft — is refused with 404;
what is not theirs (a team, a jury) with 403. Refusals are :class:`~labkit.actions.Refused`; a
page turns them into an error page with :func:`shown`.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from labkit.actions import Context, Refused, not_found
from labkit.i18n import N_
from labkit.models import Person
from labkit.web import Problem

from labkit_challenges import rules, services
from labkit_challenges.models import Challenge, Juror, Submission, Team, TeamMember

MANAGE = "challenges.manage"
TAKE_PART = "challenges.take_part"
VOTE = "challenges.vote"

T = TypeVar("T")


def problem(refusal: Refused) -> Problem:
    """The error answer of a refusal: a problem document on the API, an error page elsewhere."""
    errors = [{"field": name, "message": text} for name, text in refusal.field_errors().items()]
    return Problem(refusal.status, refusal.text(), errors=errors, kind=refusal.kind)


async def shown(awaitable: Awaitable[T]) -> T:
    """The result of a lookup for a page or a read of the API: a refusal becomes its error answer."""
    try:
        return await awaitable
    except Refused as refusal:
        raise problem(refusal) from None


async def found(query: Awaitable[T | None], missing: str) -> T:
    """The record ``query`` finds, or a 404 saying ``missing`` (an ``N_`` text)."""
    record = await query
    if record is None:
        raise not_found(missing)
    return record


async def challenge_of(ctx: Context, cid: int) -> Challenge:
    """The challenge ``cid``; drafts exist only for staff."""
    challenge = await Challenge.get_or_none(id=cid)
    if challenge is None or (not challenge.is_published and not ctx.allows(MANAGE)):
        raise not_found(N_("This challenge does not exist."))
    return challenge


async def submission_of(challenge: Challenge, sid: int) -> Submission:
    """The submission ``sid`` of ``challenge``, with its team."""
    return await found(Submission.get_or_none(id=sid, challenge=challenge).select_related("team"),
                       N_("This submission does not exist."))


async def juror_of(challenge: Challenge, person_id: int | None) -> Juror | None:
    """The person's seat on the challenge's jury, if they have one."""
    return None if person_id is None else await Juror.get_or_none(challenge=challenge, person_id=person_id)


async def invited_team(ctx: Context, token: str) -> Team:
    """The team an invitation link is for (404 when the link is forged, renewed or expired)."""
    team = await services.team_from_token(ctx.settings.secret_key, token)
    if team is None or not team.challenge.is_published:
        raise not_found(N_("This invitation link is not valid any more. Ask your team for a new one."))
    return team


async def my_team(ctx: Context, cid: int) -> tuple[Challenge, TeamMember]:
    """The challenge and the acting person's membership of a team in it (403 without one)."""
    person = ctx.require(TAKE_PART)
    challenge = await challenge_of(ctx, cid)
    member = await services.membership(challenge.id, person.id)
    if member is None:
        raise Refused(N_("You are not in a team for this challenge."), 403, kind="forbidden")
    return challenge, member


async def my_jury(ctx: Context, cid: int) -> tuple[Challenge, Juror]:
    """The challenge and the acting person's seat on its jury (403 without one)."""
    person = ctx.actor
    challenge = await challenge_of(ctx, cid)
    juror = await juror_of(challenge, person.id)
    if juror is None:
        raise Refused(N_("You are not on the jury of this challenge."), 403, kind="forbidden")
    return challenge, juror


async def acting(ctx: Context) -> Person:
    """The acting person (401 for a visitor), for a page: ``await shown(acting(ctx))``."""
    return ctx.actor


def person_id(ctx: Context) -> int | None:
    """The acting person's id, or ``None`` for a visitor."""
    return ctx.person.id if ctx.person is not None else None


async def in_team(ctx: Context, team_id: int) -> bool:
    """Whether the acting person is a member of team ``team_id``."""
    pid = person_id(ctx)
    return pid is not None and await TeamMember.exists(team_id=team_id, person_id=pid)


async def may_see_submission(ctx: Context, challenge: Challenge, submission: Submission) -> bool:
    """Staff and the team always; jurors of the challenge and the public once the call has closed."""
    if ctx.allows(MANAGE) or await in_team(ctx, submission.team_id):
        return True
    if submission.status != "submitted":
        return False
    return rules.submissions_visible(challenge, services.now())


async def names_hidden(ctx: Context, challenge: Challenge, submission: Submission | None = None) -> bool:
    """Team names and members are hidden under blind review, except from staff and the team itself."""
    if not rules.hide_teams(challenge) or ctx.allows(MANAGE):
        return False
    return not (submission is not None and await in_team(ctx, submission.team_id))
