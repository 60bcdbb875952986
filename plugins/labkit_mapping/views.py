"""The mapping plugin's pages: directory, map, organisation, network, partners wanted, statistics,
proposals and corrections, moderation, CSV import and the open-data exports."""

from __future__ import annotations

import math
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit import auth, events, maps, notifications, throttle
from labkit.exports import csv_response, json_response
from labkit.i18n import N_, gettext
from labkit.web import Problem, flash, paginate, read_form, redirect, render

from labkit_mapping import exports, importing, rules
from labkit_mapping.forms import ORGANISATION_FIELDS, DecisionIn, OrganisationIn, ProposalIn, RelationshipIn
from labkit_mapping.models import (KINDS, PRACTICES, RELATIONSHIP_KINDS, SOURCES, STATUSES, Change, Organisation,
                                   Proposal, Relationship)

HONEYPOT = "homepage"
KIND_COLOURS = {"youth_group": "#d9480f", "collective": "#9c36b5", "startup": "#1971c2", "university": "#2b8a3e",
                "ngo": "#e67700", "company": "#495057", "public_body": "#0b7285", "other": "#868e96"}
RELATIONSHIP_COLOURS = {"member_of": "#1971c2", "partner_of": "#2b8a3e", "spin_off_of": "#9c36b5",
                        "supports": "#e67700"}


def plugin_settings(request: Request) -> dict[str, Any]:
    """``[plugin.mapping]`` with its defaults, and the lab's map tiles (``labkit.maps``)."""
    values = request.app.state.settings.for_plugin("mapping")
    tiles = maps.tile_layer(request.app.state.settings)
    return {
        "tile_url": tiles.url,
        "attribution": tiles.attribution,
        "center": values.get("center", [-23.5505, -46.6333]),
        "zoom": int(values.get("zoom", 11)),
        "proposals_per_hour": int(values.get("proposals_per_hour", 5)),
    }


def is_moderator(request: Request) -> bool:
    return auth.has_permission(request, "mapping.moderate")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


CHANGE_LABELS = {
    "created": N_("added"), "imported": N_("imported"), "proposed": N_("proposed"), "approved": N_("approved"),
    "rejected": N_("rejected"), "updated": N_("edited"), "status": N_("status changed"),
    "correction_proposed": N_("correction proposed"), "correction_applied": N_("correction applied"),
    "correction_rejected": N_("correction rejected"), "relationship_added": N_("relationship added"),
    "relationship_removed": N_("relationship removed"),
}


ACTION_LABELS = {"create": N_("new"), "update": N_("update"), "unchanged": N_("unchanged"), "error": N_("error")}


def _common() -> dict[str, Any]:
    return {"kinds_options": [(code, gettext(label)) for code, label in KINDS.items()],
            "relationship_options": [(code, gettext(label)) for code, label in RELATIONSHIP_KINDS.items()],
            "change_labels": CHANGE_LABELS,"kinds": KINDS, "practices": PRACTICES, "statuses": STATUSES, "relationship_kinds": RELATIONSHIP_KINDS,
            "sources": SOURCES, "kind_colours": KIND_COLOURS, "relationship_colours": RELATIONSHIP_COLOURS}


def form_values(values: dict[str, Any]) -> dict[str, Any]:
    """Submitted or stored values as the form shows them (lists joined into text)."""
    shown = dict(values)
    for name, joiner in (("topics", ", "), ("links", "\n")):
        if isinstance(shown.get(name), list):
            shown[name] = joiner.join(shown[name])
    for name in ("latitude", "longitude", "founding_year"):
        if shown.get(name) is None:
            shown[name] = ""
    if not isinstance(shown.get("practices"), list):
        shown["practices"] = [shown["practices"]] if shown.get("practices") else []
    return shown


async def _organisation_for(request: Request) -> Organisation:
    """The organisation of the URL; unpublished ones only for the team (404 for others)."""
    org = await Organisation.get_or_none(id=request.path_params["org_id"])
    if org is None or (org.status != "published" and not is_moderator(request)):
        raise Problem(404, gettext("This organisation is not in the directory."), kind="not-found")
    return org


# ---------------------------------------------------------------------------- directory


