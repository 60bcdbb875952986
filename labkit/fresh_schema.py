"""A new database's tables in one step, when every migration only creates tables.

Tortoise applies a migration one operation at a time and, for each, rebuilds the model classes
of everything related to it (and copies the whole state first): for a new lab with every
built-in module, 56 ``CreateModel`` operations took ~2.3 s, most of ``labkit new``. On a database
with no migration applied yet, when every pending operation is a ``CreateModel``, the final state
is the same whatever the order it is built in: :func:`create_fresh` renders it once, then lets
each operation create its table from it (the same ``database_forward`` and schema editor as a
step-by-step run, so the same DDL, in the same order), and records every migration as applied,
all in one transaction. Anything else (a database already migrated, an ``AddField``, a
``RunPython``...) is left to Tortoise's executor.
"""

from __future__ import annotations

from collections.abc import Callable

from tortoise.connection import get_connection
from tortoise.migrations.executor import MigrationExecutor, PlanStep
from tortoise.migrations.operations import CreateModel
from tortoise.migrations.recorder import MigrationRecorder
from tortoise.migrations.schema_generator.state import ModelState, State
from tortoise.migrations.schema_generator.state_apps import StateApps
from tortoise.transactions import in_transaction


def _only_creates_tables(plan: list[PlanStep]) -> bool:
    return bool(plan) and all(
        not step.backward and step.migration.operations
        and all(type(operation) is CreateModel for operation in step.migration.operations)
        for step in plan)


async def create_fresh(apps: dict[str, dict], progress: Callable[[str, str, str], object] | None = None) -> bool:
    """Create the tables of every migration of ``apps`` (a Tortoise ``apps`` configuration, one
    connection ``default``) at once if the database has none applied and they only create tables;
    return whether it did (False: nothing was done, use the executor)."""
    connection = get_connection("default")
    executor = MigrationExecutor(connection, apps)
    await executor.recorder.ensure_schema(executor._schema_editor(atomic=False))
    if await executor.recorder.applied_migrations():
        return False
    plan = await executor.plan()
    if not _only_creates_tables(plan):
        return False
    state = State(models={}, apps=StateApps(
        default_connections={label: config.get("default_connection", "default") for label, config in apps.items()}))
    for step in plan:
        for operation in step.migration.operations:
            assert isinstance(operation, CreateModel)  # checked by _only_creates_tables
            state.models[(step.migration.app_label, operation.name)] = ModelState.make_from_model(
                step.migration.app_label, operation.model)
    state.reload_models(list(state.models))
    state.validate_relations_initialized()
    async with in_transaction(connection.connection_name) as client:
        editor = executor._schema_editor(atomic=True)
        editor.client = client
        recorder = MigrationRecorder(client)
        for step in plan:
            migration = step.migration
            if progress is not None:
                progress("apply_start", migration.app_label, migration.name)
            for operation in migration.operations:
                await operation.database_forward(migration.app_label, state, state, editor)
            await recorder.record_applied(migration.app_label, migration.name)
            if progress is not None:
                progress("apply_done", migration.app_label, migration.name)
    return True
