"""Fixtures of the participation tests: a running lab and consultations set in a chosen phase."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from labkit.testing import RunningLab
from labkit.timezones import now

DAY = timedelta(days=1)
OFFSETS = {  # where "now" falls: days from now at which each phase starts
    "upcoming": (2, 3, 4, 5),
    "information": (-1, 3, 4, 5),
    "proposals": (-3, -1, 4, 5),
    "support": (-5, -3, -1, 5),
    "results": (-7, -5, -3, -1),
}


@pytest.fixture
async def plab(make_lab: Callable[..., Awaitable[RunningLab]]) -> RunningLab:
    return await make_lab(plugins=["participation"])


@pytest.fixture
def make_process() -> Callable[..., Awaitable[Any]]:
    from labkit_participation.models import Process

    async def factory(phase: str = "proposals", **fields: Any) -> Any:
        start = now().replace(microsecond=0)
        days = OFFSETS[phase]
        values = dict(title=f"Consultation in {phase}", summary="A test consultation", published=True,
                      information_starts_at=start + days[0] * DAY, proposals_starts_at=start + days[1] * DAY,
                      support_starts_at=start + days[2] * DAY, results_starts_at=start + days[3] * DAY)
        values.update(fields)
        return await Process.create(**values)

    return factory


async def set_phase(process: Any, phase: str) -> None:
    """Move an existing consultation into ``phase`` (as the clock would)."""
    start = now().replace(microsecond=0)
    days = OFFSETS[phase]
    process.information_starts_at = start + days[0] * DAY
    process.proposals_starts_at = start + days[1] * DAY
    process.support_starts_at = start + days[2] * DAY
    process.results_starts_at = start + days[3] * DAY
    await process.save()


async def proposal_of(process: Any, author: Any, title: str = "Fresh fruit every day", **fields: Any) -> Any:
    from labkit_participation.models import Proposal

    return await Proposal.create(process_id=process.id, author_id=author.id, title=title,
                                 body=fields.pop("body", "Serve fresh fruit from local farms at every meal."), **fields)
