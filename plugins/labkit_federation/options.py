"""The hub's settings: the ``[plugin.federation]`` table of ``lab.toml``, validated.

Every key has a safe default, so a hub runs with an empty table. A bad value stops the lab at
start-up with one line naming the key (see :func:`options`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from labkit.config import ConfigError, Settings


class FederationOptions(BaseModel):
    """What a national agency tunes for its hub."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hub_code: str = Field("", max_length=64)
    """The hub's own code when it is itself a member of another hub (``BR-SP`` for a state hub)."""
    allow_private_addresses: bool = False
    """Fetch member URLs that resolve to loopback, private or link-local addresses (tests, intranets)."""
    demo_members: bool = False
    """Serve the demo members' simulated documents on the hub itself (``scripts/demo.sh --hub``)."""
    concurrency: int = Field(50, ge=1, le=1000)
    """How many members are fetched at once."""
    timeout_seconds: float = Field(15.0, gt=0, le=300)
    """Total time allowed for one member's response (connect, headers and body)."""
    retries: int = Field(2, ge=0, le=10)
    """Extra attempts after a timeout, a connection error or a 5xx, with exponential backoff."""
    backoff_seconds: float = Field(1.0, ge=0, le=60)
    """The first wait before a retry; it doubles at each attempt."""
    max_document_bytes: int = Field(5_000_000, ge=1_000, le=200_000_000)
    """The largest indicators document accepted, pulled or pushed."""
    harvest_interval_minutes: int = Field(0, ge=0, le=60 * 24 * 31)
    """Harvest every member on this schedule inside the server (0: only from the command line)."""
    deadline_days: int = Field(30, ge=0, le=366)
    """A report is on time when it first arrives within this many days after the period ends."""
    expected_frequencies: tuple[str, ...] = ("A", "Q")
    """The frequencies every member is expected to report (A annual, Q quarterly, M monthly)."""


def options(settings: Settings) -> FederationOptions:
    """The validated ``[plugin.federation]`` options of a lab (raises :class:`ConfigError`)."""
    raw: dict[str, Any] = settings.for_plugin("federation")
    try:
        return FederationOptions(**raw)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "?"
        raise ConfigError(f"lab.toml: [plugin.federation] {key}: {first['msg']}") from None
