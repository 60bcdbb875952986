"""training: courses and programmes, sessions, enrolment with a waiting list, attendance and
certificates anyone can verify; cohorts trained for other labs' teams.

Declarations only: what the plugin is, its permissions, navigation and what it reports. Its
models (``models.py``, ``migrations/``) and routes (``routes.py``) are found by convention.
"""

from __future__ import annotations

from typing import Any

from labkit import HomeCard, NavItem, Period, Permission, PluginInfo, __version__, hookimpl
from labkit.hooktypes import PortfolioItem
from labkit.i18n import N_

from labkit_training import demo, indicators


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Training"),
                      description=N_("Courses with sessions, enrolment, attendance and certificates anyone can verify."),
                      version=__version__)


@hookimpl
def labkit_nav(request) -> list[NavItem]:
    return [NavItem(label=N_("Training"), href="/training/", order=60)]


@hookimpl
def labkit_home(request) -> list[HomeCard]:
    return [HomeCard(title=N_("Training"), text=N_("Courses for residents and for other labs' teams, with certificates."),
                     href="/training/", order=60)]


@hookimpl
def labkit_permissions() -> list[Permission]:
    return [
        Permission("training.enrol", N_("Enrol in courses"), roles=("member", "staff")),
        Permission("training.manage", N_("Manage courses and sessions, take attendance, issue and revoke certificates"),
                   roles=("staff",)),
    ]


@hookimpl
async def labkit_portfolio() -> list[PortfolioItem]:
    return await indicators.portfolio()


@hookimpl
async def labkit_participants(period: Period) -> list[str]:
    return await indicators.participants(period)


@hookimpl
async def labkit_personal_data(person_id: int) -> dict[str, Any]:
    return await indicators.personal_data(person_id)


@hookimpl
async def labkit_erase_person(person_id: int) -> None:
    await indicators.erase(person_id)


@hookimpl
async def labkit_demo_data(settings: Any) -> None:
    await demo.load(settings)
