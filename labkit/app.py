"""``create_app``: one lab's settings and plugins turned into a Starlette application."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute, Mount
from tortoise.contrib.starlette import RegisterTortoise
from tortoise.exceptions import DBConnectionError, OperationalError

from labkit import db, errors, i18n, images, maps, outbox, references, runtime, sso, storage, templating, throttle
from labkit.auth import AuthMiddleware, PermissionRegistry
from labkit.config import Settings, load_settings
from labkit.plugins import CORE, Plugins, await_me_maybe, conventional_routes
from labkit.security import RequestGuardMiddleware, SecurityHeadersMiddleware, content_security_policy
from labkit.views import core_api_routes, core_routes


def plugin_routes(plugins: Plugins) -> list[BaseRoute]:
    """Each plugin's pages under ``/<slug>/`` and its API under ``/api/v1/<slug>/``."""
    mounts: list[BaseRoute] = []
    for hook, attribute, prefix, name in (("labkit_api_routes", "api", "/api/v1/", "api-"),
                                          ("labkit_routes", "pages", "/", "")):
        for slug, routes in plugins.declared(hook, conventional_routes(attribute)):
            if slug != CORE and routes:
                mounts.append(Mount(prefix + slug, routes=list(routes), name=name + slug))
    return mounts


def create_app(settings: Settings | None = None, plugins: Plugins | None = None) -> Starlette:
    """Build the web app of the lab described by ``settings`` (default: :func:`load_settings`)."""
    settings = settings or load_settings()
    plugins = plugins or Plugins(settings)
    catalogs = i18n.load_catalogs(templating.locale_dirs(settings, plugins))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime.tune_garbage_collection()
        db.ensure_sqlite_folder(settings)
        async with RegisterTortoise(app, config=db.tortoise_config(settings, plugins)):
            for _slug, result in plugins.results("labkit_startup", app=app):
                await await_me_maybe(result)
            hourly = asyncio.create_task(_housekeeping_hourly(app))
            postman = outbox.Worker(settings, catalogs)
            if settings.mail.worker:
                postman.start()
            yield
            hourly.cancel()
            await postman.stop()
            for _slug, result in plugins.results("labkit_shutdown", app=app):
                await await_me_maybe(result)
            await app.state.storage.close()

    routes = [
        *core_api_routes(),
        *plugin_routes(plugins),
        Mount("/static", app=templating.LayeredStaticFiles(templating.static_dirs(settings, plugins)), name="static"),
        *core_routes(),
    ]
    middleware = [
        Middleware(SecurityHeadersMiddleware, csp=content_security_policy(maps.image_sources(settings), sso.origins(settings)),
                   https_only=settings.https),
        Middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie="labkit_session",
                   max_age=settings.security.session_max_age, same_site="lax",
                   https_only=settings.https),
        Middleware(AuthMiddleware),
        Middleware(i18n.LocaleMiddleware, languages=settings.lab.languages,
                   default=settings.lab.default_language, timezone=settings.lab.timezone, catalogs=catalogs),
        Middleware(RequestGuardMiddleware, max_body_bytes=settings.security.max_body_bytes,
                   respond=errors.error_response),
        Middleware(images.LabLogoMiddleware),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={
            HTTPException: errors.http_exception,
            DBConnectionError: errors.database_unavailable,
            storage.StorageError: errors.storage_unavailable,
            **{error: errors.database_unavailable for error in db.CONNECTION_ERRORS},
            OverflowError: errors.database_rejected_value,
            RecursionError: errors.too_deep,
            OperationalError: errors.database_rejected_value,
            Exception: errors.server_error,
        },
    )
    app.state.settings = settings
    app.state.plugins = plugins
    app.state.catalogs = catalogs
    app.state.plugin_settings = plugins.settings_models
    app.state.templates = templating.build_templates(settings, plugins)
    app.state.permissions = PermissionRegistry(plugins.results("labkit_permissions"))
    app.state.references = references.collect(plugins.results("labkit_references"))
    app.state.sso = sso.providers(settings)
    app.state.storage = storage.open_storage(settings)
    return app


async def housekeeping(app: Starlette) -> None:
    """Forget what is no longer needed: old rate-limit events, then each plugin's own
    (``labkit_housekeeping``). A failure is logged and the next part still runs."""
    try:
        await throttle.purge()
    except Exception:  # a database hiccup must not stop the plugins' housekeeping
        errors.log.exception("could not purge old rate-limit events")
    for slug, function in app.state.plugins.implementations("labkit_housekeeping"):
        try:
            await await_me_maybe(function(app=app))
        except Exception:
            errors.log.exception("the housekeeping of plugin %s failed", slug)


async def _housekeeping_hourly(app: Starlette) -> None:
    """Run :func:`housekeeping` now and then every hour (each worker does it; it is idempotent)."""
    while True:
        await housekeeping(app)
        await asyncio.sleep(3600)


def app_from_environment() -> Starlette:
    """The app of the lab named by ``LABKIT_LAB_DIR`` (for ``uvicorn --factory`` workers)."""
    return create_app(load_settings())
