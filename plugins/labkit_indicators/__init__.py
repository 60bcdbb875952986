"""indicators: Projects, partnerships, participants and products, counted once and published openly.

Declarations only: the engine is in ``engine.py``, the formats in ``exports.py``, the writes in
``actions*.py``, the pages in ``pages*.py``, the JSON API's reads in ``api.py`` and the command
line in ``cli.py``; ``models.py`` and ``routes.py`` are found by convention.
"""

from __future__ import annotations

from typing import Any

from labkit import HomeCard, NavItem, Period, Permission, PluginInfo, PortfolioItem, __version__, hookimpl
from labkit.i18n import N_

from labkit_indicators import demo, home, portfolio, rules
from labkit_indicators import cli as commands
from labkit_indicators.settings import IndicatorsSettings


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Indicators"), description=N_("Projects, partnerships, participants and products, counted once and published openly."), version=__version__)


@hookimpl
def labkit_settings() -> type[IndicatorsSettings]:
    return IndicatorsSettings


@hookimpl
def labkit_nav(request: Any) -> list[NavItem]:
    return [NavItem(label=N_("Indicators"), href=str(request.url_for("indicators:dashboard").path), order=80)]


@hookimpl
async def labkit_home(request: Any) -> list[HomeCard]:
    return await home.cards(request)


@hookimpl
def labkit_permissions() -> list[Permission]:
    return [
        Permission(rules.VIEW_PROVISIONAL, N_("See provisional (unpublished) indicator figures"), ("staff",)),
        Permission(rules.MANAGE, N_("Manage the portfolio, manual entries and targets"), ("staff",)),
        Permission(rules.PUBLISH, N_("Publish a period's indicators (freezes them)"), ("staff",)),
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