async def directory(request: Request) -> Response:
    """The directory: search, filters, pagination."""
    filters = rules.Filters.from_query(request.query_params)
    try:
        number = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        number = 1
    page = await paginate(filters.apply(rules.published()), number, 20)
    context = {"filters": filters, "page": page, "facets": await rules.facets(), **_common()}
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
    config = plugin_settings(request)
    geojson_url = "/api/v1/mapping/organisations.geojson?" + filters.query_string().lstrip("&")
    return render(request, "mapping/map.html", {"filters": filters, "page": page, "facets": await rules.facets(),
                                                "config": config, "geojson_url": geojson_url,
                                                **_common()})


async def organisation(request: Request) -> Response:
    """One organisation's page: details, place, relationships, provenance (history for the team)."""
    org = await _organisation_for(request)
    outgoing = await Relationship.filter(source=org).select_related("target").order_by("kind", "id")
    incoming = await Relationship.filter(target=org).select_related("source").order_by("kind", "id")
    moderator = is_moderator(request)
    if not moderator:
        outgoing = [r for r in outgoing if r.target is None or r.target.status == "published"]
        incoming = [r for r in incoming if r.source.status == "published"]
    context: dict[str, Any] = {"org": org, "outgoing": outgoing, "incoming": incoming,
                               "config": plugin_settings(request), **_common()}
    if moderator:
        context["history"] = await rules.history(org)
        context["pending"] = await Proposal.filter(organisation=org, status="pending").order_by("id")
        context["others"] = await rules.published().exclude(id=org.id).values_list("id", "name")
        context["rel_values"], context["rel_errors"] = {}, {}
    return render(request, "mapping/organisation.html", context)


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
                                                    **_common()})


async def partners_page(request: Request) -> Response:
    """Organisations that want to partner with the lab, by kind."""
    orgs = await rules.published().filter(wants_partnership=True)
    groups = {kind: [o for o in orgs if o.kind == kind] for kind in KINDS}
    return render(request, "mapping/partners.html", {"groups": {k: v for k, v in groups.items() if v},
                                                     "total": len(orgs), **_common()})


async def stats_page(request: Request) -> Response:
    """Organisations mapped, by kind, practice and region."""
    return render(request, "mapping/stats.html", {"stats": await rules.stats(), **_common()})


# ------------------------------------------------------------------ proposals, corrections


async def _throttled(request: Request) -> bool:
    limit = plugin_settings(request)["proposals_per_hour"]
    return await throttle.exceeded(f"mapping:propose:ip:{client_ip(request)}", limit, 3600)


def _form_context(values: dict[str, Any], errors: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"values": form_values(values), "errors": errors, "honeypot": HONEYPOT, **_common(), **extra}


async def propose(request: Request) -> Response:
    """Propose an organisation (anyone; the team reviews it before it is published)."""
    moderator = is_moderator(request)
    if request.method == "GET":
        return render(request, "mapping/propose.html", _form_context({}, {}, moderator=moderator, duplicates=[]))
    raw = await request.form()
    if not moderator and str(raw.get(HONEYPOT, "")).strip():
        flash(request, gettext("Thank you! The lab's team will review your proposal."))
        return redirect("/mapping/")
    if not moderator and await _throttled(request):
        context = _form_context(dict(raw), {"__all__": gettext(
            "You have sent many proposals in the last hour. Wait a while and try again.")},
            moderator=moderator, duplicates=[])
        return render(request, "mapping/propose.html", context, status=429)
    form = await read_form(request, ProposalIn)
    if not form.ok:
        return render(request, "mapping/propose.html",
                      _form_context(form.values, form.errors, moderator=moderator, duplicates=[]), status=422)
    data: ProposalIn = form.data
    duplicates = await rules.find_duplicates(data.name, data.website)
    if duplicates and not data.confirm_duplicate:
        return render(request, "mapping/propose.html",
                      _form_context(form.values, {}, moderator=moderator, duplicates=duplicates), status=409)
    person = request.state.person
    organisation_data = OrganisationIn.model_validate(data.model_dump(include=set(ORGANISATION_FIELDS)))
    if moderator:
        org = await rules.create_organisation(organisation_data, person, source="staff")
        await events.emit(request.app, "mapping.organisation_published", person.id, organisation_id=org.id)
        flash(request, gettext("The organisation is published."))
        return redirect(f"/mapping/organisations/{org.id}")
    proposal = await rules.propose_new(organisation_data, person, contact_email=data.proposer_email,
                                       note=data.note, duplicates=[d.organisation.id for d in duplicates])
    await throttle.record(f"mapping:propose:ip:{client_ip(request)}")
    await events.emit(request.app, "mapping.organisation_proposed", person.id if person else None,
                      proposal_id=proposal.id, organisation_id=proposal.organisation_id)
    flash(request, gettext("Thank you! The lab's team will review your proposal."))
    return redirect("/mapping/")


