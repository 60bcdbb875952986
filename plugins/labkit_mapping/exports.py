"""Open-data shapes of an organisation: the API's JSON, Popolo, GeoJSON and the CSV columns.

Each carries the organisation's seals by name (``seals``: the names of the active seals it holds,
as :func:`labkit_mapping.seals.of` finds them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette

from labkit import images
from labkit.models import Image

from labkit_mapping.models import KINDS, Organisation, Seal
from labkit_mapping.rules import as_input

CSV_COLUMNS = ("id", "name", "kind", "description", "topics", "practices", "website", "links",
               "contact_email", "contact_phone", "address", "region", "latitude", "longitude",
               "founding_year", "wants_partnership")
"""The CSV column set, in order (exported and accepted by the import; see docs/plugins/mapping.md)."""

EXPORT_COLUMNS = (*CSV_COLUMNS, "seals")
"""The exported CSV's columns: the importable ones and the seals (the import ignores them: seals
are granted by the team)."""

REQUIRED_COLUMNS = ("name", "kind")


Link = Callable[[Organisation], str]
"""Gives the path of an organisation's page (see :func:`page_link`)."""


def page_link(app: Starlette) -> Link:
    """The :data:`Link` of ``app``'s organisation pages."""
    return lambda org: str(app.url_path_for("mapping:organisation", org_id=org.id))


def seal_names(held: list[Seal]) -> list[str]:
    """The names of seals, as the open data gives them (the default ones in English)."""
    return [seal.name for seal in held]


async def logos(orgs: list[Organisation]) -> dict[int, Image]:
    """``{organisation id: logo}`` for a page of organisations, in one query."""
    return await images.of(Organisation, [org.id for org in orgs], "logo")


def as_json(org: Organisation, page_url: Link, base_url: str = "", held: list[Seal] | None = None,
            logo: Image | None = None) -> dict[str, Any]:
    """The organisation as the API and the JSON export give it, with the seals it ``held`` and its
    ``logo`` (see :func:`logos`)."""
    return {
        "id": org.id,
        "uid": str(org.uid),
        **as_input(org),
        "seals": seal_names(held or []),
        "status": org.status,
        "url": base_url + page_url(org),
        "source": org.source,
        "created_at": org.created_at.isoformat() if org.created_at else None,
        "updated_at": org.updated_at.isoformat() if org.updated_at else None,
        "published_at": org.published_at.isoformat() if org.published_at else None,
        "logo": images.as_json(logo, base_url),
    }


def as_popolo(org: Organisation, page_url: Link, base_url: str = "", held: list[Seal] | None = None) -> dict[str, Any]:
    """The organisation as a Popolo ``Organization`` (https://www.popoloproject.com/specs/organization.html)."""
    links = []
    if org.website:
        links.append({"url": org.website, "note": "website"})
    links.extend({"url": url} for url in org.links or [])
    links.append({"url": base_url + page_url(org), "note": "lab directory"})
    contact_details = []
    if org.contact_email:
        contact_details.append({"type": "email", "value": org.contact_email})
    if org.contact_phone:
        contact_details.append({"type": "voice", "value": org.contact_phone})
    if org.address:
        contact_details.append({"type": "address", "value": org.address})
    item: dict[str, Any] = {
        "id": str(org.uid),
        "name": org.name,
        "classification": org.kind,
        "identifiers": [{"scheme": "labkit-mapping", "identifier": str(org.id)}],
        "description": org.description,
        "founding_date": str(org.founding_year) if org.founding_year else None,
        "links": links,
        "contact_details": contact_details,
        "area": {"id": org.region, "name": org.region} if org.region else None,
        "created_at": org.created_at.isoformat() if org.created_at else None,
        "updated_at": org.updated_at.isoformat() if org.updated_at else None,
        "labkit:topics": org.topic_list,
        "labkit:practices": org.practice_list,
        "labkit:wants_partnership": org.wants_partnership,
        "labkit:seals": seal_names(held or []),
    }
    if org.has_location:
        item["labkit:location"] = {"latitude": org.latitude, "longitude": org.longitude}
    return {key: value for key, value in item.items() if value not in (None, "")}


def popolo_document(orgs: list[Organisation], relationships: list[Any], page_url: Link,
                    base_url: str = "", held: dict[int, list[Seal]] | None = None) -> dict[str, Any]:
    """``{"organizations": [...]}`` with the relationships as Popolo ``memberships`` between
    organisations (member of) and as ``labkit:relationships`` for the other kinds."""
    ids = {org.id for org in orgs}
    memberships, others = [], []
    for rel in relationships:
        if rel.source_id not in ids or (rel.target_id is not None and rel.target_id not in ids):
            continue
        target = str(rel.target.uid) if rel.target is not None else "lab"
        if rel.kind == "member_of" and rel.target is not None:
            memberships.append({"id": f"relationship-{rel.id}", "member": {"@type": "Organization", "id": str(rel.source.uid)},
                                "organization_id": target})
        else:
            others.append({"id": f"relationship-{rel.id}", "source": str(rel.source.uid), "target": target,
                           "kind": rel.kind, "note": rel.note})
    held = held or {}
    return {"organizations": [as_popolo(org, page_url, base_url, held.get(org.id)) for org in orgs],
            "memberships": memberships,
            "labkit:relationships": others}


def as_feature(org: Organisation, page_url: Link, kind_label: str | None = None,
               held: list[Seal] | None = None, logo: Image | None = None) -> dict[str, Any]:
    """A GeoJSON ``Feature`` (only organisations with coordinates have one); ``seals`` are names,
    ``seal_labels`` the names in the reader's language (for the map's popups); its ``logo`` is the
    smallest size, for the popup."""
    return {
        "type": "Feature",
        "id": org.id,
        "geometry": {"type": "Point", "coordinates": [org.longitude, org.latitude]},
        "properties": {
            "id": org.id, "name": org.name, "kind": org.kind, "kind_label": kind_label or KINDS.get(org.kind, org.kind),
            "region": org.region, "url": page_url(org), "wants_partnership": org.wants_partnership,
            "topics": org.topic_list, "practices": org.practice_list, "address": org.address,
            "seals": seal_names(held or []), "seal_labels": [seal.label for seal in held or []],
            "logo": {"url": logo.url(logo.widths[0]), "alt": logo.alt} if logo else None,
        },
    }


def feature_collection(orgs: list[Organisation], page_url: Link, kind_labels: dict[str, str] | None = None,
                       held: dict[int, list[Seal]] | None = None,
                       logos: dict[int, Image] | None = None) -> dict[str, Any]:
    """A GeoJSON ``FeatureCollection`` of the organisations that have coordinates."""
    labels, held, logos = kind_labels or {}, held or {}, logos or {}
    return {"type": "FeatureCollection",
            "features": [as_feature(org, page_url, labels.get(org.kind), held.get(org.id), logos.get(org.id))
                         for org in orgs if org.has_location]}


def csv_row(org: Organisation, held: list[Seal] | None = None) -> list[Any]:
    """The organisation as a row of :data:`EXPORT_COLUMNS`."""
    values = as_input(org)
    return [
        str(org.uid), values["name"], values["kind"], values["description"], "; ".join(values["topics"]),
        "; ".join(values["practices"]), values["website"], " ".join(values["links"]), values["contact_email"],
        values["contact_phone"], values["address"], values["region"],
        "" if values["latitude"] is None else repr(values["latitude"]),
        "" if values["longitude"] is None else repr(values["longitude"]),
        values["founding_year"], "yes" if values["wants_partnership"] else "no", "; ".join(seal_names(held or [])),
    ]
