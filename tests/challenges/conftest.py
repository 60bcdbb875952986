"""Fixtures of the challenges tests: a running lab with the plugin, and challenges in a chosen phase."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from labkit.testing import RunningLab
from labkit.timezones import now


@pytest.fixture
async def clab(make_lab: Callable[..., Awaitable[RunningLab]]) -> RunningLab:
    """A running lab with the challenges plugin."""
    return await make_lab(plugins=["challenges"])


def phase_dates(phase: str) -> dict[str, Any]:
    """Dates that put a challenge in ``phase`` now (open, closed, evaluation or announced)."""
    t = now()
    day = timedelta(days=1)
    return {
        "announced": dict(opens_at=t + day, closes_at=t + 10 * day, evaluation_starts_at=t + 12 * day),
        "open": dict(opens_at=t - day, closes_at=t + 10 * day, evaluation_starts_at=t + 12 * day),
        "closed": dict(opens_at=t - 10 * day, closes_at=t - day, evaluation_starts_at=t + 2 * day),
        "evaluation": dict(opens_at=t - 10 * day, closes_at=t - 3 * day, evaluation_starts_at=t - day),
    }[phase]


async def make_challenge(phase: str = "open", **fields: Any) -> Any:
    from labkit_challenges.models import DEFAULT_LICENCES, Challenge

    values = dict(kind="challenge", title="Dados de mobilidade", summary="Travessias seguras perto das escolas.",
                  problem="Como priorizar travessias perto das escolas?", owner="Secretaria de Mobilidade",
                  licences=DEFAULT_LICENCES, default_licence="MIT", is_published=True,
                  code_of_conduct="Respeito acima de tudo.", **phase_dates(phase))
    values.update(fields)
    return await Challenge.create(**values)


async def set_phase(challenge: Any, phase: str) -> None:
    for key, value in phase_dates(phase).items():
        setattr(challenge, key, value)
    await challenge.save()


async def make_team(challenge: Any, *people: Any, name: str = "Equipe Azul") -> Any:
    """A team with ``people`` (the first is the lead), made directly in the database."""
    import secrets

    from labkit_challenges.models import Team, TeamMember

    team = await Team.create(challenge=challenge, name=name, invite_nonce=secrets.token_hex(8))
    for index, person in enumerate(people):
        await TeamMember.create(team=team, challenge=challenge, person=person, role="lead" if index == 0 else "member",
                                conduct_accepted_at=now())
    return team


async def make_submission(challenge: Any, team: Any, title: str = "Travessia Segura", **fields: Any) -> Any:
    from labkit_challenges.models import Submission

    values = dict(title=title, summary="Um mapa das travessias mais perigosas.", licence="MIT",
                  submitted_at=now() - timedelta(days=5))
    values.update(fields)
    return await Submission.create(challenge=challenge, team=team, **values)
