"""The lab's own portfolio records and what the plugin reports through its own hooks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from labkit import Period, PortfolioItem, auth
from labkit.models import Person

from labkit_indicators.forms import ManualEntryIn
from labkit_indicators.models import EntryAudit, ManualEntry, Partnership, Product, Project, ProjectMember


async def own_items() -> list[PortfolioItem]:
    """The plugin's own projects, partnerships and products as portfolio items."""
    items: list[PortfolioItem] = []
    for project in await Project.all().prefetch_related("milestones"):
        items.append(PortfolioItem(
            indicator="projects", key=f"project:{project.id}", title=project.title, started=project.starts_on,
            ended=project.ends_on, kind=project.origin, url=f"/indicators/portfolio/projects/{project.id}",
            description=project.description,
            milestones=tuple((m.happened_on, m.text) for m in project.milestones)))
    for partnership in await Partnership.all():
        items.append(PortfolioItem(
            indicator="partnerships", key=f"partnership:{partnership.id}", title=partnership.organisation_name,
            started=partnership.starts_on, ended=partnership.ends_on, kind=partnership.partner_kind,
            url=f"/indicators/portfolio/partnerships/{partnership.id}", description=partnership.description))
    for product in await Product.filter(delivered_on__not_isnull=True):
        items.append(PortfolioItem(
            indicator="products", key=f"product:{product.id}", title=product.title, started=product.delivered_on,
            kind=product.product_type, url=f"/indicators/portfolio/products/{product.id}",
            description=product.description))
    return items


async def team_in(period: Period) -> list[str]:
    """Identities of the people in the team of a project running during ``period``."""
    running = Q(project__starts_on__lt=period.end) & (Q(project__ends_on__isnull=True) | Q(project__ends_on__gte=period.start))
    ids = await ProjectMember.filter(running).distinct().values_list("person_id", flat=True)
    return [auth.participant_id(person_id) for person_id in ids]


async def personal_data(person_id: int) -> dict[str, Any]:
    memberships = await ProjectMember.filter(person_id=person_id).select_related("project")
    entries = await ManualEntry.filter(created_by_id=person_id)
    return {
        "project_teams": [{"project": m.project.title, "role": m.role} for m in memberships],
        "manual_entries_recorded": [{"period": e.period, "indicator": e.indicator, "value": e.value,
                                     "reason": e.reason, "created_at": e.created_at.isoformat()} for e in entries],
    }


async def erase_person(person_id: int) -> None:
    """Team credits go; manual entries stay (they are the lab's records) but lose the author."""
    await ProjectMember.filter(person_id=person_id).delete()
    await ManualEntry.filter(created_by_id=person_id).update(created_by_id=None)
    await EntryAudit.filter(actor_id=person_id).update(actor_id=None, actor_name="")


# --------------------------------------------------------------------------- manual entries


def _entry_values(entry: ManualEntry) -> dict[str, Any]:
    return {"period": entry.period, "indicator": entry.indicator, "value": entry.value, "module": entry.module,
            "kind": entry.kind, "reason": entry.reason}


async def create_entry(data: ManualEntryIn, actor: Person) -> ManualEntry:
    """Record a manual entry and its first audit line in one transaction."""
    async with in_transaction() as connection:
        entry = await ManualEntry.create(**data.model_dump(), created_by=actor, using_db=connection)
        await EntryAudit.create(entry=entry, action="created", actor=actor, actor_name=actor.name,
                                changes={key: [None, value] for key, value in _entry_values(entry).items()},
                                using_db=connection)
    return entry


async def update_entry(entry: ManualEntry, data: ManualEntryIn, actor: Person) -> dict[str, list[Any]]:
    """Change a manual entry; the audit line keeps each changed field as ``[before, after]``."""
    before = _entry_values(entry)
    after = data.model_dump()
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if not changes:
        return {}
    async with in_transaction() as connection:
        for key, value in after.items():
            setattr(entry, key, value)
        await entry.save(using_db=connection)
        await EntryAudit.create(entry=entry, action="updated", actor=actor, actor_name=actor.name,
                                changes=changes, using_db=connection)
    return changes


async def delete_entry(entry: ManualEntry, actor: Person, reason: str) -> None:
    """Withdraw a manual entry: it stops counting, and it and its audit trail are kept."""
    async with in_transaction() as connection:
        entry.deleted_at = datetime.now(UTC)
        await entry.save(update_fields=["deleted_at", "updated_at"], using_db=connection)
        await EntryAudit.create(entry=entry, action="deleted", actor=actor, actor_name=actor.name,
                                changes={"reason": [entry.reason, reason]}, using_db=connection)


# ------------------------------------------------------------------------------- projects


async def set_team(project: Project, emails: list[str]) -> list[str]:
    """Make the team the people with ``emails``; return the addresses that match nobody."""
    people = await Person.filter(email__in=emails, is_active=True)
    found = {person.email.lower(): person for person in people}
    missing = [email for email in emails if email not in found]
    if missing:
        return missing
    await ProjectMember.filter(project=project).exclude(person_id__in=[p.id for p in people]).delete()
    existing = set(await ProjectMember.filter(project=project).values_list("person_id", flat=True))
    for person in people:
        if person.id not in existing:
            await ProjectMember.create(project=project, person=person)
    return []
