"""The harvest's queue of member fetches, shared through the database by every harvesting process.

A run's members are written as :class:`~labkit_federation.models.HarvestTask` rows when the run
starts (:func:`enqueue`). Every process that takes part — the one that started the run, a
server worker running the schedule, a second ``labkit federation harvest``, a ``labkit
federation worker`` on another machine — holds a :class:`Share` of it:

- it **takes** a few tasks at a time in one statement, ``UPDATE … WHERE id IN (SELECT … FOR
  UPDATE SKIP LOCKED) RETURNING``: concurrent takers skip each other's rows instead of waiting,
  and each task goes to one process. A task is takeable while it has no ``taken_until`` or its
  ``taken_until`` has passed, and the run has no result for its member yet;
- while it works it **keeps** its tasks, moving their ``taken_until`` forward every third of
  ``claim_seconds``; a process that dies stops doing so, and ``claim_seconds`` later its tasks
  (the members it had not stored) are taken again by the others. One that stops cleanly
  (cancelled, shut down) **gives** its unfinished tasks **back** at once;
- a task is done when the run holds a ``HarvestResult`` for its member (written by the harvest's
  writers), so a crash between storing and marking cannot lose or repeat a member;
- the run is **finished** by :func:`finish`, which locks the run's row, checks that no task is
  left without a result, writes the counts (from the results) and ``finished_at`` and deletes
  the tasks: the first process to find nothing left finishes it, exactly once.

Only PostgreSQL shares a run between processes (:func:`shared`). A SQLite hub runs the same
queue in one process (SQLite has one writer; a second process is refused by the harvest lease).
Expiry times are the processes' clocks, as for :mod:`labkit.leases`: keep the machines' clocks
synchronised (NTP).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from labkit import leases
from labkit.bulk import insert_many

from labkit_federation.models import HarvestResult, HarvestRun, HarvestTask, Member

log = logging.getLogger("labkit.federation.work_queue")

POLL_SECONDS = 0.5
"""How often a process with nothing to take looks again, until the run is finished (another process
may die or stop, and its members come back to the queue)."""
Tally = Callable[[Counter[str]], dict[str, int]]
"""Turns the results' outcomes into the run's ``counts``."""



def _left(run: str) -> str:
    """SQL: task ``t`` of the run given by parameter ``run`` (``"$1"``) has no result yet.

    ``NOT IN`` over the run's results, not a correlated ``NOT EXISTS``: PostgreSQL reads the run's
    results once into a hash, whatever its statistics say. With ``NOT EXISTS`` and the statistics
    of a table that was empty when last analysed (the next run's), it chose a nested loop that
    read every result for every task: 0.5-1.4 s per take at 5,570 members, which made an
    unchanged harvest 15 times slower than a cold one. ``member_id`` is never null.
    """
    return f"t.member_id NOT IN (SELECT r.member_id FROM federation_harvest_result r WHERE r.run_id = {run})"


def shared() -> bool:
    """Whether several processes may take part in one run (the database is PostgreSQL)."""
    return get_connection("default").capabilities.dialect == "postgres"


async def _execute(sql: str, values: list[object], connection: BaseDBAsyncClient | None = None) -> list[dict[str, Any]]:
    """Run ``sql`` written with ``$1, $2…`` parameters on the hub's database (or ``connection``); its rows."""
    connection = connection or get_connection("default")
    if connection.capabilities.dialect == "sqlite":
        sql = sql.replace("$", "?").replace(" FOR UPDATE SKIP LOCKED", "")
    return await connection.execute_query_dict(sql, values)  # execute_query drops an UPDATE's rows on asyncpg


async def enqueue(run: HarvestRun, members: list[Member]) -> None:
    """Write a task for each of ``members`` in ``run`` (in their order: they are taken in it)."""
    await insert_many(HarvestTask, [{"run_id": run.id, "member_id": member.id, "taken_by": "",
                                     "taken_until": None, "takes": 0} for member in members])


async def open_run() -> HarvestRun | None:
    """The oldest unfinished run that still has tasks (one to take part in), or ``None``."""
    return await (HarvestRun.filter(finished_at__isnull=True, tasks__id__isnull=False).distinct()
                  .order_by("started_at", "id").first())


async def tally(run_id: int, tally_counts: Tally, connection: BaseDBAsyncClient | None = None) -> dict[str, int]:
    """The run's counts per outcome so far, from its stored results."""
    outcomes = await HarvestResult.filter(run_id=run_id).using_db(connection).values_list("outcome", flat=True)
    return tally_counts(Counter(outcomes))


async def finish(run_id: int, tally_counts: Tally) -> HarvestRun | None:
    """Finish the run if no task is left without a result; the finished run (by this call or an
    earlier one), or ``None`` while members are left."""
    async with in_transaction() as connection:
        run = await HarvestRun.filter(id=run_id).select_for_update().using_db(connection).get()
        if run.finished_at is not None:
            return run
        left = await _execute(f"SELECT 1 FROM federation_harvest_task t WHERE t.run_id = $1 AND {_left('$1')} LIMIT 1",
                              [run_id], connection)
        if left:
            return None
        run.counts = await tally(run_id, tally_counts, connection)
        run.finished_at = datetime.now(UTC)
        await run.save(update_fields=["counts", "finished_at"], using_db=connection)
        await HarvestTask.filter(run_id=run_id).using_db(connection).delete()
    return run


class Share:
    """One process's part in one run: the tasks it takes, keeps and gives back."""

    def __init__(self, run_id: int, claim_seconds: float) -> None:
        self.run_id = run_id
        self.claim_seconds = claim_seconds
        self.holder = leases.holder_id()[:100]

    def _until(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.claim_seconds)

    async def size(self) -> int:
        """How many members the run has."""
        return await HarvestTask.filter(run_id=self.run_id).count()

    async def take(self, limit: int) -> list[Member]:
        """Take up to ``limit`` tasks no other process holds; their members, in queue order."""
        rows = await _execute(
            "UPDATE federation_harvest_task SET taken_by = $1, taken_until = $2, takes = takes + 1 "
            "WHERE id IN (SELECT t.id FROM federation_harvest_task t WHERE t.run_id = $3 "
            f"AND (t.taken_until IS NULL OR t.taken_until < $4) AND {_left('$3')} "
            "ORDER BY t.id LIMIT $5 FOR UPDATE SKIP LOCKED) RETURNING member_id",
            [self.holder, self._until(), self.run_id, datetime.now(UTC), limit])
        if not rows:
            return []
        return await Member.filter(id__in=[row["member_id"] for row in rows]).order_by("code")

    async def takeable(self) -> bool:
        """Whether the run has a member without a result that nobody holds (never taken, given back or expired)."""
        return bool(await _execute(f"SELECT 1 FROM federation_harvest_task t WHERE t.run_id = $1 AND "
                                   f"(t.taken_until IS NULL OR t.taken_until < $2) AND {_left('$1')} LIMIT 1",
                                   [self.run_id, datetime.now(UTC)]))

    async def keep(self) -> None:
        """Move our tasks' ``taken_until`` forward: we are alive."""
        await HarvestTask.filter(run_id=self.run_id, taken_by=self.holder).update(taken_until=self._until())

    async def give_back(self) -> None:
        """Free our tasks that have no result, for the other processes to take at once."""
        await _execute(f"UPDATE federation_harvest_task SET taken_until = NULL, taken_by = '' WHERE id IN "
                       f"(SELECT t.id FROM federation_harvest_task t WHERE t.run_id = $1 AND t.taken_by = $2 "
                       f"AND {_left('$1')})", [self.run_id, self.holder])

    @contextlib.asynccontextmanager
    async def working(self) -> AsyncIterator[None]:
        """Keep our tasks while the block runs; give back the unfinished ones if it fails or is cancelled."""
        keeper = asyncio.create_task(self._keep_forever())
        try:
            yield
        except BaseException:
            with contextlib.suppress(Exception):  # the database failed: the tasks expire instead
                await asyncio.shield(self.give_back())
            raise
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper

    async def _keep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.claim_seconds / 3)
            try:
                await self.keep()
            except Exception:  # the database was away a moment: the next beat tries again
                log.exception("harvest %s: could not keep the tasks of %s", self.run_id, self.holder)
