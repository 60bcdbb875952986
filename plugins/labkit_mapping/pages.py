"""The mapping plugin's read-only pages: directory, map, organisation, network, partners wanted,
statistics, the moderation queue and the open-data exports; and the queries of its hooks."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from labkit import auth, images, maps
from labkit.actions import Refused
from labkit.exports import csv_response, json_response
from labkit.i18n import N_, gettext
from labkit.web import paginate, render

from labkit_mapping import exports, invitations, membership, rules, seals
from labkit_mapping.models import (
    KINDS,
    PRACTICES,
    PROOFS,
    RELATIONSHIP_KINDS,
    ROLES,
    SOURCES,
    STATUSES,
    Change,
    Membership,
    Organisation,
    Proposal,
    Relationship,
)
from labkit_mapping.web import problem

KIND_COLOURS = {"youth_group": "#d9480f", "collective": "#9c36b5", "startup": "#1971c2", "university": "#2b8a3e",
                "ngo": "#e67700", "company": "#495057", "public_body": "#0b7285", "other": "#868e96"}
RELATIONSHIP_COLOURS = {"member_of": "#1971c2", "partner_of": "#2b8a3e", "spin_off_of": "#9c36b5",
                        "supports": "#e67700"}


def map_config(request: Request) -> dict[str, Any]:
    """What the map needs: ``[plugin.mapping]`` (where it opens) and the lab's tiles (``labkit.maps``)."""
    values = request.app.state.plugins.settings_of("mapping")
    tiles = maps.tile_layer(request.app.state.settings)
    return {"tile_url": tiles.url, "attribution": tiles.attribution,
            "center": list(values.center), "zoom": values.zoom}


def is_moderator(request: Request) -> bool:
    """Whether the visitor moderates the map (and so sees organisations not yet published)."""
    return auth.has_permission(request, "mapping.moderate")


CHANGE_LABELS = {
    "created": N_("added"), "imported": N_("imported"), "proposed": N_("proposed"), "approved": N_("approved"),
    "rejected": N_("rejected"), "updated": N_("edited"), "status": N_("status changed"),
    "correction_proposed": N_("correction proposed"), "correction_applied": N_("correction applied"),
    "correction_rejected": N_("correction rejected"), "relationship_added": N_("relationship added"),
    "relationship_removed": N_("relationship removed"), "member_updated": N_("edited by a member"),
    "seal_granted": N_("seal granted"), "seal_revoked": N_("seal revoked"),
}


def common() -> dict[str, Any]:
    """What every mapping template uses: the kinds, practices and statuses with their labels and colours."""
    return {"kinds_options": [(code, gettext(label)) for code, label in KINDS.items()],
            "relationship_options": [(code, gettext(label)) for code, label in RELATIONSHIP_KINDS.items()],
            "change_labels": CHANGE_LABELS, "kinds": KINDS, "practices": PRACTICES, "statuses": STATUSES,
            "relationship_kinds": RELATIONSHIP_KINDS, "sources": SOURCES, "kind_colours": KIND_COLOURS,
            "relationship_colours": RELATIONSHIP_COLOURS, "roles": ROLES, "proofs": PROOFS}


async def organisation_for(request: Request) -> Organisation:
    """The organisation of the URL; unpublished ones only for the team (404 for others)."""
    try:
        return await rules.visible_organisation(request.path_params["org_id"], is_moderator(request))
    except Refused as refusal:
        raise problem(refusal) from None


# ---------------------------------------------------------------------------- directory


async def directory(request: Request) -> Response:
    """The directory: search, filters, pagination."""
    filters = rules.Filters.from_query(request.query_params)
    try:
        number = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        number = 1
    page = await paginate(filters.apply(rules.published()), number, 20)
    context = {"filters": filters, "page": page, "facets": await rules.facets(), "all_seals": await seals.active(),
               "held": await seals.of([org.id for org in page.items]), "logos": await exports.logos(page.items),
               **common()}
    if is_moderator(request):
        context["pending"] = await Proposal.filter(status="pending").count()
    return render(request, "mapping/directory.html", context)


async def map_page(request: Request) -> Response:
    """The interactive map (Leaflet with clustered markers); without JavaScript, the list."""
    filters = rules.Filters.from_query(request.query_params)
    filters.located = True
    try:
        number = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        number = 1
    page = await paginate(filters.apply(rules.published()), number, 50)
    config = map_config(request)
    geojson_url = str(request.app.url_path_for("api-mapping:geojson")) + "?" + filters.query_string().lstrip("&")
    return render(request, "mapping/map.html", {"filters": filters, "page": page, "facets": await rules.facets(),
                                                "config": config, "geojson_url": geojson_url,
                                                "all_seals": await seals.active(), **common()})


