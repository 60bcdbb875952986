"""``[plugin.indicators]``: the suppression threshold and the federation hub this lab reports to."""

from __future__ import annotations

import logging
import os

from pydantic import Field, SecretStr

from labkit.config import Settings, read_env_file
from labkit.plugin_settings import PluginSettings

from labkit_indicators import rules

log = logging.getLogger("labkit")
OLD_TOKEN = "LABKIT_HUB_TOKEN"
"""The token's variable before ``LABKIT_PLUGIN_INDICATORS_HUB_TOKEN`` (read for one more release)."""


class IndicatorsSettings(PluginSettings):
    """What a lab may set in ``[plugin.indicators]``."""

    suppression_threshold: int = Field(default=rules.DEFAULT_THRESHOLD, ge=1, le=1000)
    """People counts from 1 to this minus one are withheld from publication."""
    hub_url: str = Field(default="", max_length=500)
    """The address of the federation hub ``labkit indicators push`` sends the lab's figures to."""
    hub_token: SecretStr = SecretStr("")
    """The lab's member token at the hub (``LABKIT_PLUGIN_INDICATORS_HUB_TOKEN``; never in lab.toml)."""


def hub_url(settings: Settings, own: IndicatorsSettings) -> str:
    """The hub's address: ``[plugin.indicators] hub_url``, else the deprecated ``[lab] hub_url``."""
    if own.hub_url:
        return own.hub_url
    if settings.lab.hub_url:
        log.warning("[lab] hub_url is deprecated: move it to [plugin.indicators] hub_url in lab.toml")
    return settings.lab.hub_url


def hub_token(settings: Settings, own: IndicatorsSettings) -> str:
    """The member token: ``LABKIT_PLUGIN_INDICATORS_HUB_TOKEN``, else the deprecated ``LABKIT_HUB_TOKEN``
    (environment or the lab's ``.env``)."""
    token = own.hub_token.get_secret_value().strip()
    if token:
        return token
    old = (os.environ.get(OLD_TOKEN) or read_env_file(settings.lab_dir / ".env").get(OLD_TOKEN, "")).strip()
    if old:
        log.warning("%s is deprecated: name the variable LABKIT_PLUGIN_INDICATORS_HUB_TOKEN", OLD_TOKEN)
    return old
