"""coworking: Spaces with their guidelines, conflict-free bookings, residencies and visits."""

from __future__ import annotations

from labkit import PluginInfo, __version__, hookimpl
from labkit.i18n import N_


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Coworking"), description=N_("Spaces with their guidelines, conflict-free bookings, residencies and visits."), version=__version__)
