"""The mapping plugin's domain rules, as plain functions (no HTTP): normalising names and web
addresses, finding duplicates, proposals and moderation, history, relationships, filters, stats.
A rule that says no raises :class:`labkit.actions.Refused`."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from labkit.actions import Refused, not_found
from labkit.filters import QueryFilters, choice, flag, text, whole_number
from labkit.i18n import N_
from labkit.models import Person
from labkit.text import fold

from labkit_mapping.forms import ORGANISATION_FIELDS, OrganisationIn
from labkit_mapping.models import (
    KINDS,
    PRACTICES,
    Change,
    Organisation,
    Proposal,
    Relationship,
)

NAME_SIMILARITY = 0.9
"""Names at least this similar (difflib ratio on normalised names) are possible duplicates."""


# --------------------------------------------------------------------------- normalising


def website_domain(url: str) -> str:
    """The host of ``url`` without ``www.`` or a port, lower case ("" when there is none)."""
    if not url:
        return ""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


def search_text(values: dict[str, Any]) -> str:
    """What the directory's free-text search looks in, folded."""
    return fold(" ".join([values.get("name", ""), " ".join(values.get("topics", [])),
                          values.get("address", ""), values.get("region", ""), values.get("description", "")[:1000]]))


# ------------------------------------------------------------------------ input <-> model


def as_input(org: Organisation) -> dict[str, Any]:
    """The organisation's values as :class:`OrganisationIn` fields (for forms, diffs, exports)."""
    return {
        "name": org.name, "kind": org.kind, "description": org.description, "topics": org.topic_list,
        "practices": org.practice_list, "website": org.website, "links": list(org.links or []),
        "contact_email": org.contact_email, "contact_phone": org.contact_phone, "address": org.address,
        "region": org.region, "latitude": org.latitude, "longitude": org.longitude,
        "founding_year": org.founding_year, "wants_partnership": org.wants_partnership,
    }


def store(org: Organisation, values: dict[str, Any]) -> None:
    """Write validated input values (all fields) onto the model, with the derived columns."""
    for name in ORGANISATION_FIELDS:
        value = values[name]
        if name in ("topics", "practices"):
            value = "|" + "|".join(value) + "|" if value else ""
        setattr(org, name, value)
    org.normalised_name = fold(values["name"])[:200]
    org.website_domain = website_domain(values["website"])
    org.search_text = search_text(values)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value differs."""
    return {name: [before.get(name), after.get(name)] for name in ORGANISATION_FIELDS
            if before.get(name) != after.get(name)}


# ---------------------------------------------------------------------------- duplicates


@dataclass
class Duplicate:
    """An existing organisation that looks like the one being entered, and why."""

    organisation: Organisation
    reason: str  # "website" or "name"


async def find_duplicates(name: str, website: str, exclude_id: int | None = None) -> list[Duplicate]:
    """Organisations (not rejected) with the same website domain or a near-identical name."""
    found: dict[int, Duplicate] = {}
    base = Organisation.exclude(status="rejected")
    if exclude_id is not None:
        base = base.exclude(id=exclude_id)
    domain = website_domain(website)
    if domain:
        for org in await base.filter(website_domain=domain).limit(5):
            found[org.id] = Duplicate(org, "website")
    folded = fold(name)
    if folded:
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(folded)
        near: list[int] = []
        for org_id, other in await base.values_list("id", "normalised_name"):
            if org_id in found or not other:
                continue
            if other == folded:
                near.append(org_id)
                continue
            if 2 * min(len(other), len(folded)) / (len(other) + len(folded)) < NAME_SIMILARITY:
                continue
            matcher.set_seq1(other)
            if matcher.real_quick_ratio() >= NAME_SIMILARITY and matcher.quick_ratio() >= NAME_SIMILARITY \
                    and matcher.ratio() >= NAME_SIMILARITY:
                near.append(org_id)
        for org in await Organisation.filter(id__in=near[:5]):
            found[org.id] = Duplicate(org, "name")
    return list(found.values())


async def visible_organisation(org_id: int, team: bool) -> Organisation:
    """Organisation ``org_id``; one that is not published only for the team (``team``), else 404."""
    org = await Organisation.get_or_none(id=org_id)
    if org is None or (org.status != "published" and not team):
        raise not_found(N_("This organisation is not in the directory."))
    return org


# ------------------------------------------------------------------------------ history


async def record(org: Organisation, action: str, actor: Person | None, changes: dict | None = None,
                 note: str = "") -> Change:
    return await Change.create(organisation=org, action=action, actor=actor, fields_changed=changes or {},
                               note=note)


PUBLIC_CHANGES = ("created", "imported", "approved", "updated", "member_updated", "status", "correction_applied",
                  "relationship_added", "relationship_removed", "seal_granted", "seal_revoked")
"""The history entries anyone sees (not proposals waiting or refused, which only the team sees)."""


async def history(org: Organisation, public: bool = False) -> list[Change]:
    """``org``'s history, newest first: all of it, or (``public``) what :data:`PUBLIC_CHANGES` names."""
    query = Change.filter(organisation=org)
    if public:
        query = query.filter(action__in=PUBLIC_CHANGES)
    return await query.order_by("-at", "-id").select_related("actor")


