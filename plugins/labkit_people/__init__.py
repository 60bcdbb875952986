"""people: the lab's network of innovators — opt-in public profiles and a directory.

A person writes a profile (name, short bio, skills and interests from the lab's list, free tags,
region, links, the organisations that confirmed them) and chooses to publish it; it is hidden
again at one click, deleted with the account and part of the data export. The directory finds
people by words, skill, interest, tag, region and "looking for a team"; the JSON API and the
Popolo export show only what each person published. Declarations only: models, migrations and
routes are found by convention; every write is an action (``actions.py``).
"""

from __future__ import annotations

from typing import Any

from labkit import HomeCard, NavItem, Period, Permission, PluginInfo, __version__, hookimpl
from labkit.hooktypes import ReferenceKind
from labkit.i18n import N_

from labkit_people import network
from labkit_people.actions import MANAGE, PUBLISH


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("People"), version=__version__,
                      description=N_("The lab's network: opt-in public profiles and a directory of who knows what."))


@hookimpl
def labkit_nav(request) -> list[NavItem]:
    return [NavItem(label=N_("People"), href=str(request.app.url_path_for("people:directory")), order=25)]


@hookimpl
def labkit_home(request) -> list[HomeCard]:
    return [HomeCard(title=N_("People"), text=N_("Find someone who knows what your project needs, or a team to join."),
                     href=str(request.app.url_path_for("people:directory")), order=25)]


@hookimpl
def labkit_permissions() -> list[Permission]:
    return [
        Permission(PUBLISH, N_("Write and publish one's own profile in the network"), roles=("member", "staff")),
        Permission(MANAGE, N_("Manage the lab's list of skills and interests")),
    ]


@hookimpl
def labkit_references() -> list[ReferenceKind]:
    return network.REFERENCE_KINDS


@hookimpl
async def labkit_participants(period: Period) -> list[str]:
    return await network.participants(period)


@hookimpl
async def labkit_personal_data(person_id: int) -> dict[str, Any]:
    return await network.personal_data(person_id)


@hookimpl
async def labkit_erase_person(person_id: int) -> None:
    await network.erase(person_id)


@hookimpl
async def labkit_demo_data(settings: Any) -> None:
    from labkit_people import demo

    await demo.load()
