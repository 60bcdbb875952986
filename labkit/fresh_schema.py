"""A new database's tables in one step.

Tortoise applies a migration one operation at a time and, for each, rebuilds the model classes
of everything related to it (and copies the whole state first): for a new lab with every
built-in module that took ~2.3 s, most of ``labkit new``. On a database with no migration applied
yet, when every pending operation is one whose outcome is known from the final state (a table
created, dropped, given a field or options) or a data step (``RunPython``, ``RunSQL``),
:func:`create_fresh` renders the final state once, lets each ``CreateModel`` whose table still
exists at the end create it from that state (the same ``database_forward`` and schema editor as
a step-by-step run, so the same DDL, in the same order; a field added later is part of its
table from the start), then runs the data steps in order — on tables that are empty, as they
would be — and records every migration as applied, all in one transaction. Anything else (a
database already migrated, a renamed or altered field...) is left to Tortoise's executor.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy

from tortoise.connection import get_connection
from tortoise.migrations.executor import MigrationExecutor, PlanStep
from tortoise.migrations.operations import (
    AddField,
    AlterModelOptions,
    CreateModel,
    DeleteModel,
    Operation,
    RunPython,
    RunSQL,
)
from tortoise.migrations.recorder import MigrationRecorder
from tortoise.migrations.schema_generator.state import ModelState, State
from tortoise.migrations.schema_generator.state_apps import StateApps
from tortoise.transactions import in_transaction

DATA_STEPS = (RunPython, RunSQL)
"""Operations that change rows, not the schema: run after the tables exist, in plan order."""


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
            elif isinstance(operation, AddField) and (label, operation.model_name) in models:
                models[(label, operation.model_name)].fields[operation.name] = deepcopy(operation.field)  # type: ignore[arg-type]
            elif isinstance(operation, DeleteModel) and (label, operation.name) in models:
                del models[(label, operation.name)]
            elif isinstance(operation, AlterModelOptions) and (label, operation.name) in models:
                options = models[(label, operation.name)].options
                options.update(operation.options)
                for key in options.keys() - AlterModelOptions.UNMANAGED_OPTION_KEYS - operation.options.keys():
                    del options[key]
            elif not isinstance(operation, DATA_STEPS):
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
        data_steps: list[tuple[str, Operation]] = []
        for step in plan:
            migration = step.migration
            if progress is not None:
                progress("apply_start", migration.app_label, migration.name)
            for operation in migration.operations:
                if isinstance(operation, CreateModel) and (migration.app_label, operation.name) in state.models:
                    await operation.database_forward(migration.app_label, state, state, editor)
                elif isinstance(operation, DATA_STEPS):
                    data_steps.append((migration.app_label, operation))
            await recorder.record_applied(migration.app_label, migration.name)
            if progress is not None:
                progress("apply_done", migration.app_label, migration.name)
        for label, operation in data_steps:
            await operation.database_forward(label, state, state, editor)
    return True
