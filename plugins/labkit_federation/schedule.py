"""Harvests on a schedule inside the server, one at a time across every worker.

When ``[plugin.federation] harvest_interval_minutes`` is above 0, each server worker starts a
:class:`Scheduler` (``labkit_startup``). It wakes up every :data:`TICK_SECONDS` (and shortly
after start-up), and a harvest runs when the last scheduled harvest that finished started more
than the interval ago. Workers coordinate through the core's lease named ``harvest``
(:mod:`labkit.leases`): exactly one worker holds it, starts the run, renews the lease while the run
goes on and frees it at the end; a worker that crashed stops renewing and another takes over once
it expires. The lease decides who *starts* a run, not who works on it: on PostgreSQL a worker that
finds the lease held takes part in the harvest in progress (:func:`labkit_federation.harvest.join`),
so every worker of every machine fetches members of the same run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from datetime import UTC, datetime, timedelta

from labkit import leases

from labkit_federation.harvest import harvest, join
from labkit_federation.models import HarvestRun
from labkit_federation.options import FederationOptions

log = logging.getLogger("labkit.federation.schedule")

LEASE_NAME = "harvest"
TICK_SECONDS = 60.0
"""How often each worker checks whether a harvest is due."""
FIRST_TICK_SECONDS = (0.5, 2.0)
"""The first check after start-up, at a random moment in this range (workers start together)."""


async def is_due(interval_minutes: int, now: datetime | None = None) -> bool:
    """No scheduled harvest that finished started within the last ``interval_minutes``."""
    now = now or datetime.now(UTC)
    last = await (HarvestRun.filter(trigger="schedule", finished_at__isnull=False)
                  .order_by("-started_at").first())
    return last is None or last.started_at <= now - timedelta(minutes=interval_minutes)


async def run_if_due(opts: FederationOptions, holder: str, *,
                     lease_seconds: float = leases.LEASE_SECONDS) -> HarvestRun | None:
    """One tick: take the lease, harvest if due, free the lease; the run started, or ``None``.

    Without the lease, take part in the harvest in progress if there is one (PostgreSQL).
    """
    interval = opts.harvest_interval_minutes
    if interval <= 0:
        return None
    if not await leases.acquire(LEASE_NAME, holder, lease_seconds):
        await join(opts)
        return None
    async with leases.holding(LEASE_NAME, holder, lease_seconds):
        if not await is_due(interval):
            return None
        log.info("scheduled harvest starts (%s)", holder)
        return await harvest(opts, trigger="schedule")


class Scheduler:
    """The background task of one server worker."""

    def __init__(self, opts: FederationOptions) -> None:
        self.opts = opts
        self.holder = leases.holder_id()
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
