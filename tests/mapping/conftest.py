"""Fixtures of the mapping plugin's tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from labkit.testing import RunningLab

BLANK_TILE = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
"""A transparent 1x1 PNG: the map's tiles in tests, so no request leaves the machine."""


@pytest.fixture
async def map_lab(make_lab: Callable[..., Awaitable[RunningLab]]) -> RunningLab:
    """A running lab with the mapping plugin only, tiles from a data: URL."""
    return await make_lab(plugins=["mapping"], settings={
        "lab": {"name": "Laboratório de Teste", "base_url": "http://lab.test", "map_tiles": BLANK_TILE,
                "map_attribution": "Test tiles"},
        "plugin.mapping": {"proposals_per_hour": 3}})


def org(**overrides: Any) -> dict[str, Any]:
    """A valid organisation, as a form or JSON body."""
    values: dict[str, Any] = {
        "name": "Coletivo Código Aberto", "kind": "collective", "description": "Ensina **software livre**.",
        "topics": "educação, software livre", "website": "https://codigoaberto.example.org",
        "address": "Rua Augusta, 100", "region": "centro", "latitude": "-23.55", "longitude": "-46.65",
        "founding_year": "2015",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}
