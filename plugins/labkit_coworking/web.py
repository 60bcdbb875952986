"""What the coworking pages need beyond the core's action helpers (labkit.action_routes): a
refusal the booking form shows itself (the 409 conflict page), and a permission checked inside
an API read."""

from __future__ import annotations

from typing import Any

from labkit.action_routes import problem
from labkit.actions import Action, Context, Refused


async def attempt(context: Context, action: Action[Any, Any], data: Any) -> tuple[Any, Refused | None]:
    """Run ``action``: ``(result, None)``, or ``(None, refusal)`` for a refusal the page shows
    itself; a 401, 403 or 404 refusal becomes the HTTP problem."""
    try:
        return await action.run(context, data), None
    except Refused as refusal:
        if refusal.status in (401, 403, 404):
            raise problem(refusal) from None
        return None, refusal


def require(context: Context, permission: str) -> None:
    """Raise the 401/403 problem unless the acting person holds ``permission``."""
    try:
        context.require(permission)
    except Refused as refusal:
        raise problem(refusal) from None
