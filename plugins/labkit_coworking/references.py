"""The ``space`` reference kind: other plugins (a training session) name a coworking space."""

from __future__ import annotations

from labkit.hooktypes import Reference

from labkit_coworking.models import Space


def _reference(space: Space) -> Reference:
    return Reference(kind="space", id=str(space.id), label=space.name, url=f"/coworking/spaces/{space.id}")


async def search(query: str, limit: int) -> list[Reference]:
    """Active spaces whose name holds ``query`` (every active space for an empty query)."""
    found = Space.filter(is_active=True, name__icontains=query.strip()) if query.strip() else Space.filter(is_active=True)
    return [_reference(space) for space in await found.order_by("name").limit(max(1, min(limit, 50)))]


async def get(ref_id: str) -> Reference | None:
    """The active space ``ref_id`` (``None`` when it is gone, closed or not a number)."""
    if not ref_id.isdigit():
        return None
    space = await Space.get_or_none(id=int(ref_id), is_active=True)
    return _reference(space) if space else None
