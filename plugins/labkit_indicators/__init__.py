"""indicators: Projects, partnerships, participants and products, counted once and published openly."""

from __future__ import annotations

from labkit import PluginInfo, __version__, hookimpl
from labkit.i18n import N_


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Indicators"), description=N_("Projects, partnerships, participants and products, counted once and published openly."), version=__version__)
