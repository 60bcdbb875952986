"""The "Visit us" page: what lab.toml's [plugin.visit] says, shown in the visitor's language.

labkit mounts the list ``pages`` of this module under ``/visit/`` by convention."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit.web import render


async def index(request: Request) -> Response:
    """The address, opening hours, directions and contact of the lab."""
    return render(request, "visit/index.html", {"visit": request.app.state.plugins.settings_of("visit")})


pages = [Route("/", index, name="index")]
