"""federation: a hub that gathers the indicators of many labs, and the trainer-of-trainers tree.

The hookimpls only.
"""

from __future__ import annotations

from labkit import Models, PluginInfo, __version__, hookimpl
from labkit.i18n import N_


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Federation"), description=N_("A hub that gathers the indicators of many labs."),
                      version=__version__)


@hookimpl
def labkit_models() -> Models:
    return Models(modules=("labkit_federation.models",), migrations="labkit_federation.migrations")
