"""Scheduled harvests: one lease across workers, exactly one harvest, a crashed holder expires.

In-process tests run competing schedulers against the hub's database (SQLite, or PostgreSQL
with ``LABKIT_TEST_DATABASE_URL``, where their statements really run on separate connections);
the last test serves the hub with ``labkit serve --workers 2``: two processes, one harvest.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tortoise.context import TortoiseContext

from labkit import db, leases
from labkit.config import load_settings
from labkit.models import Lease
from labkit.plugins import Plugins
from labkit.testing import RunningLab, write_lab
from labkit.testing_server import LabServer, create_database, drop_database

from labkit_federation import schedule
from labkit_federation.models import HarvestRun, Member
from labkit_federation.options import of
from tests.federation.simulated import SimLab, SimulatedNetwork

OPTIONS = {"allow_private_addresses": True, "timeout_seconds": 2, "retries": 0, "harvest_interval_minutes": 60}


@pytest.fixture
async def hub(make_lab: Callable[..., Awaitable[RunningLab]], monkeypatch: pytest.MonkeyPatch) -> RunningLab:
    # the hub's own scheduler stays quiet during these tests: they drive run_if_due themselves
    monkeypatch.setattr(schedule, "FIRST_TICK_SECONDS", (3600.0, 3600.0))
    return await make_lab(plugins=["federation"], settings={"plugin.federation": OPTIONS}, name="hub")


async def test_the_lease_is_held_by_one_holder_at_a_time(hub: RunningLab) -> None:
    assert await leases.acquire("harvest", "worker-a", 60)
    assert not await leases.acquire("harvest", "worker-b", 60)
    assert await leases.acquire("harvest", "worker-a", 60)  # its own lease: renewed
    assert await leases.renew("harvest", "worker-a", 60)
    assert not await leases.renew("harvest", "worker-b", 60)
    await leases.release("harvest", "worker-b")  # not b's to free
    assert (await Lease.get(name="harvest")).holder == "worker-a"
    await leases.release("harvest", "worker-a")
    assert not await Lease.exists(name="harvest")
    assert await leases.acquire("harvest", "worker-b", 60)


async def test_a_crashed_holders_lease_expires(hub: RunningLab) -> None:
    await Lease.create(name="harvest", holder="crashed-worker", expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert await leases.acquire("harvest", "worker-b", 60)
    assert (await Lease.get(name="harvest")).holder == "worker-b"
    assert not await leases.renew("harvest", "crashed-worker", 60)  # it comes back: the lease is gone


async def test_competing_schedulers_run_exactly_one_harvest(hub: RunningLab) -> None:
    async with SimulatedNetwork([SimLab("BR-3550308"), SimLab("PT-1106", etag=False)], latency=0.05) as network:
        for code in ("BR-3550308", "PT-1106"):
            await Member.create(code=code, name=code, url=network.url(code))
        holders = [leases.holder_id() for _ in range(4)]
        runs = await asyncio.gather(*(schedule.run_if_due(of(hub.app), holder) for holder in holders))
        started = [run for run in runs if run is not None]
        assert len(started) == 1 and started[0].counts["ok"] == 2 and started[0].trigger == "schedule"
        assert network.hits["BR-3550308"] == 1 and network.hits["PT-1106"] == 1
        assert not await Lease.exists(name="harvest")  # freed at the end

        # the next ticks: not due (the interval has not passed), whoever asks
        again = await asyncio.gather(*(schedule.run_if_due(of(hub.app), holder) for holder in holders))
        assert again == [None] * 4
        assert await HarvestRun.filter(trigger="schedule").count() == 1

        # an hour later it is due again; a lease held by a live worker still blocks the others
        await HarvestRun.filter(id=started[0].id).update(started_at=datetime.now(UTC) - timedelta(minutes=61))
        await Lease.create(name="harvest", holder="busy-worker", expires_at=datetime.now(UTC) + timedelta(minutes=5))
        assert await schedule.run_if_due(of(hub.app), holders[0]) is None
        await Lease.filter(name="harvest").update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        second = await schedule.run_if_due(of(hub.app), holders[1])
        assert second is not None and second.counts["unchanged"] == 2


async def test_due_only_after_the_interval_of_the_last_finished_scheduled_harvest(hub: RunningLab) -> None:
    now = datetime.now(UTC)
    assert await schedule.is_due(60, now)
    await HarvestRun.create(trigger="cli", started_at=now - timedelta(minutes=5), finished_at=now)
    await HarvestRun.create(trigger="schedule", started_at=now - timedelta(minutes=5), finished_at=None)  # crashed
    assert await schedule.is_due(60, now)
    await HarvestRun.create(trigger="schedule", started_at=now - timedelta(minutes=30), finished_at=now)
    assert not await schedule.is_due(60, now)
    assert await schedule.is_due(20, now)


async def test_no_schedule_when_the_interval_is_zero(hub: RunningLab) -> None:
    never = of(hub.app).model_copy(update={"harvest_interval_minutes": 0})
    assert await schedule.run_if_due(never, "worker-a") is None
    assert await schedule.startup(never) is None
    assert not await Lease.exists(name="harvest")


async def test_the_servers_scheduler_starts_and_stops_with_the_app(
        make_lab: Callable[..., Awaitable[RunningLab]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schedule, "FIRST_TICK_SECONDS", (0.3, 0.35))
    async with SimulatedNetwork([SimLab("BR-3550308")]) as network:
        hub = await make_lab(plugins=["federation"], name="hub",
                             settings={"plugin.federation": {**OPTIONS, "harvest_interval_minutes": 1}})
        scheduler = hub.app.state.federation_scheduler
        assert scheduler is not None and scheduler.task is not None and not scheduler.task.done()
        await Member.create(code="BR-3550308", name="MobiLab", url=network.url("BR-3550308"))
        for _ in range(100):
            if await HarvestRun.filter(trigger="schedule", finished_at__isnull=False).exists():
                break
            await asyncio.sleep(0.05)
        run = await HarvestRun.get(trigger="schedule")
        assert run.counts["ok"] == 1 and network.hits["BR-3550308"] == 1


# ------------------------------------------------------------------ several worker processes


async def _count_runs(database_url: str) -> tuple[int, int]:
    """(scheduled harvests, harvest leases) in the lab's database."""
    if database_url.startswith("sqlite://"):
        with sqlite3.connect(database_url.removeprefix("sqlite://")) as connection:
            runs = connection.execute("SELECT count(*) FROM federation_harvest_run WHERE trigger = 'schedule'").fetchone()[0]
            leases = connection.execute("SELECT count(*) FROM labkit_lease WHERE name = 'harvest'").fetchone()[0]
        return runs, leases
    import asyncpg

    connection = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        runs = await connection.fetchval("SELECT count(*) FROM federation_harvest_run WHERE trigger = 'schedule'")
        leases = await connection.fetchval("SELECT count(*) FROM labkit_lease WHERE name = 'harvest'")
    finally:
        await connection.close()
    return runs, leases


