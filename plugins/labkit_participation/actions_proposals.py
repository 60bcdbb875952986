"""What people and staff do with proposals: send and edit them, support them, comment on them
and answer them. Each use case is declared once, for the page and the API alike."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from labkit.actions import Context, Refused, action
from labkit.i18n import N_
from labkit.timezones import now

from labkit_participation import forms, rules, service
from labkit_participation.models import Comment, Process, Proposal

MANAGE = "participation.manage"
MISSING_PARENT = N_("The comment you reply to no longer exists.")


@dataclass
class OnProposal:
    """A proposal an action changed, with its consultation."""

    proposal: Proposal
    process: Process


def _check_category(process: Process, data: forms.ProposalIn) -> None:
    if process.categories and data.category not in process.categories:
        raise Refused(N_("Choose one of the options."), 422, kind="validation",
                      errors={"category": N_("Choose one of the options.")})


class ProposalIn(forms.ProposalIn):
    """A proposal to the consultation named by the path."""

    process_id: int


@action("participation.create_proposal", input=ProposalIn, permission="participation.propose")
async def create_proposal(ctx: Context, data: ProposalIn) -> OnProposal:
    """Send a proposal during the proposals phase."""
    process = await service.get_process(data.process_id, drafts=ctx.allows(MANAGE))
    rules.check_can_propose(process, now())
    _check_category(process, data)
    await rules.check_rate(ctx.plugin_settings("participation"), ctx.actor, "proposal")
    proposal = await Proposal.create(process_id=process.id, author_id=ctx.actor.id,
                                     **data.model_dump(exclude={"process_id"}))
    await rules.follow(process, ctx.actor)
    await ctx.emit("participation.proposal_created", proposal_id=proposal.id, process_id=process.id)
    await proposal.fetch_related("author")
    return OnProposal(proposal, process)


class ProposalChange(forms.ProposalIn):
    """The new content of the proposal named by the path."""

    proposal_id: int


@action("participation.update_proposal", input=ProposalChange, permission="participation.propose")
async def update_proposal(ctx: Context, data: ProposalChange) -> OnProposal:
    """Edit one's own proposal (until the support phase starts)."""
    proposal, process = await service.get_proposal(data.proposal_id, drafts=ctx.allows(MANAGE))
    rules.check_can_edit(proposal, process, ctx.actor, now())
    _check_category(process, data)
    await proposal.update_from_dict(data.model_dump(exclude={"proposal_id"})).save()
    return OnProposal(proposal, process)


class ProposalPath(BaseModel):
    """A proposal named by the path."""

    model_config = ConfigDict(extra="forbid")

    proposal_id: int


@action("participation.support", input=ProposalPath, permission="participation.support")
async def support(ctx: Context, data: ProposalPath) -> OnProposal:
    """Support a proposal (once per person; within the consultation's limit; with the verification
    the consultation requires)."""
    proposal, process = await service.get_proposal(data.proposal_id, drafts=ctx.allows(MANAGE))
    if process.required_verification:
        ctx.require_verification(process.required_verification)
    await rules.support(process, proposal, ctx.actor, now())
    await rules.follow(process, ctx.actor)
    await ctx.emit("participation.proposal_supported", proposal_id=proposal.id, process_id=process.id)
    return OnProposal(proposal, process)


@action("participation.withdraw_support", input=ProposalPath, permission="participation.support")
async def withdraw_support(ctx: Context, data: ProposalPath) -> OnProposal:
    """Withdraw one's support during the support phase."""
    proposal, process = await service.get_proposal(data.proposal_id, drafts=ctx.allows(MANAGE))
    await rules.withdraw_support(process, proposal, ctx.actor, now())
    return OnProposal(proposal, process)


class AnswerIn(forms.AnswerIn):
    """Staff's answer to the proposal named by the path."""

    proposal_id: int


@action("participation.answer", input=AnswerIn, permission=MANAGE)
async def answer(ctx: Context, data: AnswerIn) -> OnProposal:
    """Publish staff's answer to a proposal; the author and the followers are notified."""
    proposal, process = await service.get_proposal(data.proposal_id, drafts=True)
    person = ctx.actor
    proposal.answer_status, proposal.answer_text = data.status, data.text
    proposal.answered_at, proposal.answered_by_id = now(), person.id
    await proposal.save(update_fields=["answer_status", "answer_text", "answered_at", "answered_by_id"])
    recipients = (set(await rules.follower_ids(process.id)) | {proposal.author_id}) - {person.id}
    await service.notify_people(ctx.app, recipients, N_("The lab answered the proposal “%(title)s”: %(status)s."),
                                ctx.url_for("participation:proposal", proposal_id=proposal.id), translated=("status",),
                                title=proposal.title, status=rules.ANSWER_LABELS[data.status])
    await ctx.emit("participation.answer_published", proposal_id=proposal.id, process_id=process.id,
                   status=data.status)
    return OnProposal(proposal, process)


class CommentIn(forms.CommentIn):
    """A comment on the proposal named by the path."""

    proposal_id: int


class ProcessCommentIn(forms.CommentIn):
    """A comment on the consultation named by the path."""

    process_id: int


@action("participation.comment", input=CommentIn, permission="participation.comment")
async def comment(ctx: Context, data: CommentIn) -> Comment:
    """Comment on a proposal, or reply to one of its comments."""
    proposal, process = await service.get_proposal(data.proposal_id, drafts=ctx.allows(MANAGE))
    return await _comment(ctx, data, process, proposal)


@action("participation.comment_process", input=ProcessCommentIn, permission="participation.comment")
async def comment_process(ctx: Context, data: ProcessCommentIn) -> Comment:
    """Comment on a consultation, or reply to one of its comments."""
    process = await service.get_process(data.process_id, drafts=ctx.allows(MANAGE))
    return await _comment(ctx, data, process, None)


async def _comment(ctx: Context, data: forms.CommentIn, process: Process, proposal: Proposal | None) -> Comment:
    """Post ``data`` under ``proposal`` (or the consultation itself), once the rules allow it."""
    parent = await Comment.get_or_none(id=data.parent_id) if data.parent_id is not None else None
    if data.parent_id is not None and parent is None:
        raise Refused(MISSING_PARENT, 422, kind="validation")
    await rules.check_can_comment(process, proposal, parent, now())
    await rules.check_rate(ctx.plugin_settings("participation"), ctx.actor, "comment")
    created = await Comment.create(process_id=process.id, proposal_id=proposal.id if proposal else None,
                                   parent_id=parent.id if parent else None, author_id=ctx.actor.id, body=data.body)
    await ctx.emit("participation.comment_created", comment_id=created.id, process_id=process.id,
                   proposal_id=proposal.id if proposal else None)
    await created.fetch_related("author")
    return created
