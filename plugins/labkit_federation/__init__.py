"""federation: a hub that gathers the indicators of many labs, and the trainer-of-trainers tree.

Declarations only: its models (``models.py``, ``migrations/``) and routes (``routes.py``) are found
by convention; its writes are the actions of ``actions.py``.
"""

from __future__ import annotations

from labkit import NavItem, Permission, PluginInfo, __version__, hookimpl
from labkit.i18n import N_
from labkit_federation.options import FederationOptions


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Federation"), description=N_("A hub that gathers the indicators of many labs."),
                      version=__version__)


@hookimpl
def labkit_settings() -> type[FederationOptions]:
    """``[plugin.federation]``: see :class:`labkit_federation.options.FederationOptions`."""
    return FederationOptions


@hookimpl
def labkit_nav(request) -> list:
    return [NavItem(label=N_("Federation"), href=str(request.app.url_path_for("federation:overview")), order=25)]


@hookimpl
async def labkit_home(request) -> list:
    from labkit_federation import home

    return await home.cards(request)


@hookimpl
def labkit_permissions() -> list:
    return [Permission("federation.manage", N_("Manage the hub: the registry of member labs, their tokens and the harvests"),
                       roles=("staff",))]


@hookimpl
async def labkit_demo_data(settings) -> None:
    from labkit_federation import demo

    await demo.create(settings)


@hookimpl
def labkit_cli(cli) -> None:
    """``labkit federation …`` (cli_registry.federation_group; harvest attaches to the same group)."""
    from labkit_federation import cli_harvest, cli_registry

    cli_harvest.register(cli_registry.federation_group)
    cli_registry.register(cli)


# ------------------------------------------------------------------ scheduled harvests


@hookimpl
async def labkit_startup(app) -> None:
    """Each worker starts the harvest schedule when ``harvest_interval_minutes`` > 0."""
    from labkit_federation import options, schedule

    app.state.federation_scheduler = await schedule.startup(options.of(app))


@hookimpl
async def labkit_shutdown(app) -> None:
    from labkit_federation import schedule

    await schedule.shutdown(getattr(app.state, "federation_scheduler", None))
