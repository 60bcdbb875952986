"""The core registered as the plugin ``labkit``: its models and its own permissions."""

from __future__ import annotations

from labkit import __version__, hookimpl
from labkit.hooktypes import Models, Permission, PluginInfo


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title="labkit core", description="People, roles, pages and the plugin contract.", version=__version__)


@hookimpl
def labkit_models() -> Models:
    return Models(modules=("labkit.models",), migrations="labkit.migrations")


@hookimpl
def labkit_permissions() -> list[Permission]:
    return [
        Permission("labkit.manage_people", "Change people's roles and block accounts", ("admin",)),
        Permission("labkit.view_admin", "See the lab's administration pages", ("staff",)),
        Permission("labkit.manage_mail", "Send failed e-mail again from the outbox", ("staff",)),
        Permission("labkit.verify_people", "Mark people verified by hand and upload the census list", ("staff",)),
        Permission("labkit.manage_legal", "Publish the lab's terms of use and privacy notice", ("admin",)),
        Permission("labkit.manage_appearance", "Change the lab's logo", ("admin",)),
    ]
