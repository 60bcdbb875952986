"""What people do with the map, each use case once for the pages and the API: propose an
organisation or a correction, the team's additions, edits, status changes and relationships,
moderation decisions and the CSV import."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from labkit import images, notifications
from labkit.actions import Context, Refused, action, not_found
from labkit.i18n import N_
from labkit.web import error_messages

from labkit_mapping import importing, membership, rules
from labkit_mapping.forms import (
    ORGANISATION_FIELDS,
    CorrectionIn,
    DecisionIn,
    ImportIn,
    OrganisationCreate,
    OrganisationIn,
    OrganisationUpdate,
    ProposalIn,
    RelationshipIn,
    RelationshipRef,
    StatusIn,
)
from labkit_mapping.models import Organisation, Proposal, Relationship

STATUS_MESSAGES = {
    "published": N_("The organisation is published."),
    "archived": N_("The organisation is archived: it no longer shows in the directory or on the map."),
}


class PossibleDuplicates(Refused):
    """The organisation looks like ones already in the directory; send again with
    ``confirm_duplicate`` to save it anyway."""

    def __init__(self, duplicates: list[rules.Duplicate]) -> None:
        super().__init__(N_("This organisation may already be in the directory. Send confirm_duplicate: true "
                            "to add it anyway."), 409, kind="possible-duplicate")
        self.duplicates = duplicates


def is_team(ctx: Context) -> bool:
    """Whether the acting person moderates the map (and so sees organisations not yet published)."""
    return ctx.allows("mapping.moderate")


def organisation_fields(data: OrganisationIn) -> OrganisationIn:
    """The organisation's own fields of a larger input (a proposal, an API body)."""
    return OrganisationIn.model_validate(data.model_dump(include=set(ORGANISATION_FIELDS)))


async def _check_duplicates(data: OrganisationIn, confirmed: bool, exclude_id: int | None = None) -> list[rules.Duplicate]:
    duplicates = await rules.find_duplicates(data.name, data.website, exclude_id=exclude_id)
    if duplicates and not confirmed:
        raise PossibleDuplicates(duplicates)
    return duplicates


@action("mapping.propose", input=ProposalIn, signed_in=False)
async def propose(ctx: Context, data: ProposalIn) -> Organisation | Proposal:
    """Propose an organisation: the team reviews it before it is published (the team's own
    proposals are published at once)."""
    duplicates = await _check_duplicates(data, data.confirm_duplicate)
    if is_team(ctx):
        org = await rules.create_organisation(organisation_fields(data), ctx.person, source="staff")
        await ctx.emit("mapping.organisation_published", organisation_id=org.id)
        return org
    proposal = await rules.propose_new(organisation_fields(data), ctx.person, contact_email=data.proposer_email,
                                       note=data.note, duplicates=[d.organisation.id for d in duplicates])
    await ctx.emit("mapping.organisation_proposed", proposal_id=proposal.id, organisation_id=proposal.organisation_id)
    return proposal


@action("mapping.correct", input=CorrectionIn, signed_in=False)
async def correct(ctx: Context, data: CorrectionIn) -> Proposal:
    """Suggest a correction to an organisation: the team reviews it."""
    org = await rules.visible_organisation(data.org_id, is_team(ctx))
    proposal = await rules.propose_correction(org, organisation_fields(data), ctx.person,
                                              contact_email=data.proposer_email, note=data.note)
    await ctx.emit("mapping.correction_proposed", proposal_id=proposal.id, organisation_id=org.id)
    return proposal


@action("mapping.create_organisation", input=OrganisationCreate, permission="mapping.edit")
async def create_organisation(ctx: Context, data: OrganisationCreate) -> Organisation:
    """Add an organisation (published unless ``status`` says otherwise)."""
    await _check_duplicates(data, data.confirm_duplicate)
    org = await rules.create_organisation(organisation_fields(data), ctx.actor, source="api", status=data.status)
    if org.status == "published":
        await ctx.emit("mapping.organisation_published", organisation_id=org.id)
    return org


async def require_editor(ctx: Context, org_id: int) -> bool:
    """Refuse (403) unless the acting person edits organisations (the team) or is a confirmed member
    of organisation ``org_id``; whether they are the team."""
    if ctx.allows("mapping.edit"):
        return True
    if not await membership.is_member(ctx.actor.id, org_id):
        raise Refused(N_("Only the lab's team and the organisation's members edit it directly: suggest a "
                         "correction instead."), 403, kind="forbidden")
    return False


