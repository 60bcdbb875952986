"""indicators: Projects, partnerships, participants and products, counted once and published openly.

The hookimpls only; the engine is in ``engine.py``, the formats in ``exports.py``, the pages in
``views.py``, the JSON API in ``api.py`` and the command line in ``cli.py``.
"""

from __future__ import annotations

from typing import Any

from labkit import HomeCard, Models, NavItem, Period, Permission, PluginInfo, PortfolioItem, __version__, hookimpl
from labkit.i18n import N_

from labkit_indicators import api, demo, home, portfolio, views
from labkit_indicators import cli as commands


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Indicators"), description=N_("Projects, partnerships, participants and products, counted once and published openly."), version=__version__)


@hookimpl
def labkit_models() -> Models:
    return Models(modules=("labkit_indicators.models",), migrations="labkit_indicators.migrations")


@hookimpl
def labkit_routes() -> list:
    return views.routes


@hookimpl
def labkit_api_routes() -> list:
    return api.routes


@hookimpl
def labkit_nav(request: Any) -> list[NavItem]:
    return [NavItem(label=N_("Indicators"), href="/indicators/", order=80)]


@hookimpl
async def labkit_home(request: Any) -> list[HomeCard]:
    return await home.cards(request)


@hookimpl
def labkit_permissions() -> list[Permission]:
    return [
        Permission(api.VIEW_PROVISIONAL, N_("See provisional (unpublished) indicator figures"), ("staff",)),
        Permission(api.MANAGE, N_("Manage the portfolio, manual entries and targets"), ("staff",)),
        Permission(api.PUBLISH, N_("Publish a period's indicators (freezes them)"), ("staff",)),
    ]


@hookimpl
async def labkit_portfolio() -> list[PortfolioItem]:
    return await portfolio.own_items()


@hookimpl
async def labkit_participants(period: Period) -> list[str]:
    return await portfolio.team_in(period)


@hookimpl
async def labkit_personal_data(person_id: int) -> dict:
    return await portfolio.personal_data(person_id)


@hookimpl
async def labkit_erase_person(person_id: int) -> None:
    await portfolio.erase_person(person_id)


@hookimpl
def labkit_cli(cli: Any) -> None:
    commands.register(cli)


@hookimpl
async def labkit_demo_data(settings: Any) -> None:
    await demo.create(settings)