async def correct(request: Request) -> Response:
    """Suggest a correction to a published organisation (anyone; the team reviews it)."""
    org = await _organisation_for(request)
    if request.method == "GET":
        return render(request, "mapping/correct.html", _form_context(rules.as_input(org), {}, org=org))
    raw = await request.form()
    if str(raw.get(HONEYPOT, "")).strip():
        flash(request, gettext("Thank you! The lab's team will review your correction."))
        return redirect(f"/mapping/organisations/{org.id}")
    if not is_moderator(request) and await _throttled(request):
        return render(request, "mapping/correct.html", _form_context(dict(raw), {"__all__": gettext(
            "You have sent many proposals in the last hour. Wait a while and try again.")}, org=org), status=429)
    form = await read_form(request, ProposalIn)
    if not form.ok:
        return render(request, "mapping/correct.html", _form_context(form.values, form.errors, org=org), status=422)
    data: ProposalIn = form.data
    person = request.state.person
    try:
        proposal = await rules.propose_correction(
            org, OrganisationIn.model_validate(data.model_dump(include=set(ORGANISATION_FIELDS))), person,
            contact_email=data.proposer_email, note=data.note)
    except rules.RuleError as error:
        return render(request, "mapping/correct.html",
                      _form_context(form.values, {"__all__": gettext(str(error))}, org=org), status=422)
    await throttle.record(f"mapping:propose:ip:{client_ip(request)}")
    await events.emit(request.app, "mapping.correction_proposed", person.id if person else None,
                      proposal_id=proposal.id, organisation_id=org.id)
    flash(request, gettext("Thank you! The lab's team will review your correction."))
    return redirect(f"/mapping/organisations/{org.id}")


# ------------------------------------------------------------------------- the team's work


async def edit(request: Request) -> Response:
    """Edit an organisation directly (the team); every change goes into its history."""
    person = auth.require(request, "mapping.edit")
    org = await _organisation_for(request)
    if request.method == "GET":
        return render(request, "mapping/edit.html", _form_context(rules.as_input(org), {}, org=org, duplicates=[]))
    form = await read_form(request, ProposalIn)
    if not form.ok:
        return render(request, "mapping/edit.html", _form_context(form.values, form.errors, org=org, duplicates=[]),
                      status=422)
    data: ProposalIn = form.data
    duplicates = await rules.find_duplicates(data.name, data.website, exclude_id=org.id)
    if duplicates and not data.confirm_duplicate:
        return render(request, "mapping/edit.html",
                      _form_context(form.values, {}, org=org, duplicates=duplicates), status=409)
    changes = await rules.update_organisation(
        org, OrganisationIn.model_validate(data.model_dump(include=set(ORGANISATION_FIELDS))), person, note=data.note)
    flash(request, gettext("Saved.") if changes else gettext("Nothing changed."))
    return redirect(f"/mapping/organisations/{org.id}")


async def change_status(request: Request) -> Response:
    """Publish, archive or restore an organisation (the team)."""
    person = auth.require(request, "mapping.edit")
    org = await _organisation_for(request)
    form = await request.form()
    status = str(form.get("status", ""))
    if status not in ("published", "archived") or (org.status == "proposed" and status == "published"):
        raise Problem(400, gettext("Choose publish or archive; proposals are decided in the moderation queue."))
    await rules.set_status(org, status, person, note=str(form.get("note", ""))[:500])
    flash(request, gettext("The organisation is published.") if status == "published"
          else gettext("The organisation is archived: it no longer shows in the directory or on the map."))
    return redirect(f"/mapping/organisations/{org.id}")


