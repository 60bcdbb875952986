"""Where the map is on the web (found by convention: ``pages`` under ``/mapping/``, ``api`` under
``/api/v1/mapping/``). Every write runs an action of :mod:`labkit_mapping.actions`."""

from __future__ import annotations

from starlette.routing import Route

from labkit import images
from labkit.action_routes import ActionButton, ActionPage, ActionRoute
from labkit.actions import Context
from labkit.api import SIGNED_IN, ApiRoute, PageRoute
from labkit.i18n import N_, gettext

from labkit_mapping import api as reads
from labkit_mapping import pages as reading
from labkit_mapping import pages_forms as forms
from labkit_mapping import pages_members as members
from labkit_mapping.actions import add_relationship, remove_relationship
from labkit_mapping.claim_actions import claim, confirm_claim, decide_claim, remove_member
from labkit_mapping.forms import OrganisationCreate, OrganisationPatch
from labkit_mapping.member_actions import accept_invitation, invite_member, set_member_role, withdraw_invitation
from labkit_mapping.models import Membership
from labkit_mapping.seal_actions import create_seal, grant_seal, revoke_seal, update_seal


def _relationships_of(ctx: Context, org_id: int) -> str:
    """The relationships of organisation ``org_id``, on its page."""
    return ctx.url_for("mapping:organisation", org_id=org_id) + "#relationships"


def _page_of(ctx: Context, params: dict) -> str:
    """The page of the organisation of the path (or the directory when the path names none)."""
    if "org_id" in params:
        return ctx.url_for("mapping:organisation", org_id=params["org_id"])
    return ctx.url_for("mapping:directory")


def _claimed(row: Membership) -> str:
    if row.status == "confirmed":
        return gettext("You are now a member of this organisation: you can edit its page.")
    if row.proof_email:
        return gettext("We mailed a link to %(email)s: open it, signed in, to confirm your claim.",
                       email=row.proof_email)
    return gettext("Your claim waits for the lab's team or the organisation's members.")


pages = [
    Route("/", reading.directory, name="directory"),
    Route("/map", reading.map_page, name="map"),
    Route("/network", reading.network_page, name="network"),
    Route("/partners", reading.partners_page, name="partners"),
    Route("/stats", reading.stats_page, name="stats"),
    Route("/propose", forms.propose, methods=["GET", "POST"], name="propose"),
    Route("/organisations/{org_id:int}", reading.organisation, name="organisation"),
    Route("/organisations/{org_id:int}/correct", forms.correct, methods=["GET", "POST"], name="correct"),
    images.accepting_images(Route("/organisations/{org_id:int}/edit", forms.edit, methods=["GET", "POST"],
                                  name="edit")),
    ActionPage("/organisations/{org_id:int}/claim", claim, name="claim", template="mapping/claim.html",
               context=members.claim_context, message=_claimed,
               success=lambda ctx, row: ctx.url_for("mapping:organisation", org_id=row.organisation_id)),
    ActionPage("/claims/{code}", confirm_claim, name="confirm_claim", template="mapping/confirm_claim.html",
               context=members.confirm_context, message=_claimed,
               success=lambda ctx, row: ctx.url_for("mapping:organisation", org_id=row.organisation_id)),
    ActionButton("/memberships/{membership_id:int}/decide", decide_claim, name="decide_claim", back=_page_of,
                 message=N_("Decision recorded; the person is told.")),
    ActionButton("/memberships/{membership_id:int}/delete", remove_member, name="remove_member", back=_page_of,
                 message=N_("Membership removed.")),
    ActionButton("/organisations/{org_id:int}/invitations", invite_member, name="invite_member", back=_page_of,
                 message=N_("Invitation mailed.")),
    ActionButton("/invitations/{invitation_id:int}/delete", withdraw_invitation, name="withdraw_invitation",
                 back=_page_of, message=N_("Invitation withdrawn: its link no longer works.")),
    ActionPage("/invitations/{code}", accept_invitation, name="accept_invitation",
               template="mapping/accept_invitation.html", context=members.invitation_context, message=_claimed,
               success=lambda ctx, row: ctx.url_for("mapping:organisation", org_id=row.organisation_id)),
    ActionButton("/memberships/{membership_id:int}/role", set_member_role, name="set_member_role", back=_page_of,
                 message=N_("Role changed.")),
    ActionPage("/seals", create_seal, name="seals", template="mapping/seals.html", context=members.seals_context,
               message=N_("Seal added."), success=lambda ctx, seal: ctx.url_for("mapping:seals")),
    ActionPage("/seals/{seal_id:int}/edit", update_seal, name="edit_seal", template="mapping/seal_form.html",
               context=members.seal_context, initial=members.seal_initial, message=N_("Seal saved."),
               success=lambda ctx, seal: ctx.url_for("mapping:seals")),
    ActionButton("/organisations/{org_id:int}/seals", grant_seal, name="grant_seal", back=_page_of,
                 message=N_("Seal granted.")),
    ActionButton("/organisations/{org_id:int}/seals/{seal_id:int}/delete", revoke_seal, name="revoke_seal",
                 back=_page_of, message=N_("Seal revoked.")),
    PageRoute("/organisations/{org_id:int}/status", forms.change_status, methods=["POST"], name="status",
              permission="mapping.edit"),
    ActionButton("/organisations/{org_id:int}/relationships", add_relationship, name="add_relationship",
                 back=lambda ctx, params: _relationships_of(ctx, params["org_id"]), message=N_("Relationship recorded.")),
    ActionButton("/relationships/{rel_id:int}/delete", remove_relationship, name="remove_relationship",
                 back=lambda ctx, params: ctx.url_for("mapping:directory"), message=N_("Relationship removed."),
                 success=_relationships_of),
    PageRoute("/moderation", reading.moderation, name="moderation", permission="mapping.moderate"),
    PageRoute("/moderation/{proposal_id:int}", forms.review, methods=["GET", "POST"], name="review",
              permission="mapping.moderate"),
    PageRoute("/import", forms.import_page, methods=["GET", "POST"], name="import", permission="mapping.import"),
    Route("/export.csv", reading.export_csv, name="export_csv"),
    Route("/export.json", reading.export_json, name="export_json"),
    Route("/export.geojson", reading.export_geojson, name="export_geojson"),
    Route("/export.popolo.json", reading.export_popolo, name="export_popolo"),
]

