"""Shared fixtures of labkit's own tests (the lab fixtures come from ``labkit.testing``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from labkit.testing import RunningLab

ROOT = Path(__file__).resolve().parent.parent
HELLO = ROOT / "examples" / "labkit-hello" / "labkit_hello"


@pytest.fixture
async def hello_lab(make_lab: Callable[..., Awaitable[RunningLab]]) -> RunningLab:
    """A running lab with the example plugin dropped into its ``plugins/`` folder."""
    return await make_lab(plugins=["hello"], local_plugins=[HELLO])


@pytest.fixture
async def core_lab(make_lab: Callable[..., Awaitable[RunningLab]]) -> RunningLab:
    """A running lab with no plugin but the core."""
    return await make_lab(plugins=[])