# ------------------------------------------------------------------------------- writing


async def create_organisation(data: OrganisationIn, actor: Person | None, *, source: str,
                              status: str = "published") -> Organisation:
    """Add an organisation (by the team, an import or the API) and record it in its history."""
    async with in_transaction():
        org = Organisation(source=source, status=status, created_by=actor)
        values = data.model_dump(include=set(ORGANISATION_FIELDS))
        store(org, values)
        if status == "published":
            org.published_at = datetime.now(UTC)
        await org.save()
        await record(org, "imported" if source == "import" else "created", actor,
                     diff({}, values))
    return org


async def update_organisation(org: Organisation, data: OrganisationIn, actor: Person | None,
                              action: str = "updated", note: str = "") -> dict[str, list[Any]]:
    """Change an organisation's fields; record what changed (nothing when nothing did)."""
    async with in_transaction():
        before = as_input(org)
        after = data.model_dump(include=set(ORGANISATION_FIELDS))
        changes = diff(before, after)
        if changes:
            store(org, after)
            await org.save()
            await record(org, action, actor, changes, note)
    return changes


async def set_status(org: Organisation, status: str, actor: Person | None, note: str = "") -> None:
    """Publish, archive or take back an organisation, with a history entry."""
    if status == org.status:
        return
    async with in_transaction():
        old = org.status
        org.status = status
        if status == "published" and org.published_at is None:
            org.published_at = datetime.now(UTC)
        await org.save(update_fields=["status", "published_at", "updated_at"])
        await record(org, "status", actor, {"status": [old, status]}, note)


async def propose_new(data: OrganisationIn, proposer: Person | None, *, contact_email: str = "",
                      note: str = "", duplicates: list[int] | None = None) -> Proposal:
    """A visitor's proposal of a new organisation: hidden until the team approves it."""
    async with in_transaction():
        org = Organisation(source="form", status="proposed", created_by=proposer)
        values = data.model_dump(include=set(ORGANISATION_FIELDS))
        store(org, values)
        await org.save()
        proposal = await Proposal.create(organisation=org, kind="new", data=values, note=note, proposer=proposer,
                                         contact_email=contact_email, duplicates_confirmed=duplicates or [])
        await record(org, "proposed", proposer, diff({}, values), note)
    return proposal


async def propose_correction(org: Organisation, data: OrganisationIn, proposer: Person | None, *,
                             contact_email: str = "", note: str = "") -> Proposal:
    """A visitor's correction of a published organisation: only the changed fields are kept."""
    changes = diff(as_input(org), data.model_dump(include=set(ORGANISATION_FIELDS)))
    if not changes:
        raise Refused(N_("You did not change anything: edit the fields that are wrong, then send."), 422)
    proposal = await Proposal.create(organisation=org, kind="correction",
                                     data={name: new for name, (_old, new) in changes.items()},
                                     note=note, proposer=proposer, contact_email=contact_email)
    await record(org, "correction_proposed", proposer, changes, note)
    return proposal


