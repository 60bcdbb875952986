"""One harvest shared by several processes through the database's queue of member fetches.

The queue's rules run in one process on both databases (two shares of one run); the processes'
tests are real ``labkit federation harvest`` / ``worker`` processes on one PostgreSQL hub
(``LABKIT_TEST_DATABASE_URL``), fetching real labs over loopback, one of them killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tortoise.context import TortoiseContext

from labkit import db
from labkit.config import load_settings
from labkit.models import Lease
from labkit.plugins import Plugins
from labkit.testing import RunningLab, write_lab
from labkit.testing_server import create_database, drop_database

from labkit_federation import schedule, work_queue
from labkit_federation.harvest import OUTCOMES, _counts
from labkit_federation.models import HarvestResult, HarvestRun, HarvestTask, Member, Observation
from labkit_federation.options import of
from tests.federation.simulated import SimulatedNetwork

POSTGRES = os.environ.get("LABKIT_TEST_DATABASE_URL")
OPTIONS = {"allow_private_addresses": True, "timeout_seconds": 5, "retries": 0}


@pytest.fixture
async def hub(make_lab: Callable[..., Awaitable[RunningLab]]) -> RunningLab:
    return await make_lab(plugins=["federation"], settings={"plugin.federation": OPTIONS}, name="hub")


async def _run_of(codes: list[str]) -> HarvestRun:
    members = [await Member.create(code=code, name=code, url=f"http://127.0.0.1:9/labs/{code}") for code in codes]
    run = await HarvestRun.create(trigger="cli", started_at=datetime.now(UTC))
    await work_queue.enqueue(run, members)
    return run


async def _record(run: HarvestRun, members: list[Member], outcome: str = "ok") -> None:
    await HarvestResult.bulk_create([HarvestResult(run=run, member=member, outcome=outcome,
                                                   finished_at=datetime.now(UTC)) for member in members])


async def test_each_member_goes_to_one_share_and_the_run_is_finished_once(hub: RunningLab) -> None:
    run = await _run_of([f"BR-{number:07d}" for number in range(5)])
    first, second = work_queue.Share(run.id, 60), work_queue.Share(run.id, 60)
    assert await first.size() == 5
    taken_first = await first.take(3)
    taken_second = await second.take(3)
    assert [m.code for m in taken_first] == ["BR-0000000", "BR-0000001", "BR-0000002"]
    assert [m.code for m in taken_second] == ["BR-0000003", "BR-0000004"]
    assert await first.take(3) == [] and await second.take(3) == []
    assert not await first.takeable()  # every member is held

    await _record(run, taken_first)
    assert await work_queue.finish(run.id, _counts) is None  # the second share's members have no result
    await _record(run, taken_second[:1], "timeout")
    await _record(run, taken_second[1:], "invalid")
    finished = await work_queue.finish(run.id, _counts)
    assert finished is not None and finished.finished_at is not None
    assert finished.counts == {**{outcome: 0 for outcome in OUTCOMES}, "ok": 3, "timeout": 1, "invalid": 1}
    assert not await HarvestTask.filter(run=run).exists()  # the queue is emptied
    again = await work_queue.finish(run.id, _counts)  # a late process finds it finished: nothing changes
    assert again is not None and again.finished_at == finished.finished_at
    assert await work_queue.open_run() is None


async def test_a_dead_shares_members_are_taken_again_after_the_claim_and_given_back_at_once(hub: RunningLab) -> None:
    run = await _run_of(["BR-0000001", "BR-0000002", "BR-0000003"])
    dead, alive = work_queue.Share(run.id, 60), work_queue.Share(run.id, 60)
    assert len(await dead.take(2)) == 2
    assert [m.code for m in await alive.take(5)] == ["BR-0000003"]
    assert await alive.take(5) == [] and not await alive.takeable()
    assert (await work_queue.open_run()).id == run.id

    # the dead share stops renewing: once its claim has passed, its members are taken again
    await HarvestTask.filter(taken_by=dead.holder).update(taken_until=datetime.now(UTC) - timedelta(seconds=1))
    await alive.keep()  # the live one renews its own claim only
    assert await alive.takeable()
    assert [m.code for m in await alive.take(5)] == ["BR-0000001", "BR-0000002"]
    assert set(await HarvestTask.filter(run=run).values_list("takes", flat=True)) == {1, 2}

    # a share that stops cleanly gives its unfinished members back at once
    await _record(run, await Member.filter(code="BR-0000001"))
    await alive.give_back()
    other = work_queue.Share(run.id, 60)
    assert [m.code for m in await other.take(5)] == ["BR-0000002", "BR-0000003"]


async def test_a_schedule_tick_without_the_lease_takes_part_in_the_run_in_progress(
        make_lab: Callable[..., Awaitable[RunningLab]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schedule, "FIRST_TICK_SECONDS", (3600.0, 3600.0))  # this test ticks by hand
    hub = await make_lab(plugins=["federation"], name="hub",
                         settings={"plugin.federation": {**OPTIONS, "harvest_interval_minutes": 60}})
    async with SimulatedNetwork(default_good=True) as network:
        codes = await register(network, 3)
        run = await HarvestRun.create(trigger="manual", started_at=datetime.now(UTC))
        await work_queue.enqueue(run, await Member.all())  # started by another worker, which holds the lease
        await Lease.create(name="harvest", holder="other-worker", expires_at=datetime.now(UTC) + timedelta(minutes=5))
        assert await schedule.run_if_due(of(hub.app), "this-worker") is None  # it started nothing
    run = await HarvestRun.get(id=run.id)
    if POSTGRES:  # it fetched the members of the run in progress and finished it
        assert run.finished_at is not None and run.counts["ok"] == 3
        assert sorted(await HarvestResult.filter(run=run).values_list("member__code", flat=True)) == codes
    else:  # a SQLite hub harvests in one process: the run is left to the worker that started it
        assert run.finished_at is None and not await HarvestResult.exists()
    assert await HarvestRun.all().count() == 1


# ------------------------------------------------------------------ several processes (PostgreSQL)

needs_postgres = pytest.mark.skipif(not POSTGRES, reason="several harvesting processes share a PostgreSQL hub")


@pytest.fixture
async def shared_hub(tmp_path: Path) -> AsyncIterator[Path]:
    """A hub folder on its own PostgreSQL database, its tables made, the database open here too."""
    assert POSTGRES
    database_url = await create_database(POSTGRES, "labkit_queue")
    try:
        folder = tmp_path / "hub"
        write_lab(folder, ["federation"], {"database": {"url": database_url},
                                           "plugin.federation": {**OPTIONS, "concurrency": 3, "claim_seconds": 1.5}})
        settings = load_settings(folder, {})
        plugins = Plugins(settings)
        await db.migrate(settings, plugins)
        async with TortoiseContext() as context:
            await context.init(config=db.tortoise_config(settings, plugins))
            yield folder
    finally:
        await drop_database(database_url)


async def start(folder: Path, *args: str) -> asyncio.subprocess.Process:
    """``labkit --lab folder federation args`` as a process of its own."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LABKIT_")}
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "labkit", "--lab", str(folder), "federation",
                                                *args, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE, env=environ)


