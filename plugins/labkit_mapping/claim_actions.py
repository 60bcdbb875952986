"""What people do with memberships, each use case once for the pages and the API: claim an
organisation (proved by a mail at its website's domain, or decided by the lab's team or the
organisation's members), confirm the mailed code, decide a claim, leave or remove a member."""

from __future__ import annotations

from labkit import notifications, throttle
from labkit.actions import Context, Refused, action, not_found
from labkit.i18n import N_
from labkit.mail import send_mail

from labkit_mapping import membership, rules
from labkit_mapping.actions import is_team
from labkit_mapping.forms import ClaimDecisionIn, ClaimIn, CodeIn, MembershipRef
from labkit_mapping.models import Membership

CLAIM_MAIL_SUBJECT = N_("Confirm that you belong to %(organisation)s")
CLAIM_MAIL_BODY = N_("%(name)s asked, in %(lab)s, to keep the page of %(organisation)s, giving this address as "
                     "the proof. If it was you, open this link within %(hours)s hours, signed in as %(name)s:\n\n"
                     "%(link)s\n\nIf it was not you, ignore this message: nothing changes.")


def _page(ctx: Context, row: Membership) -> str:
    return ctx.url_for("mapping:organisation", org_id=row.organisation_id)


@action("mapping.claim", input=ClaimIn)
async def claim(ctx: Context, data: ClaimIn) -> Membership:
    """Claim an organisation, or ask to join it: with an address at its website's domain a link
    is mailed there; otherwise the lab's team or the organisation's members decide."""
    org = await rules.visible_organisation(data.org_id, is_team(ctx))
    person = ctx.actor
    if data.email and await throttle.mail_flooding("mapping-claim", data.email, f"person:{person.id}"):
        raise Refused(N_("Too many links were asked for. Wait an hour and try again."), 429, kind="too-many")
    hours = ctx.plugin_settings("mapping").claim_link_hours
    row, code = await membership.claim(org, person, data.note, data.email, hours)
    if code:
        await send_mail(data.email, CLAIM_MAIL_SUBJECT, CLAIM_MAIL_BODY, person_id=person.id, params={
            "name": person.name, "lab": ctx.settings.lab.name, "organisation": org.name, "hours": hours,
            "link": ctx.absolute_url("mapping:confirm_claim", code=code)})
    else:
        for member in await membership.members_of(org.id):
            await notifications.notify(ctx.app, member.person_id, N_("%(name)s asks to join %(organisation)s."),
                                       _page(ctx, row) + "#members", params={"name": person.name,
                                                                             "organisation": org.name})
    await ctx.emit("mapping.organisation_claimed", organisation_id=org.id, membership_id=row.id,
                   proof="domain" if code else "")
    return row


@action("mapping.confirm_claim", input=CodeIn)
async def confirm_claim(ctx: Context, data: CodeIn) -> Membership:
    """Confirm a claim with the code mailed to the organisation's domain (once, before it expires)."""
    row = await membership.confirm_code(data.code, ctx.actor)
    await ctx.emit("mapping.membership_confirmed", organisation_id=row.organisation_id, membership_id=row.id)
    return row


@action("mapping.decide_claim", input=ClaimDecisionIn)
async def decide_claim(ctx: Context, data: ClaimDecisionIn) -> Membership:
    """Approve or refuse a pending claim (the lab's team, or a member of the organisation); the
    person who asked is told."""
    row = await membership.pending_membership(data.membership_id)
    staff = ctx.allows("mapping.moderate")
    if not staff and not await membership.is_member(ctx.actor.id, row.organisation_id):
        raise Refused(N_("Only the lab's team and the organisation's members decide on claims."), 403,
                      kind="forbidden")
    org_name = row.organisation.name
    if data.decision == "approve":
        row = await membership.confirm(row, "staff" if staff else "member", ctx.actor)
        message = N_("You are now a member of %(organisation)s: you can edit its page.")
    else:
        await Membership.filter(id=row.id, status="pending").delete()
        row.status = "refused"
        message = N_("Your claim of %(organisation)s was not accepted: %(reason)s")
    await notifications.notify(ctx.app, row.person_id, message, _page(ctx, row),
                               params={"organisation": org_name, "reason": data.reason or "—"})
    await ctx.emit("mapping.claim_decided", organisation_id=row.organisation_id, decision=data.decision)
    return row


@action("mapping.remove_member", input=MembershipRef)
async def remove_member(ctx: Context, data: MembershipRef) -> Membership:
    """Leave an organisation (or withdraw a claim); its administrators and the lab's team may also
    remove a member, who is told. The last administrator does not go while other members remain."""
    row = await Membership.get_or_none(id=data.membership_id).select_related("organisation")
    if row is None:
        raise not_found(N_("This membership does not exist."))
    own = row.person_id == ctx.actor.id
    if not own and not ctx.allows("mapping.moderate") and not await membership.is_admin(ctx.actor.id,
                                                                                         row.organisation_id):
        raise Refused(N_("Only the organisation's administrators and the lab's team remove members."), 403,
                      kind="forbidden")
    await membership.remove(row)
    if not own:
        await notifications.notify(ctx.app, row.person_id, N_("You are no longer a member of %(organisation)s."),
                                   _page(ctx, row), params={"organisation": row.organisation.name})
    await ctx.emit("mapping.membership_removed", organisation_id=row.organisation_id)
    return row
