"""The "Visit us" page: what lab.toml's [plugin.visit] says, shown in the visitor's language."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit.web import render


def visit_settings(settings) -> dict:
    """The [plugin.visit] table with every key present (empty when not set)."""
    table = settings.for_plugin("visit")
    hours = table.get("opening_hours", [])
    return {
        "address": str(table.get("address", "")),
        "opening_hours": [str(line) for line in (hours if isinstance(hours, list) else [hours])],
        "directions": str(table.get("directions", "")),
        "email": str(table.get("email", "")),
    }


async def index(request: Request) -> Response:
    return render(request, "visit/index.html", {"visit": visit_settings(request.app.state.settings)})


routes = [Route("/", index, name="index")]
