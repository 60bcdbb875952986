"""Rate limits kept in the database, so they hold across workers and machines.

A key names who does what (``"mapping:propose:ip:1.2.3.4"``); keys that would hold personal data
(an e-mail address) are made with :func:`private_key`. Events older than a day are purged, so a
window may not be longer than :data:`KEEP_SECONDS`.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from labkit.models import ThrottleEvent

KEEP_SECONDS = 24 * 3600
"""How long events are kept (the longest window a rate limit may use)."""


def private_key(prefix: str, value: str) -> str:
    """A throttle key that does not store ``value`` itself (a hash of it, after ``prefix``)."""
    return f"{prefix}:{hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]}"


async def exceeded(key: str, limit: int, window_seconds: int) -> bool:
    """Whether ``key`` was recorded ``limit`` times or more in the last ``window_seconds``."""
    since = datetime.now(UTC) - timedelta(seconds=window_seconds)
    return await ThrottleEvent.filter(key=key, at__gte=since).count() >= limit


async def record(*keys: str) -> None:
    """Count one more action for each of ``keys``."""
    await ThrottleEvent.bulk_create([ThrottleEvent(key=key) for key in keys])


async def allow(key: str, limit: int, window_seconds: int) -> bool:
    """Count the action and say whether it is still within the limit — atomically, across workers:
    of 200 simultaneous calls for one key, exactly ``limit`` are allowed.

    On PostgreSQL the check and the record run in one transaction holding an advisory lock on the
    key (concurrent calls for the same key queue; other keys do not wait). On SQLite, Tortoise runs
    one transaction at a time on the lab's single connection, which serialises them the same way.
    """
    async with in_transaction() as connection:
        if connection.capabilities.dialect == "postgres":
            await connection.execute_query("SELECT pg_advisory_xact_lock(hashtext($1))", [key])
        since = datetime.now(UTC) - timedelta(seconds=window_seconds)
        if await ThrottleEvent.filter(key=key, at__gte=since).using_db(connection).count() >= limit:
            return False
        await ThrottleEvent.create(key=key, using_db=connection)
        return True


async def too_many(what: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one ``what`` (a password check, a reset request) for ``key`` (kept hashed); whether it
    is over ``limit`` in ``window_seconds``."""
    return not await allow(private_key(f"account:{what}", key), limit, window_seconds)


async def mail_flooding(what: str, address: str, client: str) -> bool:
    """Count one request for a ``what`` mail (a reset link, a confirmation link) to ``address`` from
    visitor ``client``; whether it is too many: at most 3 an hour to one address and 20 an hour
    from one visitor, so that a form cannot flood somebody's mailbox."""
    hour = 3600
    return await too_many(f"{what}-ip", client, 20, hour) or await too_many(f"{what}-email", address, 3, hour)


async def forget(key: str) -> None:
    """Drop the recorded actions of ``key`` (a successful sign-in clears its failures)."""
    await ThrottleEvent.filter(key=key).delete()


async def purge(seconds: int = KEEP_SECONDS) -> int:
    """Delete events older than ``seconds``; return how many went (run hourly by the app)."""
    return await ThrottleEvent.filter(at__lt=datetime.now(UTC) - timedelta(seconds=seconds)).delete()