async def decide(proposal_id: int, moderator: Person, decision: str, reason: str = "") -> Proposal:
    """Approve or reject a pending proposal, once: a second decision is refused (the row is
    locked while deciding, so two moderators cannot both decide)."""
    async with in_transaction() as connection:
        query = Proposal.filter(id=proposal_id).using_db(connection)
        if connection.capabilities.dialect == "postgres":
            query = query.select_for_update()
        proposal = await query.first()
        if proposal is None:
            raise not_found(N_("This proposal does not exist."))
        if proposal.status != "pending":
            raise Refused(N_("This proposal was already decided."))
        claimed = await Proposal.filter(id=proposal.id, status="pending").using_db(connection).update(
            status="approved" if decision == "approve" else "rejected", reason=reason,
            decided_by_id=moderator.id, decided_at=datetime.now(UTC))
        if not claimed:
            raise Refused(N_("This proposal was already decided."))
        org = await Organisation.filter(id=proposal.organisation_id).using_db(connection).get()
        if proposal.kind == "new":
            org.status = "published" if decision == "approve" else "rejected"
            if decision == "approve":
                org.published_at = datetime.now(UTC)
            await org.save(using_db=connection, update_fields=["status", "published_at", "updated_at"])
            await Change.create(organisation=org, actor=moderator, using_db=connection,
                                action="approved" if decision == "approve" else "rejected",
                                fields_changed={"status": ["proposed", org.status]}, note=reason)
        elif decision == "approve":
            before = as_input(org)
            after = {**before, **proposal.data}
            checked = OrganisationIn.model_validate(after).model_dump(include=set(ORGANISATION_FIELDS))
            changes = diff(before, checked)
            if changes:
                store(org, checked)
                await org.save(using_db=connection)
            await Change.create(organisation=org, actor=moderator, action="correction_applied",
                                fields_changed=changes, note=reason, using_db=connection)
        else:
            await Change.create(organisation=org, actor=moderator, action="correction_rejected",
                                fields_changed={}, note=reason, using_db=connection)
    return await Proposal.get(id=proposal_id).select_related("organisation", "proposer")


# ------------------------------------------------------------------------- relationships


async def add_relationship(source: Organisation, target: Organisation | None, kind: str, note: str,
                           actor: Person | None) -> Relationship:
    """Tie ``source`` to ``target`` (or to the lab when ``target`` is ``None``)."""
    if target is not None and target.id == source.id:
        raise Refused(N_("An organisation cannot be related to itself."), kind="conflict")
    if target is not None and target.status not in ("published", "proposed"):
        raise Refused(N_("Choose a published organisation."), kind="conflict")
    try:
        async with in_transaction():
            relationship = await Relationship.create(
                source=source, target=target, kind=kind, note=note, created_by=actor,
                target_key=f"org:{target.id}" if target else "lab")
            await record(source, "relationship_added", actor,
                         {"relationship": [None, f"{kind} {target.name if target else 'lab'}"]})
    except IntegrityError:
        raise Refused(N_("This relationship is already recorded."), kind="conflict") from None
    return relationship


async def remove_relationship(relationship: Relationship, actor: Person | None) -> None:
    source = await relationship.source
    target = await relationship.target if relationship.target_id else None
    async with in_transaction():
        await relationship.delete()
        await record(source, "relationship_removed", actor,
                     {"relationship": [f"{relationship.kind} {target.name if target else 'lab'}", None]})


async def network(published_only: bool = True) -> list[Relationship]:
    """Every relationship whose organisations are public."""
    query = Relationship.all().select_related("source", "target").order_by("source__normalised_name", "kind", "id")
    items = await query
    if published_only:
        items = [r for r in items if r.source.status == "published"
                 and (r.target is None or r.target.status == "published")]
    return items


