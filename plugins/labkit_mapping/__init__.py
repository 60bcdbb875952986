"""mapping: A collaborative map and directory of the groups working on open technology.

Organisations (with Popolo-aligned fields), the network of their relationships, proposals and
corrections from any visitor moderated by the lab's team with a full history, a directory, an
interactive map, CSV import and CSV / JSON / GeoJSON / Popolo exports, and a JSON API. Other
plugins point at mapped organisations through the ``organisation`` reference kind.
"""

from __future__ import annotations

from labkit import HomeCard, Models, NavItem, Period, Permission, PluginInfo, __version__, auth, hookimpl
from labkit.hooktypes import ReferenceKind
from labkit.i18n import N_


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Ecosystem map"), description=N_("A collaborative map and directory of the groups working on open technology."), version=__version__)


@hookimpl
def labkit_models() -> Models:
    return Models(modules=("labkit_mapping.models",), migrations="labkit_mapping.migrations")


@hookimpl
def labkit_routes() -> list:
    from labkit_mapping import views

    return views.page_routes


@hookimpl
def labkit_api_routes() -> list:
    from labkit_mapping import api

    return api.api_routes


@hookimpl
def labkit_nav(request) -> list[NavItem]:
    items = [NavItem(label=N_("Ecosystem map"), href="/mapping/", order=20)]
    if auth.has_permission(request, "mapping.moderate"):
        items.append(NavItem(label=N_("Map moderation"), href="/mapping/moderation", order=95))
    return items


@hookimpl
async def labkit_home(request) -> list[HomeCard]:
    from labkit_mapping import views

    return [HomeCard(title=N_("Ecosystem map"), href="/mapping/", order=20, template="mapping/_home_card.html",
                     context=await views.home_context())]


@hookimpl
def labkit_permissions() -> list[Permission]:
    return [
        Permission("mapping.moderate", N_("Approve or reject proposed organisations and corrections")),
        Permission("mapping.edit", N_("Add, edit, publish and archive organisations and their relationships")),
        Permission("mapping.import", N_("Import organisations from a CSV file")),
    ]


@hookimpl
async def labkit_participants(period: Period) -> list[str]:
    from labkit_mapping import rules

    start, end = period.bounds("UTC")
    return [auth.participant_id(person_id) for person_id in await rules.proposers_between(start, end)]


@hookimpl
def labkit_references() -> list[ReferenceKind]:
    from labkit_mapping import references

    return [ReferenceKind("organisation", N_("Organisation"), references.search, references.get)]


@hookimpl
async def labkit_personal_data(person_id: int) -> dict:
    from labkit_mapping import views

    return await views.personal_data(person_id)


@hookimpl
async def labkit_erase_person(person_id: int) -> None:
    from labkit_mapping import views

    await views.erase_person(person_id)


@hookimpl
async def labkit_demo_data(settings) -> None:
    from labkit_mapping import demo

    await demo.load()
