"""coworking: spaces with their guidelines, conflict-free bookings, residencies and visits.

Declarations only: what the plugin is, its permissions, navigation and the data it reports. Its
models (``models.py``, ``migrations/``) and routes (``routes.py``) are found by convention.
"""

from __future__ import annotations

from typing import Any

from labkit import HomeCard, NavItem, Period, Permission, PluginInfo, __version__, hookimpl
from labkit.hooktypes import Contribution, PortfolioItem, ReferenceKind
from labkit.i18n import N_

from labkit_coworking import demo, holds, indicators, references


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Coworking"), description=N_("Spaces with their guidelines, conflict-free bookings, residencies and visits."), version=__version__)


@hookimpl
def labkit_nav(request) -> list[NavItem]:
    return [NavItem(label=N_("Coworking"), href="/coworking/", order=40)]


@hookimpl
def labkit_home(request) -> list[HomeCard]:
    return [HomeCard(title=N_("Coworking"), text=N_("Book a desk, a room or a 3D printer, or join a residency."),
                     href="/coworking/", order=40)]


@hookimpl
def labkit_permissions() -> list[Permission]:
    return [
        Permission("coworking.book", N_("Book desks, rooms and equipment"), roles=("member", "staff")),
        Permission("coworking.apply", N_("Apply to residencies and visiting schemes"), roles=("member", "staff")),
        Permission("coworking.manage_bookings", N_("Approve, reject and cancel bookings, mark no-shows")),
        Permission("coworking.manage_spaces", N_("Manage spaces, resources, opening hours and closures")),
        Permission("coworking.manage_programmes", N_("Manage programmes and select teams")),
        Permission("coworking.view_reports", N_("See the utilisation report")),
    ]


@hookimpl
async def labkit_portfolio() -> list[PortfolioItem]:
    return await indicators.portfolio()


@hookimpl
async def labkit_indicators(period: Period) -> list[Contribution]:
    return await indicators.contributions(period)


@hookimpl
async def labkit_participants(period: Period) -> list[str]:
    return await indicators.participants(period)


@hookimpl
def labkit_references() -> list[ReferenceKind]:
    return [ReferenceKind("space", N_("Coworking space"), references.search, references.get,
                          reserve=holds.reserve, release=holds.release)]


@hookimpl
async def labkit_personal_data(person_id: int) -> dict[str, Any]:
    return await indicators.personal_data(person_id)


@hookimpl
async def labkit_erase_person(person_id: int) -> None:
    await indicators.erase(person_id)


@hookimpl
async def labkit_demo_data(settings: Any) -> None:
    await demo.load(settings)

