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


# ------------------------------------------------------------------ pages, read-only API (F3)


@hookimpl
def labkit_routes() -> list:
    from labkit_federation import demo, views

    return [*views.page_routes, *demo.routes]


@hookimpl
def labkit_nav(request) -> list:
    from labkit import NavItem

    return [NavItem(label=N_("Federation"), href="/federation/", order=25)]


@hookimpl
async def labkit_home(request) -> list:
    from labkit_federation import home

    return await home.cards(request)


@hookimpl
def labkit_permissions() -> list:
    from labkit import Permission

    return [Permission("federation.manage", N_("Manage the hub: the registry of member labs, their tokens and the harvests"),
                       roles=("staff",))]


@hookimpl
async def labkit_demo_data(settings) -> None:
    from labkit_federation import demo

    await demo.create(settings)


@hookimpl
def labkit_api_routes() -> list:
    """The read-only API (F3: api.py); F1's push and publications are added to this list."""
    from labkit_federation import api, api_push, publish

    return [*api.api_routes, *api_push.routes, *publish.routes]


@hookimpl
def labkit_cli(cli) -> None:
    """``labkit federation …`` (cli_registry.federation_group; harvest attaches to the same group)."""
    from labkit_federation import cli_harvest, cli_registry

    cli_harvest.register(cli_registry.federation_group)
    cli_registry.register(cli)


# ------------------------------------------------------------------ scheduled harvests (F2)


@hookimpl
async def labkit_startup(app) -> None:
    """Each worker starts the harvest schedule when ``harvest_interval_minutes`` > 0."""
    from labkit_federation import schedule

    app.state.federation_scheduler = await schedule.startup(app, app.state.settings)


@hookimpl
async def labkit_shutdown(app) -> None:
    from labkit_federation import schedule

    await schedule.shutdown(getattr(app.state, "federation_scheduler", None))