async def until(condition: Callable[[], Awaitable[bool]], seconds: float = 60) -> None:
    for _ in range(int(seconds / 0.05)):
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition never held")


async def register(network: SimulatedNetwork, count: int) -> list[str]:
    codes = [f"BR-{3500000 + number:07d}" for number in range(count)]
    await Member.bulk_create([Member(code=code, name=code, url=network.url(code)) for code in codes])
    return codes


@needs_postgres
async def test_two_processes_harvest_one_run_together(shared_hub: Path) -> None:
    async with SimulatedNetwork(latency=0.3, default_good=True) as network:
        codes = await register(network, 36)
        first = await start(shared_hub, "harvest", "--concurrency", "1")  # 11 s alone: the second joins in time
        await until(lambda: HarvestTask.exists())  # the first process started the run and holds the lease
        second = await start(shared_hub, "harvest")  # finds the lease held: takes part in the same run
        outputs = [await asyncio.wait_for(process.communicate(), 120) for process in (first, second)]
    for process, (_, err) in zip((first, second), outputs):
        assert process.returncode == 0, err.decode()
    lines = [next(line for line in out.decode().splitlines() if line.startswith("harvest ")) for out, _ in outputs]
    run = await HarvestRun.get()
    here = [int(line.split("(")[1].split()[0]) for line in lines]
    assert all(line.startswith(f"harvest {run.id}: 36 members in ") for line in lines), lines
    assert sum(here) == 36 and min(here) > 0  # both fetched, every member once
    assert run.finished_at is not None and run.counts["ok"] == 36
    assert sorted(await HarvestResult.filter(run=run).values_list("member__code", flat=True)) == codes
    assert all(network.hits[code] == 1 for code in codes)
    assert await Observation.filter(member__code=codes[-1]).exists()
    assert not await HarvestTask.exists()


