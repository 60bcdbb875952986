"""The JSON API under /api/v1/mapping/: list, detail, create and update, GeoJSON, network, stats."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from labkit import auth, events
from labkit.api import ApiRoute
from labkit.i18n import gettext
from labkit.web import Problem, error_messages, page_params, paginate, read_json

from labkit_mapping import exports, rules
from labkit_mapping.forms import ORGANISATION_FIELDS, OrganisationCreate, OrganisationIn, OrganisationPatch, RelationshipIn
from labkit_mapping.models import KINDS, Organisation

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


async def _get(request: Request) -> Organisation:
    org = await Organisation.get_or_none(id=request.path_params["org_id"])
    if org is None or (org.status != "published" and not _moderator(request)):
        raise Problem(404, gettext("This organisation is not in the directory."), kind="not-found")
    return org


def _duplicates_problem(duplicates: list[rules.Duplicate]) -> Problem:
    problem = Problem(409, gettext("This organisation may already be in the directory. Send confirm_duplicate: true "
                                   "to add it anyway."), kind="possible-duplicate",
                      errors=[{"field": "website" if d.reason == "website" else "name",
                               "message": gettext("Looks like \"%(name)s\" (/mapping/organisations/%(id)s).",
                                                  name=d.organisation.name, id=d.organisation.id)}
                              for d in duplicates])
    return problem


async def list_organisations(request: Request) -> JSONResponse:
    """Published organisations, filtered and paginated (the team may add ``status``)."""
    number, size = page_params(request)
    filters = rules.Filters.from_query(request.query_params)
    query = rules.published()
    status = request.query_params.get("status")
    if status and _moderator(request):
        query = Organisation.filter(status=status)
    page = await paginate(filters.apply(query), number, size)
    base = request.app.state.settings.lab.base_url.rstrip("/")
    return JSONResponse({"items": [exports.as_json(o, base) for o in page.items], **page.as_json()})


async def get_organisation(request: Request) -> JSONResponse:
    """One organisation."""
    org = await _get(request)
    return JSONResponse(exports.as_json(org, request.app.state.settings.lab.base_url.rstrip("/")))


async def create_organisation(request: Request) -> JSONResponse:
    """Add an organisation (published unless ``status`` says otherwise)."""
    person = auth.require(request, "mapping.edit")
    data = await read_json(request, OrganisationCreate)
    duplicates = await rules.find_duplicates(data.name, data.website)
    if duplicates and not data.confirm_duplicate:
        raise _duplicates_problem(duplicates)
    org = await rules.create_organisation(OrganisationIn.model_validate(data.model_dump(include=set(ORGANISATION_FIELDS))),
                                          person, source="api", status=data.status)
    if org.status == "published":
        await events.emit(request.app, "mapping.organisation_published", person.id, organisation_id=org.id)
    return JSONResponse(exports.as_json(org, request.app.state.settings.lab.base_url.rstrip("/")), status_code=201)


async def update_organisation(request: Request) -> JSONResponse:
    """Change some fields of an organisation; the others keep their value."""
    person = auth.require(request, "mapping.edit")
    org = await _get(request)
    patch = await read_json(request, OrganisationPatch)
    given = patch.model_dump(exclude_unset=True)
    status = given.pop("status", None)
    merged = {**rules.as_input(org), **given}
    try:
        data = OrganisationIn.model_validate(merged)
    except ValidationError as error:
        errors = [{"field": k, "message": v} for k, v in error_messages(error).items()]
        raise Problem(422, gettext("Some fields are not valid."), errors=errors, kind="validation") from None
    if "name" in given or "website" in given:
        duplicates = await rules.find_duplicates(data.name, data.website, exclude_id=org.id)
        confirm = request.query_params.get("confirm_duplicate") in ("1", "true")
        if duplicates and not confirm:
            raise _duplicates_problem(duplicates)
    await rules.update_organisation(org, data, person)
    if status:
        await rules.set_status(org, status, person)
    await org.refresh_from_db()
    return JSONResponse(exports.as_json(org, request.app.state.settings.lab.base_url.rstrip("/")))


async def geojson(request: Request) -> Response:
    """Published organisations with coordinates, as a GeoJSON FeatureCollection (for the map)."""
    filters = rules.Filters.from_query(request.query_params)
    filters.located = True
    orgs = await filters.apply(rules.published())
    return JSONResponse(exports.feature_collection(orgs, {k: gettext(v) for k, v in KINDS.items()}),
                        media_type="application/geo+json")


async def list_relationships(request: Request) -> JSONResponse:
    """The network: relationships between published organisations and with the lab."""
    items = [RelationshipOut(id=r.id, source_id=r.source.id, source=r.source.name, kind=r.kind,
                             target_id=r.target.id if r.target else None,
                             target=r.target.name if r.target else "lab", note=r.note)
             for r in await rules.network()]
    return JSONResponse(RelationshipList(items=items).model_dump())


async def create_relationship(request: Request) -> JSONResponse:
    """Record a relationship from organisation ``org_id`` to another one or to the lab."""
    person = auth.require(request, "mapping.edit")
    org = await _get(request)
    data = await read_json(request, RelationshipIn)
    target = None
    if data.target_id is not None:
        target = await Organisation.get_or_none(id=data.target_id, status="published")
        if target is None:
            raise Problem(422, gettext("Choose a published organisation."), kind="validation",
                          errors=[{"field": "target_id", "message": gettext("Choose a published organisation.")}])
    try:
        rel = await rules.add_relationship(org, target, data.kind, data.note, person)
    except rules.RuleError as error:
        raise Problem(409, gettext(str(error)), kind="conflict") from None
    return JSONResponse(RelationshipOut(id=rel.id, source_id=org.id, source=org.name, kind=rel.kind,
                                        target_id=target.id if target else None,
                                        target=target.name if target else "lab", note=rel.note).model_dump(),
                        status_code=201)


async def stats(request: Request) -> JSONResponse:
    """Organisations mapped (published), by kind, practice and region."""
    data = await rules.stats()
    data.pop("pending_proposals", None)
    return JSONResponse(Stats(**data).model_dump())


api_routes = [
    ApiRoute("/organisations", list_organisations, name="organisations", response=OrganisationList,
             query={**FILTERS, "page": "page number (from 1)", "per_page": "items per page (1-100)",
                    "status": "the team only: proposed, published, archived or rejected"}),
    ApiRoute("/organisations", create_organisation, methods=["POST"], name="create_organisation",
             body=OrganisationCreate, response=OrganisationOut, permission="mapping.edit", status=201),
    ApiRoute("/organisations.geojson", geojson, name="geojson", response=FeatureCollection, query=FILTERS,
             media_type="application/geo+json"),
    ApiRoute("/organisations/{org_id:int}", get_organisation, name="organisation", response=OrganisationOut),
    ApiRoute("/organisations/{org_id:int}", update_organisation, methods=["PATCH"], name="update_organisation",
             body=OrganisationPatch, response=OrganisationOut, permission="mapping.edit",
             query={"confirm_duplicate": "1 to save a name or website that looks like another organisation's"}),
    ApiRoute("/organisations/{org_id:int}/relationships", create_relationship, methods=["POST"],
             name="create_relationship", body=RelationshipIn, response=RelationshipOut, permission="mapping.edit",
             status=201),
    ApiRoute("/relationships", list_relationships, name="relationships", response=RelationshipList),
    ApiRoute("/stats", stats, name="stats", response=Stats),
]
