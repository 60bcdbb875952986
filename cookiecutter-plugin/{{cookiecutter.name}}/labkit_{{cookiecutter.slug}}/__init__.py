"""{{ cookiecutter.title }}: {{ cookiecutter.description }}

The hooks below are the plugin's whole contract with labkit: what it is, its tables, its pages
and API, its navigation entry and its permission. See labkit's guide "Writing a plugin".
"""

from __future__ import annotations

from labkit import Models, NavItem, Permission, PluginInfo, hookimpl
from labkit.i18n import N_

from labkit_{{ cookiecutter.slug }} import views


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("{{ cookiecutter.title|replace('"', "'") }}"),
                      description="{{ cookiecutter.description|replace('"', "'") }}", version="0.1.0")


@hookimpl
def labkit_models() -> Models:
    return Models(modules=("labkit_{{ cookiecutter.slug }}.models",), migrations="labkit_{{ cookiecutter.slug }}.migrations")


@hookimpl
def labkit_routes() -> list:
    return views.page_routes


@hookimpl
def labkit_api_routes() -> list:
    return views.api_routes


@hookimpl
def labkit_nav(request) -> list[NavItem]:
    return [NavItem(label=N_("{{ cookiecutter.title|replace('"', "'") }}"), href="/{{ cookiecutter.slug }}/", order=90)]


@hookimpl
def labkit_permissions() -> list[Permission]:
    return [Permission("{{ cookiecutter.slug }}.post", N_("Leave a note"), roles=("member", "staff"))]
