"""Inviting someone who is looking for a team, without knowing the plugin that lists them.

The seam: a plugin (the people plugin) offers the reference kind ``team-seeker`` — person ids of
people who published a profile saying they look for a team. A lead's team page lists them with
``labkit.references.search`` and links to the full list (the kind's ``browse`` page); inviting asks
``labkit.references.resolve`` first, so only a person who is still listed can be invited. The
invitation is the team's own signed link (``services.invite_token``), sent as a notification that
is also mailed. Without such a plugin the list is empty and every invitation is refused.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from labkit import references, throttle
from labkit.actions import Context, Refused, not_found
from labkit.hooktypes import Reference
from labkit.i18n import N_
from labkit.notifications import notify

from labkit_challenges import services
from labkit_challenges.models import Challenge, TeamMember

SEEKER = "team-seeker"
"""The reference kind of a person looking for a team (its ids are person ids)."""
PER_LEAD_PER_HOUR = 20
"""Invitations one lead may send in an hour."""
SAME_PERSON_SECONDS = 24 * 3600
"""A team invites the same person at most once in this time."""


async def seekers(app: Starlette, query: str, limit: int = 20) -> dict[str, Any]:
    """What a lead's team page shows: people looking for a team matching ``query``, and the page
    that lists them all (empty when no plugin offers the kind)."""
    offered = references.kinds(app).get(SEEKER)
    if offered is None:
        return {"offered": False, "seekers": [], "browse": ""}
    found: list[Reference] = await references.search(app, SEEKER, query[:100], limit)
    return {"offered": True, "seekers": found, "browse": offered.browse}


async def invite(ctx: Context, challenge: Challenge, lead: TeamMember, person_id: int) -> Reference:
    """Send the team's invitation link to ``person_id``, who must be looking for a team."""
    if lead.role != "lead":
        raise Refused(N_("Only a team lead can invite people."), 403, kind="forbidden")
    services.require_teams_open(challenge)
    seeker = await references.resolve(ctx.app, SEEKER, person_id)
    if seeker is None:
        raise not_found(N_("This person is not looking for a team."))
    if await services.membership(challenge.id, person_id) is not None:
        raise Refused(N_("%(name)s is already in a team of this challenge."), 409, kind="already-in-team",
                      name=seeker.label)
    if not await throttle.allow(f"challenges:invite:lead:{ctx.actor.id}", PER_LEAD_PER_HOUR, 3600):
        raise Refused(N_("You have sent many invitations: try again later."), 429, kind="too-many")
    if not await throttle.allow(f"challenges:invite:{lead.team_id}:{person_id}", 1, SAME_PERSON_SECONDS):
        raise Refused(N_("Your team already invited %(name)s today."), 429, kind="too-many", name=seeker.label)
    team = lead.team
    await notify(ctx.app, person_id,
                 N_("%(lead)s invites you to join the team %(team)s in the challenge “%(challenge)s”. Open the link to accept."),
                 url=ctx.url_for("challenges:join", token=services.invite_token(ctx.settings.secret_key, team)),
                 params={"lead": ctx.actor.name, "team": team.name, "challenge": challenge.title})
    return seeker
