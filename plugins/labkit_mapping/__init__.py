"""mapping: A collaborative map and directory of the groups working on open technology."""

from __future__ import annotations

from labkit import PluginInfo, __version__, hookimpl
from labkit.i18n import N_


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Ecosystem map"), description=N_("A collaborative map and directory of the groups working on open technology."), version=__version__)
