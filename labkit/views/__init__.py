"""The core's own pages and API endpoints (plugins add theirs through hooks)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from labkit import notifications, references
from labkit.views import accounts, admin, api, home, legal, media, outbox, sso, tokens, verification, verification_admin


def core_routes() -> list[BaseRoute]:
    """The core's pages: home, language, accounts, verifications, single sign-on, tokens,
    administration, the outbox, the terms and privacy notice, the images and the lab's logo."""
    return [*home.routes, *accounts.routes, *verification.routes, *sso.routes, *tokens.routes,
            *notifications.routes, *admin.routes, *verification_admin.routes, *outbox.routes, *legal.routes,
            *media.routes]


def core_api_routes() -> list[BaseRoute]:
    """The core's JSON API under ``/api/v1/``."""
    return [*api.routes, *references.routes]
