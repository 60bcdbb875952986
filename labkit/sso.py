"""Single sign-on with OpenID Connect providers (gov.br, Autenticação.gov, Keycloak, Azure AD…).

Each ``[[sso.providers]]`` of ``lab.toml`` becomes an Authlib client. Authlib runs the
authorization code flow: it reads the provider's discovery document, sends a PKCE challenge
(S256), a ``state`` and a ``nonce`` kept in the visitor's session, and checks on return the
state (once: it is removed from the session whatever happens), the ID token's signature against
the provider's published keys, its issuer, audience, expiry and nonce. This module adds what
Authlib leaves to the application: the discovery document must name the configured issuer, the
``iss`` parameter of the answer (RFC 9207) must be that issuer too, and the claims lead to a person:

1. the identity (provider, subject) seen before: its person;
2. else an account with the same e-mail, which the provider says it verified: linked to it;
3. else a new account (without a password; "Forgot your password?" gives it one).

An e-mail the provider did not verify never links nor creates anything: anyone could claim it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
from starlette.requests import Request
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from labkit import verification
from labkit.config import Settings, SsoProvider
from labkit.i18n import gettext
from labkit.models import Person, SsoIdentity

if TYPE_CHECKING:  # Authlib is imported only by labs that declare a provider (it costs start-up time)
    from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App

log = logging.getLogger("labkit.sso")

LEEWAY_SECONDS = 60
"""How far the provider's clock may be from the lab's when the ID token's times are checked."""
TIMEOUT_SECONDS = 10

HTTP_ERRORS: tuple[type[Exception], ...] = (httpx.HTTPError,)
"""What Authlib's HTTP client raises when a provider cannot be reached or answers an error status."""
try:  # Authlib uses its httpx2 fork instead of httpx when it is installed
    import httpx2

    HTTP_ERRORS += (httpx2.HTTPError,)
except ImportError:
    pass


class SsoRefused(Exception):
    """A sign-in through a provider failed; ``message`` (translated) says why to the person."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Providers:
    """The lab's providers by name, with one Authlib client each."""

    settings: Settings
    registry: OAuth

    def get(self, name: str) -> SsoProvider | None:
        """The provider called ``name``, or ``None``."""
        return next((p for p in self.settings.sso.providers if p.name == name), None)

    def client(self, provider: SsoProvider) -> StarletteOAuth2App:
        """The Authlib client of ``provider``."""
        client: StarletteOAuth2App = self.registry.create_client(provider.name)
        return client

    def redirect_uri(self, provider: SsoProvider) -> str:
        """The address the provider sends people back to; register exactly this one there."""
        return f"{self.settings.lab.base_url.rstrip('/')}/account/sso/{provider.name}/callback"


def providers(settings: Settings) -> Providers | None:
    """An Authlib client for each provider of ``settings`` (discovery happens at first use);
    ``None`` when the lab declares none."""
    if not settings.sso.providers:
        return None
    from authlib.integrations.starlette_client import OAuth

    registry = OAuth()
    for provider in settings.sso.providers:
        registry.register(
            name=provider.name, client_id=provider.client_id, client_secret=settings.sso_client_secret(provider),
            server_metadata_url=f"{provider.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": " ".join(provider.scopes), "code_challenge_method": "S256",
                           "timeout": TIMEOUT_SECONDS},
        )
    return Providers(settings, registry)


def origins(settings: Settings) -> list[str]:
    """The origins of the providers' issuers, where their sign-in pages are (for the CSP)."""
    return sorted({"/".join(provider.issuer.split("/")[:3]) for provider in settings.sso.providers})


def _unreachable(provider: SsoProvider) -> SsoRefused:
    return SsoRefused(502, gettext("%(provider)s cannot be reached just now. Try again in a few minutes, "
                                   "or sign in with your password.", provider=provider.label))


async def checked_metadata(client: StarletteOAuth2App, provider: SsoProvider) -> dict[str, Any]:
    """The provider's discovery document, refused unless it names the configured issuer (a
    document that names another one is not that provider's, or is a mix-up attack)."""
    try:
        metadata: dict[str, Any] = await client.load_server_metadata()
    except (*HTTP_ERRORS, ValueError) as error:  # type: ignore[misc]  # a tuple built at import
        client.server_metadata = {}  # try discovery again next time
        log.warning("SSO provider %s: discovery failed: %s", provider.name, error)
        raise _unreachable(provider) from None
    if str(metadata.get("issuer", "")).rstrip("/") != provider.issuer:
        client.server_metadata = {}
        log.warning("SSO provider %s: discovery names issuer %r, lab.toml says %r",
                    provider.name, metadata.get("issuer"), provider.issuer)
        raise SsoRefused(502, gettext("%(provider)s answered as another provider; the sign-in was stopped. "
                                      "The lab's team has been told.", provider=provider.label))
    return metadata


async def authorization_redirect(providers: Providers, provider: SsoProvider, request: Request) -> Any:
    """The redirect to the provider's sign-in page (state, nonce and PKCE verifier go in the session)."""
    client = providers.client(provider)
    await checked_metadata(client, provider)
    try:
        return await client.authorize_redirect(request, providers.redirect_uri(provider))
    except HTTP_ERRORS:
        raise _unreachable(provider) from None


