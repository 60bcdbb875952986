"""challenges: Open innovation challenges and hackathons, from call to prototype."""

from __future__ import annotations

from labkit import PluginInfo, __version__, hookimpl
from labkit.i18n import N_


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Challenges"), description=N_("Open innovation challenges and hackathons, from call to prototype."), version=__version__)
