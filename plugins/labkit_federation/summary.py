"""The totals of every region, kept up to date as figures are stored (:class:`RegionTotal`).

A hub's pages, its API and its publication ask for national and regional totals on every view;
adding up every lab's rows each time costs seconds at national scale. Instead, each ingest
changes the summary by what it changed (:func:`apply`, in the ingest's own transaction): for each
(lab, period, indicator) whose own total row changed, the old contribution is taken away from its
region path's row and the new one added, with one ``INSERT … ON CONFLICT DO UPDATE`` per row
(PostgreSQL and SQLite alike), in key order so that concurrent ingests never deadlock.

A change that moves labs between regions (a registry edit or import) recomputes the whole summary
from the observations (:func:`rebuild`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from tortoise.transactions import in_transaction

from labkit.indicator_format import ALL

from labkit_federation.models import Observation, RegionTotal, Revision

ANY = "*"
"""The pseudo-indicator counting the labs with any total in a period."""

Key = tuple[str, str, str]
"""(period, region path, indicator)."""


def contribution(value: int | None, suppressed: bool) -> tuple[int, int, int]:
    """What one lab's total adds to its region: (value, labs, suppressed)."""
    if suppressed or value is None:
        return 0, 0, 1
    return value, 1, 0


class Changes:
    """The differences one ingest makes to the summary, applied at the end by :func:`apply`."""

    def __init__(self) -> None:
        self.deltas: dict[Key, Counter[str]] = {}

    def _add(self, key: Key, value: int, labs: int, suppressed: int, sign: int) -> None:
        delta = self.deltas.setdefault(key, Counter())
        delta["value"] += sign * value
        delta["labs"] += sign * labs
        delta["suppressed"] += sign * suppressed

    def replace(self, period: str, region_path: str, old: dict[str, tuple[int | None, bool]],
                new: dict[str, tuple[int | None, bool]]) -> None:
        """A lab's totals of ``period`` (indicator → (value, suppressed)) went from ``old`` to ``new``."""
        for indicator in sorted(set(old) | set(new)):
            if old.get(indicator) == new.get(indicator):
                continue
            if indicator in old:
                self._add((period, region_path, indicator), *contribution(*old[indicator]), sign=-1)
            if indicator in new:
                self._add((period, region_path, indicator), *contribution(*new[indicator]), sign=1)
        if bool(old) != bool(new):
            self._add((period, region_path, ANY), 0, 1, 0, sign=1 if new else -1)


def totals_of(rows: Iterable[Any]) -> dict[str, tuple[int | None, bool]]:
    """A slice's own totals (module and kind ``_T``): indicator → (value, suppressed)."""
    return {row.indicator: (row.value, row.suppressed) for row in rows if row.module == ALL and row.kind == ALL}


def _marks(count: int) -> str:
    postgres = RegionTotal._meta.db.capabilities.dialect == "postgres"
    return ", ".join(f"${n}" if postgres else "?" for n in range(1, count + 1))


async def bump() -> None:
    """Count one more change of the stored figures (:class:`Revision`), in the current transaction."""
    table = Revision._meta.db_table
    await Revision._meta.db.execute_query(
        f'INSERT INTO "{table}" ("id", "number") VALUES ({_marks(2)}) '
        f'ON CONFLICT ("id") DO UPDATE SET "number" = "{table}"."number" + 1', [1, 1])


async def revision() -> int:
    """How many times the stored figures changed (the key of anything built from them)."""
    found = await Revision.get_or_none(id=1)
    return found.number if found else 0


async def apply(changes: Changes) -> None:
    """Add ``changes`` to the summary (call it inside the ingest's transaction)."""
    connection = RegionTotal._meta.db
    marks = _marks(6)
    table = RegionTotal._meta.db_table
    sql = (f'INSERT INTO "{table}" ("period", "region_path", "indicator", "value", "labs", "suppressed") '
           f'VALUES ({marks}) ON CONFLICT ("period", "region_path", "indicator") DO UPDATE SET '
           f'"value" = "{table}"."value" + excluded."value", "labs" = "{table}"."labs" + excluded."labs", '
           f'"suppressed" = "{table}"."suppressed" + excluded."suppressed"')
    rows = [[*key, delta["value"], delta["labs"], delta["suppressed"]]
            for key, delta in sorted(changes.deltas.items()) if any(delta.values())]
    if rows:
        await connection.execute_many(sql, rows)


async def rebuild() -> None:
    """Recompute the whole summary from the stored observations (after labs changed region)."""
    async with in_transaction():
        await RegionTotal.all().delete()
        changes = Changes()
        rows = await Observation.filter(module=ALL, kind=ALL).values_list(
            "member_id", "member__region_path", "period", "indicator", "value", "suppressed")
        by_slice: dict[tuple[int, str, str], dict[str, tuple[int | None, bool]]] = {}
        for member_id, region_path, period, indicator, value, suppressed in rows:
            by_slice.setdefault((member_id, period, region_path or ""), {})[indicator] = (value, suppressed)
        for (_member, period, region_path), totals in by_slice.items():
            changes.replace(period, region_path, {}, totals)
        await apply(changes)
        await bump()
