"""How the challenges pages run an action: a button, a form page, a form shown on another page.

These are :class:`labkit.action_routes.ActionButton` and :class:`~labkit.action_routes.ActionPage`
with the two rules this plugin's pages have always followed (and its tests and the authorisation
matrix pin down):

- only a refusal about the visitor or the record — kinds ``unauthenticated``, ``forbidden``,
  ``not-found`` (``ctx.require``, :func:`labkit.actions.not_found`) — becomes an error page; a
  rule's refusal (kind ``rule``, :func:`labkit_challenges.rules.refused`) is said on the page,
  whatever its status ("Only a team lead can remove members." is a 403 flashed on the team page);
- a form shown again keeps the refusal's status: 409 when the state forbids it ("This team is
  full"), 403 for a submission not assigned to the juror, 422 for input that breaks a rule.

The permission declared on the action is checked first, as by the core's bindings.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit.action_routes import context_of
from labkit.actions import Action, Context, Refused
from labkit.i18n import gettext
from labkit.web import Problem, flash, form_values, redirect, render, validate_form

PROBLEM_KINDS = frozenset({"unauthenticated", "forbidden", "not-found"})

Target = Callable[[Context, Any], str]
"""Where the visitor goes after the action: ``(ctx, result or path parameters) -> path``."""
Message = str | Callable[[Any], str]
"""The flash message of a success: a ``N_`` text, or a function of the result giving the translated text."""
Parse = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns a form's fields into the action's input (fields named differently from the model's)."""
Again = Callable[[Request, "dict[str, Any] | None", "dict[str, str]", int], Awaitable[Response]]
"""Shows the form's page again: ``(request, values typed or None for a fresh form, errors, status)``."""


@dataclass
class Outcome:
    """What running an action for a submitted form gave: its result, or the messages and the status."""

    context: Context
    values: dict[str, Any]
    result: Any = None
    errors: dict[str, str] | None = None
    status: int = 200


def _problem(refusal: Refused) -> Problem:
    return Problem(refusal.status, refusal.text(), kind=refusal.kind)


def checked(action: Action[Any, Any], request: Request) -> Context:
    """The request's context once the action's permission is checked (401/403 error otherwise)."""
    context = context_of(request)
    try:
        action.check(context)
    except Refused as refusal:
        raise _problem(refusal) from None
    return context


async def attempt(action: Action[Any, Any], request: Request, parse: Parse | None = None) -> Outcome:
    """Check the permission, validate the form (``parse``d, with the path parameters) and run the action."""
    context = checked(action, request)
    values = await form_values(request, action.input)
    data = None
    if action.input is not None:
        form = validate_form(action.input, parse(values) if parse else values, dict(request.path_params))
        if not form.ok:
            return Outcome(context, values, errors=form.errors or {}, status=422)
        data = form.data
    try:
        result = await action.handler(context, data)
    except Refused as refusal:
        if refusal.kind in PROBLEM_KINDS:
            raise _problem(refusal) from None
        return Outcome(context, values, errors=refusal.field_errors() or {"__all__": refusal.text()},
                       status=refusal.status)
    return Outcome(context, values, result=result)


def _say(request: Request, message: Message | None, result: Any) -> None:
    if message is not None:
        flash(request, message(result) if callable(message) else gettext(message))


class Form(Route):
    """A ``POST`` that runs ``action``: on success the ``message`` is flashed and the visitor goes
    to ``success(ctx, result)``; invalid input or a rule's refusal shows the page ``again``."""

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
        outcome = await attempt(self.action, request, self._parse)
        if outcome.errors is not None:
            return await self._again(request, outcome.values, outcome.errors, outcome.status)
        _say(request, self._message, outcome.result)
        return redirect(self._success(outcome.context, outcome.result))


class FormPage(Form):
    """A page whose ``GET`` shows the form (to those the action's permission allows) and whose
    ``POST`` runs the action (see :class:`Form`)."""

    def __init__(self, path: str, action: Action[Any, Any], *, name: str, again: Again, success: Target,
                 message: Message | None = None, parse: Parse | None = None) -> None:
        super().__init__(path, action, name=name, again=again, success=success, message=message, parse=parse,
                         methods=("GET", "POST"))

    async def _endpoint(self, request: Request) -> Response:
        if request.method == "GET":
            checked(self.action, request)
            return await self._again(request, None, {}, 200)
        return await super()._endpoint(request)


def page(template: str, context: Callable[[Request, dict[str, Any] | None], Awaitable[dict[str, Any]]]) -> Again:
    """Show ``template`` with ``context(request, values)`` (which gives ``values`` back, filled in
    for a fresh form) and the ``errors``."""

    async def again(request: Request, values: dict[str, Any] | None, errors: dict[str, str], status: int) -> Response:
        return render(request, template, {**await context(request, values), "errors": errors}, status=status)

    return again


class Button(Route):
    """A ``POST`` from a button or a small form that runs an action and redirects.

    ``action`` is one :class:`~labkit.actions.Action`, or a mapping from a choice — the path's
    ``action`` parameter, else the form's ``action`` field — to an action (``""`` for the rest).
    On success ``message`` (or ``message[choice]``) is flashed and the visitor goes to
    ``success(ctx, result)``, else ``back``; invalid input or a rule's refusal is flashed as an
    error and the visitor goes ``back(ctx, path parameters)``.
    """

    def __init__(self, path: str, action: Action[Any, Any] | Mapping[str, Action[Any, Any]], *, name: str,
                 back: Target, success: Target | None = None,
                 message: Message | Mapping[str, Message] | None = None) -> None:
        self.actions = action if isinstance(action, Mapping) else {"": action}
        self._back = back
        self._success = success
        self._message = message
        super().__init__(path, self._endpoint, methods=["POST"], name=name)

    async def _endpoint(self, request: Request) -> Response:
        form = await request.form()
        choice = str(request.path_params.get("action") or form.get("action", ""))
        if choice not in self.actions:
            choice = ""
        outcome = await attempt(self.actions[choice], request)
        back = self._back(outcome.context, dict(request.path_params))
        if outcome.errors is not None:
            flash(request, next(iter(outcome.errors.values())), "error")
            return redirect(back)
        message = self._message.get(choice) if isinstance(self._message, Mapping) else self._message
        _say(request, message, outcome.result)
        return redirect(self._success(outcome.context, outcome.result) if self._success else back)
