"""``labkit federation harvest`` and ``labkit federation worker``: harvest from the command line.

``harvest`` harvests the members now (from a terminal or cron). ``worker`` runs until stopped and
takes part in every harvest of the hub as it runs (PostgreSQL): one more process on this or
another machine fetching and storing members of the same run (:mod:`.work_queue`).

On PostgreSQL, a harvest of :data:`MANY` members or more uses every CPU of the machine by default:
``harvest`` forks one helper process per CPU beyond its own (each does what ``worker --once``
does, at most :data:`MAX_PROCESSES` processes in all), which take members from the same run; the
concurrency is shared between them, so the labs see no more requests at once. A hub's own CPU
(checking each document and building its rows) is what bounds a national harvest, and one Python
process uses one CPU.

On a terminal it shows a progress bar; otherwise (cron, a pipe) it prints a line every tenth of
the members (from 20 members on). Then a summary per outcome and one line per failing lab with its reason.

Exit status: 0 when the harvest ran, even if some labs failed (they are reported); with
``--fail-on-errors``, 1 when any lab failed, so cron or a monitoring job can alert. 2 for a
problem that stopped the harvest (unknown member, database unreachable, another harvest holding
the harvest lease), as one line. The command takes the same lease as the schedule and the staff's
"harvest now" (:mod:`.schedule`), so two harvests never run at once: on PostgreSQL, when another
harvest holds it, the command takes part in that harvest instead (without ``--member``) and
reports it when it is finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import signal
import sys
import time
from typing import Any, NoReturn

import click

from labkit import db, leases
from labkit.cli import LabContext, fail, pass_lab, run

from labkit_federation import schedule, work_queue
from labkit_federation.harvest import OUTCOMES, harvest, join, members_to_harvest
from labkit_federation.models import HarvestResult, HarvestRun, Member
from labkit_federation.options import SLUG, FederationOptions

SUCCESS = ("ok", "unchanged")
IDLE_SECONDS = 1.0
"""How often an idle ``labkit federation worker`` looks for a harvest in progress."""
MANY = 2_000
"""From this many members, a harvest uses a process per CPU by default. Below, a helper does not
win back what it costs (its database connection, finding the run): in the benchmark, 1,000 labs
took 1.6 s alone and 1.6 s with a helper, 5,570 labs 6.0 s alone and 4.8–5.4 s with one."""
MAX_PROCESSES = 8
ONCE_WAIT_SECONDS = 60.0
"""How long ``worker --once`` waits for a harvest to join before it leaves."""


async def _check_codes(codes: list[str]) -> None:
    """Every ``--member`` code is an active member with a URL, or the command stops saying which."""
    found = {member.code: member for member in await Member.filter(code__in=codes)}
    for code in codes:
        member = found.get(code)
        if member is None:
            fail(f"there is no member {code!r} in the registry")
        elif not member.active:
            fail(f"member {code} is inactive: activate it before harvesting it")
        elif not member.url:
            fail(f"member {code} has no URL to harvest (it may push its document instead)")


def _options(lab: LabContext, concurrency: int | None) -> FederationOptions:
    """The hub's options (a bad ``[plugin.federation]`` table stops here, as one line), ``--concurrency`` applied."""
    opts: FederationOptions = lab.plugins.settings_of(SLUG)
    return opts if concurrency is None else opts.model_copy(update={"concurrency": concurrency})


def _process_count(asked: int | None, total: int) -> int:
    """How many processes harvest ``total`` members: ``asked``, or one per CPU for a large harvest
    on PostgreSQL (:data:`MANY`), else one."""
    possible = work_queue.shared() and hasattr(os, "fork")  # helpers are forked (see _start_helpers)
    if asked is not None:
        if asked > 1 and not work_queue.shared():
            click.echo("labkit: note: a SQLite hub harvests in one process (--processes needs PostgreSQL)", err=True)
        return asked if possible else 1
    if not possible or total < MANY:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cpus, MAX_PROCESSES))  # the CPUs this process may use (a container's share)


