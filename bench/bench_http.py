"""Benchmark: a page and an API list endpoint of a real lab over HTTP, against a bare Starlette app
running the same queries on the same database under the same uvicorn settings.

    .venv/bin/python bench/run.py --only http [--quick]       # through the runner (one table)
    .venv/bin/python bench/bench_http.py [--quick] [--postgres URL]   # alone, prints its rows

The lab (plugin ``mapping``, 10,000 published organisations; 2,000 with --quick) is served by ``labkit serve`` with
1 worker on SQLite, and with several workers (one per CPU, 2 to 4) on PostgreSQL. The bare app
(:func:`bare_app`, below) is served by ``uvicorn --workers`` with the same number of workers, the
same log level (``info``, with the access log, as ``labkit serve``) and the same database. It runs
the queries the labkit handlers run — the directory's filtered count, one page of 20 and the
facets for the filter menus; the API's count and page — through the same ORM and the plugin's own
query and serialisation functions, and answers with a minimal Jinja2 page or the same JSON. What
it leaves out is the framework: the middleware (security headers, sessions, authentication,
language, CSRF and body guard), the plugin machinery, the lab's layout, navigation and
translations, and the error handling.

Each measurement sends a fixed number of GET requests with a fixed concurrency (keep-alive
connections, one asyncio httpx client in this process, which shares the machine's CPUs with the
servers) after a warm-up, in four blocks alternating between labkit and the bare app (both
served at once, so that a change in the machine's load falls on both alike), and reports the
throughput and the p50/p95/p99 latencies. The ratio is
labkit's time per request over the bare app's (bare requests per second / labkit requests per
second): 1.00 would be no overhead at all. Not part of the test suite.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import httpx  # noqa: E402

PAGE = "/mapping/?region=zona-leste&page=5"
API = "/api/v1/mapping/organisations?region=zona-leste&page=5&per_page=20"
BARE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Directory</title></head><body>
<h1>Directory</h1><form><select name="topic">{% for t in facets.topics %}<option>{{ t }}</option>{% endfor %}</select>
<select name="region">{% for r in facets.regions %}<option>{{ r }}</option>{% endfor %}</select></form>
<p>{{ total }} organisations</p><ul>{% for o in items %}<li><a href="/mapping/{{ o.id }}">{{ o.name }}</a>
{{ o.kind }} · {{ o.region }}</li>{% endfor %}</ul></body></html>"""


# ------------------------------------------------------------------------------ the bare app


