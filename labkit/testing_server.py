"""Real servers for load tests, fault tests and benchmarks: a lab served by ``labkit serve`` in its
own process, and a throw-away PostgreSQL server that can be stopped and started again.

The test kit's ``make_lab`` fixture (:mod:`labkit.testing`) serves a lab inside the test's own event
loop, which is right for most tests. Some things can only be proven against the real thing: several
uvicorn worker processes sharing one database, a worker killed by a signal, PostgreSQL going away
under traffic. This module starts them::

    from labkit.testing import write_lab
    from labkit.testing_server import LabServer, PostgresServer, migrate

    pg = PostgresServer.start(tmp / "pg")            # scripts/postgres.sh start
    write_lab(tmp / "lab", ["participation"], {"database": {"url": pg.url}})
    migrate(tmp / "lab")                               # labkit --lab DIR migrate
    with LabServer.start(tmp / "lab", workers=3) as lab:
        httpx.get(lab.url + "/healthz")                # answered by one of 3 workers
        lab.worker_pids()                              # the uvicorn worker processes
    pg.stop(); pg.resume()                             # an outage, then the same server again

Everything listens on loopback only and is stopped by :meth:`LabServer.stop` /
:meth:`PostgresServer.stop` (also at ``with`` exit). The lab's output goes to ``serve.log`` in the
lab folder (:meth:`LabServer.log` reads it), so a failing test can show what the server said.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

REPOSITORY = Path(__file__).resolve().parent.parent
POSTGRES_SCRIPT = REPOSITORY / "scripts" / "postgres.sh"
"""The script that makes throw-away PostgreSQL servers (present in a checkout of labkit)."""


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def labkit_command(lab_dir: Path, *args: str) -> list[str]:
    """The command line running ``labkit --lab lab_dir args...`` with this Python."""
    return [sys.executable, "-m", "labkit", "--lab", str(lab_dir), *args]


def migrate(lab_dir: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``labkit migrate`` on the lab as a process; raise with its output if it fails."""
    done = subprocess.run(labkit_command(lab_dir, "migrate"), capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"labkit migrate failed ({done.returncode}): {done.stdout}{done.stderr}")
    return done


class LabServer:
    """A lab served by ``labkit serve --workers N`` on a free loopback port."""

    def __init__(self, lab_dir: Path, process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
        self.lab_dir = lab_dir
        self.process = process
        self.url = url
        self.log_path = log_path

    @classmethod
    def start(cls, lab_dir: Path, *, workers: int = 1, port: int | None = None, env: dict[str, str] | None = None,
              timeout: float = 60, command: Callable[[int], list[str]] | None = None,
              log_name: str = "serve.log") -> LabServer:
        """Start serving the (migrated) lab in ``lab_dir`` and wait until ``/healthz`` answers.

        ``command(port)`` replaces ``labkit serve`` with another server of the same lab that
        answers ``/healthz`` on ``port`` with ``workers`` worker processes (the benchmarks' bare
        Starlette app); ``LABKIT_LAB_DIR`` names the lab in its environment.
        """
        lab_dir = Path(lab_dir).resolve()
        port = port or free_port()
        log_path = lab_dir / log_name
        argv = command(port) if command else labkit_command(
            lab_dir, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers))
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                argv, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1", "LABKIT_LAB_DIR": str(lab_dir), **(env or {})},
                start_new_session=True)
        server = cls(lab_dir, process, f"http://127.0.0.1:{port}", log_path)
        try:
            server.wait_healthy(timeout, workers=workers)
        except BaseException:
            server.stop()
            raise
        return server

    def wait_healthy(self, timeout: float = 60, workers: int = 1) -> None:
        """Wait until ``/healthz`` answers 200 and ``workers`` worker processes run."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"labkit serve exited with {self.process.returncode}:\n{self.log()}")
            try:
                healthy = httpx.get(self.url + "/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                healthy = False
            if healthy and (workers <= 1 or len(self.worker_pids()) >= workers):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the lab did not answer {self.url}/healthz within {timeout:.0f} s:\n{self.log()}")
            time.sleep(0.1)

    def worker_pids(self) -> list[int]:
        """The process ids of uvicorn's worker processes (empty with one worker: it serves itself)."""
        import psutil

        try:
            children = psutil.Process(self.process.pid).children()
        except psutil.NoSuchProcess:
            return []
        return [child.pid for child in children if child.is_running() and child.status() != psutil.STATUS_ZOMBIE
                and "multiprocessing.resource_tracker" not in " ".join(_cmdline(child))]

    def log(self) -> str:
        """What the server printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 20) -> None:
        """Stop the server (SIGTERM: uvicorn finishes the requests in flight), then kill what is left."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)

    def __enter__(self) -> LabServer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def _cmdline(process: Any) -> list[str]:
    try:
        return list(process.cmdline())
    except Exception:  # the process went away
        return []


class PostgresServer:
    """A throw-away PostgreSQL server made by ``scripts/postgres.sh`` in ``folder``."""

    def __init__(self, folder: Path, url: str) -> None:
        self.folder = folder
        self.url = url

    @classmethod
    def start(cls, folder: Path) -> PostgresServer:
        """Create and start a new server (trust authentication, loopback only, fsync off)."""
        folder = Path(folder)
        done = subprocess.run(["bash", str(POSTGRES_SCRIPT), "start", str(folder)], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"could not start PostgreSQL: {done.stderr.strip()}")
        return cls(folder, done.stdout.strip().splitlines()[-1])

    def stop(self) -> None:
        """Stop the server (fast shutdown: open connections are cut, as in a real outage)."""
        subprocess.run(["bash", str(POSTGRES_SCRIPT), "stop", str(self.folder)], capture_output=True, check=False)

    def resume(self) -> None:
        """Start the stopped server again on the same port with the same data."""
        binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
        pg_ctl = binaries[-1] / "pg_ctl"
        command = f"'{pg_ctl}' -D '{self.folder / 'data'}' -l '{self.folder / 'server.log'}' -w restart"
        as_owner = ["su", "postgres", "-s", "/bin/sh", "-c", command] if os.getuid() == 0 else ["sh", "-c", command]
        done = subprocess.run(as_owner, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"could not restart PostgreSQL: {done.stdout}{done.stderr}")

    def database_url(self, name: str) -> str:
        """The URL of database ``name`` on this server."""
        return self.url.rsplit("/", 1)[0] + "/" + name

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


async def create_database(server_url: str, prefix: str = "labkit_run") -> str:
    """Create a new empty database on the PostgreSQL server of ``server_url``; return its URL."""
    import asyncpg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(server_url.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return server_url.rsplit("/", 1)[0] + "/" + name


async def drop_database(database_url: str) -> None:
    """Drop the database of ``database_url`` (its open connections are terminated first)."""
    import asyncpg

    name = database_url.rsplit("/", 1)[1]
    server = database_url.rsplit("/", 1)[0] + "/postgres"
    connection = await asyncpg.connect(server.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        await connection.close()