async def _members(lab: LabContext, codes: list[str] | None, processes: int | None) -> tuple[int, int]:
    """The number of members to harvest (every ``--member`` checked) and of processes to do it."""
    async with db.open_database(lab.settings, lab.plugins):
        if codes:
            await _check_codes(codes)
        total = len(await members_to_harvest(codes))
        if total == 0:
            fail("no member to harvest: register labs with their document's URL (labkit federation members import)")
        return total, _process_count(processes, total)


def _start_helpers(lab: LabContext, count: int, concurrency: int) -> list[int]:
    """``count`` helper processes forked from this one (no event loop or database connection is
    open here), each taking part in the next harvest like ``worker --once``, fetching
    ``concurrency`` at once: a copy of this process has labkit and its plugins imported already, so
    it starts in milliseconds, where a new one takes a second of CPU. Their process ids."""
    sys.stdout.flush()
    sys.stderr.flush()
    helpers = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            _helper(lab, concurrency)
        helpers.append(pid)
    return helpers


def _helper(lab: LabContext, concurrency: int) -> NoReturn:
    """A forked helper: ``worker --once``, its output dropped; it never returns into the command."""
    code = 0
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        run(_work(lab, concurrency, once=True))
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # Ctrl-C (its members were given back), or a failure it has logged
        code = 1
    os._exit(code)


def _stop_helpers(helpers: list[int]) -> None:
    """Stop the helpers once the run is finished (they hold no member then; one still looking for
    the run never joins a finished one), or once this process gave its members back."""
    for pid in helpers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    for pid in helpers:
        os.waitpid(pid, 0)


async def _harvest(lab: LabContext, codes: list[str] | None, opts: FederationOptions,
                   total: int) -> tuple[HarvestRun, list[HarvestResult], float, int]:
    async with db.open_database(lab.settings, lab.plugins):
        holder = leases.holder_id()
        started = time.monotonic()
        report = _Progress(total)
        try:
            if await leases.acquire(schedule.LEASE_NAME, holder):
                async with leases.holding(schedule.LEASE_NAME, holder):
                    harvest_run = await harvest(opts, trigger="cli", codes=codes, progress=report)
            elif codes or (joined := await join(opts, progress=report)) is None:
                fail("a harvest is already running (the schedule, a \"harvest now\" or another command): try again later")
            else:
                harvest_run = joined
        finally:
            report.close()
        failures = await (HarvestResult.filter(run=harvest_run).exclude(outcome__in=SUCCESS)
                          .prefetch_related("member").order_by("member__code"))
        return harvest_run, failures, time.monotonic() - started, report.done


