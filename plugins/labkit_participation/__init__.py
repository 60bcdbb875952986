"""participation: Consultations, proposals, support votes, public hearings and feedback."""

from __future__ import annotations

from labkit import PluginInfo, __version__, hookimpl
from labkit.i18n import N_


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Participation"), description=N_("Consultations, proposals, support votes, public hearings and feedback."), version=__version__)
