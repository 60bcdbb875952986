"""Fixtures of the people tests: a lab with the network and the lab's list of skills."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from labkit.testing import LabClient, RunningLab

from labkit_people.models import Profile, Topic

PROFILE = {"name": "Ana Souza", "bio": "Mapeio linhas de ônibus.", "region": "zona-leste",
           "skills": ["gis"], "interests": ["open-data"], "tags": "qgis, Mapas", "links": "https://example.org/ana"}


@pytest.fixture
async def people_lab(make_lab: Callable[..., Awaitable[RunningLab]]) -> RunningLab:
    """A lab with the people plugin and a short list of skills and interests."""
    lab = await make_lab(plugins=["people"])
    await Topic.create(key="gis", names={"en": "GIS", "pt-BR": "Geoprocessamento"})
    await Topic.create(key="open-data", names={"en": "Open data"})
    await Topic.create(key="python", names={"en": "Python"})
    return lab


async def write_profile(client: LabClient, publish: bool = True, **changes: Any) -> Profile:
    """Fill in the signed-in person's profile on its form and, with ``publish``, publish it."""
    response = await client.submit("/people/me", {**PROFILE, **changes})
    assert response.status_code == 303, response.text
    if publish:
        assert (await client.submit("/people/me/publish")).status_code == 303
    return await Profile.get(person_id=client.person.id)  # type: ignore[attr-defined]