async def organisation(request: Request) -> Response:
    """One organisation's page: details, place, relationships, provenance (history for the team)."""
    org = await organisation_for(request)
    outgoing = await Relationship.filter(source=org).select_related("target").order_by("kind", "id")
    incoming = await Relationship.filter(target=org).select_related("source").order_by("kind", "id")
    moderator = is_moderator(request)
    if not moderator:
        outgoing = [r for r in outgoing if r.target is None or r.target.status == "published"]
        incoming = [r for r in incoming if r.source.status == "published"]
    context: dict[str, Any] = {"org": org, "outgoing": outgoing, "incoming": incoming,
                               "logo": await images.one(org, "logo"),
                               "config": map_config(request), "seal_grants": await seals.grants_of(org),
                               "history": await rules.history(org, public=not moderator),
                               **await membership_context(request, org), **common()}
    if auth.has_permission(request, "mapping.seals"):
        context["grantable"] = await seals.active()
    if moderator:
        context["pending"] = await Proposal.filter(organisation=org, status="pending").order_by("id")
        context["others"] = await rules.published().exclude(id=org.id).values_list("id", "name")
        context["rel_values"], context["rel_errors"] = {}, {}
    return render(request, "mapping/organisation.html", context)


async def membership_context(request: Request, org: Organisation) -> dict[str, Any]:
    """The visitor's tie to ``org`` (``mine``: their membership or claim) and, for its members and
    the team, its members and the claims waiting (``members``, ``claims``); for its administrators
    and the team (``can_remove``) also the invitations not used yet (``invitations``)."""
    person = request.state.person
    mine = await Membership.get_or_none(organisation=org, person=person) if person else None
    context: dict[str, Any] = {"mine": mine, "is_member": bool(mine and mine.status == "confirmed")}
    staff = is_moderator(request)
    context["can_edit"] = context["is_member"] or auth.has_permission(request, "mapping.edit")
    if context["is_member"] or staff:
        context["members"] = await Membership.filter(organisation=org, status="confirmed") \
            .select_related("person").order_by("role", "person__name")
        context["claims"] = await membership.pending_claims(org.id)
        context["can_remove"] = staff or bool(context["is_member"] and mine and mine.role == "admin")
        if context["can_remove"]:
            context["invitations"] = await invitations.pending(org.id)
            context["now"] = datetime.now(UTC)
    return context


def _layout(relationships: list[Relationship]) -> dict[str, Any]:
    """Positions for the network drawing: organisations on a circle, the lab in the middle."""
    nodes: dict[int, Organisation] = {}
    for rel in relationships:
        nodes.setdefault(rel.source.id, rel.source)
        if rel.target is not None:
            nodes.setdefault(rel.target.id, rel.target)
    ordered = sorted(nodes.values(), key=lambda org: (org.kind, org.normalised_name))
    size, centre, radius = 920, 460, 220
    points: dict[int, tuple[float, float]] = {}
    drawn = []
    for index, org in enumerate(ordered):
        angle = 2 * math.pi * index / max(1, len(ordered)) - math.pi / 2
        x, y = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
        points[org.id] = (x, y)
        degrees = math.degrees(angle)
        flip = 90 < degrees % 360 < 270
        label_x, label_y = centre + (radius + 12) * math.cos(angle), centre + (radius + 12) * math.sin(angle)
        drawn.append({"org": org, "x": round(x, 1), "y": round(y, 1), "lx": round(label_x, 1), "ly": round(label_y, 1),
                      "rotate": round(degrees + 180 if flip else degrees, 1), "anchor": "end" if flip else "start"})
    edges = []
    for rel in relationships:
        x1, y1 = points[rel.source.id]
        x2, y2 = points[rel.target.id] if rel.target is not None else (centre, centre)
        edges.append({"rel": rel, "x1": round(x1, 1), "y1": round(y1, 1), "x2": round(x2, 1), "y2": round(y2, 1)})
    return {"size": size, "centre": centre, "nodes": drawn, "edges": edges}


async def network_page(request: Request) -> Response:
    """The network of relationships: a drawing and the same ties as a table."""
    relationships = await rules.network()
    return render(request, "mapping/network.html", {"relationships": relationships, "layout": _layout(relationships),
                                                    **common()})


