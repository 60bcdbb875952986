"""Shared helpers of the fuzz tests: a lab full of demo records, API tokens, bounded examples.

The fuzz tests run hypothesis (and schemathesis, which is built on it) in a worker thread while the
lab keeps serving real HTTP in the test's event loop: :func:`on_loop` lets that thread await
coroutines (a ``LabClient`` request, an ORM query) on the loop that owns them.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings

from labkit import auth
from labkit.models import Person
from labkit.plugins import await_me_maybe
from labkit.testing import RunningLab

T = TypeVar("T")


def examples(default: int) -> int:
    """How many examples each property draws: ``default`` in CI, ``LABKIT_FUZZ_EXAMPLES`` for a long run."""
    return int(os.environ.get("LABKIT_FUZZ_EXAMPLES") or default)


def fuzz_settings(default: int, **overrides: Any) -> settings:
    """Reproducible hypothesis settings (the same cases on every CI run), bounded by :func:`examples`."""
    return settings(max_examples=examples(default), derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large],
                    print_blob=False, **overrides)


def on_loop(loop: asyncio.AbstractEventLoop, awaitable: Awaitable[T], timeout: float = 60) -> T:
    """Await ``awaitable`` (a coroutine, a Tortoise query) on ``loop`` (the test's, serving the lab)
    from a worker thread and wait for the result."""
    async def wait() -> T:
        return await awaitable
    return asyncio.run_coroutine_threadsafe(wait(), loop).result(timeout)


@dataclass
class SeededLab:
    """A running lab with every built-in plugin, the demo records, and one API token per role."""

    lab: RunningLab
    people: dict[str, Person]
    tokens: dict[str, str]


async def seeded_lab(make_lab: Callable[..., Awaitable[RunningLab]], roles: tuple[str, ...] = ("member", "admin"),
                     ) -> SeededLab:
    """Every installed plugin enabled, each plugin's ``labkit_demo_data`` loaded (so paths with
    ids hit real records), and an API token for a new person of each of ``roles``."""
    lab = await make_lab()
    for _slug, result in lab.plugins.results("labkit_demo_data", settings=lab.settings):
        await await_me_maybe(result)
    people: dict[str, Person] = {}
    tokens: dict[str, str] = {}
    for role in roles:
        people[role] = await lab.person(role, name=f"Fuzz {role.title()}")
        tokens[role] = await auth.create_token(people[role], f"fuzz {role}")
    return SeededLab(lab, people, tokens)