async def add_relationship(request: Request) -> Response:
    """Record a relationship from this organisation (the team)."""
    person = auth.require(request, "mapping.edit")
    org = await _organisation_for(request)
    form = await read_form(request, RelationshipIn)
    message = None
    if form.ok:
        target = None
        if form.data.target_id is not None:
            target = await Organisation.get_or_none(id=form.data.target_id, status="published")
            if target is None:
                message = gettext("Choose a published organisation.")
        if message is None:
            try:
                await rules.add_relationship(org, target, form.data.kind, form.data.note, person)
            except rules.RuleError as error:
                message = gettext(str(error))
    else:
        message = "; ".join(form.errors.values())
    if message:
        flash(request, message, "error")
    else:
        flash(request, gettext("Relationship recorded."))
    return redirect(f"/mapping/organisations/{org.id}#relationships")


async def remove_relationship(request: Request) -> Response:
    person = auth.require(request, "mapping.edit")
    relationship = await Relationship.get_or_none(id=request.path_params["rel_id"])
    if relationship is None:
        raise Problem(404, gettext("This relationship does not exist."))
    source_id = relationship.source_id
    await rules.remove_relationship(relationship, person)
    flash(request, gettext("Relationship removed."))
    return redirect(f"/mapping/organisations/{source_id}#relationships")


async def moderation(request: Request) -> Response:
    """The moderation queue: pending proposals, oldest first, and the latest decisions."""
    auth.require(request, "mapping.moderate")
    pending = await Proposal.filter(status="pending").select_related("organisation", "proposer")
    decided = await Proposal.exclude(status="pending").order_by("-decided_at", "-id").limit(20) \
        .select_related("organisation", "decided_by")
    return render(request, "mapping/moderation.html", {"pending": pending, "decided": decided, **_common()})


async def review(request: Request) -> Response:
    """One proposal: what it says, possible duplicates, and the approve / reject form."""
    moderator = auth.require(request, "mapping.moderate")
    proposal = await Proposal.filter(id=request.path_params["proposal_id"]).select_related("organisation", "proposer").first()
    if proposal is None:
        raise Problem(404, gettext("This proposal does not exist."))
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        form = await read_form(request, DecisionIn)
        if form.ok:
            try:
                decided = await rules.decide(proposal.id, moderator, form.data.decision, form.data.reason)
            except rules.RuleError as error:
                flash(request, gettext(str(error)), "error")
                return redirect("/mapping/moderation")
            await _tell_proposer(request, decided)
            await events.emit(request.app, f"mapping.proposal_{decided.status}", moderator.id,
                              proposal_id=decided.id, organisation_id=decided.organisation_id, kind=decided.kind)
            flash(request, gettext("Proposal approved.") if decided.status == "approved" else gettext("Proposal rejected."))
            return redirect("/mapping/moderation")
        values, errors, status = form.values, form.errors, 422
    org = proposal.organisation
    current = rules.as_input(org)
    rows = [(name, current.get(name), proposal.data.get(name)) for name in ORGANISATION_FIELDS
            if name in proposal.data] if proposal.kind == "correction" else []
    duplicates = await rules.find_duplicates(org.name, org.website, exclude_id=org.id) if proposal.kind == "new" else []
    return render(request, "mapping/review.html", {"proposal": proposal, "org": org, "rows": rows,
                                                   "duplicates": duplicates, "values": values, "errors": errors,
                                                   **_common()}, status=status)


async def _tell_proposer(request: Request, proposal: Proposal) -> None:
    if proposal.proposer_id is None:
        return
    org = proposal.organisation
    if proposal.status == "approved":
        message = gettext("Your proposal about \"%(name)s\" was approved. Thank you!", name=org.name)
    else:
        message = gettext("Your proposal about \"%(name)s\" was not accepted: %(reason)s", name=org.name,
                          reason=proposal.reason)
    url = f"/mapping/organisations/{org.id}" if org.status == "published" else "/mapping/"
    await notifications.notify(request.app, proposal.proposer_id, message, url)


