"""``[plugin.onboarding]``: where the lab's mentoring plan is."""

from __future__ import annotations

from pydantic import Field

from labkit.plugin_settings import PluginSettings


class OnboardingSettings(PluginSettings):
    """What a lab may set in ``[plugin.onboarding]``."""

    file: str = Field(default="MENTORING.md", min_length=1, max_length=255)
    """The plan's Markdown file, relative to the lab folder."""
