"""Rate limits kept in the database, so they hold across workers and machines.

A key names who does what (``"login:email:ana@example.org"``, ``"mapping:propose:ip:1.2.3.4"``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from labkit.models import ThrottleEvent


async def exceeded(key: str, limit: int, window_seconds: int) -> bool:
    """Whether ``key`` was recorded ``limit`` times or more in the last ``window_seconds``."""
    since = datetime.now(UTC) - timedelta(seconds=window_seconds)
    return await ThrottleEvent.filter(key=key, at__gte=since).count() >= limit


async def record(*keys: str) -> None:
    """Count one more action for each of ``keys``."""
    await ThrottleEvent.bulk_create([ThrottleEvent(key=key) for key in keys])


async def allow(key: str, limit: int, window_seconds: int) -> bool:
    """Count the action and say whether it is still within the limit (check and record in one)."""
    if await exceeded(key, limit, window_seconds):
        return False
    await record(key)
    return True


async def forget_older_than(seconds: int) -> int:
    """Delete events older than ``seconds`` (a periodic clean-up); return how many went."""
    return await ThrottleEvent.filter(at__lt=datetime.now(UTC) - timedelta(seconds=seconds)).delete()
