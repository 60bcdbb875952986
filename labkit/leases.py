"""Named leases: one holder at a time across every worker and machine sharing the database.

A background job that must run once (the hub's scheduled harvest, the mail delivery worker)
takes a ``Lease`` row named after it before working:

- taking it is one atomic statement: ``UPDATE … WHERE name = ? AND expires_at < now`` (an
  expired lease), or ``… AND holder = ?`` (ours: renewed), or the ``INSERT`` of the row, which
  fails on the primary key when another worker inserted it first. On PostgreSQL a second
  ``UPDATE`` waits for the first and re-reads the row, finds it no longer expired and changes
  nothing; SQLite has one writer. Either way exactly one worker holds it;
- the holder renews it every third of its length while it works (:func:`holding`), and frees it
  at the end (or at shutdown);
- a worker that crashed stops renewing: its lease expires and another worker takes over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from labkit.models import Lease

log = logging.getLogger("labkit.leases")

LEASE_SECONDS = 300
"""How long a lease lasts without renewal: a crashed holder blocks the job this long at most."""


def holder_id() -> str:
    """Who holds a lease: host, process and a random part (two holders in one process differ)."""
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


@contextlib.asynccontextmanager
async def holding(name: str, holder: str, seconds: float = LEASE_SECONDS) -> AsyncIterator[None]:
    """Keep lease ``name``, which ``holder`` has acquired, renewed while the block runs, then free it."""
    keeper = asyncio.create_task(_keep(name, holder, seconds))
    try:
        yield
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
        await asyncio.shield(release(name, holder))


async def _keep(name: str, holder: str, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds / 3)
        if not await renew(name, holder, seconds):
            log.warning("lease %r of %s was lost (the work went on for longer than the lease)", name, holder)
            return