def bare_app() -> Any:
    """A bare Starlette app on the lab named by ``LABKIT_LAB_DIR`` (for ``uvicorn --factory``): the
    directory page and the organisations API with the same queries, and nothing else."""
    import jinja2
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse
    from starlette.routing import Route
    from tortoise import connections
    from tortoise.contrib.starlette import RegisterTortoise

    from labkit import db
    from labkit.config import load_settings
    from labkit.plugins import Plugins

    from labkit_mapping import exports, rules

    settings = load_settings()
    plugins = Plugins(settings)
    template = jinja2.Environment(autoescape=True).from_string(BARE_PAGE)
    base = settings.lab.base_url.rstrip("/")

    def number(request: Request, name: str, default: int) -> int:
        try:
            return max(1, int(request.query_params.get(name, default)))
        except ValueError:
            return default

    async def directory(request: Request) -> HTMLResponse:
        filters = rules.Filters.from_query(request.query_params)
        page, size = number(request, "page", 1), 20
        query = filters.apply(rules.published())
        total = await query.count()
        items = await query.offset((page - 1) * size).limit(size)
        return HTMLResponse(template.render(items=items, total=total, facets=await rules.facets()))

    async def organisations(request: Request) -> JSONResponse:
        filters = rules.Filters.from_query(request.query_params)
        page, size = number(request, "page", 1), min(100, number(request, "per_page", 20))
        query = filters.apply(rules.published())
        total = await query.count()
        items = await query.offset((page - 1) * size).limit(size)
        return JSONResponse({"items": [exports.as_json(o, base) for o in items], "page": page, "per_page": size,
                             "total": total, "pages": max(1, -(-total // size))})

    async def health(request: Request) -> JSONResponse:
        await connections.get("default").execute_query("SELECT 1")
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(app, config=db.tortoise_config(settings, plugins)):
            yield

    return Starlette(routes=[Route("/mapping/", directory), Route("/api/v1/mapping/organisations", organisations),
                             Route("/healthz", health)], lifespan=lifespan)


def bare_command(workers: int) -> Any:
    def command(port: int) -> list[str]:
        return [sys.executable, "-m", "uvicorn", "bench_http:bare_app", "--factory", "--app-dir", str(HERE),
                "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "info",
                "--proxy-headers"]
    return command


# --------------------------------------------------------------------------------- the load


async def hammer(base_url: str, path: str, concurrency: int, requests: int) -> tuple[list[float], float]:
    """Send ``requests`` GETs of ``path`` with ``concurrency`` in flight, after a warm-up; return
    each request's latency and the wall-clock time of the whole."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        async def worker(count: int) -> None:
            for _ in range(count):
                began = time.perf_counter()
                response = await client.get(path)
                latencies.append(time.perf_counter() - began)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {path} answered {response.status_code}")

        await asyncio.gather(*(worker(1) for _ in range(concurrency)))  # warm-up: connections, caches
        latencies.clear()
        shares = [requests // concurrency + (1 if n < requests % concurrency else 0) for n in range(concurrency)]
        began = time.perf_counter()
        await asyncio.gather(*(worker(share) for share in shares))
        return latencies, time.perf_counter() - began


async def compare(urls: dict[str, str], path: str, concurrency: int, requests: int, blocks: int = 4) -> dict[str, dict[str, float]]:
    """Measure each server in turn, in ``blocks`` alternating blocks (so that a change in the
    machine's load falls on both alike); throughput and p50/p95/p99 latencies of each."""
    latencies: dict[str, list[float]] = {name: [] for name in urls}
    walls = dict.fromkeys(urls, 0.0)
    for _ in range(blocks):
        for name, url in urls.items():
            times, wall = await hammer(url, path, concurrency, requests // blocks)
            latencies[name] += times
            walls[name] += wall
    out = {}
    for name, times in latencies.items():
        cuts = statistics.quantiles(times, n=100, method="inclusive")
        out[name] = {"rps": len(times) / walls[name], "p50": cuts[49] * 1000, "p95": cuts[94] * 1000,
                     "p99": cuts[98] * 1000}
    return out


def describe(stats: dict[str, float]) -> str:
    return f"{stats['rps']:.0f} req/s; p50/p95/p99 {stats['p50']:.1f}/{stats['p95']:.1f}/{stats['p99']:.1f} ms"


# ---------------------------------------------------------------------------------- the run


async def _seed(lab_dir: Path, count: int) -> None:
    from bench_mapping import fill

    from labkit import db
    from labkit.config import load_settings
    from labkit.plugins import Plugins

    settings = load_settings(lab_dir)
    plugins = Plugins(settings)
    async with db.open_database(settings, plugins):
        await fill(count)


async def run(database: str, url: str | None, quick: bool) -> list[dict[str, Any]]:
    """The runner's contract (see bench/run.py): rows for ``database`` ("sqlite" or "postgresql",
    then ``url`` is a PostgreSQL server on which to create a database)."""
    from labkit.testing import write_lab
    from labkit.testing_server import LabServer, create_database, drop_database, migrate

    requests, concurrency, organisations = (200, 8, 2_000) if quick else (2000, 16, 10_000)
    workers = 1 if database == "sqlite" else max(2, min(4, os.cpu_count() or 2))
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="labkit-bench-http-") as tmp:
        lab_dir = Path(tmp) / "lab"
        database_url = await create_database(url, prefix="labkit_bench") if url else None
        try:
            write_lab(lab_dir, ["mapping"], {"lab": {"name": "Bench"},
                                             **({"database": {"url": database_url}} if database_url else {})})
            migrate(lab_dir)
            await _seed(lab_dir, organisations)
            with LabServer.start(lab_dir, workers=workers) as labkit, \
                    LabServer.start(lab_dir, workers=workers, command=bare_command(workers), log_name="bare.log") as bare:
                urls = {"labkit": labkit.url, "bare": bare.url}
                results = {label: await compare(urls, path, concurrency, requests)
                           for label, path in (("page", PAGE), ("api", API))}
        finally:
            if database_url:
                await drop_database(database_url)
    for label, path, what in (("page", PAGE, "directory page"), ("api", API, "API list")):
        labkit, bare = results[label]["labkit"], results[label]["bare"]
        rows.append({
            "benchmark": f"http {what}",
            "figure": describe(labkit),
            "baseline": "bare Starlette: " + describe(bare),
            "ratio": bare["rps"] / labkit["rps"],
            "notes": f"GET {path.split('?')[0]}; {organisations:,} organisations; {workers} worker(s); "
                     f"{requests} requests, {concurrency} in flight",
        })
    return rows


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server URL (default: SQLite)")
    arguments = parser.parse_args()
    for row in asyncio.run(run("postgresql" if arguments.postgres else "sqlite", arguments.postgres, arguments.quick)):
        print(row)
