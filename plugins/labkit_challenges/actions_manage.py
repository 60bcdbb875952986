"""What the lab's team does with a challenge: describe it, set its criteria and jury, assign
submissions, publish the results and take winners forward. Each use case once, for pages and API."""

from __future__ import annotations

from labkit import images
from labkit.actions import Context, Refused, action
from labkit.i18n import N_
from labkit.notifications import notify

from labkit_challenges import jury, services
from labkit_challenges.forms import (
    AssignIn,
    ChallengeEdit,
    ChallengeIn,
    ChallengeNew,
    CriterionAdd,
    CriterionEdit,
    CriterionRef,
    Forward,
    InChallenge,
    JurorAdd,
    JurorRef,
    ResultsPublish,
)
from labkit_challenges.lookups import MANAGE, challenge_of, found, submission_of
from labkit_challenges.models import Challenge, Criterion, Juror, Submission, TeamMember
from labkit_challenges.rules import refused


def _check_schedule(data: ChallengeIn) -> None:
    errors = services.challenge_errors(data)
    if errors:
        raise Refused(next(iter(errors.values())), 422, kind="validation", errors=errors)


@action("challenges.create", input=ChallengeNew, permission=MANAGE)
async def create_challenge(ctx: Context, data: ChallengeNew) -> Challenge:
    """Describe a new challenge, with its cover picture."""
    _check_schedule(data)
    cover = await images.prepare(data.cover, data.cover_alt, "cover")
    challenge = await services.create_challenge(data, ctx.actor)
    await images.attach(ctx, challenge, "cover", cover, data.cover_alt)
    return challenge


@action("challenges.update", input=ChallengeEdit, permission=MANAGE)
async def update_challenge(ctx: Context, data: ChallengeEdit) -> Challenge:
    """Change a challenge's description, dates, rules and cover picture."""
    challenge = await challenge_of(ctx, data.cid)
    _check_schedule(data)
    cover = await images.prepare(data.cover, data.cover_alt, "cover")
    await services.update_challenge(challenge, data)
    await images.attach(ctx, challenge, "cover", cover, data.cover_alt, remove=data.cover_remove)
    return challenge


# ------------------------------------------------------------------------------ criteria


@action("challenges.add_criterion", input=CriterionAdd, permission=MANAGE)
async def add_criterion(ctx: Context, data: CriterionAdd) -> Criterion:
    """Add a weighted evaluation criterion (until scoring starts)."""
    return await jury.add_criterion(await challenge_of(ctx, data.cid), data)


@action("challenges.update_criterion", input=CriterionEdit, permission=MANAGE)
async def update_criterion(ctx: Context, data: CriterionEdit) -> Criterion:
    """Change a criterion (until scoring starts)."""
    challenge = await challenge_of(ctx, data.cid)
    criterion = await found(Criterion.get_or_none(id=data.criterion, challenge=challenge),
                            N_("This criterion does not exist."))
    await jury.update_criterion(challenge, criterion, data)
    return criterion


@action("challenges.delete_criterion", input=CriterionRef, permission=MANAGE)
async def delete_criterion(ctx: Context, data: CriterionRef) -> Criterion:
    """Remove a criterion (until scoring starts)."""
    challenge = await challenge_of(ctx, data.cid)
    criterion = await found(Criterion.get_or_none(id=data.criterion, challenge=challenge),
                            N_("This criterion does not exist."))
    await jury.delete_criterion(challenge, criterion)
    return criterion


# ---------------------------------------------------------------------------------- jury


@action("challenges.add_juror", input=JurorAdd, permission=MANAGE)
async def add_juror(ctx: Context, data: JurorAdd) -> Juror:
    """Put a person on the jury, by the e-mail of their account."""
    juror = await jury.add_juror(await challenge_of(ctx, data.cid), data.email)
    await juror.fetch_related("person")
    return juror


@action("challenges.remove_juror", input=JurorRef, permission=MANAGE)
async def remove_juror(ctx: Context, data: JurorRef) -> None:
    """Take a juror who has not scored off the jury."""
    challenge = await challenge_of(ctx, data.cid)
    juror = await found(Juror.get_or_none(id=data.juror, challenge=challenge), N_("This juror does not exist."))
    await jury.remove_juror(challenge, juror)


async def _pair(ctx: Context, data: AssignIn) -> tuple[Challenge, Juror, Submission]:
    challenge = await challenge_of(ctx, data.cid)
    juror = await Juror.get_or_none(id=data.juror, challenge=challenge)
    submission = await Submission.get_or_none(id=data.submission, challenge=challenge)
    if juror is None or submission is None:
        raise refused(N_("Choose a juror and a submission of this challenge."), 422)
    return challenge, juror, submission


@action("challenges.assign", input=AssignIn, permission=MANAGE)
async def assign(ctx: Context, data: AssignIn) -> None:
    """Give a juror a submission to score (never one of a team they are in or declared a conflict with)."""
    challenge, juror, submission = await _pair(ctx, data)
    await jury.assign(juror, submission)
    await notify(ctx.app, juror.person_id, N_("A submission of “%(title)s” was assigned to you for scoring."),
                 ctx.url_for("challenges:jury", cid=challenge.id), params={"title": challenge.title})


@action("challenges.unassign", input=AssignIn, permission=MANAGE)
async def unassign(ctx: Context, data: AssignIn) -> None:
    """Take back an assignment the juror has not scored."""
    _challenge, juror, submission = await _pair(ctx, data)
    await jury.unassign(juror, submission)


@action("challenges.assign_all", input=InChallenge, permission=MANAGE)
async def assign_all(ctx: Context, data: InChallenge) -> int:
    """Assign every submission to every juror without a conflict with its team; how many were new."""
    return await jury.assign_all(await challenge_of(ctx, data.cid))


# ------------------------------------------------------------------------------- results


@action("challenges.publish_results", input=ResultsPublish, permission=MANAGE)
async def publish_results(ctx: Context, data: ResultsPublish) -> Challenge:
    """Publish the ranking with the jury's statement and the winners; the scores lock and the teams are told."""
    challenge = await jury.publish_results(await challenge_of(ctx, data.cid), data.statement, data.winners)
    await ctx.emit("challenges.results_published", challenge_id=challenge.id, winners=data.winners)
    teams = await Submission.filter(challenge=challenge, status="submitted").values_list("team_id", flat=True)
    people = set(await TeamMember.filter(team_id__in=list(teams)).values_list("person_id", flat=True)) if teams else set()
    for pid in sorted(people):
        await notify(ctx.app, pid, N_("The results of “%(title)s” are published."),
                     ctx.url_for("challenges:results", cid=challenge.id), params={"title": challenge.title})
    return challenge


@action("challenges.take_forward", input=Forward, permission=MANAGE)
async def take_forward(ctx: Context, data: Forward) -> Submission:
    """Take a winning submission forward as a project of the lab (from the given date)."""
    challenge = await challenge_of(ctx, data.cid)
    submission = await jury.take_forward(challenge, await submission_of(challenge, data.sid), data.taken_forward_on)
    await ctx.emit("challenges.winner_taken_forward", challenge_id=challenge.id, submission_id=submission.id)
    return submission
