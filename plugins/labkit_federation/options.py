"""The hub's settings: the ``[plugin.federation]`` table of ``lab.toml``, validated.

:class:`FederationOptions` is the plugin's settings model (the ``labkit_settings`` hook): the core
validates the table when the plugins load, so an unknown key or a bad value stops the lab with
one line naming the key. Every key has a safe default, so a hub runs with an empty table. Read
them with :func:`of` (the web app's) or ``ctx.plugin_settings("federation")`` in an action.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from labkit import plugin_settings
from labkit.config import Settings
from labkit.plugin_settings import PluginSettings

SLUG = "federation"


class FederationOptions(PluginSettings):
    """What a national agency tunes for its hub."""

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
    max_document_bytes: int = Field(20_000_000, ge=1_000, le=200_000_000)
    """The largest indicators document accepted, pulled or pushed (the default fits a state hub
    relaying 1,000 labs with six periods each, about 15 MB)."""
    claim_seconds: float = Field(60.0, ge=1, le=3600)
    """How long a harvesting process holds the members it took without renewing its claim: the
    members of a process that died are taken again by the others after this long."""
    harvest_interval_minutes: int = Field(0, ge=0, le=60 * 24 * 31)
    """Harvest every member on this schedule inside the server (0: only from the command line)."""
    deadline_days: int = Field(30, ge=0, le=366)
    """A report is on time when it first arrives within this many days after the period ends."""
    expected_frequencies: tuple[str, ...] = ("A", "Q")
    """The frequencies every member is expected to report (A annual, Q quarterly, M monthly)."""


def of(app: Any) -> FederationOptions:
    """The hub's validated options, as the core loaded them for the web app ``app``."""
    return app.state.plugin_settings[SLUG]


def options(settings: Settings) -> FederationOptions:
    """The options of a lab known only by its ``settings`` (demo data), validated by the core's
    rules (environment overrides included; raises :class:`labkit.config.ConfigError`)."""
    return plugin_settings.validate(SLUG, FederationOptions, settings.for_plugin(SLUG),  # type: ignore[return-value]
                                    settings.plugin_environment)