# ------------------------------------------------------------------------------- filters


@dataclass
class Filters(QueryFilters):
    """The directory's search and filters (all optional); ``located`` is the map's own."""

    NOT_CHOSEN = frozenset({"located"})

    q: str = ""
    kind: str = ""
    topic: str = ""
    practice: str = ""
    region: str = ""
    partner: bool = False
    located: bool = False
    seal: int | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> Filters:
        """The filters of a query string (over-long values cut, unknown kinds and practices ignored)."""
        return cls(q=text(params, "q"), kind=choice(params, "kind", KINDS), topic=text(params, "topic", 60).lower(),
                   practice=choice(params, "practice", PRACTICES), region=text(params, "region", 40),
                   partner=flag(params, "partner"), located=flag(params, "located"),
                   seal=whole_number(params, "seal", 9))

    def apply(self, query: QuerySet) -> QuerySet:
        """``query`` narrowed to the organisations matching every filter."""
        if self.q:
            for word in fold(self.q).split()[:8]:
                query = query.filter(search_text__contains=word)
        if self.kind:
            query = query.filter(kind=self.kind)
        if self.topic:
            query = query.filter(topics__contains=f"|{self.topic}|")
        if self.practice:
            query = query.filter(practices__contains=f"|{self.practice}|")
        if self.region:
            query = query.filter(region=self.region)
        if self.partner:
            query = query.filter(wants_partnership=True)
        if self.located:
            query = query.filter(latitude__isnull=False, longitude__isnull=False)
        if self.seal is not None:
            query = query.filter(seal_grants__seal_id=self.seal, seal_grants__seal__retired=False)
        return query


def published() -> QuerySet:
    return Organisation.filter(status="published")


async def facets() -> dict[str, list[str]]:
    """The topics and regions in use among published organisations (for filter menus)."""
    topics: Counter[str] = Counter()
    regions: set[str] = set()
    for topic_text, region in await published().values_list("topics", "region"):
        topics.update(t for t in (topic_text or "").split("|") if t)
        if region:
            regions.add(region)
    return {"topics": sorted(t for t, _n in topics.most_common(60)), "regions": sorted(regions)}


async def counts_by_kind() -> dict[str, Any]:
    """Published organisations by kind, counted by the database (for the home page card)."""
    rows = await published().annotate(count=Count("id")).group_by("kind").values_list("kind", "count")
    by_kind = {kind: 0 for kind in KINDS}
    by_kind.update({kind: count for kind, count in rows if kind in by_kind})
    return {"total": sum(by_kind.values()), "by_kind": by_kind}


async def stats() -> dict[str, Any]:
    """Published organisations, by kind, practice and region, and how many want to partner."""
    rows = await published().values_list("kind", "practices", "region", "wants_partnership")
    by_kind = Counter(kind for kind, *_ in rows)
    by_practice: Counter[str] = Counter()
    by_region: Counter[str] = Counter()
    for _kind, practices, region, _partner in rows:
        by_practice.update(p for p in (practices or "").split("|") if p)
        by_region[region or ""] += 1
    return {
        "total": len(rows),
        "by_kind": {kind: by_kind.get(kind, 0) for kind in KINDS},
        "by_practice": {p: by_practice.get(p, 0) for p in PRACTICES},
        "by_region": dict(sorted(by_region.items())),
        "wants_partnership": sum(1 for *_, partner in rows if partner),
        "pending_proposals": await Proposal.filter(status="pending").count(),
    }


async def proposers_between(start: datetime, end: datetime) -> list[int]:
    """Ids of the people with an account who proposed an organisation or a correction."""
    ids = await Proposal.filter(created_at__gte=start, created_at__lt=end, proposer_id__isnull=False) \
        .values_list("proposer_id", flat=True)
    return sorted(set(ids))
