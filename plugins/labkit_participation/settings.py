"""The ``[plugin.participation]`` table of ``lab.toml``: how often a member may post."""

from __future__ import annotations

from pydantic import Field

from labkit.plugin_settings import PluginSettings


class ParticipationSettings(PluginSettings):
    """Rate limits for members (staff and admins are not limited)."""

    proposals_per_hour: int = Field(default=5, ge=0, description="Proposals a member may send per hour")
    comments_per_10_minutes: int = Field(default=10, ge=0, description="Comments a member may post per 10 minutes")
