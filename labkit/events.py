"""Domain events: a plugin announces what happened; every plugin's ``labkit_event`` hears it."""

from __future__ import annotations

import logging
from typing import Any

from starlette.applications import Starlette

from labkit.hooktypes import Event
from labkit.plugins import await_me_maybe

log = logging.getLogger("labkit.events")


async def emit(app: Starlette, name: str, actor_id: int | None = None, **data: Any) -> Event:
    """Tell every plugin that ``name`` happened (call it after the change is committed).

    A listener that fails is logged with its plugin's name; it never undoes the change and never
    stops the other listeners.
    """
    event = Event(name=name, actor_id=actor_id, data=data)
    for slug, listener in app.state.plugins.implementations("labkit_event"):
        try:
            await await_me_maybe(listener(event=event))
        except Exception:  # one listener's failure must not break the action or the others
            log.exception("plugin %r failed to handle event %s", slug, name)
    return event
