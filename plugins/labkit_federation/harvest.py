"""The pull: fetch every member's indicators document, check it and store it.

:func:`harvest` starts one :class:`~labkit_federation.models.HarvestRun`: its members are written
to the run's queue in the database (:mod:`labkit_federation.work_queue`) and every process that
takes part (:func:`take_part`: this one, and on PostgreSQL any other harvest, server worker or
``labkit federation worker`` that joins) takes them a few at a time. Within a process, the
network work and the database work are two stages joined by a bounded queue:

- ``options.concurrency`` fetch workers take members from the process's share of the run and fetch their documents
  (:mod:`labkit_federation.fetch`: SSRF-safe, conditional, size- and time-capped). A timeout, a
  connection failure or a 5xx is retried up to ``options.retries`` times with exponential backoff
  and jitter; the retry is put back on the queue after its delay, so a waiting retry never holds
  a fetch slot. A 4xx, a refusal or an invalid document is never retried.
- writers (one on SQLite, which has one writer anyway; a few on PostgreSQL) take every fetched
  answer waiting (up to :data:`WRITE_BATCH`) and check them: a ``304`` or a document whose content
  hash equals the stored one is ``unchanged`` (not validated; only its reports'
  ``last_received_at`` moves, one statement for the batch); the new documents are handed
  together to :func:`labkit_federation.storage.ingest_many`, which validates each
  (:func:`labkit.indicator_format.validate`: schema and version, a lab reports only for itself,
  no future period…) and stores the valid ones idempotently in one transaction, each member's
  outcome its own. ``HarvestResult`` rows are written in batches.

One member's failure never touches another's: every outcome is recorded for that member alone.
The run's counts per outcome are summed from its results by the process that finishes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
from tortoise.connection import get_connection

from labkit.bulk import update_records
from labkit.indicator_format.http import content_hash

from labkit_federation import storage, work_queue
from labkit_federation.fetch import Fetcher, FetchResult
from labkit_federation.models import HarvestResult, HarvestRun, Member
from labkit_federation.options import FederationOptions
from labkit_federation.work_queue import Share

log = logging.getLogger("labkit.federation.harvest")

OUTCOMES = ("ok", "unchanged", "http_error", "timeout", "unreachable", "invalid", "refused")
"""Every outcome of one member in one harvest, in the order reports list them."""
MAX_ERRORS = 100
"""Validation errors kept per member and harvest (the detail says how many there were)."""
FETCHERS_PER_CLIENT = 4
"""Fetch workers sharing one HTTP client (and its connection pool)."""
WRITE_BATCH = 50
"""Fetched documents a writer takes at once (when that many wait) and stores in one transaction."""
WRITE_LINGER = 0.05
"""Seconds a writer waits for more answers when fewer than :data:`WRITE_BATCH` are waiting."""
RESULT_BATCH = 200
"""``HarvestResult`` rows written per insert."""
Progress = Callable[[Member, str], None]


def backoff_delay(options: FederationOptions, attempt: int) -> float:
    """The wait before attempt ``attempt + 1``: doubling from ``backoff_seconds``, half of it jittered."""
    base = options.backoff_seconds * 2 ** (attempt - 1)
    return base / 2 + random.uniform(0, base / 2)


@dataclass
class Fetched:
    """A member's final fetch, handed from the network stage to the writers."""

    member: Member
    result: FetchResult
    attempts: int
    fetch_seconds: float
    """From the first attempt to the last answer (backoff waits included)."""
    stored_from: float = 0.0
    """When a writer took it (the wait for a writer is not the member's time)."""


def _problems(problems: list[Any]) -> list[dict[str, str]]:
    return [{"path": str(getattr(p, "path", "")), "message": str(getattr(p, "message", p))}
            for p in problems[:MAX_ERRORS]]


def _invalid_detail(errors: list[dict[str, str]], total: int) -> str:
    first = errors[0]
    where = f"{first['path']}: " if first["path"] else ""
    more = f" (and {total - 1} more)" if total > 1 else ""
    return f"{total} problem{'s' if total != 1 else ''}: {where}{first['message']}{more}"[:500]


