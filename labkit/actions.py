"""Actions: each use case of a plugin declared once — its name, input, permission and handler.

A plugin writes a use case ("send a proposal", "book a desk") as one :class:`Action`. The core turns
it into a page form (:class:`labkit.action_routes.ActionPage`, :class:`~labkit.action_routes.ActionButton`)
and a JSON API route (:class:`~labkit.action_routes.ActionRoute`), and **enforces the declared
permission for both** before the handler runs. A handler never sees a ``Request`` and never raises
an HTTP error: it receives a :class:`Context` (who acts, the lab) and the validated input, and
returns a result or raises :class:`Refused`.

Decidim's command objects are the model: one definition that the page and the API both call, so
the two can never drift apart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from labkit.i18n import N_, gettext

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from labkit.config import Settings
    from labkit.hooktypes import Event
    from labkit.models import Person

In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out")


class Refused(Exception):
    """A rule said no: the one way a handler (or a rule it calls) refuses.

    ``message`` is an untranslated sentence (mark it with ``N_``) with ``%(name)s`` placeholders
    filled from ``values``; ``status`` is the HTTP status the page or the API answers (409 for a
    conflict with the current state, 422 for input that breaks a rule, 403 when this person may not,
    404 when the thing does not exist); ``kind`` ends the problem document's ``type`` on the API;
    ``errors`` maps form fields to untranslated messages, shown beside the fields.
    """

    def __init__(self, message: str, status: int = 409, *, kind: str = "refused",
                 errors: dict[str, str] | None = None, **values: Any) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.kind = kind
        self.errors = dict(errors or {})
        self.values = values

    def text(self) -> str:
        """The message in the current language."""
        return gettext(self.message, **self.values)

    def field_errors(self) -> dict[str, str]:
        """``{field: message}`` in the current language."""
        return {name: gettext(message, **self.values) for name, message in self.errors.items()}

    def __repr__(self) -> str:
        return f"Refused({self.message!r}, {self.status}, kind={self.kind!r})"


def not_found(message: str = N_("This page does not exist.")) -> Refused:
    """The refusal for a record that does not exist (or that this person may not know of): 404."""
    return Refused(message, 404, kind="not-found")


def invalid(field: str, message: str, **values: Any) -> Refused:
    """The refusal for one field's value that breaks a rule: 422, shown beside ``field``."""
    return Refused(message, 422, kind="validation", errors={field: message}, **values)


@dataclass
class Context:
    """What an action's handler knows: who acts and in which lab — never the HTTP request.

    Build one with :func:`labkit.action_routes.context_of` in a web handler, or directly
    (``Context(app, person)``) in a command, a test or a background job.
    """

    app: Starlette
    person: Person | None = None
    verifications: frozenset[str] | None = None
    """The kinds of verification the person holds (``None`` until :meth:`load` looks them up)."""
    consent_pending: frozenset[str] | None = None
    """The texts (``"terms"``, ``"privacy"``) whose current version the person has not accepted
    (``None`` until :meth:`load` looks them up)."""

    async def load(self) -> None:
        """Look up what the core checks besides permissions: the person's verifications and the
        texts they still have to accept."""
        from labkit.consent import pending
        from labkit.verification import kinds_of

        self.verifications = await kinds_of(self.person)
        self.consent_pending = await pending(self.person)

    @property
    def settings(self) -> Settings:
        """The lab's settings."""
        return self.app.state.settings

    def plugin_settings(self, slug: str) -> Any:
        """The validated ``[plugin.<slug>]`` settings (the model of the plugin's ``labkit_settings`` hook)."""
        return self.app.state.plugin_settings[slug]

    def allows(self, permission: str) -> bool:
        """Whether the acting person holds ``permission``."""
        return self.app.state.permissions.allows(self.person, permission)

    def require(self, permission: str) -> Person:
        """The acting person if they hold ``permission``; otherwise refuse (401 signed out, 403)."""
        if self.person is None:
            raise Refused(N_("Sign in to do this."), 401, kind="unauthenticated")
        if not self.allows(permission):
            raise Refused(N_("You do not have permission to do this."), 403, kind="forbidden")
        return self.person

    def require_verification(self, kind: str) -> Person:
        """The acting person if they hold a verification of ``kind`` (``"email"``, ``"staff"``,
        ``"census"``, ``"sso:<provider>"``); otherwise refuse (401 signed out, 403 ``unverified``
        with what is missing and how to get it)."""
        from labkit.verification import missing

        person = self.actor
        if self.verifications is None:
            raise RuntimeError("Context.load() must run before verifications are checked")
        if kind not in self.verifications:
            raise missing(kind)
        return person

    def require_consent(self) -> Person:
        """The acting person if they accepted the current terms and privacy notice; otherwise
        refuse (401 signed out, 403 ``consent-required``)."""
        from labkit.consent import required

        person = self.actor
        if self.consent_pending is None:
            raise RuntimeError("Context.load() must run before consent is checked")
        if self.consent_pending:
            raise required()
        return person

    @property
    def actor(self) -> Person:
        """The acting person (an action that needs no one signed in must not use this)."""
        if self.person is None:
            raise Refused(N_("Sign in to do this."), 401, kind="unauthenticated")
        return self.person

    async def emit(self, name: str, **data: Any) -> Event:
        """Announce a domain event on behalf of the acting person (see :func:`labkit.events.emit`)."""
        from labkit import events

        return await events.emit(self.app, name, self.person.id if self.person else None, **data)

    def url_for(self, name: str, **params: Any) -> str:
        """The path of the route ``name`` (``"participation:proposal"``) with ``params``."""
        return str(self.app.url_path_for(name, **params))

    def absolute_url(self, name: str, **params: Any) -> str:
        """The full address of route ``name`` at the lab's ``base_url`` (for e-mails and links shared outside)."""
        return self.settings.lab.base_url.rstrip("/") + self.url_for(name, **params)


