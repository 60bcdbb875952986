"""People and permissions: password hashing, sessions, API tokens, reset links, permission checks.

A request's person is found by the ``AuthMiddleware`` (a signed session cookie, or an
``Authorization: Bearer`` API token) and kept in ``request.state.person``. Every write checks a
permission with :func:`require` (or :func:`require_person` when any signed-in person may act); a
hand-written page that writes (not an :mod:`action <labkit.actions>`) uses :func:`require_write`,
which also asks for the person's acceptance of the lab's current terms, as actions do.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Receive, Scope, Send
from tortoise.exceptions import DBConnectionError

from labkit.consent import pending, required
from labkit.db import CONNECTION_ERRORS
from labkit.hooktypes import Permission
from labkit.i18n import gettext
from labkit.models import ROLES, ApiToken, Person
from labkit.plugins import PluginError
from labkit.verification import kinds_of
from labkit.web import Problem, problem_response

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (``False`` for an empty or broken hash)."""
    try:
        return bool(stored_hash) and _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH = _hasher.hash("labkit: no account has this password")
"""Verified when an address has no account, so that a wrong password takes as long either way."""


async def password_hash(password: str) -> str:
    """:func:`hash_password` in a worker thread: argon2 costs ~50 ms of CPU by design, which on the
    event loop would stall every other request of the worker (a burst of sign-ups stalled /healthz)."""
    return await asyncio.to_thread(hash_password, password)


async def password_matches(stored_hash: str | None, password: str) -> bool:
    """:func:`verify_password` in a worker thread. With no ``stored_hash`` (no such account, or one
    without a password) a dummy hash is checked, so the answer takes the same time."""
    if not stored_hash:
        await asyncio.to_thread(verify_password, _DUMMY_HASH, password)
        return False
    return await asyncio.to_thread(verify_password, stored_hash, password)


def participant_id(person_id: int) -> str:
    """The opaque identity of a person for ``labkit_participants`` (never leaves the lab)."""
    return f"person:{person_id}"


# ------------------------------------------------------------------------------ permissions


class PermissionRegistry:
    """Every permission the loaded plugins declared, with the roles that hold it."""

    def __init__(self, declared: list[tuple[str, list[Permission]]]) -> None:
        self.permissions: dict[str, Permission] = {}
        for slug, permissions in declared:
            for permission in permissions:
                if not permission.name.startswith(f"{slug}."):
                    raise PluginError(f"plugin {slug!r}: permission {permission.name!r} must start with '{slug}.'")
                unknown = set(permission.roles) - set(ROLES)
                if unknown:
                    raise PluginError(f"plugin {slug!r}: permission {permission.name!r} names unknown role {sorted(unknown)[0]!r}")
                self.permissions[permission.name] = permission

    def allows(self, person: Person | None, name: str) -> bool:
        """Whether ``person`` holds permission ``name`` (admins hold all, unknown names none)."""
        if person is None or not person.is_active:
            return False
        if name not in self.permissions:
            raise KeyError(f"unknown permission {name!r}")
        return person.role == "admin" or person.role in self.permissions[name].roles


def has_permission(request: HTTPConnection, name: str) -> bool:
    """Whether the visitor holds permission ``name``."""
    return request.app.state.permissions.allows(request.state.person, name)


def require_person(request: HTTPConnection) -> Person:
    """The signed-in person, or a 401 problem (pages redirect to the sign-in form)."""
    person = request.state.person
    if person is None:
        raise Problem(401, gettext("Sign in to do this."), kind="unauthenticated")
    return person


def require(request: HTTPConnection, name: str) -> Person:
    """The signed-in person if they hold permission ``name``; otherwise a 401 or 403 problem."""
    person = require_person(request)
    if not has_permission(request, name):
        raise Problem(403, gettext("You do not have permission to do this."), kind="forbidden")
    return person


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def require_write(request: HTTPConnection, name: str) -> Person:
    """:func:`require`, and for a write (any method but GET, HEAD, OPTIONS) the person's acceptance
    of the lab's current terms and privacy notice — what every action asks. Without it, a 403
    ``consent-required`` problem: a page answers it with a redirect to ``/account/consent``, which
    sends the person back afterwards. For hand-written handlers of GET and POST alike."""
    person = require(request, name)
    require_consent_to_write(request)
    return person


def require_consent_to_write(request: HTTPConnection) -> None:
    """For a write (any method but GET, HEAD, OPTIONS), refuse a signed-in person who has not
    accepted the lab's current terms and privacy notice (a 403 ``consent-required`` problem)."""
    if request.scope["method"] not in SAFE_METHODS and getattr(request.state, "consent_pending", None):
        refusal = required()
        raise Problem(refusal.status, refusal.text(), kind=refusal.kind)


