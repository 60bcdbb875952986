"""Single sign-on pages: the "Sign in with …" button starts the flow, the provider sends the browser back."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit import auth, consent, sso
from labkit.config import SsoProvider
from labkit.i18n import gettext
from labkit.web import Problem, flash, redirect, render, safe_next

NEXT_KEY = "sso_next"
"""Where the person goes after signing in, kept in the session during the flow."""


def _provider(request: Request) -> SsoProvider:
    providers = request.app.state.sso
    provider = providers.get(request.path_params["provider"]) if providers is not None else None
    if provider is None:
        raise Problem(404, gettext("This lab has no such sign-in provider."))
    return provider


def _refused(request: Request, provider: SsoProvider, refusal: sso.SsoRefused) -> Response:
    return render(request, "account/sso_error.html", {"provider": provider, "message": refusal.message},
                  status=refusal.status)


async def start(request: Request) -> Response:
    """Send the browser to the provider's sign-in page (POST with the CSRF token)."""
    provider = _provider(request)
    try:
        response = await sso.authorization_redirect(request.app.state.sso, provider, request)
    except sso.SsoRefused as refusal:
        return _refused(request, provider, refusal)
    request.session[NEXT_KEY] = safe_next(request.query_params.get("next"))
    return response


async def callback(request: Request) -> Response:
    """The provider's answer: check it, find or create the person, sign them in; a person who has
    not accepted the lab's current terms and privacy notice goes to the page that asks first."""
    provider = _provider(request)
    try:
        claims = await sso.verified_claims(request.app.state.sso, provider, request)
        person = await sso.person_for(provider, claims, request.session.get("locale"))
    except sso.SsoRefused as refusal:
        return _refused(request, provider, refusal)
    next_url = safe_next(request.session.get(NEXT_KEY))
    auth.sign_in(request, person)
    flash(request, gettext("Welcome, %(name)s! You are signed in with %(provider)s.",
                           name=person.name, provider=provider.label))
    if await consent.pending(person):  # a new account, or texts published since: accept them first
        return redirect(consent.consent_url(next_url))
    return redirect(next_url)


routes = [
    Route("/account/sso/{provider}/start", start, methods=["POST"], name="sso_start"),
    Route("/account/sso/{provider}/callback", callback, name="sso_callback"),
]
