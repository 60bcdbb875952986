"""Benchmark: a year of indicators for a large lab, against one hand-written SQL aggregate.

    python bench/bench_indicators.py            # SQLite in a temporary folder
    LABKIT_TEST_DATABASE_URL=postgres://... python bench/bench_indicators.py   # PostgreSQL
    python bench/run.py --only indicators [--quick]   # through the runner (--quick: BENCH_SCALE=0.1)

Builds a lab with 1,000,000 participation actions, 50,000 bookings and 10,000 challenge
submissions (500 of them winners, reported as projects) held by three small plugins defined
here, inserted with bulk SQL. Each plugin implements ``labkit_participants`` and
``labkit_portfolio`` with efficient queries (``SELECT DISTINCT person_id ...``). Then it computes
the year with the indicator engine, and the same participants and projects figures with one
hand-written SQL aggregate, checks they agree, and prints both times and their ratio.
Not part of the test suite.
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tortoise.connection import get_connection

from labkit import Period, db
from labkit.config import load_settings
from labkit.plugins import Plugins
from labkit.testing import write_lab

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
ACTIONS, BOOKINGS, SUBMISSIONS = int(1_000_000 * SCALE), int(50_000 * SCALE), int(10_000 * SCALE)
WINNERS, PEOPLE = max(1, int(500 * SCALE)), max(10, int(60_000 * SCALE))
YEAR = 2025

PLUGIN = '''
"""A benchmark module reading its own table with one efficient query per hook."""
from datetime import date
from labkit import PluginInfo, PortfolioItem, hookimpl
from labkit.i18n import current_zone
from tortoise.connection import get_connection

TABLE, COLUMN = "{table}", "{column}"

def _sql(text):
    postgres = "asyncpg" in type(get_connection("default")).__module__
    return text.replace("?", "$1", 1).replace("?", "$2", 1) if postgres else text

@hookimpl
def labkit_plugin_info():
    return PluginInfo(title="bench {table}")

@hookimpl
async def labkit_participants(period):
    start, end = period.bounds(current_zone.get())
    rows = await get_connection("default").execute_query_dict(
        _sql(f"SELECT DISTINCT person_id FROM {{TABLE}} WHERE {{COLUMN}} >= ? AND {{COLUMN}} < ?"), [start, end])
    return ["person:%d" % row["person_id"] for row in rows]

@hookimpl
async def labkit_portfolio():
    if TABLE != "bench_submissions":
        return []
    rows = await get_connection("default").execute_query_dict(
        "SELECT id, created_at FROM bench_submissions WHERE winner = 1")
    items = []
    for row in rows:
        created = row["created_at"]
        day = created.date() if hasattr(created, "date") else date.fromisoformat(str(created)[:10])
        items.append(PortfolioItem("projects", "submission:%d" % row["id"], "Winner %d" % row["id"], day, kind="challenge"))
    return items
'''

TABLES = {"bench_actions": "created_at", "bench_bookings": "starts_at", "bench_submissions": "created_at"}


async def create_postgres(url: str) -> str:
    import asyncpg

    name = f"labkit_bench_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    return url.rsplit("/", 1)[0] + "/" + name


async def drop_postgres(url: str, target: str) -> None:
    import asyncpg

    name = target.rsplit("/", 1)[1]
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    await connection.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await connection.close()


def moments(count: int, generator: random.Random) -> list[tuple[int, datetime]]:
    start = datetime(YEAR - 1, 12, 1, tzinfo=UTC)  # a month before the year, to test the bounds
    span = int(timedelta(days=425).total_seconds())
    return [(generator.randint(1, PEOPLE), start + timedelta(seconds=generator.randrange(span))) for _ in range(count)]


async def fill(postgres: bool) -> None:
    connection = get_connection("default")
    generator = random.Random(42)
    timestamp = "TIMESTAMPTZ" if postgres else "TIMESTAMP"
    for table, column in TABLES.items():
        extra = ", winner INTEGER NOT NULL DEFAULT 0" if table == "bench_submissions" else ""
        await connection.execute_script(
            f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, {column} {timestamp} NOT NULL{extra});"
            f"CREATE INDEX {table}_when ON {table} ({column}, person_id);")
    for table, count in (("bench_actions", ACTIONS), ("bench_bookings", BOOKINGS), ("bench_submissions", SUBMISSIONS)):
        column = TABLES[table]
        rows = [(index + 1, person, when if postgres else when.isoformat(sep=" "),
                 *((1 if index < WINNERS else 0,) if table == "bench_submissions" else ()))
                for index, (person, when) in enumerate(moments(count, generator))]
        names = f"id, person_id, {column}" + (", winner" if table == "bench_submissions" else "")
        if postgres:
            async with connection.acquire_connection() as raw:
                await raw.copy_records_to_table(table, records=rows, columns=[n.strip() for n in names.split(",")])
        else:
            marks = ", ".join("?" for _ in rows[0])
            async with connection.acquire_connection() as raw:  # one transaction, not one per row
                await raw.execute("BEGIN")
                await raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
                await raw.execute("COMMIT")
    if postgres:
        await connection.execute_script("ANALYZE;")


async def hand_written(postgres: bool, start: datetime, end: datetime) -> tuple[int, int]:
    def bound(value: datetime) -> object:
        return value if postgres else value.astimezone(UTC).isoformat(sep=" ")

    a, b = ("$1", "$2") if postgres else ("?", "?")
    union = " UNION ".join(f"SELECT person_id FROM {t} WHERE {c} >= {a} AND {c} < {b}" for t, c in TABLES.items())
    sql = (f"SELECT (SELECT COUNT(*) FROM ({union}) AS people) AS participants, "
           f"(SELECT COUNT(*) FROM bench_submissions WHERE winner = 1 AND created_at >= {a} AND created_at < {b}) AS projects")
    if not postgres:  # SQLite numbers its ? marks in order: pass the bounds once per use
        params = [bound(start), bound(end)] * 4
    else:
        params = [start, end]
    row = (await get_connection("default").execute_query_dict(sql, params))[0]
    return int(row["participants"]), int(row["projects"])


def set_scale(scale: float) -> None:
    """Scale the volumes (``BENCH_SCALE``; the runner's --quick uses 0.1)."""
    global SCALE, ACTIONS, BOOKINGS, SUBMISSIONS, WINNERS, PEOPLE
    SCALE = scale
    ACTIONS, BOOKINGS, SUBMISSIONS = int(1_000_000 * SCALE), int(50_000 * SCALE), int(10_000 * SCALE)
    WINNERS, PEOPLE = max(1, int(500 * SCALE)), max(10, int(60_000 * SCALE))


async def main(base: str | None = None) -> dict:
    """Build, compute, compare and print; return the figures (``base``: a PostgreSQL server URL)."""
    postgres = bool(base)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "lab"
        sources = Path(tmp) / "src"
        sources.mkdir()
        for table, column in TABLES.items():
            (sources / f"{table}.py").write_text(PLUGIN.format(table=table, column=column))
        write_lab(folder, ["indicators", *TABLES], {"lab": {"timezone": "UTC"}}, sorted(sources.iterdir()))
        url = await create_postgres(base) if postgres else f"sqlite://{folder / 'data' / 'lab.sqlite3'}"
        environ = {**os.environ, "LABKIT_DATABASE_URL": url}
        settings = load_settings(folder, environ)
        plugins = Plugins(settings)
        try:
            await db.migrate(settings, plugins)
            async with db.open_database(settings, plugins):
                began = time.perf_counter()
                await fill(postgres)
                print(f"database: {'PostgreSQL' if postgres else 'SQLite'}; built {ACTIONS:,} actions, {BOOKINGS:,} "
                      f"bookings, {SUBMISSIONS:,} submissions in {time.perf_counter() - began:.1f} s")
                from labkit_indicators.engine import Engine

                period = Period.parse(str(YEAR))
                engine = Engine(settings, plugins)
                began = time.perf_counter()
                figures = await engine.compute(period)
                engine_time = time.perf_counter() - began
                start, end = period.bounds(settings.lab.timezone)
                began = time.perf_counter()
                participants, projects = await hand_written(postgres, start, end)
                sql_time = time.perf_counter() - began
        finally:
            if postgres:
                await drop_postgres(base, url)
    assert not figures.failures, figures.failures
    assert figures.value("participants") == participants, (figures.value("participants"), participants)
    assert figures.value("projects") == projects, (figures.value("projects"), projects)
    print(f"year {YEAR}: participants {participants:,}, projects {projects:,} (engine and SQL agree)")
    print(f"engine (hooks, union, breakdowns): {engine_time * 1000:.0f} ms")
    print(f"one hand-written SQL aggregate:    {sql_time * 1000:.0f} ms")
    print(f"ratio engine / SQL: {engine_time / sql_time:.2f}x")
    return {"engine_s": engine_time, "sql_s": sql_time, "participants": participants, "projects": projects}


async def run(database: str, url: str | None, quick: bool) -> list[dict]:
    """The runner's contract (bench/run.py): one row for ``database`` (``url``: a PostgreSQL server)."""
    set_scale(0.1 if quick and "BENCH_SCALE" not in os.environ else SCALE)
    figures = await main(url if database == "postgresql" else None)
    return [{"benchmark": "indicators year (engine)", "figure": f"{figures['engine_s'] * 1000:.0f} ms",
             "baseline": f"one SQL aggregate: {figures['sql_s'] * 1000:.0f} ms",
             "ratio": figures["engine_s"] / figures["sql_s"],
             "notes": f"{ACTIONS:,} actions, {BOOKINGS:,} bookings, {SUBMISSIONS:,} submissions; "
                      f"{figures['participants']:,} participants, {figures['projects']:,} projects (agree)"}]


if __name__ == "__main__":
    asyncio.run(main(os.environ.get("LABKIT_TEST_DATABASE_URL")))
