"""Small glue between the coworking pages and its actions, for the forms the core's ``ActionPage``
and ``ActionButton`` cannot express (a preview step, a 409 page, flash-and-redirect on a conflict).

These helpers are generic; they might belong in :mod:`labkit.action_routes`.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.requests import Request

from labkit.action_routes import context_of
from labkit.actions import Action, Context, Refused
from labkit.web import FormResult, Problem, form_values, validate_form

T = TypeVar("T")


def as_problem(refusal: Refused) -> Problem:
    """The HTTP problem of a refusal (a page shows it, or sends a signed-out visitor to sign in)."""
    return Problem(refusal.status, refusal.text(), kind=refusal.kind)


async def or_problem(pending: Awaitable[T]) -> T:
    """The result of ``pending``, or its refusal as an HTTP problem."""
    try:
        return await pending
    except Refused as refusal:
        raise as_problem(refusal) from None


async def read_input(request: Request, model: type[BaseModel]) -> FormResult:
    """The submitted form validated against an action's input, with the route's path parameters."""
    return validate_form(model, await form_values(request, model), dict(request.path_params))


def enforce(request: Request, action: Action[Any, Any]) -> Context:
    """The request's context once the action's declared permission is checked (401/403 problems)."""
    context = context_of(request)
    try:
        action.check(context)
    except Refused as refusal:
        raise as_problem(refusal) from None
    return context


async def attempt(context: Context, action: Action[Any, Any], data: Any) -> tuple[Any, Refused | None]:
    """Run ``action``: ``(result, None)``, or ``(None, refusal)`` for a refusal the page shows
    itself; a 401, 403 or 404 refusal becomes the HTTP problem."""
    try:
        return await action.run(context, data), None
    except Refused as refusal:
        if refusal.status in (401, 403, 404):
            raise as_problem(refusal) from None
        return None, refusal


def require(context: Context, permission: str) -> None:
    """Raise the 401/403 problem unless the acting person holds ``permission``."""
    try:
        context.require(permission)
    except Refused as refusal:
        raise as_problem(refusal) from None
