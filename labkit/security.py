"""Protections every request passes through: security headers, a body limit and CSRF checks."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CREDENTIAL_HEADERS = ("x-labkit-member-token",)
"""Headers that carry a machine credential to the JSON API (a federation member's push token).

An API request carrying one needs no CSRF token: a browser cannot add a custom header to a
cross-site request without a CORS preflight, which labkit never grants. The endpoint itself
checks the credential."""
ErrorResponder = Callable[[Request, int, str, str], Awaitable[Response]]
"""Answers a refused request: ``(request, status, detail, kind)``, ``kind`` naming the problem type
(``""``: ``about:blank``)."""
BodyLimit = Callable[[Any], int]
"""A route's own body limit (``max_body_bytes`` of a route), computed from the app when a request comes."""


def csrf_token(request: HTTPConnection) -> str:
    """The visitor's CSRF token (created on first use); put it in every form as ``csrf_token``."""
    session = request.session
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def content_security_policy(extra_img_sources: list[str], form_targets: list[str] | None = None) -> str:
    """The lab's CSP: only its own scripts and styles; images also from the given sources; forms
    post to the lab, and to ``form_targets`` (the single sign-on providers, which the "Sign in
    with …" form is redirected to: browsers apply ``form-action`` to redirects too)."""
    images = " ".join(["'self'", "data:", *extra_img_sources])
    forms = " ".join(["'self'", *(form_targets or [])])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {images}; connect-src 'self'; font-src 'self'; object-src 'none'; "
        f"base-uri 'self'; form-action {forms}; frame-ancestors 'none'"
    )


class SecurityHeadersMiddleware:
    """Adds CSP, frame-ancestors, nosniff and referrer policy headers to every response."""

    def __init__(self, app: ASGIApp, csp: str, https_only: bool = False) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"x-frame-options", b"DENY"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(self)"),
        ]
        if https_only:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    header for header in self.headers if header[0] not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _TooLarge(Exception):
    pass


def route_body_limit(routes: list[BaseRoute], scope: Scope) -> int | None:
    """The body limit the route answering ``scope`` declares (its ``max_body_bytes``, a
    :data:`BodyLimit`), or ``None`` when it declares none (mounts are searched)."""
    for route in routes:
        match, child = route.matches(scope)
        if match is not Match.FULL:
            continue
        if isinstance(route, Mount):
            return route_body_limit(route.routes, {**scope, **child})
        limit: BodyLimit | None = getattr(route, "max_body_bytes", None)
        return limit(scope["app"]) if limit is not None else None
    return None


class RequestGuardMiddleware:
    """Refuses bodies over ``max_body_bytes`` (413) and unsafe requests without a valid CSRF token
    (403). Requests authenticated by an API token need no CSRF token.

    Only a request that needs the CSRF check has its body read here, before the route. Any other
    (an API call with a token or a member credential, or signed out) reaches its route with the
    body unread, so the route refuses a wrong credential (401) without reading a large body; the
    limit is then enforced as the route reads (413 all the same).

    A route may declare its own limit (``ApiRoute(max_body_bytes=...)``, a federation push of a
    whole hub's document): that limit replaces ``max_body_bytes`` for the route's requests.

    Must run inside the session and auth middleware. Errors are answered by ``respond`` so that
    they look like every other error page or problem document of the lab.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int, respond: ErrorResponder) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.respond = respond

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        limit = self.max_body_bytes
        if request.method in UNSAFE_METHODS and "app" in scope:
            limit = route_body_limit(scope["app"].router.routes, scope) or limit
        declared = request.headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) > limit:
            return await self._refuse(request, 413, "too-large", scope, receive, send, limit=limit)
        api = scope["path"].startswith("/api/")
        machine = api and any(name in request.headers for name in CREDENTIAL_HEADERS)
        # A signed-out API call carries no ambient credential to abuse: no CSRF token is needed, and
        # the route answers it (401 with a problem document where a person is required).
        anonymous_api = api and scope.get("state", {}).get("person") is None
        if request.method in UNSAFE_METHODS and not scope.get("labkit.token_auth") and not machine and not anonymous_api:
            try:
                body = await self._read_body(receive, limit)
            except _TooLarge:
                return await self._refuse(request, 413, "too-large", scope, receive, send, limit=limit)
            if not await self._csrf_ok(Request(scope, _replayer(body, receive))):
                return await self._refuse(request, 403, "csrf", scope, receive, send)
            return await self.app(scope, _replayer(body, receive), send)
        await self._lazily_limited(request, limit, scope, receive, send)

    async def _lazily_limited(self, request: Request, limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the route with the body unread: it checks its caller first (a push's member token)
        and reads the body itself, if at all; reading past ``limit`` is refused with the 413 here."""
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, _limited(receive, limit), watched)
        except _TooLarge:
            if started:
                raise
            await self._refuse(request, 413, "too-large", scope, receive, send, limit=limit)

    @staticmethod
    async def _read_body(receive: Receive, limit: int) -> bytes:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _csrf_ok(self, request: Request) -> bool:
        expected = request.session.get("csrf") if "session" in request.scope else None
        if not expected:
            return False
        sent = request.headers.get("x-csrf-token")
        content_type = Headers(scope=request.scope).get("content-type", "")
        if sent is None and content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            try:
                form = await request.form()
            except Exception:  # a malformed body is simply "no token"
                return False
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
        return sent is not None and secrets.compare_digest(sent, expected)

    async def _refuse(self, request: Request, status: int, reason: str,
                      scope: Scope, receive: Receive, send: Send, limit: int = 0) -> None:
        from labkit.i18n import gettext

        detail = {
            "too-large": gettext("The request is too large: this address accepts at most %(limit)s bytes.",
                                 limit=limit),
            "csrf": gettext("The form has expired or did not come from this site. Reload the page and try again."),
        }[reason]
        response = await self.respond(request, status, detail, "too-large" if reason == "too-large" else "")
        await response(scope, receive, send)


def _limited(receive: Receive, limit: int) -> Receive:
    """``receive`` raising :class:`_TooLarge` once more than ``limit`` bytes of body came."""
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        size += len(message.get("body", b""))
        if size > limit:
            raise _TooLarge
        return message

    return counted


def _replayer(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