class Harvest:
    """One harvest run in progress (use :func:`harvest`)."""

    def __init__(self, run: HarvestRun, options: FederationOptions, progress: Progress | None) -> None:
        self.run = run
        self.options = options
        self.progress = progress
        self.counts: Counter[str] = Counter()
        self.todo: asyncio.Queue[tuple[Member, int, float | None] | None] = asyncio.Queue()
        self.fetched: asyncio.Queue[Fetched | None] = asyncio.Queue(maxsize=2 * options.concurrency)
        self.remaining = 0
        """Members taken and not yet fetched for the last time (retries included)."""
        self.fed = False
        """No member is left to take: the fetchers stop when ``remaining`` is 0."""
        self.hungry = asyncio.Event()
        """Set by the fetchers when few members wait: the feeder takes more."""
        self.fetchers = 0
        self.timers: set[asyncio.TimerHandle] = set()

    async def run_members(self, share: Share) -> None:
        """Fetch and store members taken from ``share`` until no member of the run is left to take."""
        size = await share.size()
        if not size:
            return
        writers = 1 if get_connection("default").capabilities.dialect == "sqlite" else min(4, size)
        self.fetchers = min(self.options.concurrency, size)
        try:
            async with share.working(), contextlib.AsyncExitStack() as stack, asyncio.TaskGroup() as group:
                # one small HTTP client per FETCHERS_PER_CLIENT fetch workers: httpcore's pool costs
                # connections × waiting requests at every step, quadratic in one big pool
                tls = httpx.create_ssl_context(trust_env=False)
                clients = [await stack.enter_async_context(
                    Fetcher(self.options, verify=tls, max_connections=FETCHERS_PER_CLIENT))
                    for _ in range(math.ceil(self.fetchers / FETCHERS_PER_CLIENT))]
                writer_tasks = [group.create_task(self._writer()) for _ in range(writers)]
                group.create_task(self._feed(share))
                await asyncio.gather(*(self._fetcher(clients[number // FETCHERS_PER_CLIENT])
                                       for number in range(self.fetchers)))
                for _ in writer_tasks:
                    await self.fetched.put(None)
        finally:
            for timer in self.timers:
                timer.cancel()

    # ----------------------------------------------------------------------- network stage

    async def _feed(self, share: Share) -> None:
        """Keep the fetchers supplied from the run's queue: take ``concurrency`` members whenever fewer
        than half of that wait here; when none is left to take, let the fetchers stop."""
        chunk = self.options.concurrency
        while members := await share.take(chunk):
            self.remaining += len(members)
            for member in members:
                self.todo.put_nowait((member, 1, None))
            while self.todo.qsize() >= chunk / 2:
                self.hungry.clear()
                await self.hungry.wait()
        self.fed = True
        if self.remaining == 0:
            self._stop_fetchers()

    def _stop_fetchers(self) -> None:
        for _ in range(self.fetchers):
            self.todo.put_nowait(None)

    async def _fetcher(self, fetcher: Fetcher) -> None:
        while (item := await self.todo.get()) is not None:
            if self.todo.qsize() < self.options.concurrency / 2:
                self.hungry.set()
            member, attempt, started = item
            started = started or time.monotonic()
            result = await fetcher.get(member.url, etag=member.etag)
            if result.retryable and attempt <= self.options.retries:
                self._retry_later(member, attempt + 1, started)
                continue
            await self.fetched.put(Fetched(member, result, attempt, time.monotonic() - started))
            self.remaining -= 1
            if self.remaining == 0 and self.fed:  # the last member of the run is done: stop every fetcher
                self._stop_fetchers()

    def _retry_later(self, member: Member, attempt: int, started: float) -> None:
        loop = asyncio.get_running_loop()

        def requeue() -> None:
            self.timers.discard(timer)
            self.todo.put_nowait((member, attempt, started))

        timer = loop.call_later(backoff_delay(self.options, attempt - 1), requeue)
        self.timers.add(timer)

    # ---------------------------------------------------------------------- database stage

    async def _writer(self) -> None:
        """Store fetched members until the end mark: whatever is waiting (up to :data:`WRITE_BATCH`)
        is taken at once, so a busy harvest stores many documents per transaction."""
        rows: list[HarvestResult] = []
        finished = False
        while not finished:
            batch: list[Fetched] = []
            item = await self.fetched.get()
            if item is not None and self.fetched.qsize() < WRITE_BATCH - 1:
                await asyncio.sleep(WRITE_LINGER)  # let a few more arrive: a transaction's cost is mostly fixed
            while item is not None:
                batch.append(item)
                if len(batch) == WRITE_BATCH or self.fetched.empty():
                    break
                item = self.fetched.get_nowait()
            finished = item is None
            if not batch:
                continue
            for item, done in zip(batch, await self._store_batch(batch)):
                rows.append(done)
                self.counts[done.outcome] += 1
                self._report(item.member, done.outcome)
            if len(rows) >= RESULT_BATCH:
                # ignore_conflicts: a member whose claim expired while this process still worked on it
                # (work_queue) may have been recorded by another process too; the first result stays
                await HarvestResult.bulk_create(rows, ignore_conflicts=True)
                rows = []
        if rows:
            await HarvestResult.bulk_create(rows, ignore_conflicts=True)

    def _report(self, member: Member, outcome: str) -> None:
        if self.progress is None:
            return
        try:
            self.progress(member, outcome)
        except Exception:  # a broken progress display never stops the harvest
            log.exception("harvest: the progress callback failed")

    def _row(self, item: Fetched, outcome: str, **fields: Any) -> HarvestResult:
        return HarvestResult(run_id=self.run.id, member_id=item.member.id, outcome=outcome,
                             http_status=item.result.status, attempts=item.attempts,
                             duration_ms=int((item.fetch_seconds + time.monotonic() - item.stored_from) * 1000),
                             finished_at=datetime.now(UTC), **fields)

    async def _store_batch(self, batch: list[Fetched]) -> list[HarvestResult]:
        """Each fetched member's outcome, stored: the unchanged ones with one update, the new
        documents with one :func:`labkit_federation.storage.ingest_many` (which validates each).
        If storing the batch fails, each member is stored again alone, so that a failure is only
        the outcome of the member it comes from."""
        taken = time.monotonic()
        for item in batch:
            item.stored_from = taken
        try:
            return await self._store_all(batch)
        except Exception as error:  # the hub's own failure (database): recorded, never fatal to the run
            if len(batch) > 1:
                log.warning("harvest: storing a batch of %d failed; storing them one by one", len(batch),
                            exc_info=True)
                return [row for item in batch for row in await self._store_batch([item])]
            log.exception("harvest: storing %s failed", batch[0].member.code)
            detail = f"the hub could not store it: {type(error).__name__}: {error}"[:500]
            return [self._row(item, "hub_error", detail=detail) for item in batch]

    async def _store_all(self, batch: list[Fetched]) -> list[HarvestResult]:
        rows: dict[int, HarvestResult] = {}
        unchanged: list[int] = []
        new: list[tuple[int, dict[str, Any], str]] = []
        for index, item in enumerate(batch):
            result = item.result
            if result.error is not None:
                rows[index] = self._row(item, result.error, detail=result.detail)
            elif result.not_modified:
                rows[index] = self._row(item, "unchanged", detail="not modified (ETag)")
                unchanged.append(index)
            elif isinstance(document := _parse(result.body or b""), list):
                rows[index] = self._row(item, "invalid", detail=_invalid_detail(document, 1), errors=document)
            elif (digest := content_hash(document)) == item.member.content_hash:
                rows[index] = self._row(item, "unchanged", detail="same content")
                unchanged.append(index)
            else:
                new.append((index, document, digest))
        now = datetime.now(UTC)
        await storage.received_again([batch[index].member for index in unchanged], now)
        outcomes = await storage.ingest_many([(batch[index].member, document) for index, document, _ in new],
                                             source="pull", received_at=now)
        remembered = []
        for index in unchanged:  # the same content under a new tag: the tag is remembered
            item = batch[index]
            if item.result.etag != item.member.etag:
                item.member.etag = item.result.etag
                remembered.append(item.member)
        for (index, _, digest), outcome in zip(new, outcomes):
            rows[index] = self._outcome(batch[index], outcome)
            if rows[index].outcome == "ok":
                batch[index].member.etag, batch[index].member.content_hash = batch[index].result.etag, digest
                remembered.append(batch[index].member)
        await update_records(Member, ("etag", "content_hash"),
                             [(member.id, member.etag, member.content_hash) for member in remembered])
        return [rows[index] for index in range(len(batch))]

    def _outcome(self, item: Fetched, outcome: storage.ImportSummary | Exception) -> HarvestResult:
        """The result of a new document handed to ingest: stored, refused, or the hub's failure."""
        if isinstance(outcome, Exception):
            log.error("harvest: storing %s failed", item.member.code, exc_info=outcome)
            return self._row(item, "hub_error",
                             detail=f"the hub could not store it: {type(outcome).__name__}: {outcome}"[:500])
        if outcome.errors:
            errors = _problems(outcome.errors)
            return self._row(item, "invalid", detail=_invalid_detail(errors, len(outcome.errors)), errors=errors,
                             summary=outcome.as_dict())
        return self._row(item, "ok", summary=outcome.as_dict(), detail=_summary_detail(outcome.as_dict()))


def _parse(body: bytes) -> dict[str, Any] | list[dict[str, str]]:
    """A fetched body as a JSON object (``orjson``: about half the standard library's time), or
    its problem."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        return [{"path": "", "message": f"not JSON: {error}"}]
    if not isinstance(document, dict):
        return [{"path": "", "message": "the document is not a JSON object"}]
    return document


def _summary_detail(summary: dict[str, Any]) -> str:
    conflicts = summary.get("conflicts") or []
    text = (f"{summary.get('imported', 0)} imported, {summary.get('updated', 0)} updated, "
            f"{summary.get('ignored', 0)} ignored")
    if conflicts:
        text += f", {len(conflicts)} conflict{'s' if len(conflicts) != 1 else ''}"
    return text


def _counts(counts: Counter[str]) -> dict[str, int]:
    """Every outcome with its count (zeros included), then any other outcome seen."""
    return {**{outcome: counts[outcome] for outcome in OUTCOMES},
            **{outcome: counts[outcome] for outcome in sorted(set(counts) - set(OUTCOMES))}}


async def members_to_harvest(codes: list[str] | None = None) -> list[Member]:
    """The active members with a URL (only ``codes`` when given), by code."""
    query = Member.filter(active=True).exclude(url="")
    if codes is not None:
        query = query.filter(code__in=codes)
    return await query.order_by("code")


async def harvest(opts: FederationOptions, *, trigger: str, codes: list[str] | None = None,
                  progress: Progress | None = None) -> HarvestRun:
    """Harvest every active member with a URL (or only ``codes``) with the hub's options ``opts``
    and record the run.

    The database must be open (the web app's, or :func:`labkit.db.open_database` on the command
    line). ``progress(member, outcome)`` is called as each member's outcome is recorded by this
    process. Returns the finished run, with ``counts`` per outcome (see :func:`take_part`).
    """
    members = await members_to_harvest(codes)
    run = await HarvestRun.create(trigger=trigger, started_at=datetime.now(UTC), counts={})
    await work_queue.enqueue(run, members)
    return await take_part(run, opts, progress)


async def take_part(run: HarvestRun, opts: FederationOptions, progress: Progress | None = None) -> HarvestRun:
    """Harvest members of ``run`` beside any other process taking part, until the run is finished.

    Returns the finished run. Cancelled (shutdown) or failing (the database), this process gives
    its unfinished members back to the others and records the counts so far on the run, which
    stays unfinished until another process finishes it (on SQLite: none does).
    """
    share = Share(run.id, opts.claim_seconds)
    stored: Counter[str] = Counter()
    try:
        # until it is finished: take what is left, or wait while other processes hold the rest (one
        # of them may die, and its members come back to the queue)
        while (finished := await work_queue.finish(run.id, _counts)) is None:
            if await share.takeable():
                work = Harvest(run, opts, progress)
                await work.run_members(share)
                stored += work.counts
            else:
                await asyncio.sleep(work_queue.POLL_SECONDS)
    except BaseException:  # the counts so far, unless another process has just finished the run
        run.counts = await asyncio.shield(work_queue.tally(run.id, _counts))
        await asyncio.shield(HarvestRun.filter(id=run.id, finished_at__isnull=True).update(counts=run.counts))
        raise
    log.info("harvest %s (%s): %s; this process stored %s", finished.id, finished.trigger,
             ", ".join(f"{k} {v}" for k, v in finished.counts.items() if v), sum(stored.values()))
    return finished


async def join(opts: FederationOptions, progress: Progress | None = None) -> HarvestRun | None:
    """Take part in the oldest harvest in progress until it is finished, when the hub's database is
    shared by several processes (PostgreSQL) and a harvest is in progress; the run, or ``None``."""
    if not work_queue.shared() or (run := await work_queue.open_run()) is None:
        return None
    log.info("joining harvest %s (%s)", run.id, run.trigger)
    return await take_part(run, opts, progress)