class _Progress:
    """A click progress bar on a terminal, a line every tenth of the members otherwise."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.bar: Any = None
        if sys.stdout.isatty():
            self.bar = click.progressbar(length=total, label="Harvesting", show_pos=True, show_eta=True, width=30)
            self.bar.__enter__()
        self.step = total // 10 if total >= 20 else 0  # a small harvest prints its summary only

    def __call__(self, member: Member, outcome: str) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        elif self.step and (self.done % self.step == 0 or self.done == self.total):
            click.echo(f"harvested {self.done}/{self.total}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _summary(harvest_run: HarvestRun, failures: list[HarvestResult], seconds: float, here: int) -> list[str]:
    counts = harvest_run.counts
    total = sum(counts.values())
    shared = f" ({here} of them by this process)" if here != total else ""
    lines = [f"harvest {harvest_run.id}: {total} member{'s' if total != 1 else ''} in {seconds:.1f} s{shared}"]
    lines.append("  " + ", ".join(f"{outcome} {counts.get(outcome, 0)}" for outcome in
                                  (*OUTCOMES, *sorted(set(counts) - set(OUTCOMES)))))
    for result in failures:
        status = f" {result.http_status}" if result.outcome == "http_error" and result.http_status else ""
        attempts = f" (after {result.attempts} attempts)" if result.attempts > 1 else ""
        detail = " ".join(result.detail.split())
        lines.append(f"failed {result.member.code}: {result.outcome}{status}: {detail}{attempts}")
    return lines


def harvest_command() -> click.Command:
    @click.command("harvest")
    @click.option("--member", "codes", multiple=True, metavar="CODE",
                  help="Harvest only this member (repeat for several). Default: every active member with a URL.")
    @click.option("--concurrency", type=click.IntRange(1, 1000), default=None,
                  help="Members fetched at once (default: [plugin.federation] concurrency).")
    @click.option("--processes", type=click.IntRange(1, 64), default=None,
                  help=f"Processes harvesting on this machine, sharing the concurrency (PostgreSQL; default: one "
                       f"per CPU, at most {MAX_PROCESSES}, from {MANY} members).")
    @click.option("--fail-on-errors", is_flag=True,
                  help="Exit with status 1 when any lab failed (for cron and monitoring).")
    @pass_lab
    def command(lab: LabContext, codes: tuple[str, ...], concurrency: int | None, processes: int | None,
                fail_on_errors: bool) -> None:
        """Fetch every member's indicators document now, and store what changed."""
        chosen = list(codes) or None
        total, count = run(_members(lab, chosen, processes))
        opts = _options(lab, concurrency)
        if count > 1:  # the labs see the same number of requests at once, from all the processes
            opts = opts.model_copy(update={"concurrency": math.ceil(opts.concurrency / count)})
        helpers = _start_helpers(lab, count - 1, opts.concurrency)
        try:
            harvest_run, failures, seconds, here = run(_harvest(lab, chosen, opts, total))
        finally:
            _stop_helpers(helpers)
        for line in _summary(harvest_run, failures, seconds, here):
            click.echo(line)
        if fail_on_errors and failures:
            sys.exit(1)

    return command


async def _work(lab: LabContext, concurrency: int | None, once: bool) -> None:
    """Take part in each harvest in progress, one after the other, until SIGTERM or Ctrl-C; with
    ``once``, in the next one only (waiting :data:`ONCE_WAIT_SECONDS` at most for it to start)."""
    opts = _options(lab, concurrency)
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)  # type: ignore[union-attr]
    async with db.open_database(lab.settings, lab.plugins):
        if not work_queue.shared():
            fail("a harvest worker needs a PostgreSQL hub: a SQLite hub harvests in one process")
        click.echo(f"waiting for {'a harvest' if once else 'harvests'} (concurrency {opts.concurrency}; "
                   "stop with Ctrl-C)")
        here: list[str] = []  # this worker's outcomes in the current run
        deadline = time.monotonic() + ONCE_WAIT_SECONDS
        try:
            while not once or time.monotonic() < deadline:
                here.clear()
                joined = await join(opts, progress=lambda member, outcome: here.append(outcome))
                if joined is None:
                    await asyncio.sleep(IDLE_SECONDS / 10 if once else IDLE_SECONDS)
                    continue
                total = sum(joined.counts.values())
                click.echo(f"harvest {joined.id}: {total} member{'s' if total != 1 else ''}, "
                           f"{len(here)} of them by this worker")
                if once:
                    return
        except asyncio.CancelledError:  # SIGTERM or Ctrl-C: this worker's unfinished members were given back
            click.echo("worker stopped")


def worker_command() -> click.Command:
    @click.command("worker")
    @click.option("--concurrency", type=click.IntRange(1, 1000), default=None,
                  help="Members fetched at once by this worker (default: [plugin.federation] concurrency).")
    @click.option("--once", is_flag=True, help="Take part in the next harvest only, then stop.")
    @pass_lab
    def command(lab: LabContext, concurrency: int | None, once: bool) -> None:
        """Take part in every harvest of the hub as it runs, until stopped (PostgreSQL; one per machine or more)."""
        try:
            run(_work(lab, concurrency, once))
        except KeyboardInterrupt:
            click.echo("worker stopped")

    return command


def register(group: click.Group) -> None:
    """Attach ``harvest`` and ``worker`` to the ``labkit federation`` group (cli_registry.federation_group)."""
    for name, make in (("harvest", harvest_command), ("worker", worker_command)):
        if name not in group.commands:
            group.add_command(make())
