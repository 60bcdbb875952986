"""What an organisation's administrators do with its members, each use case once for the pages
and the API: invite a colleague by e-mail, withdraw an invitation, accept one (whoever follows the
link signed in), and make a member an administrator or back."""

from __future__ import annotations

from labkit import notifications, throttle
from labkit.actions import Context, Refused, action
from labkit.i18n import N_
from labkit.mail import send_mail

from labkit_mapping import invitations, membership, rules
from labkit_mapping.actions import is_team
from labkit_mapping.forms import CodeIn, InvitationIn, InvitationRef, RoleIn
from labkit_mapping.models import Invitation, Membership

INVITATION_SUBJECT = N_("%(name)s invites you to %(organisation)s")
INVITATION_BODY = N_("%(name)s invites you to join %(organisation)s in %(lab)s, where its members keep its page. "
                     "Open this link within %(days)s days, signed in to %(lab)s (or after creating an account), "
                     "to become a member:\n\n%(link)s\n\nThe link works once. If you do not know this "
                     "organisation, ignore this message: nothing changes.")


@action("mapping.invite_member", input=InvitationIn)
async def invite_member(ctx: Context, data: InvitationIn) -> Invitation:
    """Mail an invitation to join an organisation (its administrators and the lab's team); the
    link works once, for whoever opens it signed in, until it expires."""
    org = await rules.visible_organisation(data.org_id, is_team(ctx))
    await invitations.may_manage(ctx.actor, org.id, ctx.allows("mapping.moderate"))
    if await throttle.mail_flooding("mapping-invitation", data.email, f"person:{ctx.actor.id}"):
        raise Refused(N_("Too many invitations were sent. Wait an hour and try again."), 429, kind="too-many")
    days = ctx.plugin_settings("mapping").invitation_days
    row, code = await invitations.invite(org, data.email, ctx.actor, days)
    await send_mail(data.email, INVITATION_SUBJECT, INVITATION_BODY, params={
        "name": ctx.actor.name, "lab": ctx.settings.lab.name, "organisation": org.name, "days": days,
        "link": ctx.absolute_url("mapping:accept_invitation", code=code)})
    await ctx.emit("mapping.member_invited", organisation_id=org.id, invitation_id=row.id)
    return row


@action("mapping.withdraw_invitation", input=InvitationRef)
async def withdraw_invitation(ctx: Context, data: InvitationRef) -> Invitation:
    """Withdraw an invitation not used yet: its link stops working."""
    row = await invitations.invitation(data.invitation_id)
    await invitations.may_manage(ctx.actor, row.organisation_id, ctx.allows("mapping.moderate"))
    await row.delete()
    await ctx.emit("mapping.invitation_withdrawn", organisation_id=row.organisation_id)
    return row


@action("mapping.accept_invitation", input=CodeIn)
async def accept_invitation(ctx: Context, data: CodeIn) -> Membership:
    """Join an organisation with the link of an invitation (once, before it expires)."""
    row = await invitations.accept(data.code, ctx.actor)
    await ctx.emit("mapping.membership_confirmed", organisation_id=row.organisation_id, membership_id=row.id)
    return row


@action("mapping.set_member_role", input=RoleIn)
async def set_member_role(ctx: Context, data: RoleIn) -> Membership:
    """Make a member an administrator, or an administrator a member again (the organisation's
    administrators and the lab's team); the last administrator stays while others remain."""
    row = await membership.confirmed_membership(data.membership_id)
    await invitations.may_manage(ctx.actor, row.organisation_id, ctx.allows("mapping.moderate"))
    row = await membership.set_role(row, data.role)
    if row.person_id != ctx.actor.id:
        message = N_("You are now an administrator of %(organisation)s.") if data.role == "admin" \
            else N_("You are no longer an administrator of %(organisation)s.")
        await notifications.notify(ctx.app, row.person_id, message,
                                   ctx.url_for("mapping:organisation", org_id=row.organisation_id) + "#members",
                                   params={"organisation": row.organisation.name})
    await ctx.emit("mapping.member_role_changed", organisation_id=row.organisation_id, membership_id=row.id,
                   role=data.role)
    return row
