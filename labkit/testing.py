"""The labkit test kit: a pytest plugin for labkit itself and for plugin authors.

Installed with labkit (entry point ``pytest11``), it gives every test suite these fixtures:

``make_lab``
    ``await make_lab(plugins=["hello"], local_plugins=[path], settings={"lab": {...}})`` builds a lab folder
    with a migrated database (SQLite in the test's folder, or a fresh PostgreSQL database when
    ``LABKIT_TEST_DATABASE_URL`` is set), serves it with uvicorn on a free loopback port and
    returns a :class:`RunningLab`. Everything is torn down after the test.
``lab``
    ``make_lab()`` with every installed plugin.
``browser_page``
    A Playwright page in Debian's headless Chromium (``LABKIT_CHROMIUM`` overrides the path).

A :class:`RunningLab` makes HTTP clients that speak to the lab over real loopback HTTP
(:meth:`RunningLab.client`), creates people (:meth:`RunningLab.person`), signs them in
(:meth:`RunningLab.login_as`) and delivers the mail outbox at once (:meth:`RunningLab.deliver_mail`).
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import secrets
import shutil
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import tomli_w
import uvicorn
from starlette.applications import Starlette
from tortoise.backends.base.executor import EXECUTOR_CACHE

from labkit import auth, consent, db, outbox, verification
from labkit.app import create_app
from labkit.config import Settings, load_settings
from labkit.models import Person
from labkit.plugins import Plugins

CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse battery staple"
"""The password of every person :meth:`RunningLab.person` creates."""


@functools.cache
def _password_hash() -> str:
    """One real argon2id hash of :data:`PASSWORD`, shared by the test people of a run.

    Hashing costs ~50 ms by design; every person made by :meth:`RunningLab.person` has the same
    password, so the hash is computed once. Sign-in still verifies it with argon2.
    """
    return auth.hash_password(PASSWORD)


class LabClient(httpx.AsyncClient):
    """An HTTP client with a cookie jar that knows how to send forms with their CSRF token.

    Idle connections are dropped after 2 s, before uvicorn closes them (5 s): reusing a connection
    the server is closing at that very moment fails with "Server disconnected", more often on a
    loaded machine.
    """

    KEEPALIVE_EXPIRY = 2.0

    def __init__(self, **kwargs: Any) -> None:
        limits: httpx.Limits = kwargs.get("limits") or httpx.Limits()
        kwargs["limits"] = httpx.Limits(
            max_connections=limits.max_connections, max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=min(limits.keepalive_expiry or self.KEEPALIVE_EXPIRY, self.KEEPALIVE_EXPIRY))
        super().__init__(**kwargs)

    async def csrf_token(self) -> str:
        """The session's CSRF token, read from a page the way a browser would."""
        page = await self.get("/account/login")
        match = CSRF_PATTERN.search(page.text)
        assert match, "no CSRF token on /account/login"
        return match.group(1)

    async def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        """POST ``data`` as a form with the CSRF token, as the lab's own pages do."""
        return await self.post(url, data={"csrf_token": await self.csrf_token(), **(data or {})}, **kwargs)


@dataclass
class RunningLab:
    """A lab served on loopback for a test."""

    settings: Settings
    plugins: Plugins
    app: Starlette
    url: str
    _clients: list[LabClient] = field(default_factory=list)

    def client(self, token: str | None = None) -> LabClient:
        """A new client (its own cookies); with ``token``, it authenticates as an API client."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        client = LabClient(base_url=self.url, headers=headers, timeout=30, follow_redirects=False)
        self._clients.append(client)
        return client

    async def person(self, role: str = "member", email: str | None = None, name: str | None = None, *,
                     verified: bool = True) -> Person:
        """Create an account with ``role`` (password :data:`PASSWORD`) whose e-mail address is
        confirmed (unless ``verified=False``) and who accepted the lab's current terms and privacy
        notice, if it published any."""
        email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.org"
        person = await Person.create(email=email, name=name or f"Test {role.title()}", role=role,
                                     password_hash=_password_hash())
        if verified:
            await verification.grant(person, verification.EMAIL)
        await consent.accept_current(person)
        return person

    async def login_as(self, role: str = "member", person: Person | None = None) -> LabClient:
        """A client signed in through the real sign-in form as a new person with ``role``."""
        person = person or await self.person(role)
        client = self.client()
        response = await client.submit("/account/login", {"email": person.email, "password": PASSWORD})
        assert response.status_code == 303, f"sign-in failed: {response.status_code}"
        client.person = person  # type: ignore[attr-defined]
        return client

    async def deliver_mail(self, timeout: float = 10.0) -> Counter[str]:
        """Deliver the outbox's due messages now (waiting for the lab's own worker if it holds the
        lease); how many ended in each status during this pass."""
        deadline = asyncio.get_running_loop().time() + timeout
        while (done := await outbox.deliver_pass(self.settings, self.app.state.catalogs)) is None:
            assert asyncio.get_running_loop().time() < deadline, "the mail lease stayed taken"
            await asyncio.sleep(0.05)
        return done

    async def close(self) -> None:
        for client in self._clients:
            await client.aclose()


# ---------------------------------------------------------------------------- databases

_migrated: dict[tuple[str, ...], str] = {}
"""Already-migrated template databases, by plugin set: a SQLite file path or a PostgreSQL name."""


def _postgres_url() -> str | None:
    return os.environ.get("LABKIT_TEST_DATABASE_URL") or None


def _with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


async def _postgres(sql: str) -> None:
    import asyncpg

    url = _postgres_url()
    assert url is not None
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _fresh_database(settings_for: Callable[[str], Settings], key: tuple[str, ...], folder: Path) -> str:
    """A database URL holding a migrated copy of the template for ``key``."""
    postgres = _postgres_url()
    if key not in _migrated:
        if postgres:
            template = f"labkit_tpl_{uuid.uuid4().hex[:12]}"
            await _postgres(f'CREATE DATABASE "{template}"')
            url = _with_database(postgres, template)
        else:
            url = f"sqlite://{folder.parent / ('template-' + uuid.uuid4().hex[:8] + '.sqlite3')}"
        settings = settings_for(url)
        await db.migrate(settings, Plugins(settings))
        _migrated[key] = template if postgres else url.removeprefix("sqlite://")
    if postgres:
        name = f"labkit_test_{uuid.uuid4().hex[:12]}"
        await _postgres(f'CREATE DATABASE "{name}" TEMPLATE "{_migrated[key]}"')
        return _with_database(postgres, name)
    target = folder / "data" / "lab.sqlite3"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_migrated[key], target)
    return f"sqlite://{target}"


async def _drop_database(url: str) -> None:
    if url.startswith("postgres"):
        name = url.rsplit("/", 1)[1]
        await _postgres(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        await _postgres(f'DROP DATABASE IF EXISTS "{name}"')


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the PostgreSQL template databases this test run made."""
    if _postgres_url():
        templates = [name for name in _migrated.values() if not name.startswith("/")]
        _migrated.clear()

        async def drop() -> None:
            for name in templates:
                await _postgres(f'DROP DATABASE IF EXISTS "{name}"')

        asyncio.run(drop())


