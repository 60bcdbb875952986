"""The JSON API under /api/v1/mapping/: list, detail, GeoJSON, network and stats, and the API faces
of the actions that add and change organisations (see :mod:`labkit_mapping.actions`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from labkit import auth, images
from labkit.action_routes import enforce, found, read_body
from labkit.actions import Context
from labkit.i18n import gettext
from labkit.images import ImageOut
from labkit.models import Image
from labkit.web import page_params, paginate, read_json

from labkit_mapping import actions, exports, invitations, rules, seals
from labkit_mapping.forms import (
    OrganisationCreate,
    OrganisationPatch,
    OrganisationUpdate,
)
from labkit_mapping.models import KINDS, Invitation, Membership, Organisation, Relationship, Seal, SealGrant
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
    "seal": "the id of a seal (see /api/v1/mapping/seals): organisations holding it",
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
    seals: list[str]
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


def _as_json(request: Request, org: Organisation, held: list[Seal], logo: Image | None) -> dict[str, Any]:
    return exports.as_json(org, exports.page_link(request.app), request.app.state.settings.lab.base_url.rstrip("/"),
                           held, logo)


async def _one(request: Request, org: Organisation, status: int = 200) -> JSONResponse:
    """The answer about one organisation, with its seals and its logo."""
    held = await seals.of([org.id])
    return JSONResponse(_as_json(request, org, held.get(org.id, []), await images.one(org, "logo")),
                        status_code=status)


async def list_organisations(request: Request) -> JSONResponse:
    """Published organisations, filtered and paginated (the team may add ``status``)."""
    number, size = page_params(request)
    filters = rules.Filters.from_query(request.query_params)
    query = rules.published()
    status = request.query_params.get("status")
    if status and _moderator(request):
        query = Organisation.filter(status=status)
    page = await paginate(filters.apply(query), number, size)
    held, logos = await seals.of([o.id for o in page.items]), await exports.logos(page.items)
    return JSONResponse({"items": [_as_json(request, o, held.get(o.id, []), logos.get(o.id)) for o in page.items],
                         **page.as_json()})


async def get_organisation(request: Request) -> JSONResponse:
    """One organisation."""
    return await _one(request, await organisation_for(request))


async def create_organisation(request: Request) -> JSONResponse:
    """Add an organisation (published unless ``status`` says otherwise)."""
    org = await perform(request, actions.create_organisation, await read_json(request, OrganisationCreate))
    return await _one(request, org, 201)


async def update_organisation(request: Request) -> JSONResponse:
    """Change some fields of an organisation, or its logo; the others keep their value."""
    await found(actions.require_editor(enforce(actions.update_organisation, request), request.path_params["org_id"]))
    patch = await read_body(request, OrganisationPatch)
    change = OrganisationUpdate(org_id=request.path_params["org_id"], **patch.model_dump(exclude_unset=True),
                                confirm_duplicate=request.query_params.get("confirm_duplicate") in ("1", "true"))
    org, _changes = await perform(request, actions.update_organisation, change)
    return await _one(request, org)


async def geojson(request: Request) -> Response:
    """Published organisations with coordinates, as a GeoJSON FeatureCollection (for the map)."""
    filters = rules.Filters.from_query(request.query_params)
    filters.located = True
    orgs = await filters.apply(rules.published())
    return JSONResponse(exports.feature_collection(orgs, exports.page_link(request.app),
                                                   {k: gettext(v) for k, v in KINDS.items()},
                                                   await seals.of([o.id for o in orgs]), await exports.logos(orgs)),
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


class SealOut(BaseModel):
    id: int
    name: str
    label: str
    description: str
    icon: str
    colour: str
    retired: bool


class SealList(BaseModel):
    items: list[SealOut]


class SealGrantOut(BaseModel):
    organisation_id: int
    seal_id: int
    seal: str
    granted_at: str


class MembershipOut(BaseModel):
    id: int
    organisation_id: int
    status: str
    role: str
    proof: str
    created_at: str
    confirmed_at: str | None


class InvitationOut(BaseModel):
    id: int
    organisation_id: int
    email: str
    created_at: str
    expires_at: str
    expired: bool


class InvitationList(BaseModel):
    items: list[InvitationOut]


def invitation_out(row: Invitation) -> dict[str, Any]:
    """An invitation, as its organisation's administrators see it: the full address, never the code."""
    return InvitationOut(id=row.id, organisation_id=row.organisation_id, email=row.email,
                         created_at=row.created_at.isoformat(), expires_at=row.expires_at.isoformat(),
                         expired=row.expires_at < datetime.now(UTC)).model_dump()


def present_invitation(ctx: Context, row: Invitation) -> dict[str, Any]:
    """An invitation, as the API answers the administrator who sent or withdrew it."""
    return invitation_out(row)


async def list_invitations(request: Request) -> JSONResponse:
    """The organisation's invitations not used nor withdrawn yet, expired ones too (its
    administrators and the lab's team)."""
    org = await organisation_for(request)
    await found(invitations.may_manage(request.state.person, org.id, _moderator(request)))
    return JSONResponse({"items": [invitation_out(row) for row in await invitations.pending(org.id)]})


def seal_out(seal: Seal) -> dict[str, Any]:
    """A seal as the API shows it (``label``: its name in the reader's language)."""
    return SealOut(id=seal.id, name=seal.name, label=seal.label, description=seal.description,
                   icon=seal.icon, colour=seal.colour, retired=seal.retired).model_dump()


def present_seal(ctx: Context, seal: Seal) -> dict[str, Any]:
    """The answer of the API's "add a seal" and "change a seal"."""
    return seal_out(seal)


async def present_grant(ctx: Context, grant: SealGrant) -> dict[str, Any]:
    """The answer of the API's "grant a seal"."""
    seal = await grant.seal
    return SealGrantOut(organisation_id=grant.organisation_id, seal_id=seal.id, seal=seal.name,
                        granted_at=grant.granted_at.isoformat()).model_dump()


def present_membership(ctx: Context, row: Membership) -> dict[str, Any]:
    """A membership or claim, as the API answers the person who acts on it."""
    return MembershipOut(id=row.id, organisation_id=row.organisation_id, status=row.status, role=row.role,
                         proof=row.proof, created_at=row.created_at.isoformat(),
                         confirmed_at=row.confirmed_at.isoformat() if row.confirmed_at else None).model_dump()


async def list_seals(request: Request) -> JSONResponse:
    """The lab's seals that may be granted (the team also sees retired ones)."""
    items = await (Seal.all() if auth.has_permission(request, "mapping.seals") else seals.active())
    return JSONResponse({"items": [seal_out(seal) for seal in items]})
