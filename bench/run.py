"""Run labkit's benchmarks and print one table.

    .venv/bin/python bench/run.py [--quick] [--only NAME ...] [--database sqlite|postgresql]

Every ``bench/bench_<name>.py`` that has a ``run`` function is a benchmark of this runner (today:
``http``, ``mapping``, ``indicators``; a new file that keeps the contract below joins the table
by itself). Each benchmark runs once on SQLite and once on PostgreSQL, each time in a fresh Python
process (Tortoise keeps per-dialect state for the life of a process). PostgreSQL is the server of
``LABKIT_BENCH_DATABASE_URL`` when it is set; otherwise the runner starts a throw-away server with
``scripts/postgres.sh`` and stops it at the end. ``--quick`` makes every benchmark smaller so that
the whole run takes a few minutes; the full run takes longer. Progress goes to stderr, the table
(Markdown) to stdout. Benchmarks are not tests: CI does not run them.

The contract of a benchmark module ``bench/bench_<name>.py``::

    def run(database: str, url: str | None, quick: bool) -> list[dict]   # or ``async def``

``database`` is ``"sqlite"`` or ``"postgresql"``. For PostgreSQL, ``url`` is the URL of a
PostgreSQL *server* (``postgres://user@host:port/dbname``) on which the benchmark creates its
own databases and drops them (``labkit.testing_server.create_database`` / ``drop_database``);
for SQLite it is ``None`` and the benchmark works in a temporary folder. ``quick`` asks for a
smaller run. It returns one dict per row of the table::

    {"benchmark": "http API list",            # what was measured
     "figure": "412 req/s; p50/p95/p99 ...",  # labkit's figure, as text
     "baseline": "bare Starlette: ...",       # what it is compared with, as text ("" if none)
     "ratio": 1.42,                           # figure / baseline (a float, or None)
     "notes": "10,000 organisations; ..."}    # the conditions

Optionally ``DATABASES = ("sqlite",)`` limits the databases it runs on (default: both). A
benchmark may print what it likes; only the returned rows reach the table.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MARKER = "LABKIT-BENCH-ROWS "
COLUMNS = ("benchmark", "database", "figure", "baseline", "ratio", "notes")


def discover() -> list[str]:
    """The benchmark names (``bench_<name>.py`` files defining ``run``), ``http`` first."""
    names = []
    for path in sorted(HERE.glob("bench_*.py")):
        text = path.read_text(encoding="utf-8")
        if "\ndef run(" in text or "\nasync def run(" in text:
            names.append(path.stem.removeprefix("bench_"))
    return sorted(names, key=lambda name: (name != "http", name))


def child(name: str, database: str, quick: bool) -> None:
    """Run one benchmark on one database in this process; print its rows after the marker."""
    sys.path[:0] = [str(HERE), str(ROOT)]
    module = importlib.import_module(f"bench_{name}")
    result = module.run(database, os.environ.get("LABKIT_BENCH_SERVER_URL") or None, quick)
    rows = asyncio.run(result) if inspect.isawaitable(result) else result
    print(MARKER + json.dumps([{**row, "database": database} for row in rows]), flush=True)


def supported(name: str) -> tuple[str, ...]:
    text = (HERE / f"bench_{name}.py").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("DATABASES ="):
            return tuple(eval(line.split("=", 1)[1], {}))  # a literal tuple of names
    return ("sqlite", "postgresql")


def run_one(name: str, database: str, quick: bool, server_url: str | None, log: Path) -> list[dict[str, Any]]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--database", database]
    command += ["--quick"] if quick else []
    environ = {**os.environ, "PYTHONUNBUFFERED": "1", "LABKIT_BENCH_SERVER_URL": server_url or ""}
    began = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=environ)
    log.write_text(done.stdout + done.stderr, encoding="utf-8")
    took = time.monotonic() - began
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(MARKER):
            print(f"  {name} on {database}: done in {took:.0f} s", file=sys.stderr)
            return json.loads(line.removeprefix(MARKER))
    last = (done.stderr.strip().splitlines() or done.stdout.strip().splitlines() or ["no output"])[-1]
    print(f"  {name} on {database}: FAILED in {took:.0f} s (see {log})", file=sys.stderr)
    return [{"benchmark": name, "database": database, "figure": "failed", "baseline": "", "ratio": None,
             "notes": last[:200]}]


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as one Markdown table."""
    def cell(row: dict[str, Any], column: str) -> str:
        value = row.get(column)
        if column == "ratio":
            return "" if value is None else f"{value:.2f}"
        return str(value or "").replace("|", "/")

    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    lines += ["| " + " | ".join(cell(row, column) for column in COLUMNS) + " |" for row in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="Run labkit's benchmarks and print one table.")
    parser.add_argument("--quick", action="store_true", help="smaller runs: a few minutes in all")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these benchmarks (e.g. http mapping)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), help="only this database")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child, arguments.database, arguments.quick)
        return 0
    names = arguments.only or discover()
    databases = [arguments.database] if arguments.database else ["sqlite", "postgresql"]
    logs = Path(tempfile.mkdtemp(prefix="labkit-bench-logs-"))
    server_url = os.environ.get("LABKIT_BENCH_DATABASE_URL")
    postgres = None
    if "postgresql" in databases and not server_url:
        sys.path.insert(0, str(ROOT))
        from labkit.testing_server import PostgresServer

        postgres = PostgresServer.start(Path(tempfile.mkdtemp(prefix="labkit-bench-pg-")))
        server_url = postgres.url
        print(f"started a throw-away PostgreSQL server: {server_url}", file=sys.stderr)
    began = time.monotonic()
    rows: list[dict[str, Any]] = []
    try:
        for name in names:
            for database in databases:
                if database in supported(name):
                    print(f"running {name} on {database}{' (quick)' if arguments.quick else ''}...", file=sys.stderr)
                    rows += run_one(name, database, arguments.quick, server_url if database == "postgresql" else None,
                                    logs / f"{name}-{database}.log")
    finally:
        if postgres is not None:
            postgres.stop()
            shutil.rmtree(postgres.folder, ignore_errors=True)
    print(f"all done in {time.monotonic() - began:.0f} s; each benchmark's own output is in {logs}", file=sys.stderr)
    print(f"labkit benchmarks{' (quick)' if arguments.quick else ''}, {os.cpu_count()} CPUs\n")
    print(table(rows))
    return 1 if any(row["figure"] == "failed" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