# ------------------------------------------------------------------------------- serving


async def serve(app: Starlette) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    """Serve ``app`` with uvicorn on a free loopback port in this event loop."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="on", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the lab did not start")
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, task, f"http://127.0.0.1:{port}"


def write_lab(folder: Path, plugins: list[str], settings: dict[str, dict[str, Any]] | None = None,
              local_plugins: list[Path] | None = None) -> None:
    """Write a lab folder: ``lab.toml`` enabling ``plugins`` (plus ``settings``, by section), a
    secret in ``.env``, and copies of ``local_plugins`` in its ``plugins/`` folder."""
    folder.mkdir(parents=True, exist_ok=True)
    sections: dict[str, Any] = {"lab": {"name": "Test Lab", "timezone": "America/Sao_Paulo"},
                                           "plugins": {"enabled": plugins}}
    for section, values in (settings or {}).items():
        table: dict[str, Any] = sections
        for part in section.split("."):  # "plugin.challenges" is the table [plugin.challenges]
            table = table.setdefault(part, {})
        table.update(values)
    (folder / "lab.toml").write_text(tomli_w.dumps(sections), encoding="utf-8")
    (folder / ".env").write_text(f"LABKIT_SECRET_KEY={secrets.token_urlsafe(32)}\n", encoding="utf-8")
    for source in local_plugins or []:
        destination = folder / "plugins" / source.name
        destination.parent.mkdir(exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copyfile(source, destination)


@pytest.fixture
async def make_lab(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[RunningLab]]]:
    """A factory of running labs (see the module docstring)."""
    started: list[tuple[RunningLab, uvicorn.Server, asyncio.Task[None], str]] = []

    async def factory(plugins: list[str] | None = None, settings: dict[str, dict[str, Any]] | None = None,
                      local_plugins: list[Path] | None = None, name: str = "lab") -> RunningLab:
        folder = tmp_path / name
        write_lab(folder, plugins if plugins is not None else ["*"], settings, local_plugins)
        key = (*sorted(plugins if plugins is not None else ["*"]), *(p.name for p in local_plugins or []))

        def settings_for(url: str) -> Settings:
            return load_settings(folder, {**os.environ, "LABKIT_DATABASE_URL": url})

        # Tortoise caches each table's INSERT statement by connection name, not by database kind:
        # a test that also opened a lab on another kind of database (a SQLite lab folder beside a
        # PostgreSQL run) would leave statements in the wrong dialect behind.
        EXECUTOR_CACHE.clear()
        url = await _fresh_database(settings_for, key, folder)
        lab_settings = settings_for(url)
        plugin_set = Plugins(lab_settings)
        app = create_app(lab_settings, plugin_set)
        server, task, base_url = await serve(app)
        lab = RunningLab(lab_settings, plugin_set, app, base_url)
        started.append((lab, server, task, url))
        return lab

    yield factory
    for lab, server, task, url in reversed(started):
        await lab.close()
        server.should_exit = True
        await task
        await _drop_database(url)


@pytest.fixture
async def lab(make_lab: Callable[..., Awaitable[RunningLab]]) -> RunningLab:
    """A running lab with every installed plugin."""
    return await make_lab()


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture
async def browser_page() -> AsyncIterator[Any]:
    """A Playwright page in headless Chromium; fails (in CI) or skips (elsewhere) without it."""
    executable = os.environ.get("LABKIT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is not installed at {executable} (apt-get install chromium)")
        pytest.skip(f"Chromium is not installed at {executable}")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        try:
            yield page
        finally:
            await browser.close()
