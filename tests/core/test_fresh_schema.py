"""A new database gets all its tables in one step (labkit.fresh_schema) with exactly the schema
Tortoise's step-by-step executor gives, every migration recorded; a database that already has
migrations goes step by step. On SQLite, and on PostgreSQL when LABKIT_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from pathlib import Path

from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.connection import get_connection
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as tortoise_migrate
from tortoise.migrations.executor import MigrationExecutor

from labkit import db
from labkit.config import Settings, load_settings
from labkit.fresh_schema import _final_state
from labkit.plugins import Plugins
from labkit.testing import write_lab
from labkit.testing_server import create_database, drop_database

# What SQLite knows of each table, compared as facts rather than as the CREATE TABLE text it keeps
# (a column added later is appended to that text, and Tortoise writes relation columns last).
TABLES = "FROM sqlite_master m JOIN {} p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
SQLITE_SCHEMA = [
    "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk " + TABLES.format("pragma_table_info(m.name)")
    + " ORDER BY 1, 2",
    "SELECT m.name, p.\"from\", p.\"table\", p.\"to\", p.on_update, p.on_delete "
    + TABLES.format("pragma_foreign_key_list(m.name)") + " ORDER BY 1, 2",
    "SELECT m.name, p.name, p.\"unique\", p.origin " + TABLES.format("pragma_index_list(m.name)") + " ORDER BY 1, 2",
    "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
]
POSTGRES_SCHEMA = [
    "SELECT table_name, column_name, data_type, is_nullable, column_default, character_maximum_length "
    "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2",
    "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2",
    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
]


async def database_url(tmp_path: Path, name: str) -> str:
    server = os.environ.get("LABKIT_TEST_DATABASE_URL")
    return await create_database(server, prefix="labkit_fresh") if server else f"sqlite://{tmp_path / name}.sqlite3"


def lab(tmp_path: Path, name: str, url: str) -> tuple[Settings, Plugins]:
    write_lab(tmp_path / name, ["*"], {"database": {"url": url}})
    settings = load_settings(tmp_path / name, {})
    return settings, Plugins(settings)


async def schema_and_migrations(settings: Settings, plugins: Plugins) -> tuple[list, list]:
    queries = POSTGRES_SCHEMA if settings.database_url.startswith("postgres") else SQLITE_SCHEMA
    async with TortoiseContext() as context:
        await context.init(config=db.tortoise_config(settings, plugins))
        connection = get_connection("default")
        schema = [[tuple(row) for row in (await connection.execute_query(query))[1]] for query in queries]
        applied = (await connection.execute_query("SELECT app, name FROM tortoise_migrations ORDER BY app, name"))[1]
    return schema, [tuple(row) for row in applied]


async def test_a_new_database_is_made_in_one_step_with_the_step_by_step_schema(tmp_path: Path) -> None:
    EXECUTOR_CACHE.clear()
    urls = [await database_url(tmp_path, "step"), await database_url(tmp_path, "fresh")]
    try:
        step_settings, step_plugins = lab(tmp_path, "step", urls[0])
        config = db.tortoise_config(step_settings, step_plugins)
        async with TortoiseContext() as context:  # Tortoise's own executor, one operation at a time
            await context.init(config=config)
            await tortoise_migrate(config=config)
        fresh_settings, fresh_plugins = lab(tmp_path, "fresh", urls[1])
        fresh_config = db.tortoise_config(fresh_settings, fresh_plugins)
        async with TortoiseContext() as context:  # the shortcut knows every step of today's migrations
            await context.init(config=fresh_config)
            executor = MigrationExecutor(get_connection("default"), fresh_config["apps"])
            await executor.recorder.ensure_schema(executor._schema_editor(atomic=False))
            assert _final_state(await executor.plan(), fresh_config["apps"]) is not None
        events: list[tuple[str, str, str]] = []
        await db.migrate(fresh_settings, fresh_plugins, progress=lambda *event: events.append(event))

        step_schema, step_applied = await schema_and_migrations(step_settings, step_plugins)
        fresh_schema, fresh_applied = await schema_and_migrations(fresh_settings, fresh_plugins)
        assert len(step_schema[0]) > 50
        assert fresh_schema == step_schema
        assert fresh_applied == step_applied
        assert sorted((app, name) for event, app, name in events if event == "apply_done") == step_applied
        assert await db.pending_migrations(fresh_settings, fresh_plugins) == []
    finally:
        for url in urls:
            if url.startswith("postgres"):
                await drop_database(url)


async def test_a_database_with_migrations_applied_goes_step_by_step(tmp_path: Path) -> None:
    EXECUTOR_CACHE.clear()
    url = await database_url(tmp_path, "lab")
    try:
        settings, plugins = lab(tmp_path, "lab", url)
        write_lab(tmp_path / "core", [], {"database": {"url": url}})
        core = load_settings(tmp_path / "core", {})
        await db.migrate(core, Plugins(core))  # the core alone first, as a lab that adds modules later
        events: list[tuple[str, str, str]] = []
        await db.migrate(settings, plugins, progress=lambda *event: events.append(event))
        assert ("apply_done", "mapping", "0001_initial") in events
        assert all(app != "labkit" for _event, app, _name in events), "applied migrations are not run again"
        assert await db.pending_migrations(settings, plugins) == []
    finally:
        if url.startswith("postgres"):
            await drop_database(url)
