"""API tokens: a person creates and revokes the tokens their machine clients use."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit import auth
from labkit.i18n import gettext
from labkit.models import ApiToken
from labkit.views.forms import TokenForm
from labkit.web import flash, read_form, redirect, render


async def tokens(request: Request) -> Response:
    """List the person's tokens and create a new one (shown once)."""
    person = auth.require_person(request)
    context: dict[str, object] = {"values": {}, "errors": {}, "new_token": None}
    status = 200
    if request.method == "POST":
        form = await read_form(request, TokenForm)
        if form.ok:
            context["new_token"] = await auth.create_token(person, form.data.name)
        else:
            context.update(values=form.values, errors=form.errors)
            status = 422
    context["tokens"] = await ApiToken.filter(person=person).order_by("-created_at")
    return render(request, "account/tokens.html", context, status=status)


async def revoke(request: Request) -> Response:
    """Revoke one of the person's own tokens."""
    person = auth.require_person(request)
    updated = await ApiToken.filter(id=request.path_params["token_id"], person=person, revoked_at=None).update(
        revoked_at=datetime.now(UTC))
    flash(request, gettext("The token is revoked.") if updated else gettext("No such token."), "info" if updated else "error")
    return redirect("/account/tokens")


routes = [
    Route("/account/tokens", tokens, methods=["GET", "POST"], name="tokens"),
    Route("/account/tokens/{token_id:int}/revoke", revoke, methods=["POST"], name="revoke_token"),
]