async def import_page(request: Request) -> Response:
    """Import organisations from a CSV file: a dry run shows the report; the import is all or nothing."""
    person = auth.require(request, "mapping.import")
    context: dict[str, Any] = {"columns": exports.CSV_COLUMNS, "report": None, "done": False,
                               "action_labels": ACTION_LABELS, **_common()}
    if request.method == "GET":
        return render(request, "mapping/import.html", context)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        context["file_error"] = gettext("Choose a CSV file.")
        return render(request, "mapping/import.html", context, status=422)
    report = await importing.check(await upload.read())
    context["report"] = report
    dry_run = str(form.get("mode", "dry-run")) != "import"
    context["dry_run"] = dry_run
    if not report.ok:
        return render(request, "mapping/import.html", context, status=422)
    if not dry_run:
        await importing.run(report, person)
        context["done"] = True
        await events.emit(request.app, "mapping.imported", person.id, created=report.count("create"),
                          updated=report.count("update"))
    return render(request, "mapping/import.html", context)


# ------------------------------------------------------------------------------- exports


async def _export_set(request: Request) -> list[Organisation]:
    filters = rules.Filters.from_query(request.query_params)
    return await filters.apply(rules.published())


def _base_url(request: Request) -> str:
    return request.app.state.settings.lab.base_url.rstrip("/")


async def export_csv(request: Request) -> Response:
    orgs = await _export_set(request)
    return csv_response("organisations.csv", exports.CSV_COLUMNS, [exports.csv_row(o) for o in orgs])


async def export_json(request: Request) -> Response:
    base = _base_url(request)
    return json_response("organisations.json", {"organisations": [exports.as_json(o, base) for o in await _export_set(request)]})


async def export_geojson(request: Request) -> Response:
    response = json_response("organisations.geojson", exports.feature_collection(await _export_set(request)))
    response.headers["content-type"] = "application/geo+json"
    return response


async def export_popolo(request: Request) -> Response:
    orgs = await _export_set(request)
    relationships = await Relationship.all().select_related("source", "target")
    return json_response("organisations.popolo.json", exports.popolo_document(orgs, relationships, _base_url(request)))


# --------------------------------------------------------------------- hooks' queries


async def home_context() -> dict[str, Any]:
    return {"stats": await rules.counts_by_kind(), "kinds": KINDS}


async def personal_data(person_id: int) -> dict[str, Any]:
    proposals = await Proposal.filter(proposer_id=person_id).select_related("organisation")
    changes = await Change.filter(actor_id=person_id).select_related("organisation")
    return {
        "map_proposals": [{"organisation": p.organisation.name, "kind": p.kind, "status": p.status,
                           "data": p.data, "note": p.note, "contact_email": p.contact_email,
                           "reason": p.reason, "created_at": p.created_at.isoformat()} for p in proposals],
        "map_changes": [{"organisation": c.organisation.name, "action": c.action, "at": c.at.isoformat()}
                        for c in changes],
    }


async def erase_person(person_id: int) -> None:
    """Proposals stay for the record; the private contact address given with them goes."""
    await Proposal.filter(proposer_id=person_id).update(contact_email="")


page_routes = [
    Route("/", directory, name="directory"),
    Route("/map", map_page, name="map"),
    Route("/network", network_page, name="network"),
    Route("/partners", partners_page, name="partners"),
    Route("/stats", stats_page, name="stats"),
    Route("/propose", propose, methods=["GET", "POST"], name="propose"),
    Route("/organisations/{org_id:int}", organisation, name="organisation"),
    Route("/organisations/{org_id:int}/correct", correct, methods=["GET", "POST"], name="correct"),
    Route("/organisations/{org_id:int}/edit", edit, methods=["GET", "POST"], name="edit"),
    Route("/organisations/{org_id:int}/status", change_status, methods=["POST"], name="status"),
    Route("/organisations/{org_id:int}/relationships", add_relationship, methods=["POST"], name="add_relationship"),
    Route("/relationships/{rel_id:int}/delete", remove_relationship, methods=["POST"], name="remove_relationship"),
    Route("/moderation", moderation, name="moderation"),
    Route("/moderation/{proposal_id:int}", review, methods=["GET", "POST"], name="review"),
    Route("/import", import_page, methods=["GET", "POST"], name="import"),
    Route("/export.csv", export_csv, name="export_csv"),
    Route("/export.json", export_json, name="export_json"),
    Route("/export.geojson", export_geojson, name="export_geojson"),
    Route("/export.popolo.json", export_popolo, name="export_popolo"),
]
