"""How this plugin's custom pages run an action: the forms that sit on another page (a comment
under a proposal, staff's answer, a meeting's record, a survey's answers), which re-render that
page with the messages. Forms with a page of their own use the core's ``ActionPage`` and
``ActionButton`` directly (``routes.py``).

``submit`` might belong in the core, beside ``ActionPage`` (a form posted to a route that has no
``GET`` of its own).
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.requests import Request

from labkit.action_routes import context_of
from labkit.actions import Action, Context, Refused
from labkit.web import Problem, form_values, validate_form

T = TypeVar("T")


def problem(refusal: Refused) -> Problem:
    """The refusal as the HTTP error a page answers (404, 403...)."""
    return Problem(refusal.status, refusal.text(), kind=refusal.kind)


async def found(awaitable: Awaitable[T]) -> T:
    """The record ``awaitable`` loads, or the page's 404 when a rule refused it."""
    try:
        return await awaitable
    except Refused as refusal:
        raise problem(refusal) from None


@dataclass
class Outcome:
    """What came of a submitted form: the action's ``result``, or the ``values`` typed with the
    ``errors`` to show (``{field: message}``, ``__all__`` for the whole form) and the ``refusal``."""

    values: dict[str, Any]
    result: Any = None
    errors: dict[str, str] = field(default_factory=dict)
    refusal: Refused | None = None

    @property
    def ok(self) -> bool:
        """Whether the action ran."""
        return not self.errors


def enforce(request: Request, action: Action[Any, Any]) -> Context:
    """The visitor's context, once they may run ``action`` at all (else the core's 401/403)."""
    context = context_of(request)
    try:
        action.check(context)
    except Refused as refusal:
        raise problem(refusal) from None
    return context


async def submit(request: Request, action: Action[Any, Any], values: dict[str, Any] | None = None) -> Outcome:
    """Run ``action`` with the submitted form (or ``values``) and the path's parameters.

    A signed-out visitor or one without the permission gets the core's 401/403, a refusal with
    status 401/403/404 and no field messages its HTTP error; any other refusal and invalid input
    come back as the form's errors, like ``ActionPage`` does.
    """
    context = enforce(request, action)
    if values is None:
        values = await form_values(request, action.input)
    form = validate_form(action.input, values, dict(request.path_params)) if action.input else None
    if form is not None and not form.ok:
        return Outcome(values, errors=form.errors or {})
    try:
        result = await action.handler(context, form.data if form else None)
    except Refused as refusal:
        if refusal.status in (401, 403, 404) and not refusal.errors:
            raise problem(refusal) from None
        errors = refusal.field_errors()
        if not errors or refusal.message not in refusal.errors.values():
            errors.setdefault("__all__", refusal.text())
        return Outcome(values, errors=errors, refusal=refusal)
    return Outcome(values, result=result)
