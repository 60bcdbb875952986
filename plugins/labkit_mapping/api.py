"""The JSON API under /api/v1/mapping/: list, detail, GeoJSON, network and stats, and the API faces
of the actions that add and change organisations (see :mod:`labkit_mapping.actions`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from labkit import auth, images
from labkit.actions import Context
from labkit.i18n import gettext
from labkit.images import ImageOut
from labkit.models import Image
from labkit.web import page_params, paginate, read_json

from labkit_mapping import actions, exports, rules
from labkit_mapping.forms import (
    OrganisationCreate,
    OrganisationPatch,
    OrganisationUpdate,
)
from labkit_mapping.models import KINDS, Organisation, Relationship
from labkit_mapping.pages import organisation_for
from labkit_mapping.web import perform

FILTERS = {
    "q": "words to find in the name, topics, address or description (accents ignored)",
    "kind": "one of " + ", ".join(KINDS),
    "topic": "a topic, as written on the organisations",
    "practice": "free-software, open-data, open-standards, open-hardware or open-science",
    "region": "a region code",
    "partner": "1 for organisations that want to partner with the lab",
    "located": "1 for organisations with coordinates",
}


class OrganisationOut(BaseModel):
    id: int
    uid: str
    name: str
    kind: str
    description: str
    topics: list[str]
    practices: list[str]
    website: str
    links: list[str]
    contact_email: str
    contact_phone: str
    address: str
    region: str
    latitude: float | None
    longitude: float | None
    founding_year: int | None
    wants_partnership: bool
    status: str
    url: str
    source: str
    created_at: str | None
    updated_at: str | None
    published_at: str | None
    logo: ImageOut | None = None


class OrganisationList(BaseModel):
    items: list[OrganisationOut]
    page: int
    per_page: int
    total: int
    pages: int


class RelationshipOut(BaseModel):
    id: int
    source_id: int
    source: str
    kind: str
    target_id: int | None
    target: str
    note: str


class RelationshipList(BaseModel):
    items: list[RelationshipOut]


class Stats(BaseModel):
    total: int
    by_kind: dict[str, int]
    by_practice: dict[str, int]
    by_region: dict[str, int]
    wants_partnership: int


class FeatureCollection(BaseModel):
    type: str
    features: list[dict[str, Any]]


def _moderator(request: Request) -> bool:
    return auth.has_permission(request, "mapping.moderate")


def _as_json(request: Request, org: Organisation, logo: Image | None) -> dict[str, Any]:
    return exports.as_json(org, exports.page_link(request.app), request.app.state.settings.lab.base_url.rstrip("/"), logo)


async def _one_as_json(request: Request, org: Organisation) -> dict[str, Any]:
    return _as_json(request, org, await images.one(org, "logo"))


async def list_organisations(request: Request) -> JSONResponse:
    """Published organisations, filtered and paginated (the team may add ``status``)."""
    number, size = page_params(request)
    filters = rules.Filters.from_query(request.query_params)
    query = rules.published()
    status = request.query_params.get("status")
    if status and _moderator(request):
        query = Organisation.filter(status=status)
    page = await paginate(filters.apply(query), number, size)
    logos = await exports.logos(page.items)
    return JSONResponse({"items": [_as_json(request, o, logos.get(o.id)) for o in page.items], **page.as_json()})


async def get_organisation(request: Request) -> JSONResponse:
    """One organisation."""
    return JSONResponse(await _one_as_json(request, await organisation_for(request)))


async def create_organisation(request: Request) -> JSONResponse:
    """Add an organisation (published unless ``status`` says otherwise)."""
    org = await perform(request, actions.create_organisation, await read_json(request, OrganisationCreate))
    return JSONResponse(await _one_as_json(request, org), status_code=201)


async def update_organisation(request: Request) -> JSONResponse:
    """Change some fields of an organisation; the others keep their value."""
    patch = await read_json(request, OrganisationPatch)
    change = OrganisationUpdate(org_id=request.path_params["org_id"], **patch.model_dump(exclude_unset=True),
                                confirm_duplicate=request.query_params.get("confirm_duplicate") in ("1", "true"))
    org, _changes = await perform(request, actions.update_organisation, change)
    return JSONResponse(await _one_as_json(request, org))


async def geojson(request: Request) -> Response:
    """Published organisations with coordinates, as a GeoJSON FeatureCollection (for the map)."""
    filters = rules.Filters.from_query(request.query_params)
    filters.located = True
    orgs = await filters.apply(rules.published())
    return JSONResponse(exports.feature_collection(orgs, exports.page_link(request.app),
                                                   {k: gettext(v) for k, v in KINDS.items()}, await exports.logos(orgs)),
                        media_type="application/geo+json")


def relationship_out(relationship: Relationship) -> dict[str, Any]:
    """A relationship as the API shows it (the lab as ``"lab"``)."""
    target = relationship.target
    return RelationshipOut(id=relationship.id, source_id=relationship.source.id, source=relationship.source.name,
                           kind=relationship.kind, target_id=target.id if target else None,
                           target=target.name if target else "lab", note=relationship.note).model_dump()


async def list_relationships(request: Request) -> JSONResponse:
    """The network: relationships between published organisations and with the lab."""
    return JSONResponse({"items": [relationship_out(r) for r in await rules.network()]})


def present_relationship(ctx: Context, relationship: Relationship) -> dict[str, Any]:
    """The answer of the API's "record a relationship"."""
    return relationship_out(relationship)


async def stats(request: Request) -> JSONResponse:
    """Organisations mapped (published), by kind, practice and region."""
    data = await rules.stats()
    data.pop("pending_proposals", None)
    return JSONResponse(Stats(**data).model_dump())
