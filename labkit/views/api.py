"""The core's JSON API: the OpenAPI document and the caller's own account."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse

from labkit import auth
from labkit.api import SIGNED_IN, ApiRoute, openapi_document


class Me(BaseModel):
    """The caller's account as the API shows it."""

    id: int
    name: str
    role: str
    language: str | None
    permissions: list[str]


async def openapi(request: Request) -> JSONResponse:
    """The OpenAPI 3.1 document of this lab's JSON API."""
    title = f"{request.app.state.settings.lab.name} API"
    return JSONResponse(openapi_document(request.app.routes, title))


async def me(request: Request) -> JSONResponse:
    """The signed-in person (or token owner) and the permissions they hold."""
    person = auth.require_person(request)
    registry = request.app.state.permissions
    held = sorted(name for name in registry.permissions if registry.allows(person, name))
    return JSONResponse(Me(id=person.id, name=person.name, role=person.role, language=person.locale,
                           permissions=held).model_dump())


routes = [
    ApiRoute("/api/v1/openapi.json", openapi, name="openapi", summary="This API's OpenAPI document"),
    ApiRoute("/api/v1/me", me, name="me", response=Me, permission=SIGNED_IN),
]