async def verified_claims(providers: Providers, provider: SsoProvider, request: Request) -> dict[str, Any]:
    """The ID token's claims of the answer the provider sent the browser back with, once every
    check passed; otherwise :class:`SsoRefused` saying what went wrong."""
    client = providers.client(provider)
    metadata = await checked_metadata(client, provider)
    answered_by = request.query_params.get("iss")
    if (answered_by is not None or metadata.get("authorization_response_iss_parameter_supported")) \
            and (answered_by or "").rstrip("/") != provider.issuer:
        log.warning("SSO provider %s: answer names issuer %r", provider.name, answered_by)
        raise SsoRefused(400, gettext("This answer does not come from %(provider)s; the sign-in was stopped.",
                                      provider=provider.label))
    from authlib.integrations.starlette_client import OAuthError
    from joserfc.errors import JoseError

    try:
        token = await client.authorize_access_token(request, leeway=LEEWAY_SECONDS)
    except OAuthError as error:
        log.info("SSO provider %s refused or the state did not match: %s", provider.name, error)
        if error.error == "mismatching_state":
            raise SsoRefused(400, gettext("This sign-in was not started here, or it was already used. "
                                          "Start again from the sign-in page.")) from None
        raise SsoRefused(400, gettext("%(provider)s did not accept this sign-in (it may have been used "
                                      "already). Start again from the sign-in page.", provider=provider.label)) from None
    except JoseError as error:
        log.warning("SSO provider %s: ID token refused: %r", provider.name, error)
        raise SsoRefused(400, gettext("The answer of %(provider)s could not be trusted (it is expired or not "
                                      "signed for this lab); the sign-in was stopped.", provider=provider.label)) from None
    except HTTP_ERRORS:
        raise _unreachable(provider) from None
    claims = dict(token.get("userinfo") or {})
    if not claims.get("sub"):
        raise SsoRefused(400, gettext("%(provider)s did not say who you are; the sign-in was stopped.",
                                      provider=provider.label))
    if "email" not in claims and metadata.get("userinfo_endpoint"):
        claims.update(await _userinfo(client, provider, token, claims["sub"]))
    return claims


async def _userinfo(client: StarletteOAuth2App, provider: SsoProvider, token: dict[str, Any], subject: str) -> dict[str, Any]:
    """The e-mail and name claims from the provider's userinfo endpoint (many providers keep them
    out of the ID token), which must be about the ID token's subject."""
    try:
        userinfo = dict(await client.userinfo(token=token))
    except HTTP_ERRORS:
        raise _unreachable(provider) from None
    if userinfo.get("sub") != subject:
        raise SsoRefused(400, gettext("%(provider)s did not say who you are; the sign-in was stopped.",
                                      provider=provider.label))
    return {key: userinfo[key] for key in ("email", "email_verified", "name") if key in userinfo}


async def person_for(provider: SsoProvider, claims: dict[str, Any], locale: str | None) -> Person:
    """The person the verified ``claims`` stand for: linked before, linked now by a verified
    e-mail, or created. Refused (:class:`SsoRefused`) for a blocked or deleted account, and
    when the provider did not verify the e-mail of a new link."""
    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified") in (True, "true") and "@" in email
    async with in_transaction():
        identity = await SsoIdentity.get_or_none(provider=provider.name, subject=str(claims["sub"])).select_related("person")
        if identity is not None:
            person = _active(identity.person)
            identity.last_used_at = datetime.now(UTC)
            await identity.save(update_fields=["last_used_at"])
        else:
            if not verified:
                raise SsoRefused(403, gettext(
                    "%(provider)s did not confirm your e-mail address, so the lab cannot tell which account is "
                    "yours. Confirm it there, or sign in with your password.", provider=provider.label))
            person = await _account_for(email, claims, locale)
            try:
                await SsoIdentity.create(provider=provider.name, subject=str(claims["sub"]), person=person,
                                         email=email, last_used_at=datetime.now(UTC))
            except IntegrityError:  # the same identity, linked a moment ago by a parallel sign-in
                raise SsoRefused(409, gettext("This sign-in is already being handled. Try again.")) from None
    if verified and email == person.email:
        await email_verified_by(person, provider)
    return person


async def _account_for(email: str, claims: dict[str, Any], locale: str | None) -> Person:
    """The account with ``email`` (verified by the provider), or a new one without a password.

    An existing account whose address was never confirmed may have been registered by somebody
    else with this address: its password is cleared and its sessions end before it is linked, so
    the provider's verified owner gets it alone (they can choose a password with a reset link).
    """
    person = await Person.get_or_none(email=email)
    if person is not None:
        _active(person)
        if "email" not in await verification.kinds_of(person):
            person.password_hash = ""
            person.session_version += 1
            await person.save(update_fields=["password_hash", "session_version"])
        return person
    name = str(claims.get("name") or email.split("@")[0]).strip()[:120] or email.split("@")[0]
    try:
        return await Person.create(email=email, name=name, password_hash="", locale=locale)
    except IntegrityError:  # created a moment ago by a parallel sign-in or registration
        return _active(await Person.get(email=email))


def _active(person: Person) -> Person:
    if not person.is_active:
        raise SsoRefused(403, gettext("This account is blocked or was deleted. Ask the lab's team."))
    return person


async def email_verified_by(person: Person, provider: SsoProvider) -> None:
    """Record that ``provider`` vouched for ``person``'s current e-mail address: the person holds
    the verifications ``email`` and ``sso:<provider>`` (see :mod:`labkit.verification`)."""
    await verification.grant(person, "email", detail=f"sso:{provider.name}")
    await verification.grant(person, f"sso:{provider.name}")
    log.info("person %s: e-mail address verified by SSO provider %s", person.id, provider.name)