# ------------------------------------------------------------------------- sessions, tokens


def sign_in(request: Request, person: Person) -> None:
    """Start a fresh session for ``person`` (the old session's data is dropped: no fixation)."""
    locale = request.session.get("locale")
    request.session.clear()
    request.session.update({"person_id": person.id, "version": person.session_version,
                            "csrf": secrets.token_urlsafe(32)})
    if locale:
        request.session["locale"] = locale


def sign_out(request: Request) -> None:
    """End the session (the chosen language is kept)."""
    locale = request.session.get("locale")
    request.session.clear()
    if locale:
        request.session["locale"] = locale


def token_digest(token: str) -> str:
    """The SHA-256 of an API token, which is all the database keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(person: Person, name: str) -> str:
    """Create an API token for ``person``; the clear token is returned once and never stored."""
    token = "lk_" + secrets.token_urlsafe(32)
    await ApiToken.create(person=person, name=name, token_hash=token_digest(token), prefix=token[:10])
    return token


async def person_from_token(token: str) -> Person | None:
    """The active person owning a valid, unrevoked token, or ``None``."""
    record = await ApiToken.filter(token_hash=token_digest(token), revoked_at=None).select_related("person").first()
    if record is None or not record.person.is_active:
        return None
    record.last_used_at = datetime.now(UTC)
    await record.save(update_fields=["last_used_at"])
    return record.person


async def person_from_session(session: dict) -> Person | None:
    """The person of a signed session, if the account is active and the session not revoked."""
    person_id = session.get("person_id")
    if not isinstance(person_id, int):
        return None
    person = await Person.get_or_none(id=person_id, is_active=True)
    if person is None or person.session_version != session.get("version"):
        return None
    return person


class AuthMiddleware:
    """Puts the visitor's :class:`Person` (or ``None``) in ``request.state.person``, the kinds of
    verification they hold in ``request.state.verifications`` and the texts whose current version
    they have not accepted in ``request.state.consent_pending``.

    API tokens count only on the JSON API (``/api/``): a stolen token cannot use the pages (make
    more tokens, change the password, delete the account).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        connection = HTTPConnection(scope)
        person = None
        authorization = connection.headers.get("authorization", "")
        try:
            if authorization.lower().startswith("bearer ") and scope["path"].startswith("/api/"):
                person = await person_from_token(authorization[7:].strip())
                scope["labkit.token_auth"] = True
                if person is None:  # unknown, revoked or another lab's: refused, never taken as anonymous
                    response = problem_response(
                        Request(scope), 401, gettext("The API token is not valid: it is unknown, revoked or its account is blocked."),
                        kind="invalid-token", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
                    return await response(scope, receive, send)
            elif "session" in scope:
                person = await person_from_session(scope["session"])
            verifications = await kinds_of(person)
            consent_pending = await pending(person)
        except (DBConnectionError, *CONNECTION_ERRORS) as error:  # type: ignore[misc]  # a tuple built at import
            # Raised here, outside the app's exception handlers: answer the same clear 503 they
            # give (a page or a problem document with Retry-After), not a 500 and a cut connection.
            from labkit.errors import database_unavailable

            scope.setdefault("state", {}).update(person=None, verifications=frozenset(), consent_pending=frozenset())
            unavailable = await database_unavailable(Request(scope), error)
            return await unavailable(scope, receive, send)
        scope.setdefault("state", {}).update(person=person, verifications=verifications, consent_pending=consent_pending)
        await self.app(scope, receive, send)


# -------------------------------------------------------------------------- password resets


LINK_PURPOSES = ("password-reset", "invite")
"""What a signed account link may be for; each has its own salt and lifetime."""


def _link_serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"labkit.{purpose}")


def make_link_token(secret_key: str, person: Person, purpose: str = "password-reset") -> str:
    """A signed token for a link that lets ``person`` choose a password (a reset, an invitation).

    It dies when the password changes, so it works once.
    """
    assert purpose in LINK_PURPOSES
    return _link_serializer(secret_key, purpose).dumps([person.id, person.password_hash[-16:]])


async def person_from_link_token(secret_key: str, token: str, max_ages: dict[str, int]) -> Person | None:
    """The person a link token was made for, if it is genuine, fresh for its purpose and unused."""
    for purpose, max_age in max_ages.items():
        try:
            person_id, fingerprint = _link_serializer(secret_key, purpose).loads(token, max_age=max_age)
        except (BadSignature, SignatureExpired, ValueError, TypeError):
            continue
        person = await Person.get_or_none(id=person_id, is_active=True)
        if person is not None and person.password_hash[-16:] == fingerprint:
            return person
    return None
