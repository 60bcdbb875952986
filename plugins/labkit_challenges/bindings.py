"""Forms of the challenges pages whose page is drawn by a function rather than one template: the
team, submission and jury pages show several forms, and a refused one is shown again inside its
page (``again``). They run their action with the core's :func:`labkit.action_routes.submit`, so the
permission, the input and the refusals are handled as everywhere else; buttons are the core's
:class:`~labkit.action_routes.ActionButton`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit.action_routes import Parse, Target, enforce, submit
from labkit.actions import Action
from labkit.i18n import gettext
from labkit.web import flash, redirect, render

Message = str | Callable[[Any], str]
"""The flash message of a success: a ``N_`` text, or a function of the result giving the translated text."""
Again = Callable[[Request, "dict[str, Any] | None", "dict[str, str]", int], Awaitable[Response]]
"""Shows the form's page again: ``(request, values typed or None for a fresh form, errors, status)``."""


class Form(Route):
    """A ``POST`` that runs ``action``: on success the ``message`` is flashed and the visitor goes
    to ``success(ctx, result)``; invalid input or a rule's refusal shows the page ``again``, with
    the refusal's status (409 when the state forbids it, 403 for a submission not assigned to the
    juror, 422 for input that breaks a rule)."""

    def __init__(self, path: str, action: Action[Any, Any], *, name: str, again: Again, success: Target,
                 message: Message | None = None, parse: Parse | None = None,
                 methods: tuple[str, ...] = ("POST",)) -> None:
        self.action = action
        self._parse = parse
        self._again = again
        self._success = success
        self._message = message
        super().__init__(path, self._endpoint, methods=list(methods), name=name)

    async def _endpoint(self, request: Request) -> Response:
        context = enforce(self.action, request)
        if request.method == "GET":
            return await self._again(request, None, {}, 200)
        outcome = await submit(request, self.action, context=context, parse=self._parse)
        if not outcome.ok:
            return await self._again(request, outcome.values, outcome.errors, outcome.status)
        if self._message is not None:
            message = self._message
            flash(request, message(outcome.result) if callable(message) else gettext(message))
        return redirect(self._success(context, outcome.result))


class FormPage(Form):
    """A page whose ``GET`` shows the form (to those the action's permission allows) and whose
    ``POST`` runs the action (see :class:`Form`)."""

    def __init__(self, path: str, action: Action[Any, Any], *, name: str, again: Again, success: Target,
                 message: Message | None = None, parse: Parse | None = None) -> None:
        super().__init__(path, action, name=name, again=again, success=success, message=message, parse=parse,
                         methods=("GET", "POST"))


def page(template: str, context: Callable[[Request, dict[str, Any] | None], Awaitable[dict[str, Any]]]) -> Again:
    """Show ``template`` with ``context(request, values)`` (which gives ``values`` back, filled in
    for a fresh form) and the ``errors``."""

    async def again(request: Request, values: dict[str, Any] | None, errors: dict[str, str], status: int) -> Response:
        return render(request, template, {**await context(request, values), "errors": errors}, status=status)

    return again
