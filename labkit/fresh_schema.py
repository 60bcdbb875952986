"""A new database's tables in one step.

Tortoise applies a migration one operation at a time and, for each, rebuilds the model classes
of everything related to it (and copies the whole state first): for a new lab with every
built-in module that took ~2.3 s, most of ``labkit new``. On a database with no migration applied
yet, when every pending operation is one whose outcome is known from the final state (a table
created, dropped, given a field or options, a field altered) or a data step declared as touching only rows that
already exist (:class:`ForExistingRows`, :class:`SQLForExistingRows`: nothing to do on a new
database), a field changed in the state only (:class:`AlterFieldInState`) or SQL that finishes
the tables (:class:`SchemaSQL`), :func:`create_fresh` renders the final state once, lets each
``CreateModel`` whose table still exists at the end create it from that state (the same
``database_forward`` and schema editor as a step-by-step run, so the same DDL, in the same order;
a field added later is part of its table from the start), runs each ``SchemaSQL`` after them and
records every migration as applied, all in one transaction. Anything else (a database already migrated, a plain ``RunPython`` that may insert
rows, a renamed field...) is left to Tortoise's executor, one migration at a time.
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
    """A ``RunSQL`` that only changes rows already stored (see :class:`ForExistingRows`)."""


class AlterFieldInState(AlterField):
    """An ``AlterField`` that changes the models' state only: the migration changes the database
    itself, with a :class:`SchemaSQL` beside it. For a change Tortoise would make wrongly on
    SQLite, where altering a column rebuilds the table without its indexes (dropping a field's
    ``db_index`` is ``SchemaSQL(['DROP INDEX IF EXISTS "<its name>"'])``)."""

    async def database_forward(self, app_label: str, old_state: State, new_state: State,
                               state_editor: BaseSchemaEditor | None = None) -> None:
        return None

    async def database_backward(self, app_label: str, old_state: State, new_state: State,
                                state_editor: BaseSchemaEditor | None = None) -> None:
        return None


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
