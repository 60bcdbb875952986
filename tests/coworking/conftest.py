"""Fixtures of the coworking tests: a lab, a space with resources, and a plugin offering organisations."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from labkit import verification
from labkit.auth import create_token, hash_password
from labkit.models import Person
from labkit.testing import PASSWORD, RunningLab

from labkit_coworking.models import Resource, Space

ORGANISATIONS = '''
from labkit import PluginInfo, Reference, ReferenceKind, hookimpl

ORGS = {"7": "Coletivo Periferia Conectada", "8": "Associação Bike Zona Leste"}
HEARD = []

async def search(query, limit):
    return [Reference("organisation", key, label, f"/orgs/{key}") for key, label in ORGS.items()
            if query.lower() in label.lower()][:limit]

async def get(key):
    return Reference("organisation", key, ORGS[key], f"/orgs/{key}") if key in ORGS else None

@hookimpl
def labkit_plugin_info():
    return PluginInfo(title="Organisations")

@hookimpl
def labkit_references():
    return [ReferenceKind("organisation", "Organisations", search, get)]

@hookimpl
def labkit_event(event):
    HEARD.append((event.name, dict(event.data)))
'''

ALL_DAY = {str(day): [[0, 1440]] for day in range(7)}
"""Opening hours of a space open round the clock, so tests not about hours never hit them."""


@pytest.fixture
def orgs_plugin(tmp_path: Path) -> Path:
    path = tmp_path / "orgs.py"
    path.write_text(ORGANISATIONS)
    return path


@pytest.fixture
async def cw(make_lab: Callable[..., Awaitable[RunningLab]], orgs_plugin: Path) -> RunningLab:
    """A São Paulo lab with coworking and the organisations test plugin (which also records events)."""
    return await make_lab(plugins=["coworking", "orgs"], local_plugins=[orgs_plugin])


def heard(lab: RunningLab) -> list[tuple[str, dict[str, Any]]]:
    return lab.plugins.loaded["orgs"].module.HEARD


async def make_space(**fields: Any) -> Space:
    values: dict[str, Any] = {"name": "Pátio Digital", "address": "Rua Líbero Badaró, 425", "opening_hours": ALL_DAY,
                              "guidelines": "Be **kind**.", "quota_hours_per_week": 0}
    values.update(fields)
    return await Space.create(**values)


async def make_resource(space: Space, **fields: Any) -> Resource:
    values: dict[str, Any] = {"name": "Desks", "kind": "desk", "capacity": 4, "auto_approve": True,
                              "min_notice_minutes": 0, "max_length_minutes": 8 * 60, "max_days_ahead": 400}
    values.update(fields)
    return await Resource.create(space=space, **values)


def next_weekday(weekday: int, zone: str = "America/Sao_Paulo", at_least: int = 2) -> date:
    """A date at least ``at_least`` days ahead falling on ``weekday`` (0 = Monday)."""
    day = datetime.now(ZoneInfo(zone)).date() + timedelta(days=at_least)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def local(day: date, hour: int, minute: int = 0, zone: str = "America/Sao_Paulo") -> str:
    """An ISO local wall-clock time (no offset) as the API reads it."""
    return datetime.combine(day, time(hour, minute)).isoformat()


def booking_json(resource: Resource, day: date, start: int, end: int, **extra: Any) -> dict[str, Any]:
    body = {"resource_id": resource.id, "start": local(day, start), "end": local(day, end), "attendees": 1,
            "purpose": "Working on a civic app", "accept_guidelines": True}
    body.update(extra)
    return body


def next_dst_change(zone: str) -> tuple[date, int]:
    """The next local date whose UTC offset changes in ``zone``, and the change in hours (+1 spring)."""
    tz = ZoneInfo(zone)
    day = datetime.now(UTC).date() + timedelta(days=2)
    for _ in range(400):
        before = datetime.combine(day, time(0), tz).utcoffset()
        after = datetime.combine(day + timedelta(days=1), time(0), tz).utcoffset()
        if before != after:
            return day, int((after - before).total_seconds() // 3600)
        day += timedelta(days=1)
    raise AssertionError("no daylight-saving change within a year")


_hash: dict[str, str] = {}


async def person(role: str = "member", name: str | None = None) -> Person:
    """An account with a confirmed address whose password is :data:`labkit.testing.PASSWORD`, hashed once per test run."""
    if "hash" not in _hash:
        _hash["hash"] = hash_password(PASSWORD)
    made = await Person.create(email=f"{role}-{uuid.uuid4().hex[:8]}@example.org", name=name or f"Test {role}",
                               role=role, password_hash=_hash["hash"])
    await verification.grant(made, verification.EMAIL)
    return made


async def login(lab: RunningLab, role: str = "member", who: Person | None = None) -> Any:
    """A signed-in browser-like client; ``.api`` is a client of the same person with an API token."""
    client = await lab.login_as(role, person=who or await person(role))
    client.api = lab.client(token=await create_token(client.person, "tests"))  # type: ignore[attr-defined]
    return client


async def api_client(lab: RunningLab, role: str = "member") -> Any:
    """A client with an API token only (no sign-in form: quicker); ``.api`` is itself."""
    who = await person(role)
    client = lab.client(token=await create_token(who, "tests"))
    client.person = who  # type: ignore[attr-defined]
    client.api = client  # type: ignore[attr-defined]
    return client
