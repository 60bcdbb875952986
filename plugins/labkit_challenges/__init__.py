"""challenges: open innovation challenges and hackathons, from the call to the prototype.

A public body states a problem; people form teams (invited by a signed link, with a code of
conduct), submit open-licensed solutions with attachments until the deadline; a jury scores them
on weighted criteria (assignments, conflicts of interest, optional blind review); the results are
published with the jury's statement, and winners taken forward become the lab's projects and
their prototypes its products (``labkit_portfolio``).

Its models (``models.py``, ``migrations/``) and routes (``routes.py``) are found by convention:
this file only declares what the plugin is.
"""

from __future__ import annotations

from labkit import (
    Contribution,
    HomeCard,
    NavItem,
    Period,
    Permission,
    PluginInfo,
    PortfolioItem,
    __version__,
    hookimpl,
)
from labkit.i18n import N_, current_zone

from labkit_challenges import data, demo, home
from labkit_challenges.settings import ChallengesSettings


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Challenges"), description=N_("Open innovation challenges and hackathons, from call to prototype."), version=__version__)


@hookimpl
def labkit_settings() -> type[ChallengesSettings]:
    return ChallengesSettings


@hookimpl
def labkit_nav(request) -> list[NavItem]:
    return [NavItem(label=N_("Challenges"), href="/challenges/", order=40)]


@hookimpl
async def labkit_home(request) -> list[HomeCard]:
    return await home.cards(request)


@hookimpl
def labkit_permissions() -> list[Permission]:
    return [
        Permission("challenges.manage", N_("Run challenges: criteria, jury, assignments, results"), roles=("staff",)),
        Permission("challenges.take_part", N_("Form teams and submit solutions to challenges"), roles=("member", "staff")),
        Permission("challenges.vote", N_("Vote in a challenge's community vote"), roles=("member", "staff")),
    ]


@hookimpl
def labkit_indicators(period: Period) -> list[Contribution]:
    # Winners (projects) and prototypes (products) have an identity: they go through labkit_portfolio,
    # and people through labkit_participants, so no anonymous counts are added here.
    return []


@hookimpl
async def labkit_portfolio() -> list[PortfolioItem]:
    return await data.portfolio()


@hookimpl
async def labkit_participants(period: Period) -> list[str]:
    return await data.participants(period, current_zone.get())


@hookimpl
async def labkit_personal_data(person_id: int) -> dict:
    return await data.personal_data(person_id)


@hookimpl
async def labkit_erase_person(person_id: int) -> None:
    await data.erase_person(person_id)


@hookimpl
async def labkit_demo_data(settings) -> None:
    await demo.create(settings)
