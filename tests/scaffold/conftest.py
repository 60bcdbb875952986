"""Fixtures of the scaffold tests: an empty HOME that must stay empty, and helpers to bake labs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

from labkit.app import create_app
from labkit.config import load_settings
from labkit.plugins import Plugins
from labkit.testing import serve


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """HOME points at an empty folder for the test, which must still be empty at the end."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder / ".cache"))
    for name in [name for name in os.environ if name.startswith("LABKIT_") and name != "LABKIT_TEST_DATABASE_URL"]:
        monkeypatch.delenv(name)
    yield folder
    assert sorted(p.name for p in folder.iterdir()) == [], "something was written to the home directory"


@pytest.fixture
def labs(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder the labs are made in (the current folder during the test)."""
    folder = tmp_path / "labs"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def labkit(*args: str, cwd: Path, input: str | None = None, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run the labkit command (a real process, with this test's environment)."""
    return subprocess.run([sys.executable, "-m", "labkit", *args], cwd=cwd, capture_output=True, text=True,
                          input=input, timeout=timeout, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run a labkit command in this process (faster than :func:`labkit`; the current folder is
    the test's ``labs`` folder)."""
    from click.testing import CliRunner

    from labkit.cli import cli

    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def assert_one_line_error(result: subprocess.CompletedProcess[str], text: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("labkit: error: ") and text in lines[0], result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.fixture(autouse=True)
def forget_lab_plugins() -> Iterator[None]:
    """Lab-local plugins are imported by name; forget them after the test so the next lab's
    copy is the one loaded. ``labkit new`` migrates in this process: forget the SQL Tortoise
    cached for that database too (it is cached by connection name, not by kind of database)."""
    before_modules, before_path = set(sys.modules), list(sys.path)
    yield
    EXECUTOR_CACHE.clear()
    for name in set(sys.modules) - before_modules:
        if name == "visit" or name.startswith("visit."):
            del sys.modules[name]
    sys.path[:] = before_path


@asynccontextmanager
async def running(lab_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    """Serve the lab in ``lab_dir`` on a free loopback port; yield a client for it."""
    settings = load_settings(lab_dir)
    plugins = Plugins(settings)
    server, task, url = await serve(create_app(settings, plugins))
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        await task


Timer = Callable[[], float]


def stopwatch() -> Timer:
    start = time.perf_counter()
    return lambda: time.perf_counter() - start
