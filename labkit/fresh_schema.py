"""A new database's tables in one step.

Tortoise applies a migration one operation at a time and, for each, rebuilds the model classes
of everything related to it (and copies the whole state first): for a new lab with every
built-in module that took ~2.3 s, most of ``labkit new``. On a database with no migration applied
yet, when every pending operation is one whose outcome is known from the final state (a table
created, dropped, given or stripped of a field, given options, a field altered), a step that only
changes what already exists (:class:`ForExistingRows`, :class:`SQLForExistingRows`: nothing to
do on a new database) or SQL that finishes the tables (:class:`SchemaSQL`), :func:`create_fresh`
renders the final state once, lets each ``CreateModel`` whose table still exists at the end
create it from that state (the same ``database_forward`` and schema editor as a step-by-step run,
so the same DDL, in the same order; a field added later is part of its table from the start),
runs each ``SchemaSQL`` after them and records every migration as applied, all in one
transaction. Anything else (a database already migrated, a plain ``RunPython`` that may insert
rows, a renamed field...) is left to Tortoise's executor, one migration at a time.

A field altered or removed in the state only (:class:`AlterFieldInState`,
:class:`RemoveFieldInState`) lets a migration change an existing table by hand where Tortoise
would rebuild a SQLite table without its indexes.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy

from tortoise.connection import get_connection
from tortoise.migrations.executor import MigrationExecutor, PlanStep
from tortoise.migrations.operations import (
    AddField,
    AlterField,
    AlterModelOptions,
    CreateModel,
    DeleteModel,
    RemoveField,
    RunPython,
    RunSQL,
)
from tortoise.migrations.recorder import MigrationRecorder
from tortoise.migrations.schema_editor.base import BaseSchemaEditor
from tortoise.migrations.schema_generator.state import ModelState, State
from tortoise.migrations.schema_generator.state_apps import StateApps
from tortoise.transactions import in_transaction


class ForExistingRows(RunPython):
    """A ``RunPython`` that only changes rows already stored (fills a new table from old ones,
    marks existing accounts): a new database has none, so the one-step path skips it."""


class SQLForExistingRows(RunSQL):
    """A ``RunSQL`` that only changes what an older migration made: rows already stored (see
    :class:`ForExistingRows`), or its tables (an index made again, a column dropped) when a new
    database's tables, made from the final state, are already right."""


class _InStateOnly:
    """Changes the models' state only: the migration changes the tables itself."""

    async def database_forward(self, app_label: str, old_state: State, new_state: State,
                               state_editor: BaseSchemaEditor | None = None) -> None:
        return None

    async def database_backward(self, app_label: str, old_state: State, new_state: State,
                                state_editor: BaseSchemaEditor | None = None) -> None:
        return None


class AlterFieldInState(_InStateOnly, AlterField):
    """An ``AlterField`` that changes the models' state only: the migration changes the tables
    itself, with a :class:`SQLForExistingRows` beside it. For a change Tortoise would make wrongly
    on SQLite, where altering a column rebuilds the table without its indexes (dropping a field's
    ``db_index`` is ``SQLForExistingRows(['DROP INDEX IF EXISTS "<its name>"'])``)."""


class RemoveFieldInState(_InStateOnly, RemoveField):
    """A ``RemoveField`` that changes the models' state only (see :class:`AlterFieldInState`): on
    SQLite, Tortoise's own rebuilds the table without its indexes; the migration drops the column
    with ``SQLForExistingRows(['ALTER TABLE "<table>" DROP COLUMN "<column>"'])``."""


class SchemaSQL(RunSQL):
    """SQL that finishes the tables of a model, on every database or only on ``dialect``
    (``"postgres"``, ``"sqlite"``): what a model cannot say, such as a foreign key PostgreSQL should
    not check. Both paths run it, step by step in its place and the one-step path after its tables,
    so write it to be harmless where there is nothing to do (``IF EXISTS``)."""

    def __init__(self, sql: list[str], *, dialect: str | None = None) -> None:
        super().__init__(sql)
        self.dialect = dialect

    async def database_forward(self, app_label: str, old_state: State, new_state: State,
                               state_editor: BaseSchemaEditor | None = None) -> None:
        if state_editor and self.dialect in (None, state_editor.client.capabilities.dialect):
            await super().database_forward(app_label, old_state, new_state, state_editor)


NOTHING_TO_DO_WHEN_NEW = (ForExistingRows, SQLForExistingRows)


def _final_state(plan: list[PlanStep], apps: dict[str, dict]) -> State | None:
    """The state after every step of ``plan``, built in one pass (``None`` when a step is one this
    shortcut does not know: the executor takes over)."""
    models: dict[tuple[str, str], ModelState] = {}
    for step in plan:
        if step.backward:
            return None
        label = step.migration.app_label
        for operation in step.migration.operations:
            if isinstance(operation, CreateModel):
                models[(label, operation.name)] = ModelState.make_from_model(label, operation.model)
            elif isinstance(operation, AddField | AlterField) and (label, operation.model_name) in models:
                models[(label, operation.model_name)].fields[operation.name] = deepcopy(operation.field)  # type: ignore[arg-type]
            elif isinstance(operation, RemoveField) and (label, operation.model_name) in models:
                del models[(label, operation.model_name)].fields[operation.name]
            elif isinstance(operation, DeleteModel) and (label, operation.name) in models:
                del models[(label, operation.name)]
            elif isinstance(operation, AlterModelOptions) and (label, operation.name) in models:
                options = models[(label, operation.name)].options
                options.update(operation.options)
                for key in options.keys() - AlterModelOptions.UNMANAGED_OPTION_KEYS - operation.options.keys():
                    del options[key]
            elif not isinstance(operation, (*NOTHING_TO_DO_WHEN_NEW, SchemaSQL)):
                return None
    state = State(models=models, apps=StateApps(
        default_connections={label: config.get("default_connection", "default") for label, config in apps.items()}))
    state.reload_models(list(models))
    state.validate_relations_initialized()
    return state


async def create_fresh(apps: dict[str, dict], progress: Callable[[str, str, str], object] | None = None) -> bool:
    """Create the tables of every migration of ``apps`` (a Tortoise ``apps`` configuration, one
    connection ``default``) at once if the database has none applied and every step is one this
    shortcut knows; return whether it did (False: nothing was done, use the executor)."""
    connection = get_connection("default")
    executor = MigrationExecutor(connection, apps)
    await executor.recorder.ensure_schema(executor._schema_editor(atomic=False))
    if await executor.recorder.applied_migrations():
        return False
    plan = await executor.plan()
    state = _final_state(plan, apps) if plan else None
    if state is None:
        return False
    async with in_transaction(connection.connection_name) as client:
        editor = executor._schema_editor(atomic=True)
        editor.client = client
        recorder = MigrationRecorder(client)
        for step in plan:
            migration = step.migration
            if progress is not None:
                progress("apply_start", migration.app_label, migration.name)
            for operation in migration.operations:
                if isinstance(operation, CreateModel) and (migration.app_label, operation.name) in state.models:
                    await operation.database_forward(migration.app_label, state, state, editor)
            await recorder.record_applied(migration.app_label, migration.name)
            if progress is not None:
                progress("apply_done", migration.app_label, migration.name)
        for step in plan:  # once every table exists, whichever migration made it
            for operation in step.migration.operations:
                if isinstance(operation, SchemaSQL):
                    await operation.database_forward(step.migration.app_label, state, state, editor)
    return True
