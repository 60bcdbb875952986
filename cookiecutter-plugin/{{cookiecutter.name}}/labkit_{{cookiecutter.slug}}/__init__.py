"""{{ cookiecutter.title }}: {{ cookiecutter.description }}

The hooks below declare what the plugin is: its name, its navigation entry and its permission.
Its tables (models.py, migrations/) and its pages and API (routes.py, with the use cases of
actions.py) are found by convention. See labkit's guide "Writing a plugin".
"""

from __future__ import annotations

from labkit import NavItem, Permission, PluginInfo, hookimpl
from labkit.i18n import N_


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("{{ cookiecutter.title|replace('"', "'") }}"),
                      description="{{ cookiecutter.description|replace('"', "'") }}", version="0.1.0")


@hookimpl
def labkit_nav(request) -> list[NavItem]:
    return [NavItem(label=N_("{{ cookiecutter.title|replace('"', "'") }}"), href="/{{ cookiecutter.slug }}/", order=90)]


@hookimpl
def labkit_permissions() -> list[Permission]:
    return [Permission("{{ cookiecutter.slug }}.post", N_("Leave a note"), roles=("member", "staff"))]
