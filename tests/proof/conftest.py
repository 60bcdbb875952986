"""Fixtures of the proof tests that need a lab served by real ``labkit serve --workers N`` processes
on PostgreSQL (many workers, faults): :func:`served_lab` and :func:`throwaway_postgres`.

The test process opens the same database with Tortoise (through :class:`ServedLab`) to seed data
and to check afterwards that the database holds exactly what the HTTP answers said.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from base64 import b64decode
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import itsdangerous
import pytest
from tortoise import Tortoise

from labkit import auth, consent, db
from labkit.config import Settings, load_settings
from labkit.models import Person, Verification
from labkit.plugins import Plugins
from labkit.testing import PASSWORD, LabClient, write_lab
from labkit.testing_server import LabServer, PostgresServer, create_database, drop_database, migrate

needs_postgres = pytest.mark.skipif(
    not os.environ.get("LABKIT_TEST_DATABASE_URL"),
    reason="many workers and faults are proven on PostgreSQL only (set LABKIT_TEST_DATABASE_URL)")

_HASH: dict[str, str] = {}


def password_hash() -> str:
    """The argon2 hash of :data:`PASSWORD`, computed once per run (each hash costs ~50 ms)."""
    if "hash" not in _HASH:
        _HASH["hash"] = auth.hash_password(PASSWORD)
    return _HASH["hash"]


@dataclass
class ServedLab:
    """A lab folder on its own PostgreSQL database, served by a :class:`LabServer` process."""

    folder: Path
    database_url: str
    settings: Settings
    plugins: Plugins
    server: LabServer | None = None
    clients: list[LabClient] = field(default_factory=list)

    @property
    def url(self) -> str:
        assert self.server is not None, "serve() first"
        return self.server.url

    def serve(self, workers: int = 3) -> LabServer:
        self.server = LabServer.start(self.folder, workers=workers)
        return self.server

    def client(self, token: str | None = None, timeout: float = 30) -> LabClient:
        """A new HTTP client of the served lab (its own cookies; with ``token``, an API client)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        client = LabClient(base_url=self.url, headers={**headers, "Accept-Language": "en"}, timeout=timeout,
                           follow_redirects=False, limits=httpx.Limits(max_connections=4))
        self.clients.append(client)
        return client

    async def people(self, count: int, role: str = "member") -> list[Person]:
        """``count`` accounts with password :data:`PASSWORD`, a confirmed address and the current
        terms accepted, made directly in the database."""
        tag = uuid.uuid4().hex[:6]
        await Person.bulk_create([Person(email=f"{role}-{tag}-{n}@example.org", name=f"Person {tag} {n}", role=role,
                                         password_hash=password_hash()) for n in range(count)])
        made = await Person.filter(email__startswith=f"{role}-{tag}-").order_by("id")
        await Verification.bulk_create([Verification(person=person, kind="email") for person in made])
        await consent.accept_current(*made)
        return made

    async def login(self, person: Person) -> LabClient:
        """A client signed in through the real sign-in form."""
        client = self.client()
        response = await client.submit("/account/login", {"email": person.email, "password": PASSWORD})
        assert response.status_code == 303, f"sign-in failed: {response.status_code} {response.text[:300]}"
        client.person = person  # type: ignore[attr-defined]
        return client

    async def api(self, person: Person) -> LabClient:
        """A client authenticated by a new API token of ``person``."""
        client = self.client(token=await auth.create_token(person, "proof"))
        client.person = person  # type: ignore[attr-defined]
        return client

    def flashes(self, response: httpx.Response) -> list[list[str]]:
        """The messages a redirect put in the (signed) session cookie, as ``[kind, text]`` pairs."""
        cookie = response.cookies.get("labkit_session")
        if not cookie:
            return []
        data = itsdangerous.TimestampSigner(self.settings.secret_key).unsign(cookie)
        return json.loads(b64decode(data)).get("flashes", [])

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()
        if self.server is not None:
            self.server.stop()


@pytest.fixture
async def served_lab(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[ServedLab]]]:
    """A factory: ``await served_lab(plugins=[...], server_url=...)`` writes a lab folder on a new
    database of the PostgreSQL server ``server_url`` (default: ``LABKIT_TEST_DATABASE_URL``),
    migrates it with ``labkit migrate`` and opens it in this process. Serve it with ``.serve(N)``."""
    made: list[ServedLab] = []

    async def factory(plugins: list[str], server_url: str | None = None,
                      settings: dict[str, dict[str, Any]] | None = None, name: str = "lab") -> ServedLab:
        server_url = server_url or os.environ["LABKIT_TEST_DATABASE_URL"]
        url = await create_database(server_url, prefix="labkit_proof")
        folder = tmp_path / name
        write_lab(folder, plugins, {**(settings or {}), "database": {"url": url}})
        migrate(folder)
        lab_settings = load_settings(folder)
        plugin_set = Plugins(lab_settings)
        await Tortoise.init(config=db.tortoise_config(lab_settings, plugin_set), _enable_global_fallback=True)
        lab = ServedLab(folder, url, lab_settings, plugin_set)
        made.append(lab)
        return lab

    yield factory
    await Tortoise.close_connections()
    for lab in made:
        await lab.close()
        try:
            await drop_database(lab.database_url)
        except OSError:  # its server was a throw-away one, already stopped
            pass


@pytest.fixture
def throwaway_postgres() -> Any:
    """A PostgreSQL server of this test alone (it may stop and restart it), under /tmp so that the
    ``postgres`` user can reach it when the tests run as root."""
    folder = Path(tempfile.mkdtemp(prefix="labkit-pg-"))
    server = PostgresServer.start(folder)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