async def partners_page(request: Request) -> Response:
    """Organisations that want to partner with the lab, by kind."""
    orgs = await rules.published().filter(wants_partnership=True)
    groups = {kind: [o for o in orgs if o.kind == kind] for kind in KINDS}
    return render(request, "mapping/partners.html", {"groups": {k: v for k, v in groups.items() if v},
                                                     "total": len(orgs), **common()})


async def stats_page(request: Request) -> Response:
    """Organisations mapped, by kind, practice and region."""
    return render(request, "mapping/stats.html", {"stats": await rules.stats(), **common()})


async def moderation(request: Request) -> Response:
    """The moderation queue: pending proposals, oldest first, and the latest decisions."""
    pending = await Proposal.filter(status="pending").select_related("organisation", "proposer")
    decided = await Proposal.exclude(status="pending").order_by("-decided_at", "-id").limit(20) \
        .select_related("organisation", "decided_by")
    return render(request, "mapping/moderation.html", {"pending": pending, "decided": decided,
                                                       "claims": await membership.pending_claims(), **common()})


# ------------------------------------------------------------------------------- exports


async def _export_set(request: Request) -> list[Organisation]:
    filters = rules.Filters.from_query(request.query_params)
    return await filters.apply(rules.published())


def _base_url(request: Request) -> str:
    return request.app.state.settings.lab.base_url.rstrip("/")


async def export_csv(request: Request) -> Response:
    """The published organisations (filtered as the directory) as CSV, with their seals."""
    orgs = await _export_set(request)
    held = await seals.of([o.id for o in orgs])
    return csv_response("organisations.csv", exports.EXPORT_COLUMNS, [exports.csv_row(o, held.get(o.id)) for o in orgs])


async def export_json(request: Request) -> Response:
    """The published organisations (filtered as the directory) as JSON, as the API gives them."""
    link, base, orgs = exports.page_link(request.app), _base_url(request), await _export_set(request)
    held, logos = await seals.of([o.id for o in orgs]), await exports.logos(orgs)
    return json_response("organisations.json",
                         {"organisations": [exports.as_json(o, link, base, held.get(o.id), logos.get(o.id))
                                            for o in orgs]})


async def export_geojson(request: Request) -> Response:
    """The published organisations with coordinates as a GeoJSON download."""
    orgs = await _export_set(request)
    response = json_response("organisations.geojson", exports.feature_collection(
        orgs, exports.page_link(request.app), held=await seals.of([o.id for o in orgs]),
        logos=await exports.logos(orgs)))
    response.headers["content-type"] = "application/geo+json"
    return response


async def export_popolo(request: Request) -> Response:
    """The published organisations and their relationships as Popolo JSON."""
    orgs = await _export_set(request)
    relationships = await Relationship.all().select_related("source", "target")
    return json_response("organisations.popolo.json", exports.popolo_document(
        orgs, relationships, exports.page_link(request.app), _base_url(request),
        held=await seals.of([o.id for o in orgs])))


# --------------------------------------------------------------------- hooks' queries


async def home_context() -> dict[str, Any]:
    """The home card's figures: published organisations by kind."""
    return {"stats": await rules.counts_by_kind(), "kinds": KINDS}


async def personal_data(person_id: int) -> dict[str, Any]:
    """A person's proposals and changes to the map, for their data export."""
    proposals = await Proposal.filter(proposer_id=person_id).select_related("organisation")
    changes = await Change.filter(actor_id=person_id).select_related("organisation")
    ties = await Membership.filter(person_id=person_id).select_related("organisation")
    return {
        "map_memberships": [{"organisation": m.organisation.name, "role": m.role, "status": m.status,
                             "proof": m.proof, "proof_email": m.proof_email, "note": m.note,
                             "created_at": m.created_at.isoformat(),
                             "confirmed_at": m.confirmed_at.isoformat() if m.confirmed_at else None} for m in ties],
        "map_proposals": [{"organisation": p.organisation.name, "kind": p.kind, "status": p.status,
                           "data": p.data, "note": p.note, "contact_email": p.contact_email,
                           "reason": p.reason, "created_at": p.created_at.isoformat()} for p in proposals],
        "map_changes": [{"organisation": c.organisation.name, "action": c.action, "at": c.at.isoformat()}
                        for c in changes],
    }


async def erase_person(person_id: int) -> None:
    """Proposals stay for the record; the private contact address given with them goes, and so do
    the person's memberships and claims."""
    await Proposal.filter(proposer_id=person_id).update(contact_email="")
    await Membership.filter(person_id=person_id).delete()
