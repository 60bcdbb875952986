"""The database: Tortoise configuration built from the plugins' models, and migrations.

Every plugin is one Tortoise app labelled with its slug, with its own migrations package; the
core (app ``labkit``) comes first and the plugins follow in dependency order.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.connection import get_connection
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as tortoise_migrate
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.migrations.executor import MigrationExecutor

from labkit.config import Settings
from labkit.fresh_schema import create_fresh
from labkit.hooktypes import Models
from labkit.plugins import Plugins, conventional_models

log = logging.getLogger("labkit")

CONNECTION_ERRORS: tuple[type[BaseException], ...] = (OSError, ConnectionError)
"""Exceptions that mean "the database server cannot be reached" (asyncpg's are added below)."""
try:  # asyncpg is optional: only labs on PostgreSQL install it
    import asyncpg

    CONNECTION_ERRORS += (asyncpg.exceptions.CannotConnectNowError, asyncpg.exceptions.ConnectionDoesNotExistError, asyncpg.exceptions.InvalidCatalogNameError, asyncpg.exceptions.InvalidPasswordError,
                          # the server shutting down (pg_ctl stop -m fast) or crashing ends the queries in flight
                          asyncpg.exceptions.AdminShutdownError, asyncpg.exceptions.CrashShutdownError,
                          # a connection cut in the middle of a query fails again when the pool resets it
                          # ("cannot switch to state ...; another operation is in progress")
                          asyncpg.exceptions._base.InternalClientError)
except ImportError:  # pragma: no cover - depends on the installation
    pass


class DatabaseError(Exception):
    """The database cannot be used; the message says why in one line."""


def database_url(settings: Settings) -> str:
    """The Tortoise URL for the lab's database (``postgresql://`` is accepted for ``postgres://``)."""
    url = settings.database_url
    if url.startswith("postgresql://"):
        url = "postgres://" + url.removeprefix("postgresql://")
    return url


def tortoise_config(settings: Settings, plugins: Plugins) -> dict[str, Any]:
    """The Tortoise configuration: one app per plugin that has models, core first."""
    apps: dict[str, Any] = {}
    for slug, models in plugins.declared("labkit_models", conventional_models):
        if not isinstance(models, Models):
            raise DatabaseError(f"plugin {slug!r}: labkit_models must return labkit.Models")
        apps[slug] = {
            "models": list(models.modules),
            "migrations": models.migrations,
            "default_connection": "default",
        }
    return {
        "connections": {"default": database_url(settings)},
        "apps": apps,
        "use_tz": True,
        "timezone": "UTC",
    }


def ensure_sqlite_folder(settings: Settings) -> None:
    """Create the folder of a SQLite database file, so a new lab runs at once."""
    url = database_url(settings)
    if url.startswith("sqlite://") and ":memory:" not in url:
        Path(url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)


def describe_error(error: BaseException) -> str:
    """One readable line for a database failure."""
    text = str(error).strip() or type(error).__name__
    return f"the database cannot be reached: {text.splitlines()[0]}"


@asynccontextmanager
async def open_database(settings: Settings, plugins: Plugins) -> AsyncIterator[None]:
    """Open the lab's database for a command-line task (the web app uses its lifespan)."""
    ensure_sqlite_folder(settings)
    try:
        await Tortoise.init(config=tortoise_config(settings, plugins), _enable_global_fallback=True)
    except CONNECTION_ERRORS as error:
        raise DatabaseError(describe_error(error)) from None
    try:
        yield
    finally:
        await Tortoise.close_connections()


@asynccontextmanager
async def _checked_context(settings: Settings, plugins: Plugins) -> AsyncIterator[dict[str, Any]]:
    """A Tortoise context on the lab's database, proven reachable; yields the configuration."""
    ensure_sqlite_folder(settings)
    config = tortoise_config(settings, plugins)
    async with TortoiseContext() as context:
        try:
            await context.init(config=config)
            await get_connection("default").execute_query("SELECT 1")
            yield config
        except CONNECTION_ERRORS as error:
            raise DatabaseError(describe_error(error)) from None


async def migrate(
    settings: Settings, plugins: Plugins, progress: Callable[[str, str, str], object] | None = None
) -> None:
    """Apply every pending migration of the core and the enabled plugins, in dependency order.

    A migration that fails, whatever its error (SQL refused, or a plugin's own code raising), is
    rolled back and reported as one :class:`DatabaseError` naming it; the traceback goes to the
    ``labkit`` logger at debug level for the plugin's author.
    """
    current: list[str] = []

    def track(event: str, app: str, name: str) -> None:
        if event == "apply_start":
            current[:] = [f"{app}.{name}"]
        if progress is not None:
            progress(event, app, name)

    async with _checked_context(settings, plugins) as config:
        try:
            if not await create_fresh(config["apps"], track):  # a new database: all its tables at once
                await tortoise_migrate(config=config, progress=track)
        except CONNECTION_ERRORS:
            raise
        except Exception as error:  # a plugin's migration may raise anything; report it, never a traceback
            log.debug("migration %s failed", current[0] if current else "?", exc_info=error)
            where = f"migration {current[0]}" if current else "a migration"
            reason = " ".join(str(error).split()) or type(error).__name__
            raise DatabaseError(f"{where} failed and was rolled back: {reason}") from None


async def pending_migrations(settings: Settings, plugins: Plugins) -> list[str]:
    """The migrations not yet applied, as ``app.name`` strings (empty when up to date)."""
    async with _checked_context(settings, plugins) as config:
        steps = await MigrationExecutor(get_connection("default"), config["apps"]).plan()
    return [f"{step.migration.app_label}.{step.migration.name}" for step in steps if not step.backward]


async def make_migrations(settings: Settings, plugins: Plugins, slug: str) -> list[Path]:
    """Write a new migration for plugin ``slug`` from its model changes; return the files written."""
    config = tortoise_config(settings, plugins)
    if slug not in config["apps"]:
        raise DatabaseError(f"plugin {slug!r} has no models (no models.py and no labkit_models hook)")
    parent_name, _, name = config["apps"][slug]["migrations"].rpartition(".")
    parent = importlib.import_module(parent_name)
    if not hasattr(parent, "__path__"):
        raise DatabaseError(f"plugin {slug!r} must be a package to hold migrations")
    folder = Path(next(iter(parent.__path__))) / name
    folder.mkdir(exist_ok=True)
    (folder / "__init__.py").touch()
    async with TortoiseContext() as context:
        await context.init(config={**config, "connections": {"default": "sqlite://:memory:"}})
        assert context.apps is not None, "Tortoise did not register the apps"
        detector = MigrationAutodetector(context.apps, config["apps"])
        return [writer.write() for writer in await detector.changes() if writer.app_label == slug]
