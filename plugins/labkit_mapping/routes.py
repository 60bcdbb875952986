"""Where the map is on the web (found by convention: ``pages`` under ``/mapping/``, ``api`` under
``/api/v1/mapping/``). Every write runs an action of :mod:`labkit_mapping.actions`."""

from __future__ import annotations

from starlette.routing import Route

from labkit import images
from labkit.action_routes import ActionButton, ActionRoute
from labkit.actions import Context
from labkit.api import ApiRoute, PageRoute
from labkit.i18n import N_

from labkit_mapping import api as reads
from labkit_mapping import pages as reading
from labkit_mapping import pages_forms as forms
from labkit_mapping.actions import add_relationship, remove_relationship
from labkit_mapping.forms import OrganisationCreate, OrganisationPatch


def _relationships_of(ctx: Context, org_id: int) -> str:
    """The relationships of organisation ``org_id``, on its page."""
    return ctx.url_for("mapping:organisation", org_id=org_id) + "#relationships"


pages = [
    Route("/", reading.directory, name="directory"),
    Route("/map", reading.map_page, name="map"),
    Route("/network", reading.network_page, name="network"),
    Route("/partners", reading.partners_page, name="partners"),
    Route("/stats", reading.stats_page, name="stats"),
    Route("/propose", forms.propose, methods=["GET", "POST"], name="propose"),
    Route("/organisations/{org_id:int}", reading.organisation, name="organisation"),
    Route("/organisations/{org_id:int}/correct", forms.correct, methods=["GET", "POST"], name="correct"),
    images.accepting_images(PageRoute("/organisations/{org_id:int}/edit", forms.edit, methods=["GET", "POST"],
                                      name="edit", permission="mapping.edit")),
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
             body=OrganisationPatch, response=reads.OrganisationOut, permission="mapping.edit",
             query={"confirm_duplicate": "1 to save a name or website that looks like another organisation's"}),
    ActionRoute("/organisations/{org_id:int}/relationships", add_relationship, name="create_relationship",
                response=reads.RelationshipOut, status=201, present=reads.present_relationship),
    ApiRoute("/relationships", reads.list_relationships, name="relationships", response=reads.RelationshipList),
    ApiRoute("/stats", reads.stats, name="stats", response=reads.Stats),
]
