"""Harvests on a schedule inside the server, one at a time across every worker.

When ``[plugin.federation] harvest_interval_minutes`` is above 0, each server worker starts a
:class:`Scheduler` (``labkit_startup``). It wakes up every :data:`TICK_SECONDS` (and shortly
after start-up), and a harvest runs when the last scheduled harvest that finished started more
than the interval ago. Workers coordinate through the ``Lease`` row named ``harvest`` in the
database:

- taking it is one atomic statement: ``UPDATE … WHERE name = 'harvest' AND expires_at < now``
  (an expired lease, or one this worker holds), or the ``INSERT`` of the row, which fails on the
  primary key when another worker inserted it first. On PostgreSQL the second ``UPDATE`` waits for
  the first and re-reads the row, finds it no longer expired and changes nothing; SQLite has one
  writer. Either way exactly one worker holds it;
- the holder renews it every third of :data:`LEASE_SECONDS` while its harvest runs, and frees it
  at the end (or at shutdown);
- a worker that crashed stops renewing: its lease expires and another worker takes over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from labkit_federation.harvest import harvest
from labkit_federation.models import HarvestRun, Lease
from labkit_federation.options import FederationOptions

log = logging.getLogger("labkit.federation.schedule")

LEASE_NAME = "harvest"
LEASE_SECONDS = 300
"""How long a lease lasts without renewal: a crashed holder blocks the schedule this long at most."""
TICK_SECONDS = 60.0
"""How often each worker checks whether a harvest is due."""
FIRST_TICK_SECONDS = (0.5, 2.0)
"""The first check after start-up, at a random moment in this range (workers start together)."""


def holder_id() -> str:
    """Who holds a lease: host, process and a random part (two schedulers in one process differ)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def acquire(name: str, holder: str, seconds: float = LEASE_SECONDS) -> bool:
    """Take lease ``name`` for ``seconds`` if it is free, expired or already ours (atomic)."""
    now = datetime.now(UTC)
    expires = now + timedelta(seconds=seconds)
    taken = await Lease.filter(name=name, expires_at__lt=now).update(holder=holder, expires_at=expires)
    if not taken:
        taken = await Lease.filter(name=name, holder=holder).update(expires_at=expires)
    if taken:
        return True
    try:
        await Lease.create(name=name, holder=holder, expires_at=expires)
    except IntegrityError:  # another worker holds it (or inserted it a moment ago)
        return False
    return True


async def renew(name: str, holder: str, seconds: float = LEASE_SECONDS) -> bool:
    """Extend our lease; ``False`` when it is no longer ours (it expired and was taken)."""
    expires = datetime.now(UTC) + timedelta(seconds=seconds)
    return bool(await Lease.filter(name=name, holder=holder).update(expires_at=expires))


async def release(name: str, holder: str) -> None:
    """Free our lease (nothing happens if another worker holds it)."""
    await Lease.filter(name=name, holder=holder).delete()


async def is_due(interval_minutes: int, now: datetime | None = None) -> bool:
    """No scheduled harvest that finished started within the last ``interval_minutes``."""
    now = now or datetime.now(UTC)
    last = await (HarvestRun.filter(trigger="schedule", finished_at__isnull=False)
                  .order_by("-started_at").first())
    return last is None or last.started_at <= now - timedelta(minutes=interval_minutes)


async def run_if_due(opts: FederationOptions, holder: str, *,
                     lease_seconds: float = LEASE_SECONDS) -> HarvestRun | None:
    """One tick: take the lease, harvest if due, free the lease. The run, or ``None``."""
    interval = opts.harvest_interval_minutes
    if interval <= 0 or not await acquire(LEASE_NAME, holder, lease_seconds):
        return None
    async with holding(holder, lease_seconds):
        if not await is_due(interval):
            return None
        log.info("scheduled harvest starts (%s)", holder)
        return await harvest(opts, trigger="schedule")


@contextlib.asynccontextmanager
async def holding(holder: str, seconds: float = LEASE_SECONDS) -> AsyncIterator[None]:
    """Keep the harvest lease that ``holder`` has acquired renewed while the block runs, then free
    it (used by the schedule, the staff's "harvest now" and the command line)."""
    keeper = asyncio.create_task(_keep(holder, seconds))
    try:
        yield
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
        await asyncio.shield(release(LEASE_NAME, holder))


async def _keep(holder: str, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds / 3)
        if not await renew(LEASE_NAME, holder, seconds):
            log.warning("the harvest lease of %s was lost (the harvest went on for longer than the lease)", holder)
            return


class Scheduler:
    """The background task of one server worker."""

    def __init__(self, opts: FederationOptions) -> None:
        self.opts = opts
        self.holder = holder_id()
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._loop(), name="labkit-federation-schedule")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None

    async def _loop(self) -> None:
        await asyncio.sleep(random.uniform(*FIRST_TICK_SECONDS))
        while True:
            try:
                await run_if_due(self.opts, self.holder)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database was down for a moment: try again at the next tick
                log.exception("scheduled harvest failed")
            await asyncio.sleep(TICK_SECONDS)


async def startup(opts: FederationOptions) -> Scheduler | None:
    """Start the worker's scheduler when the hub harvests on a schedule (``labkit_startup``)."""
    if opts.harvest_interval_minutes <= 0:
        return None
    scheduler = Scheduler(opts)
    scheduler.start()
    return scheduler


async def shutdown(scheduler: Scheduler | None) -> None:
    """Stop the scheduler (``labkit_shutdown``); a harvest in progress is cancelled, its lease freed."""
    if scheduler is not None:
        await scheduler.stop()
