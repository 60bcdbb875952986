"""Fixtures of the training tests: a lab with the training plugin, courses and sessions made
through the plugin's own actions, and clients with API tokens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from labkit.actions import Context
from labkit.auth import create_token
from labkit.testing import RunningLab

from labkit_training.actions_courses import add_session, save_course
from labkit_training.forms import CourseIn, SessionIn
from labkit_training.models import Course, Session


@pytest.fixture
async def tlab(make_lab: Callable[..., Awaitable[RunningLab]]) -> RunningLab:
    """A lab with the training plugin only."""
    return await make_lab(plugins=["training"])


async def staff_context(lab: RunningLab) -> Context:
    """The context of a staff member, to run the plugin's actions as staff do."""
    return Context(lab.app, await lab.person("staff", name="Equipe do Lab"))


async def make_course(lab: RunningLab, *, capacity: int = 2, required_hours: str = "6", **more: Any) -> Course:
    """A published course open for enrolment, made by staff through the course action."""
    values = {"title": "Curso de 18 horas", "published": True, "enrolment_open": True, **more}
    data = CourseIn(capacity=capacity, required_hours=Decimal(required_hours), **values)
    return await save_course.run(await staff_context(lab), data)


async def add_sessions(lab: RunningLab, course: Course, count: int, *, first: date | None = None,
                       start: time = time(9), end: time = time(12)) -> list[Session]:
    """``count`` daily sessions of the course (3 hours each by default), starting ``first``."""
    first = first or date.today() - timedelta(days=count + 1)
    ctx = await staff_context(lab)
    return [await add_session.run(ctx, SessionIn(course_id=course.id, day=first + timedelta(days=n),
                                                 start_time=start, end_time=end, place="Sala 1"))
            for n in range(count)]


async def api_client(lab: RunningLab, role: str = "member", name: str | None = None) -> Any:
    """A client with an API token of a new person (``.person``)."""
    who = await lab.person(role, name=name or f"Pessoa {role}")
    client = lab.client(token=await create_token(who, "tests"))
    client.person = who  # type: ignore[attr-defined]
    return client