api = [
    ApiRoute("/organisations", reads.list_organisations, name="organisations", response=reads.OrganisationList,
             query={**reads.FILTERS, "page": "page number (from 1)", "per_page": "items per page (1-100)",
                    "status": "the team only: proposed, published, archived or rejected"}),
    ApiRoute("/organisations", reads.create_organisation, methods=["POST"], name="create_organisation",
             body=OrganisationCreate, response=reads.OrganisationOut, permission="mapping.edit", status=201),
    ApiRoute("/organisations.geojson", reads.geojson, name="geojson", response=reads.FeatureCollection,
             query=reads.FILTERS, media_type="application/geo+json"),
    ApiRoute("/organisations/{org_id:int}", reads.get_organisation, name="organisation", response=reads.OrganisationOut),
    ApiRoute("/organisations/{org_id:int}", reads.update_organisation, methods=["PATCH"], name="update_organisation",
             body=OrganisationPatch, response=reads.OrganisationOut, files=images.file_fields(OrganisationPatch),
             max_body_bytes=images.form_body_limit,
             query={"confirm_duplicate": "1 to save a name or website that looks like another organisation's"}),
    ActionRoute("/organisations/{org_id:int}/relationships", add_relationship, name="create_relationship",
                response=reads.RelationshipOut, status=201, present=reads.present_relationship),
    ApiRoute("/relationships", reads.list_relationships, name="relationships", response=reads.RelationshipList),
    ApiRoute("/stats", reads.stats, name="stats", response=reads.Stats),
    ActionRoute("/organisations/{org_id:int}/claims", claim, name="claim", status=201,
                response=reads.MembershipOut, present=reads.present_membership),
    ActionRoute("/claims/{code}", confirm_claim, name="confirm_claim", response=reads.MembershipOut,
                present=reads.present_membership),
    ActionRoute("/memberships/{membership_id:int}/decision", decide_claim, name="decide_claim",
                response=reads.MembershipOut, present=reads.present_membership),
    ActionRoute("/memberships/{membership_id:int}", remove_member, method="DELETE", name="remove_member",
                response=reads.MembershipOut, present=reads.present_membership),
    ApiRoute("/organisations/{org_id:int}/invitations", reads.list_invitations, name="invitations",
             response=reads.InvitationList, permission=SIGNED_IN),
    ActionRoute("/organisations/{org_id:int}/invitations", invite_member, name="invite_member", status=201,
                response=reads.InvitationOut, present=reads.present_invitation),
    ActionRoute("/invitations/{invitation_id:int}", withdraw_invitation, method="DELETE", name="withdraw_invitation",
                response=reads.InvitationOut, present=reads.present_invitation),
    ActionRoute("/invitations/{code}", accept_invitation, name="accept_invitation", response=reads.MembershipOut,
                present=reads.present_membership),
    ActionRoute("/memberships/{membership_id:int}/role", set_member_role, method="PUT", name="set_member_role",
                response=reads.MembershipOut, present=reads.present_membership),
    ApiRoute("/seals", reads.list_seals, name="seals", response=reads.SealList),
    ActionRoute("/seals", create_seal, name="create_seal", status=201, response=reads.SealOut,
                present=reads.present_seal),
    ActionRoute("/seals/{seal_id:int}", update_seal, method="PUT", name="update_seal", response=reads.SealOut,
                present=reads.present_seal),
    ActionRoute("/organisations/{org_id:int}/seals", grant_seal, name="grant_seal", status=201,
                response=reads.SealGrantOut, present=reads.present_grant),
    ActionRoute("/organisations/{org_id:int}/seals/{seal_id:int}", revoke_seal, method="DELETE",
                name="revoke_seal"),
]
