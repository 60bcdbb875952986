"""Benchmark: the mapping directory API's time for one page out of 10,000 organisations, as a
ratio against the same query run bare through the ORM, measured in the same run.

    python bench/bench_mapping.py            # SQLite in a temporary folder
    LABKIT_TEST_DATABASE_URL=postgres://... python bench/bench_mapping.py   # also PostgreSQL
    python bench/run.py --only mapping [--quick]   # through the runner, in its one table

The lab is served by uvicorn on 127.0.0.1 and asked over real HTTP (httpx, keep-alive). The bare
ORM run does what the handler does for its data (count the filtered set, fetch one page) without
HTTP, middleware, sessions, serialisation or JSON. Not part of the test suite.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]

import httpx  # noqa: E402

from labkit import db  # noqa: E402
from labkit.app import create_app  # noqa: E402
from labkit.config import load_settings  # noqa: E402
from labkit.plugins import Plugins  # noqa: E402
from labkit.testing import _drop_database, _postgres, _with_database, serve, write_lab  # noqa: E402

ORGANISATIONS = 10_000
PAGE, PER_PAGE = 50, 20
QUERY = f"/api/v1/mapping/organisations?page={PAGE}&per_page={PER_PAGE}&region=zona-leste"
ROUNDS, WARMUP = 60, 5


async def fill(count: int = ORGANISATIONS) -> None:
    """10,000 (``count``) published organisations spread over kinds, regions, topics and practices."""
    from labkit_mapping import rules
    from labkit_mapping.models import KINDS, PRACTICES, Organisation

    rng = random.Random(42)
    regions = ["centro", "zona-norte", "zona-sul", "zona-leste", "zona-oeste"]
    topics = ["mobilidade urbana", "dados abertos", "educação", "saúde", "cultura digital", "robótica", "clima"]
    batch = []
    for number in range(count):
        name = f"Organização {number:05d} {rng.choice(['Coletivo', 'Rede', 'Instituto', 'Laboratório'])}"
        chosen_topics = rng.sample(topics, 2)
        values = {"name": name, "topics": chosen_topics, "address": "São Paulo", "region": rng.choice(regions),
                  "description": "Organização de exemplo para o benchmark."}
        batch.append(Organisation(
            uid=uuid.uuid4(), name=name, normalised_name=rules.fold(name), kind=rng.choice(list(KINDS)),
            description=values["description"], topics="|" + "|".join(chosen_topics) + "|",
            practices="|" + rng.choice(list(PRACTICES)) + "|", website=f"https://org{number}.example.org",
            website_domain=f"org{number}.example.org", links=[], region=values["region"], address="São Paulo",
            latitude=-23.5 - rng.random() * 0.3, longitude=-46.4 - rng.random() * 0.4,
            wants_partnership=rng.random() < 0.3, status="published", search_text=rules.search_text(values),
            source="import"))
    for start in range(0, len(batch), 1000):
        await Organisation.bulk_create(batch[start:start + 1000])


async def bare_orm() -> int:
    """The handler's data work without the web: count the filtered set and fetch the page."""
    from labkit_mapping import rules

    filters = rules.Filters(region="zona-leste")
    query = filters.apply(rules.published())
    total = await query.count()
    items = await query.offset((PAGE - 1) * PER_PAGE).limit(PER_PAGE)
    assert len(items) == PER_PAGE
    return total


async def timed(run, rounds: int) -> list[float]:
    for _ in range(WARMUP):
        await run()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        await run()
        times.append(time.perf_counter() - start)
    return times


async def measure(label: str, database_url: str | None, folder: Path, rounds: int = ROUNDS) -> dict:
    lab_dir = folder / label
    write_lab(lab_dir, ["mapping"], {"lab": {"name": "Bench"}})
    url = database_url or f"sqlite://{lab_dir / 'data' / 'lab.sqlite3'}"
    settings = load_settings(lab_dir, {**os.environ, "LABKIT_DATABASE_URL": url})
    plugins = Plugins(settings)
    started = time.perf_counter()
    await db.migrate(settings, plugins)
    app = create_app(settings, plugins)
    server, task, base_url = await serve(app)
    try:
        await fill()
        filled = time.perf_counter() - started
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            async def over_http() -> None:
                response = await client.get(QUERY)
                response.raise_for_status()
                assert len(response.json()["items"]) == PER_PAGE

            http_times = await timed(over_http, rounds)
        orm_times = await timed(bare_orm, rounds)
        total = await bare_orm()
    finally:
        server.should_exit = True
        await task
    http_ms, orm_ms = statistics.median(http_times) * 1000, statistics.median(orm_times) * 1000
    print(f"[{label}] {ORGANISATIONS:,} organisations (set up in {filled:.1f} s); GET {QUERY} "
          f"({total:,} match; page {PAGE}, {PER_PAGE} per page)")
    print(f"[{label}]   API over HTTP : median {http_ms:7.2f} ms  (p90 {statistics.quantiles(http_times, n=10)[8] * 1000:.2f} ms, {rounds} requests)")
    print(f"[{label}]   bare ORM      : median {orm_ms:7.2f} ms  (p90 {statistics.quantiles(orm_times, n=10)[8] * 1000:.2f} ms, {rounds} runs)")
    print(f"[{label}]   ratio API / ORM: {http_ms / orm_ms:.2f}")
    return {"http_ms": http_ms, "orm_ms": orm_ms, "total": total, "rounds": rounds}


async def run(database: str, url: str | None, quick: bool) -> list[dict]:
    """The runner's contract (bench/run.py): one row for ``database`` (``url``: a PostgreSQL server)."""
    rounds = 20 if quick else ROUNDS
    with tempfile.TemporaryDirectory(prefix="labkit-bench-") as folder:
        if database == "sqlite":
            figures = await measure("sqlite", None, Path(folder), rounds)
        else:
            from labkit.testing_server import create_database, drop_database

            target = await create_database(url, prefix="labkit_bench")
            try:
                figures = await measure("postgresql", target, Path(folder), rounds)
            finally:
                await drop_database(target)
    return [{"benchmark": "mapping API page (in-process uvicorn)", "figure": f"median {figures['http_ms']:.2f} ms",
             "baseline": f"bare ORM: median {figures['orm_ms']:.2f} ms", "ratio": figures["http_ms"] / figures["orm_ms"],
             "notes": f"page {PAGE} of {figures['total']:,} matches out of {ORGANISATIONS:,}; {rounds} sequential requests; "
                      "baseline without HTTP"}]


async def main(postgres_only: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="labkit-bench-") as folder:
        postgres = os.environ.get("LABKIT_TEST_DATABASE_URL")
        if not postgres_only:
            await measure("sqlite", None, Path(folder))
        elif postgres:
            name = f"labkit_bench_{uuid.uuid4().hex[:10]}"
            await _postgres(f'CREATE DATABASE "{name}"')
            url = _with_database(postgres, name)
            try:
                await measure("postgresql", url, Path(folder))
            finally:
                await _drop_database(url)


if __name__ == "__main__":
    only_postgres = "--postgres" in sys.argv
    asyncio.run(main(only_postgres))
    if not only_postgres and os.environ.get("LABKIT_TEST_DATABASE_URL"):
        # Tortoise keeps per-model SQL state for one dialect: PostgreSQL runs in a fresh process.
        sys.exit(subprocess.call([sys.executable, __file__, "--postgres"]))