@action("mapping.update_organisation", input=OrganisationUpdate)
async def update_organisation(ctx: Context, data: OrganisationUpdate) -> tuple[Organisation, dict[str, Any]]:
    """Change some fields of an organisation (the team, or its confirmed members; the others keep
    their value); every change goes into its history. Returns the organisation and the fields
    that changed."""
    team = await require_editor(ctx, data.org_id)
    org = await rules.visible_organisation(data.org_id, is_team(ctx))
    given = data.model_dump(exclude_unset=True, include={*ORGANISATION_FIELDS, "status"})
    status = given.pop("status", None)
    if status and not team:
        raise Refused(N_("Only the lab's team publishes or archives organisations."), 403, kind="forbidden")
    try:
        merged = OrganisationIn.model_validate({**rules.as_input(org), **given})
    except ValidationError as error:
        raise Refused(N_("Some fields are not valid."), 422, kind="validation", errors=error_messages(error)) from None
    if "name" in given or "website" in given:
        await _check_duplicates(merged, data.confirm_duplicate, exclude_id=org.id)
    logo = await _apply_logo(ctx, org, data)
    changes = {**await rules.update_organisation(org, merged, ctx.actor, "updated" if team else "member_updated",
                                                 note=data.note), **logo}
    if status:
        await rules.set_status(org, status, ctx.actor)
    await org.refresh_from_db()
    return org, changes


async def _apply_logo(ctx: Context, org: Organisation, data: OrganisationUpdate) -> dict[str, list[str]]:
    """Apply the logo fields (see :func:`labkit.images.attach`); a change goes into the history as
    ``{"logo": [old description, new description]}``, which is returned."""
    before = await images.one(org, "logo")
    after = await images.attach(ctx, org, "logo", data.logo, data.logo_alt, remove=data.logo_remove)
    if (before and (before.key, before.alt)) == (after and (after.key, after.alt)):
        return {}
    change = {"logo": [before.alt if before else "", after.alt if after else ""]}
    await rules.record(org, "updated", ctx.actor, change, data.note)
    return change


@action("mapping.set_status", input=StatusIn, permission="mapping.edit")
async def set_status(ctx: Context, data: StatusIn) -> Organisation:
    """Publish, archive or restore an organisation; proposals are decided in moderation."""
    org = await rules.visible_organisation(data.org_id, is_team(ctx))
    if data.status not in STATUS_MESSAGES or (org.status == "proposed" and data.status == "published"):
        raise Refused(N_("Choose publish or archive; proposals are decided in the moderation queue."), 400,
                      kind="bad-request")
    await rules.set_status(org, data.status, ctx.actor, note=data.note[:500])
    return org


@action("mapping.add_relationship", input=RelationshipIn, permission="mapping.edit")
async def add_relationship(ctx: Context, data: RelationshipIn) -> Relationship:
    """Record a relationship from organisation ``org_id`` to another one or to the lab."""
    org = await rules.visible_organisation(data.org_id, is_team(ctx))
    target = None
    if data.target_id is not None:
        target = await Organisation.get_or_none(id=data.target_id, status="published")
        if target is None:
            raise Refused(N_("Choose a published organisation."), 422, kind="validation",
                          errors={"target_id": N_("Choose a published organisation.")})
    return await rules.add_relationship(org, target, data.kind, data.note, ctx.actor)


@action("mapping.remove_relationship", input=RelationshipRef, permission="mapping.edit")
async def remove_relationship(ctx: Context, data: RelationshipRef) -> int:
    """Remove a relationship; returns the id of the organisation it started from."""
    relationship = await Relationship.get_or_none(id=data.rel_id)
    if relationship is None:
        raise not_found(N_("This relationship does not exist."))
    await rules.remove_relationship(relationship, ctx.actor)
    return relationship.source_id


@action("mapping.decide", input=DecisionIn, permission="mapping.moderate")
async def decide(ctx: Context, data: DecisionIn) -> Proposal:
    """Approve or reject a pending proposal, once; the proposer is told."""
    decided = await rules.decide(data.proposal_id, ctx.actor, data.decision, data.reason)
    await _tell_proposer(ctx, decided)
    await ctx.emit(f"mapping.proposal_{decided.status}", proposal_id=decided.id,
                   organisation_id=decided.organisation_id, kind=decided.kind)
    return decided


async def _tell_proposer(ctx: Context, proposal: Proposal) -> None:
    if proposal.proposer_id is None:
        return
    org = proposal.organisation
    if proposal.status == "approved":
        message = N_("Your proposal about \"%(name)s\" was approved. Thank you!")
    else:
        message = N_("Your proposal about \"%(name)s\" was not accepted: %(reason)s")
    url = ctx.url_for("mapping:organisation", org_id=org.id) if org.status == "published" \
        else ctx.url_for("mapping:directory")
    await notifications.notify(ctx.app, proposal.proposer_id, message, url,
                               params={"name": org.name, "reason": proposal.reason})


@action("mapping.import", input=ImportIn, permission="mapping.import")
async def import_csv(ctx: Context, data: ImportIn) -> importing.ImportReport:
    """Check a CSV file of organisations row by row and, unless it is a dry run and when every row
    is right, import it all at once. Returns the report."""
    report = await importing.check(data.content)
    if report.ok and not data.dry_run:
        await importing.run(report, ctx.actor)
        await ctx.emit("mapping.imported", created=report.count("create"), updated=report.count("update"))
    return report
