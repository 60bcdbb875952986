"""What people taking part do: form and join teams, submit and withdraw solutions, vote; and what
jurors do: score and declare conflicts of interest. Each use case once, for pages and API."""

from __future__ import annotations

from labkit.actions import Context, action
from labkit.hooktypes import Reference
from labkit.i18n import N_

from labkit_challenges import invitations, jury, services
from labkit_challenges.forms import (
    AttachmentRef,
    ConflictDeclare,
    InChallenge,
    InSubmission,
    JoinTeam,
    MemberRef,
    MemberRole,
    PersonInvite,
    ScorecardSave,
    SubmissionSave,
    TeamNew,
)
from labkit_challenges.lookups import (
    TAKE_PART,
    VOTE,
    challenge_of,
    found,
    invited_team,
    my_jury,
    my_team,
    submission_of,
)
from labkit_challenges.models import (
    Attachment,
    Challenge,
    Submission,
    Team,
    TeamMember,
    Vote,
)

# ----------------------------------------------------------------------------------- teams


@action("challenges.create_team", input=TeamNew, permission=TAKE_PART)
async def create_team(ctx: Context, data: TeamNew) -> Team:
    """Form a team, as its lead, accepting the code of conduct."""
    return await services.create_team(await challenge_of(ctx, data.cid), ctx.actor, data.name)


@action("challenges.join_team", input=JoinTeam, permission=TAKE_PART)
async def join_team(ctx: Context, data: JoinTeam) -> Team:
    """Join a team through its invitation link, accepting the code of conduct."""
    team = await invited_team(ctx, data.token)
    await services.join_team(team, ctx.actor)
    return team


@action("challenges.leave_team", input=InChallenge, permission=TAKE_PART)
async def leave_team(ctx: Context, data: InChallenge) -> Challenge:
    """Leave one's team (the earliest member left becomes lead)."""
    challenge, member = await my_team(ctx, data.cid)
    await services.leave_team(member)
    return challenge


async def _team_mate(ctx: Context, cid: int, member_id: int) -> tuple[TeamMember, TeamMember]:
    _challenge, lead = await my_team(ctx, cid)
    other = await found(TeamMember.get_or_none(id=member_id, team_id=lead.team_id).select_related("team"),
                        N_("This person is not in your team."))
    return lead, other


@action("challenges.remove_member", input=MemberRef, permission=TAKE_PART)
async def remove_member(ctx: Context, data: MemberRef) -> None:
    """A lead removes a member from the team."""
    await services.remove_member(*await _team_mate(ctx, data.cid, data.member))


@action("challenges.set_role", input=MemberRole, permission=TAKE_PART)
async def set_role(ctx: Context, data: MemberRole) -> None:
    """A lead makes a member a lead, or a lead a member (a team keeps at least one lead)."""
    lead, other = await _team_mate(ctx, data.cid, data.member)
    await services.set_role(lead, other, data.role)


@action("challenges.renew_invite", input=InChallenge, permission=TAKE_PART)
async def renew_invite(ctx: Context, data: InChallenge) -> None:
    """A lead makes a new invitation link; the old one stops working."""
    _challenge, member = await my_team(ctx, data.cid)
    await services.renew_invite(member)


@action("challenges.invite_person", input=PersonInvite, permission=TAKE_PART)
async def invite_person(ctx: Context, data: PersonInvite) -> Reference:
    """A lead sends the team's invitation link to someone looking for a team (see ``invitations``)."""
    challenge, member = await my_team(ctx, data.cid)
    return await invitations.invite(ctx, challenge, member, data.person)


# ----------------------------------------------------------------------------- submissions


@action("challenges.save_submission", input=SubmissionSave, permission=TAKE_PART)
async def save_submission(ctx: Context, data: SubmissionSave) -> Submission:
    """Create or update the team's submission (before the deadline); ``created_now`` says which."""
    challenge, member = await my_team(ctx, data.cid)
    submission = await services.save_submission(ctx.settings.lab_dir, ctx.plugin_settings("challenges"), challenge,
                                                member, data, data.attachments)
    if submission.created_now:  # type: ignore[attr-defined]  # not what the form saw: a team mate may have been first
        await ctx.emit("challenges.submission_created", challenge_id=challenge.id, submission_id=submission.id)
    return submission


@action("challenges.withdraw", input=InChallenge, permission=TAKE_PART)
async def withdraw(ctx: Context, data: InChallenge) -> Challenge:
    """Withdraw the team's submission (it can be submitted again before the deadline)."""
    challenge, member = await my_team(ctx, data.cid)
    submission = await found(Submission.get_or_none(team_id=member.team_id), N_("Your team has not submitted anything."))
    await services.withdraw(challenge, submission)
    return challenge


@action("challenges.delete_attachment", input=AttachmentRef, permission=TAKE_PART)
async def delete_attachment(ctx: Context, data: AttachmentRef) -> None:
    """Remove a file from the team's submission (before the deadline)."""
    challenge, member = await my_team(ctx, data.cid)
    attachment = await found(Attachment.get_or_none(id=data.aid, submission__team_id=member.team_id),
                             N_("This file does not exist."))
    await services.delete_attachment(ctx.settings.lab_dir, challenge, attachment)


@action("challenges.vote", input=InSubmission, permission=VOTE)
async def vote(ctx: Context, data: InSubmission) -> Vote:
    """Cast one's one community vote in a challenge (not for one's own team; with the verification
    the challenge requires)."""
    challenge = await challenge_of(ctx, data.cid)
    if challenge.required_verification:
        ctx.require_verification(challenge.required_verification)
    return await services.vote(challenge, await submission_of(challenge, data.sid), ctx.actor)


# -------------------------------------------------------------------------------- the jury


@action("challenges.score", input=ScorecardSave)
async def score(ctx: Context, data: ScorecardSave) -> Submission:
    """Save one's whole scorecard for an assigned submission (every criterion, on the scale)."""
    challenge, juror = await my_jury(ctx, data.cid)
    submission = await submission_of(challenge, data.sid)
    await jury.save_scorecard(challenge, juror, submission, data)
    return submission


@action("challenges.declare_conflict", input=ConflictDeclare)
async def declare_conflict(ctx: Context, data: ConflictDeclare) -> None:
    """Declare a conflict of interest with a submission's team: one's assignment and scores for it go."""
    challenge, juror = await my_jury(ctx, data.cid)
    await jury.declare_conflict(challenge, juror, await submission_of(challenge, data.sid), data.reason)
