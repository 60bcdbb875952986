"""Benchmark: a hub harvests 5,570 simulated labs (Brazil's municipalities) served on loopback
with 50 ms of added latency each; wall time as a ratio against the lower bound
labs × latency ÷ concurrency, documents per second, and the hub's peak memory.

    python bench/bench_federation.py [--labs 5570] [--concurrency 100 200] [--servers 2] [--quick] [--harvests-only]
    LABKIT_TEST_DATABASE_URL=postgres://... python bench/bench_federation.py --postgres
    python bench/run.py --only federation [--quick]      # through the runner, in its one table

The labs are tests/federation/bench_labs.py run as ``--servers`` separate processes (a plain asyncio
HTTP server, one port each, serving tests/federation/simulated.py's documents; members are spread
over them), so the simulator does not share the hub's event loop.
For each concurrency it measures, in this order, on a fresh hub database:

1. **fetch only** — every document fetched by :class:`labkit_federation.fetch.Fetcher` with the
   same concurrency, nothing parsed or stored: what the network side (client and simulator) costs.
   If it is close to the lower bound, the simulator is not the bottleneck;
2. **cold harvest** — every document new: fetched, validated, stored (about 90 rows each); one
   lab (:func:`bomb_code`) answers a gzip bomb, refused as ``invalid`` in both harvests;
3. **warm harvest** — nothing changed: every lab answers ``304`` to ``If-None-Match``;
4. **hub CPU per new document** — parsing, checking and storing documents without the network
   (bench/federation_parts.py), as the harvest's writers do (50 per transaction) and one by one
   (a push), beside each JSON parser and schema validator measured on the same documents;
5. **answers** — ``/federation/``, ``/api/v1/federation/totals`` and the publication with
   ``--labs`` labs × 6 periods stored (median of in-process requests; the publication's first
   request builds it, the next ones are served from its cache until a figure changes), and the
   process's peak RSS around that first build (``--answers-only``: in a fresh process);
6. **two processes** (PostgreSQL only) — the cold harvest again on a fresh hub, by
   ``labkit federation harvest --processes 2`` (its default on 2 CPUs): the command and the helper
   process it starts share the concurrency and take members from the run's queue
   (:mod:`labkit_federation.work_queue`); its own time, printed beside the one-process figure;
   then again with a ``labkit federation worker`` already running (a hub that runs one as a
   service), each process fetching half the concurrency;
7. **memory** — the hub process's peak RSS (``ru_maxrss``) during the harvests, against 250 MiB;
   with ``--tracemalloc``, the cold harvest again (stored hashes cleared, so every document is
   fetched and checked) under ``tracemalloc``: the peak of Python allocations during a harvest.

The hub's CPU seconds are given next to each wall time: on a shared machine the wall time also
measures the neighbours.

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]

import httpx  # noqa: E402
from federation_parts import codes, cost_rows, hub_cpu, ingest_cost, new_hub  # noqa: E402

from labkit import db  # noqa: E402
from labkit.plugins import Plugins  # noqa: E402

LABS = 5_570
LATENCY = 0.05
SIMULATOR = ROOT / "tests" / "federation" / "bench_labs.py"


class Simulators:
    """``count`` simulator processes on loopback, each serving every lab code."""

    def __init__(self, count: int, latency: float, bombs: tuple[str, ...] = ()) -> None:
        self.processes: list[subprocess.Popen[str]] = []
        self.urls: list[str] = []
        environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "plugins")])}
        for _ in range(count):
            bomb_args = [argument for code in bombs for argument in ("--gzip-bomb", code)]
            process = subprocess.Popen([sys.executable, str(SIMULATOR), "--latency", str(latency), "--port", "0",
                                        *bomb_args],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=environ, cwd=ROOT)
            self.processes.append(process)
        for process in self.processes:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line.startswith("listening on "):
                self.stop()
                raise RuntimeError(f"the simulator did not start: {line!r}")
            self.urls.append(line.removeprefix("listening on ").strip())

    def cpu(self) -> float:
        """CPU seconds the simulator processes used so far (to show they are not the bottleneck)."""
        import psutil

        total = 0.0
        for process in self.processes:
            times = psutil.Process(process.pid).cpu_times()
            total += times.user + times.system
        return total

    def url(self, number: int, code: str) -> str:
        return f"{self.urls[number % len(self.urls)]}/labs/{code}/indicators"

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                assert process.stdin is not None
                process.stdin.close()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def bomb_code(labs: int) -> str:
    """The one lab among ``labs`` that answers a gzip bomb (1 MB inflating to 1 GiB) in the harvests."""
    return codes(labs)[labs // 2]


def _maxrss_mb() -> float:
    """The process's peak RSS so far, MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def measure(labs: int, concurrency: int, simulators: Simulators, folder: Path,
                  database_url: str | None, traced: bool = False) -> dict[str, Any]:
    from labkit_federation.fetch import Fetcher
    from labkit_federation.harvest import FETCHERS_PER_CLIENT, harvest
    from labkit_federation.models import Member, Observation
    from labkit_federation.options import options

    settings = await new_hub(folder, database_url, concurrency)
    figures: dict[str, Any] = {"labs": labs, "concurrency": concurrency,
                               "bound": labs * LATENCY / concurrency}
    all_codes = codes(labs)
    async with db.open_database(settings, Plugins(settings)):
        await Member.bulk_create([Member(code=code, name=f"Município {code}", region_path="BR/BR-SP",
                                         url=simulators.url(number, code)) for number, code in enumerate(all_codes)],
                                 batch_size=1000)
        members = await Member.all().only("id", "url")

        # 1. the network alone: the harvest's fetch workers and clients, nothing parsed or stored
        statuses: dict[int | None, int] = {}
        queue = [member.url for member in members]
        tls = httpx.create_ssl_context(trust_env=False)
        fetchers = [Fetcher(options(settings), verify=tls, max_connections=FETCHERS_PER_CLIENT)
                    for _ in range(math.ceil(concurrency / FETCHERS_PER_CLIENT))]

        async def worker(fetcher: Fetcher) -> None:
            while queue:
                result = await fetcher.get(queue.pop())
                statuses[result.status] = statuses.get(result.status, 0) + 1

        started, cpu, served = time.perf_counter(), hub_cpu(), simulators.cpu()
        await asyncio.gather(*(worker(fetchers[number // FETCHERS_PER_CLIENT]) for number in range(concurrency)))
        figures["fetch_s"] = time.perf_counter() - started
        figures["fetch_cpu"] = hub_cpu() - cpu
        figures["fetch_sim_cpu"] = simulators.cpu() - served
        for fetcher in fetchers:
            await fetcher.aclose()
        figures["fetch_statuses"] = statuses

        # 2. cold, 3. warm
        figures["rss_before_mb"] = _rss_mb()
        for name in ("cold", "warm"):
            started, cpu, served = time.perf_counter(), hub_cpu(), simulators.cpu()
            run = await harvest(options(settings), trigger="cli")
            figures[f"{name}_s"] = time.perf_counter() - started
            figures[f"{name}_cpu"] = hub_cpu() - cpu
            figures[f"{name}_sim_cpu"] = simulators.cpu() - served
            figures[f"{name}_counts"] = {k: v for k, v in run.counts.items() if v}
        figures["observations"] = await Observation.all().count()

        # 4. optional: every document fetched and checked again, under tracemalloc (about 5x slower)
        if traced:
            await Member.all().update(etag="", content_hash="")
            tracemalloc.start()
            started = time.perf_counter()
            run = await harvest(options(settings), trigger="cli")
            figures["traced_s"] = time.perf_counter() - started
            figures["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            figures["traced_counts"] = {k: v for k, v in run.counts.items() if v}
    figures["maxrss_mb"] = _maxrss_mb()
    figures["servers"] = simulators.urls
    figures["load"] = os.getloadavg()[0]
    return figures


async def two_processes(labs: int, concurrency: int, simulators: Simulators, folder: Path,
                        database_url: str) -> dict[str, Any]:
    """The cold harvest of a fresh hub by ``labkit federation harvest --processes 2``: the command
    and the helper it starts (``worker --once``) share the concurrency and the run's members."""
    from labkit_federation.models import HarvestRun, Member

    settings = await new_hub(folder, database_url, concurrency)
    async with db.open_database(settings, Plugins(settings)):
        await Member.bulk_create([Member(code=code, name=f"Município {code}", region_path="BR/BR-SP",
                                         url=simulators.url(number, code)) for number, code in enumerate(codes(labs))],
                                 batch_size=1000)
    environ = {key: value for key, value in os.environ.items() if not key.startswith("LABKIT_")}
    command = [sys.executable, "-m", "labkit", "--lab", str(folder), "federation", "harvest", "--processes", "2"]
    done = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, env=environ, cwd=ROOT,
                                   timeout=600)
    assert done.returncode == 0, done.stderr
    # "harvest 1: 5570 members in 6.1 s (2790 of them by this process)"
    line = next(line for line in done.stdout.splitlines() if line.startswith("harvest "))
    async with db.open_database(settings, Plugins(settings)):
        run = await HarvestRun.get()
    return {"two_s": float(line.split(" in ")[1].split(" s")[0]), "two_line": line,
            "two_counts": {k: v for k, v in run.counts.items() if v}}


async def with_worker(labs: int, concurrency: int, simulators: Simulators, folder: Path,
                      database_url: str) -> dict[str, Any]:
    """The cold harvest of a fresh hub by this process and a ``labkit federation worker`` already
    running beside it (a hub that runs one as a service), each with half the concurrency."""
    from labkit_federation.harvest import harvest
    from labkit_federation.models import Member
    from labkit_federation.options import options

    half = max(1, concurrency // 2)
    settings = await new_hub(folder, database_url, half)
    environ = {key: value for key, value in os.environ.items() if not key.startswith("LABKIT_")}
    async with db.open_database(settings, Plugins(settings)):
        await Member.bulk_create([Member(code=code, name=f"Município {code}", region_path="BR/BR-SP",
                                         url=simulators.url(number, code)) for number, code in enumerate(codes(labs))],
                                 batch_size=1000)
        worker = subprocess.Popen([sys.executable, "-m", "labkit", "--lab", str(folder), "federation", "worker",
                                   "--once", "--concurrency", str(half)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ, cwd=ROOT)
        try:
            assert worker.stdout is not None
            ready = await asyncio.to_thread(worker.stdout.readline)
            assert ready.startswith("waiting for a harvest"), ready + (worker.stderr.read() if worker.stderr else "")
            started = time.perf_counter()
            run = await harvest(options(settings), trigger="cli")
            seconds = time.perf_counter() - started
            # "harvest 1: 5570 members, N of them by this worker"
            line = await asyncio.wait_for(asyncio.to_thread(worker.stdout.readline), 60)
        finally:
            worker.terminate()
            await asyncio.to_thread(worker.communicate, timeout=60)
    return {"worker_s": seconds, "worker_line": line.strip(),
            "worker_counts": {k: v for k, v in run.counts.items() if v}}


PERIODS = ("2023", "2024", "2025", "2025-Q2", "2025-Q3", "2025-Q4")


async def answer_times(folder: Path, database_url: str | None, labs: int) -> dict[str, Any]:
    """Median times of the hub's answers with ``labs`` labs × :data:`PERIODS` stored."""
    from datetime import UTC, datetime

    from labkit.app import create_app
    from labkit.bulk import insert_many

    from labkit_federation import summary
    from labkit_federation.models import Member, Observation, Report
    from tests.federation.simulated import lab_rows

    settings = await new_hub(folder, database_url, 1)
    all_codes = codes(labs)
    received = datetime(2026, 1, 10, tzinfo=UTC)
    figures: dict[str, Any] = {"labs": labs, "periods": len(PERIODS)}
    async with db.open_database(settings, Plugins(settings)):
        await Member.bulk_create([Member(code=code, name=code, region_path=f"BR/BR-{number % 27:02d}")
                                  for number, code in enumerate(all_codes)], batch_size=1000)
        ids = dict(await Member.all().values_list("code", "id"))
        started = time.perf_counter()
        for code in all_codes:
            rows = lab_rows(code, PERIODS)
            await insert_many(Observation, [
                {"member_id": ids[code], "indicator": r.indicator, "period": r.period, "frequency": r.frequency,
                 "module": r.module, "kind": r.kind, "value": r.value, "suppressed": r.suppressed,
                 "status": r.status, "via_id": None, "received_at": received} for r in rows])
            await insert_many(Report, [
                {"member_id": ids[code], "period": period, "frequency": "A" if len(period) == 4 else "Q",
                 "status": "published", "source": "pull", "via_id": None, "published_at": received,
                 "first_received_at": received, "last_received_at": received, "content_hash": ""}
                for period in PERIODS])
        await summary.rebuild()
        figures["fill_s"] = time.perf_counter() - started
        figures["rows"] = await Observation.all().count()
        app = create_app(settings)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as client:
            for name, path in (("overview", "/federation/?period=2025-Q4"),
                               ("totals", "/api/v1/federation/totals?period=2025-Q4"),
                               ("publication", "/api/v1/federation/indicators")):
                times = []
                if name == "publication":
                    figures["publication_rss_before_mb"], figures["peak_before_mb"] = _rss_mb(), _maxrss_mb()
                for _ in range(7):
                    started = time.perf_counter()
                    response = await client.get(path)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (path, response.status_code)
                figures["peak_after_mb"] = _maxrss_mb()
                figures[f"{name}_first_ms"] = times[0]
                figures[f"{name}_ms"] = sorted(times)[len(times) // 2]
                figures[f"{name}_bytes"] = len(response.content)
    return figures


def answer_rows(database: str, figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The runner's rows for :func:`answer_times`."""
    where = (f"{figures['labs']:,} labs × {figures['periods']} periods ({figures['rows']:,} rows), {database}, "
             "in-process requests, median of 7")
    return [{"benchmark": f"federation answer {name}", "figure": f"median {figures[f'{key}_ms']:.1f} ms",
             "baseline": "target 50 ms", "ratio": figures[f"{key}_ms"] / 50,
             "notes": f"{where}; first request {figures[f'{key}_first_ms']:.0f} ms; {figures[f'{key}_bytes']:,} bytes"}
            for key, name in (("overview", "/federation/"), ("totals", "/api/v1/federation/totals"),
                              ("publication", "/api/v1/federation/indicators (every period)"))] + [
        {"benchmark": "federation publication memory (building it once)",
         "figure": f"process peak RSS {figures['peak_after_mb']:.0f} MiB",
         "baseline": f"RSS before the first request {figures['publication_rss_before_mb']:.0f} MiB", "ratio": None,
         "notes": f"{where}; the process's peak before it {figures['peak_before_mb']:.0f} MiB (the figure is the "
                  "publication's own only if it is higher: run with --answers-only)"}]


def rows(database: str, figures: dict[str, Any]) -> list[dict[str, Any]]:
    labs, concurrency, bound = figures["labs"], figures["concurrency"], figures["bound"]
    where = f"{labs:,} labs, {LATENCY * 1000:.0f} ms each, concurrency {concurrency}, {database}"
    out = []
    for name, label in (("fetch", "fetch only (no parsing, no storage)"), ("warm", "harvest, nothing changed (304)"),
                        ("cold", "harvest, every document new")):
        seconds = figures[f"{name}_s"]
        counts = figures.get(f"{name}_counts", figures.get("fetch_statuses"))
        out.append({"benchmark": f"federation {label}", "figure": f"{seconds:.2f} s, {labs / seconds:,.0f} documents/s",
                    "baseline": f"lower bound {bound:.2f} s", "ratio": seconds / bound,
                    "notes": f"{where}; hub CPU {figures[f'{name}_cpu']:.1f} s, simulators' CPU "
                             f"{figures[f'{name}_sim_cpu']:.1f} s ({len(figures['servers'])} processes), load average "
                             f"{figures['load']:.1f} on {os.cpu_count()} CPUs; outcomes {counts}"})
    beside = {"two": ("two processes", f"`labkit federation harvest --processes 2` (what it does by default on 2 "
                                        f"CPUs), the concurrency shared: it said {figures.get('two_line')!r}"),
              "worker": ("with a running worker", f"this process and a `labkit federation worker` started before the "
                                                  f"harvest, {max(1, concurrency // 2)} at once each; the worker said "
                                                  f"{figures.get('worker_line')!r}")}
    for name, (label, how) in beside.items():  # the cold harvest again, by two processes
        if f"{name}_s" in figures:
            seconds = figures[f"{name}_s"]
            out.append({"benchmark": f"federation harvest, every document new, {label}",
                        "figure": f"{seconds:.2f} s, {labs / seconds:,.0f} documents/s "
                                  f"(one process: {figures['cold_s']:.2f} s)",
                        "baseline": f"lower bound {bound:.2f} s", "ratio": seconds / bound,
                        "notes": f"{where}; {how}; outcomes {figures[f'{name}_counts']}"})
    memory = {"benchmark": "federation hub memory during a harvest",
              "figure": f"peak RSS {figures['maxrss_mb']:.0f} MiB",
              "baseline": f"target 250 MiB; RSS before harvesting {figures['rss_before_mb']:.0f} MiB",
              "ratio": figures["maxrss_mb"] / 250,
              "notes": f"{where}; {figures['observations']:,} rows stored; lab {bomb_code(labs)} answers a gzip bomb "
                       "(1 MB inflating to 1 GiB)"}
    if "traced_peak_mb" in figures:
        memory["notes"] += (f"; tracemalloc peak {figures['traced_peak_mb']:.1f} MB while every document was fetched "
                            f"and checked again ({figures['traced_counts']}, {figures['traced_s']:.1f} s traced)")
    out.append(memory)
    return out


async def run(database: str, url: str | None, quick: bool, *, labs: int | None = None,
              concurrencies: tuple[int, ...] | None = None, servers: int = 2,
              traced: bool = False, harvests: bool = True, costs: bool = True,
              answers: bool = True) -> list[dict[str, Any]]:
    """The runner's contract (bench/run.py): rows for ``database`` (``url``: a PostgreSQL server)."""
    from labkit import runtime

    runtime.tune_garbage_collection()  # as every hub process does (the web app, the labkit command)
    labs = labs or (1_000 if quick else LABS)
    concurrencies = concurrencies or ((100,) if quick else (100, 200))
    out: list[dict[str, Any]] = []
    if harvests:  # first, so that the peak RSS measured is the harvests' own
        out += await _harvests(database, url, labs, concurrencies, servers, traced)
    if not answers:
        return out
    with tempfile.TemporaryDirectory(prefix="labkit-bench-federation-") as folder:
        target = None
        if database != "sqlite":
            from labkit.testing_server import create_database, drop_database

            assert url, "a PostgreSQL server URL is needed"
            target = await create_database(url, prefix="labkit_bench")
        try:
            if costs:
                out += cost_rows(database, await ingest_cost(Path(folder) / "hub", target, 300 if quick else 2_000))
        finally:
            if target:
                await drop_database(target)
        target = await create_database(url, prefix="labkit_bench") if database != "sqlite" else None
        try:
            out += answer_rows(database, await answer_times(Path(folder) / "answers", target, labs))
        finally:
            if target:
                await drop_database(target)
    return out


async def _harvests(database: str, url: str | None, labs: int, concurrencies: tuple[int, ...], servers: int,
                    traced: bool) -> list[dict[str, Any]]:
    """Fetch only, cold and warm harvests and memory, for each concurrency; on PostgreSQL the cold
    harvest by two processes too."""
    from labkit.testing_server import create_database, drop_database

    assert database == "sqlite" or url, "a PostgreSQL server URL is needed"
    out: list[dict[str, Any]] = []
    simulators = Simulators(servers, LATENCY, bombs=(bomb_code(labs),))
    try:
        for concurrency in concurrencies:
            with tempfile.TemporaryDirectory(prefix="labkit-bench-federation-") as folder:
                target = await create_database(url, prefix="labkit_bench") if url else None
                try:
                    figures = await measure(labs, concurrency, simulators, Path(folder) / "hub", target, traced)
                finally:
                    if target:
                        await drop_database(target)
                if url:  # several harvesting processes share a PostgreSQL hub only
                    target = await create_database(url, prefix="labkit_bench")
                    try:
                        figures.update(await two_processes(labs, concurrency, simulators, Path(folder) / "two", target))
                    finally:
                        await drop_database(target)
                    target = await create_database(url, prefix="labkit_bench")
                    try:
                        figures.update(await with_worker(labs, concurrency, simulators, Path(folder) / "worker",
                                                         target))
                    finally:
                        await drop_database(target)
            out += rows(database, figures)
    finally:
        simulators.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labs", type=int, default=None, help=f"number of labs (default {LABS:,}; 1,000 with --quick)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=None, help="default: 100 200 (100 with --quick)")
    parser.add_argument("--servers", type=int, default=2, help="simulator processes (default 2)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also harvest every document again under tracemalloc (Python allocations' peak)")
    parser.add_argument("--postgres", action="store_true", help="the hub on $LABKIT_TEST_DATABASE_URL's server")
    parser.add_argument("--costs-only", action="store_true", help="only the hub CPU per document (no harvest)")
    parser.add_argument("--harvests-only", action="store_true", help="only the harvests (no CPU per document, no answers)")
    parser.add_argument("--answers-only", action="store_true",
                        help="only the answers and the publication's memory (a fresh process: its peak is theirs)")
    arguments = parser.parse_args()
    url = os.environ.get("LABKIT_TEST_DATABASE_URL") if arguments.postgres else None
    if arguments.postgres and not url:
        parser.error("--postgres needs LABKIT_TEST_DATABASE_URL")
    result = asyncio.run(run("postgresql" if url else "sqlite", url, arguments.quick, labs=arguments.labs,
                             concurrencies=tuple(arguments.concurrency) if arguments.concurrency else None,
                             servers=arguments.servers, traced=arguments.tracemalloc,
                             harvests=not (arguments.costs_only or arguments.answers_only),
                             costs=not (arguments.answers_only or arguments.harvests_only),
                             answers=not arguments.harvests_only))
    for row in result:
        ratio = f"{row['ratio']:.2f}×" if row["ratio"] is not None else "-"
        print(f"{row['benchmark']}: {row['figure']} | {row['baseline']} | ratio {ratio}\n    {row['notes']}")


if __name__ == "__main__":
    main()