async def test_two_worker_processes_run_one_harvest(tmp_path: Path) -> None:
    """``labkit serve --workers 2``: each worker ticks within 2 s of start-up; one harvests."""
    postgres = os.environ.get("LABKIT_TEST_DATABASE_URL")
    database_url = await create_database(postgres, "labkit_sched") if postgres else f"sqlite://{tmp_path / 'hub' / 'data' / 'lab.sqlite3'}"
    try:
        async with SimulatedNetwork([SimLab("BR-3550308")], latency=0.2) as network:
            folder = tmp_path / "hub"
            write_lab(folder, ["federation"], {"database": {"url": database_url},
                                               "plugin.federation": {**OPTIONS, "harvest_interval_minutes": 5}})
            settings = load_settings(folder, {})
            plugins = Plugins(settings)
            await db.migrate(settings, plugins)
            async with TortoiseContext() as context:
                await context.init(config=db.tortoise_config(settings, plugins))
                await Member.create(code="BR-3550308", name="MobiLab", url=network.url("BR-3550308"))

            def serve() -> LabServer:
                return LabServer.start(folder, workers=2)

            server = await asyncio.to_thread(serve)
            try:
                assert len(server.worker_pids()) == 2
                for _ in range(300):  # the first tick of a worker harvests...
                    if await _count_runs(database_url) == (1, 0):
                        break
                    await asyncio.sleep(0.05)
                await asyncio.sleep(schedule.FIRST_TICK_SECONDS[1] + 0.5)  # ...and every worker has ticked since
                runs, leases = await _count_runs(database_url)
            finally:
                await asyncio.to_thread(server.stop)
        assert (runs, leases) == (1, 0), server.log()
        assert network.hits["BR-3550308"] == 1
    finally:
        if postgres:
            await drop_database(database_url)