@needs_postgres
async def test_a_harvest_command_with_two_processes_shares_the_run_and_the_concurrency(shared_hub: Path) -> None:
    async with SimulatedNetwork(latency=0.3, default_good=True) as network:
        codes = await register(network, 60)  # 9 s for one process alone: the helper joins in time
        command = await start(shared_hub, "harvest", "--processes", "2", "--concurrency", "4")  # 2 + 2 at once
        out, err = await asyncio.wait_for(command.communicate(), 120)
        peak = network.peak
    assert command.returncode == 0 and not err.strip(), err.decode()  # the helper stopped quietly
    line = next(line for line in out.decode().splitlines() if line.startswith("harvest "))
    run = await HarvestRun.get()
    here = int(line.split("(")[1].split()[0])  # "harvest 1: 40 members in 4.1 s (23 of them by this process)"
    assert line.startswith(f"harvest {run.id}: 60 members in ") and 0 < here < 60, line  # the helper took some
    assert run.finished_at is not None and run.counts["ok"] == 60
    assert sorted(await HarvestResult.filter(run=run).values_list("member__code", flat=True)) == codes
    assert all(network.hits[code] == 1 for code in codes)
    assert peak <= 4  # the labs never saw more requests at once than the hub's concurrency
    assert not await HarvestTask.exists()


@needs_postgres
async def test_a_killed_process_loses_nothing(shared_hub: Path) -> None:
    async with SimulatedNetwork(latency=0.3, default_good=True) as network:
        codes = await register(network, 30)
        doomed = await start(shared_hub, "harvest")
        await until(lambda: _fetched_at_least(network, 9))  # mid-harvest (results are written in batches)
        doomed.send_signal(signal.SIGKILL)
        await doomed.wait()
        run = await HarvestRun.get()
        assert run.finished_at is None
        held = await HarvestTask.filter(run=run, taken_until__isnull=False).count()
        assert held > 0  # the dead process held members it had not stored

        worker = await start(shared_hub, "worker")
        assert worker.stdout is not None
        lines = [(await asyncio.wait_for(worker.stdout.readline(), 60)).decode().strip() for _ in range(2)]
        worker.send_signal(signal.SIGTERM)  # the run is finished: the worker said so
        out, err = await asyncio.wait_for(worker.communicate(), 30)
    assert worker.returncode == 0, err.decode()
    assert lines[0].startswith("waiting for harvests") and out.decode().strip() == "worker stopped"
    assert lines[1].startswith(f"harvest {run.id}: 30 members, ") and lines[1].endswith("of them by this worker")
    run = await HarvestRun.get(id=run.id)
    # a document the killed process stored but had not recorded is found unchanged when taken again
    assert run.counts["ok"] + run.counts["unchanged"] == 30 and sum(run.counts.values()) == 30
    assert sorted(await HarvestResult.filter(run=run).values_list("member__code", flat=True)) == codes
    assert set(await Observation.all().distinct().values_list("member__code", flat=True)) == set(codes)
    assert all(network.hits[code] >= 1 for code in codes)
    assert sum(network.hits.values()) > 30  # what the killed process fetched but had not recorded was taken again


async def _fetched_at_least(network: SimulatedNetwork, count: int) -> bool:
    return sum(network.hits.values()) >= count


async def test_a_sqlite_hub_has_no_worker(tmp_path: Path) -> None:
    folder = tmp_path / "hub"
    write_lab(folder, ["federation"], {"plugin.federation": OPTIONS})
    settings = load_settings(folder, {})
    await db.migrate(settings, Plugins(settings))
    process = await start(folder, "worker")
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2 and out == b""
    assert err.decode().strip() == ("labkit: error: a harvest worker needs a PostgreSQL hub: "
                                    "a SQLite hub harvests in one process")