@dataclass(frozen=True)
class Action(Generic[In, Out]):
    """One use case: ``name`` (``"<slug>.<verb>"``), the ``input`` model, the ``permission`` the
    acting person needs, and the ``handler``.

    With ``permission=None`` any signed-in person may act (``signed_in=True``, the default) or
    anyone at all (``signed_in=False``, e.g. a public registration). An action that needs someone
    signed in also needs their ``verification`` of that kind (``"email"`` by default: a confirmed
    address; ``None`` for none; see :mod:`labkit.verification`) and their acceptance of the lab's
    current terms and privacy notice (see :mod:`labkit.consent`). Object-level rules (only the
    author edits a proposal) belong in the handler, as a :class:`Refused` with status 403.
    Fields of ``input`` named like a route's path parameters (``proposal_id``) are filled from the
    path; the others from the form or the JSON body.
    """

    name: str
    handler: Callable[[Context, In], Awaitable[Out]]
    input: type[In] | None = None
    permission: str | None = None
    signed_in: bool = True
    verification: str | None = "email"
    summary: str = field(default="", compare=False)

    def check(self, context: Context) -> None:
        """Refuse (401 or 403) unless the acting person may run this action at all: their
        permission, then their verification (403 ``unverified``), then their acceptance of the
        current texts (403 ``consent-required``)."""
        if self.permission is not None:
            context.require(self.permission)
        elif self.signed_in:
            context.actor  # noqa: B018 - raises Refused(401) when nobody is signed in
        else:
            return
        if self.verification is not None:
            context.require_verification(self.verification)
        context.require_consent()

    async def run(self, context: Context, data: In) -> Out:
        """Check the permission, the verification and the consent, then run the handler."""
        if context.verifications is None or context.consent_pending is None:
            await context.load()
        self.check(context)
        return await self.handler(context, data)


class Empty(BaseModel):
    """The input of an action that takes nothing but its path (``DELETE /follow``)."""


def action(name: str, *, input: type[In] | None = None, permission: str | None = None,
           signed_in: bool = True, verification: str | None = "email") -> Callable[[Callable[[Context, In], Awaitable[Out]]], Action[In, Out]]:
    """Declare an action with a decorator on its handler::

        @action("participation.support", input=SupportIn, permission="participation.support")
        async def support(ctx: Context, data: SupportIn) -> Support: ...

    ``verification`` is the kind the acting person must hold (``"email"``, the default, for a
    confirmed address; ``"staff"``, ``"census"``, ``"sso:<provider>"``; ``None`` for none); it only
    applies when the action needs someone signed in. The handler's docstring's first line becomes
    the API route's summary.
    """

    def declare(handler: Callable[[Context, In], Awaitable[Out]]) -> Action[In, Out]:
        lines = (handler.__doc__ or "").strip().splitlines()
        return Action(name=name, handler=handler, input=input, permission=permission, signed_in=signed_in,
                      verification=verification, summary=lines[0] if lines else "")

    return declare
