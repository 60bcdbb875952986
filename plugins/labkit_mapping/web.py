"""What the mapping pages and API share to run an action from a request: the form's input and
the refusal turned into a problem document (or an error page)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from labkit.action_routes import context_of
from labkit.actions import Action, Refused
from labkit.i18n import gettext
from labkit.web import Problem

from labkit_mapping.actions import PossibleDuplicates


def problem(refusal: Refused) -> Problem:
    """The problem of ``refusal``; possible duplicates are listed one by one, each with its field."""
    if isinstance(refusal, PossibleDuplicates):
        errors = [{"field": "website" if d.reason == "website" else "name",
                   "message": gettext("Looks like \"%(name)s\" (/mapping/organisations/%(id)s).",
                                      name=d.organisation.name, id=d.organisation.id)}
                  for d in refusal.duplicates]
    else:
        errors = [{"field": name, "message": text} for name, text in refusal.field_errors().items()]
    return Problem(refusal.status, refusal.text(), errors=errors, kind=refusal.kind)


async def perform(request: Request, action: Action[Any, Any], data: Any) -> Any:
    """Run ``action`` for the person making ``request``; a refusal becomes its :func:`problem`."""
    try:
        return await action.run(context_of(request), data)
    except Refused as refusal:
        raise problem(refusal) from None

