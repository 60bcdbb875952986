"""Inserting and updating many rows at once, without building a model instance per row.

Building instances is most of Tortoise's ``bulk_create`` time, and its ``bulk_update`` writes one
``CASE`` per column whose SQL costs more to build than to run; a hub's harvest writes hundreds of
thousands of rows. On PostgreSQL new rows go in with ``COPY`` (asyncpg's
``copy_records_to_table``), elsewhere with Tortoise's own batched ``INSERT`` statement; updates
are one prepared ``UPDATE`` executed for every row (asyncpg pipelines them in one round trip).
Everything runs on the model's current connection: inside ``in_transaction()`` it is part of the
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise import Model
from tortoise.fields import JSONField


async def insert_many(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` into ``model``'s table.

    Each row gives a value for every column but a generated primary key (``<fk>_id`` for a
    foreign key); values are converted and checked by the fields as ``bulk_create`` does, once
    per distinct value of a column (rows repeat most of theirs).
    """
    if not rows:
        return
    connection = model._meta.db
    executor = connection.executor_class(model=model, db=connection)
    columns = [(name, model._meta.fields_map[name]) for name in executor.regular_columns]
    records = [list(row) for row in zip(*(_converted(model, field, [row[name] for row in rows])
                                          for name, field in columns))]
    if connection.capabilities.dialect == "postgres":
        await _copy(model, [field.source_field or name for name, field in columns], records)
    else:
        await connection.execute_many(executor.insert_query, records)


async def insert_records(model: type[Model], columns: Sequence[str], records: list[tuple[Any, ...]]) -> None:
    """Insert ``records``: tuples of values in the order of ``columns`` (every column of
    ``model`` but a generated primary key; ``<fk>_id`` for a foreign key).

    The fast way in for the caller that builds its values itself: on PostgreSQL they are given to
    ``COPY`` as they are, so each must already be what the column holds (``str``, ``int``,
    ``bool``, ``None``, a timezone-aware ``datetime``, a ``date``); a wrong one fails the whole
    statement. Elsewhere they are converted as :func:`insert_many` does.
    """
    if not records:
        return
    if model._meta.db.capabilities.dialect == "postgres":
        fields = model._meta.fields_map
        await _copy(model, [fields[name].source_field or name for name in columns], records)
    else:
        await insert_many(model, [dict(zip(columns, record)) for record in records])


async def update_records(model: type[Model], columns: Sequence[str], records: list[tuple[Any, ...]]) -> None:
    """Update existing rows: each record is the row's primary key, then its new values of
    ``columns`` in that order (values as :func:`insert_records` takes them)."""
    if not records:
        return
    connection = model._meta.db
    fields = model._meta.fields_map
    postgres = connection.capabilities.dialect == "postgres"
    marks = [f"${number}" if postgres else "?" for number in range(1, len(columns) + 2)]
    assignments = ", ".join(f'"{fields[name].source_field or name}" = {mark}' for name, mark in zip(columns, marks))
    sql = f'UPDATE "{model._meta.db_table}" SET {assignments} WHERE "{model._meta.db_pk_column}" = {marks[-1]}'
    rows = [[*record[1:], record[0]] for record in records]  # the key is the last parameter
    if not postgres:
        names = [*columns, model._meta.pk_attr]
        rows = [list(row) for row in zip(*(_converted(model, fields[name], [row[index] for row in rows])
                                           for index, name in enumerate(names)))]
    await connection.execute_many(sql, rows)


async def _copy(model: type[Model], columns: list[str], records: Sequence[Sequence[Any]]) -> None:
    async with model._meta.db.acquire_connection() as raw:
        await raw.copy_records_to_table(model._meta.db_table, records=records, columns=columns)


def _converted(model: type[Model], field: Any, column: list[Any]) -> list[Any]:
    """``column``'s values as the database takes them, each distinct value converted once."""
    if isinstance(field, JSONField):  # its values are not hashable
        return [field.to_db_value(raw, model) for raw in column]
    # keyed by type too: True == 1 and 1 == 1.0, but they are not converted alike
    distinct = {(type(raw), raw): raw for raw in column}
    done = {key: field.to_db_value(raw, model) for key, raw in distinct.items()}
    return [done[(type(raw), raw)] for raw in column]
