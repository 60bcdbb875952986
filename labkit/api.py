"""JSON API routes that describe themselves, and the OpenAPI document built from them."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from starlette.convertors import Convertor, FloatConvertor, IntegerConvertor, UUIDConvertor
from starlette.routing import BaseRoute, Mount, Route

from labkit import __version__

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


class ApiRoute(Route):
    """A Starlette ``Route`` that also says what it does, for the OpenAPI document.

    ``body`` and ``response`` are pydantic models; ``permission`` names the permission a caller
    needs — **the core checks it** before the handler runs (401 signed out, 403 without it;
    ``None`` for public reads); ``query`` maps query parameters to a short description;
    ``media_type`` is the content type of a successful answer (a CSV, a ZIP, GeoJSON...);
    ``max_body_bytes`` (a function of the app) replaces ``[security] max_body_bytes`` for this
    route's bodies — the core refuses a larger body with a 413 ``too-large`` problem before the
    handler runs; ``files`` names the fields of ``body`` a client sends as files, in a
    ``multipart/form-data`` body that the route takes besides JSON (an action's images).
    """

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: list[str] | None = None,
        name: str | None = None,
        summary: str = "",
        body: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        permission: str | None = None,
        query: dict[str, str] | None = None,
        status: int = 200,
        media_type: str = "application/json",
        max_body_bytes: Callable[[Any], int] | None = None,
        files: tuple[str, ...] = (),
    ) -> None:
        super().__init__(path, guarded(endpoint, permission) if permission else endpoint,
                         methods=methods or ["GET"], name=name)
        doc_lines = (endpoint.__doc__ or "").strip().splitlines()
        self.summary = summary or (doc_lines[0] if doc_lines else "")
        self.body = body
        self.response = response
        self.permission = permission
        self.query = query or {}
        self.status = status
        self.media_type = media_type
        self.max_body_bytes = max_body_bytes
        self.files = files


SIGNED_IN = "signed-in"
"""The ``permission`` of a route that any signed-in person may use (``/api/v1/me``)."""


def guarded(endpoint: Callable[..., Any], permission: str) -> Callable[..., Any]:
    """``endpoint``, answering 401 (signed out) or 403 (without ``permission``) before it runs;
    ``permission`` :data:`SIGNED_IN` only needs someone signed in. A write (any method but GET,
    HEAD, OPTIONS) also needs the person's acceptance of the current terms, as every action does
    (403 ``consent-required``; a page redirects to ``/account/consent``)."""
    from labkit import auth

    @functools.wraps(endpoint)
    async def checked(request: Any) -> Any:
        if permission == SIGNED_IN:
            auth.require_person(request)
        else:
            auth.require(request, permission)
        auth.require_consent_to_write(request)
        return await endpoint(request)

    return checked


class PageRoute(Route):
    """A page route whose ``permission`` the core checks before the endpoint runs (staff pages,
    exports): a signed-out visitor is sent to sign in, a signed-in one without it gets 403."""

    def __init__(self, path: str, endpoint: Callable[..., Any], *, name: str, permission: str,
                 methods: list[str] | None = None) -> None:
        self.permission = permission
        super().__init__(path, guarded(endpoint, permission), methods=methods or ["GET"], name=name)


def _walk(routes: Iterable[BaseRoute], prefix: str = "", names: str = "") -> Iterable[tuple[str, str, ApiRoute]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from _walk(route.routes, prefix + route.path, f"{names}{route.name}_" if route.name else names)
        elif isinstance(route, ApiRoute):
            yield prefix + route.path, f"{names}{route.name}", route


def openapi_document(routes: Iterable[BaseRoute], title: str) -> dict[str, Any]:
    """An OpenAPI 3.1 document of every :class:`ApiRoute` under ``routes``."""
    paths: dict[str, dict[str, Any]] = {}
    models: list[tuple[dict[str, Any], type[BaseModel], JsonSchemaMode]] = []
    """Each model's schema (filled with its ``$ref`` at the end): bodies as validated, responses as serialised."""
    for path, name, route in _walk(routes):
        for method in sorted(route.methods or []):
            if method == "HEAD":
                continue
            operation: dict[str, Any] = {
                "summary": route.summary,
                "operationId": f"{method.lower()}_{name}".replace("-", "_"),
                "responses": {"default": {"description": "Problem", "content": {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}},
            }
            if route.permission:
                operation["security"] = [{"bearer": []}, {"session": []}]
                operation["x-labkit-permission"] = route.permission
            params = [
                {"name": name, "in": "path", "required": True, "schema": _path_schema(convertor)}
                for name, convertor in route.param_convertors.items()
            ] + [
                {"name": name, "in": "query", "required": False, "description": text, "schema": {"type": "string"}}
                for name, text in route.query.items()
            ]
            if params:
                operation["parameters"] = params
            if route.body is not None and method != "GET":
                body: dict[str, Any] = {}
                models.append((body, route.body, "validation"))
                content = {"application/json": {"schema": body}}
                if route.files:
                    content["multipart/form-data"] = _multipart(body, route.files)
                operation["requestBody"] = {"required": True, "content": content}
            success: dict[str, Any] = {"description": "OK"}
            if route.response is not None:
                response: dict[str, Any] = {}
                models.append((response, route.response, "serialization"))
                success["content"] = {route.media_type: {"schema": response}}
            elif route.media_type != "application/json":
                success["content"] = {route.media_type: {}}
            operation["responses"][str(route.status)] = success
            paths.setdefault(_openapi_path(path), {})[method.lower()] = operation
    # All models at once, so that two plugins' models of the same name get distinct schema names.
    refs, definitions = models_json_schema(list({(model, mode): None for _, model, mode in models}),
                                           ref_template="#/components/schemas/{model}")
    for schema, model, mode in models:
        schema.update(refs[(model, mode)])
    schemas: dict[str, Any] = {"Problem": PROBLEM_SCHEMA, **definitions.get("$defs", {})}
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": __version__},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "labkit_session"},
            },
        },
    }


def _multipart(body: dict[str, Any], files: tuple[str, ...]) -> dict[str, Any]:
    """The ``multipart/form-data`` content of a request whose JSON body has the schema ``body``:
    the same fields, as form fields, and ``files`` as image files."""
    picture = {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream",
               "description": "An image file: JPEG, PNG, WebP or GIF."}
    return {"schema": {"allOf": [body, {"type": "object", "properties": dict.fromkeys(files, picture)}]},
            "encoding": dict.fromkeys(files, {"contentType": "image/jpeg, image/png, image/webp, image/gif"})}


def _path_schema(convertor: Convertor[Any]) -> dict[str, Any]:
    """The JSON Schema of what a path convertor matches (``{id:int}`` is a whole number, not any text)."""
    if isinstance(convertor, IntegerConvertor):
        return {"type": "integer", "minimum": 0}
    if isinstance(convertor, FloatConvertor):
        return {"type": "number", "minimum": 0}
    if isinstance(convertor, UUIDConvertor):
        return {"type": "string", "format": "uuid"}
    return {"type": "string", "minLength": 1}


def _openapi_path(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", path)
