"""The ``organisation`` reference kind: other plugins point at published organisations."""

from __future__ import annotations

from labkit.hooktypes import Reference

from labkit_mapping import rules
from labkit_mapping.models import Organisation


def _reference(org: Organisation) -> Reference:
    return Reference(kind="organisation", id=str(org.id), label=org.name, url=f"/mapping/organisations/{org.id}")


async def search(query: str, limit: int) -> list[Reference]:
    """Published organisations whose name, topics or address hold every word of ``query``."""
    found = await rules.Filters(q=query).apply(rules.published()).limit(max(1, min(limit, 50)))
    return [_reference(org) for org in found]


async def get(ref_id: str) -> Reference | None:
    """The published organisation ``ref_id`` (``None`` when it is gone, hidden or not a number)."""
    if not ref_id.isdigit():
        return None
    org = await Organisation.get_or_none(id=int(ref_id), status="published")
    return _reference(org) if org else None
