"""mapping: A collaborative map and directory of the groups working on open technology.

Organisations (with Popolo-aligned fields), the network of their relationships, proposals and
corrections from any visitor moderated by the lab's team with a full history, a directory, an
interactive map, CSV import and CSV / JSON / GeoJSON / Popolo exports, and a JSON API. People
claim their organisation and then edit its entry (``membership.py``, which other plugins read);
the team grants seals (``seals.py``). Other plugins point at mapped organisations through the
``organisation`` reference kind. Its models
(``models.py``, ``migrations/``) and routes (``routes.py``) are found by convention; every write is
an action (``actions.py``).
"""

from __future__ import annotations

from pydantic import Field

from labkit import (
    HomeCard,
    NavItem,
    Period,
    Permission,
    PluginInfo,
    __version__,
    auth,
    hookimpl,
)
from labkit.hooktypes import ReferenceKind
from labkit.i18n import N_
from labkit.plugin_settings import PluginSettings


class MappingSettings(PluginSettings):
    """``[plugin.mapping]`` in ``lab.toml`` (the tiles are the lab's: ``[lab] map_tiles``)."""

    center: tuple[float, float] = (-23.5505, -46.6333)
    """Where the map opens: latitude, longitude."""
    zoom: int = Field(default=11, ge=0, le=22)
    """The map's opening zoom level."""
    proposals_per_hour: int = Field(default=5, ge=0)
    """Proposals and corrections one client address may send in an hour (the team is not limited)."""
    claim_link_hours: int = Field(default=48, ge=1, le=720)
    """How long the link mailed to prove a claim at an organisation's domain works."""
    invitation_days: int = Field(default=14, ge=1, le=90)
    """How long the link an organisation's administrator mails to invite a colleague works."""


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Ecosystem map"), description=N_("A collaborative map and directory of the groups working on open technology."), version=__version__)


@hookimpl
def labkit_settings() -> type[PluginSettings]:
    return MappingSettings


@hookimpl
def labkit_nav(request) -> list[NavItem]:
    items = [NavItem(label=N_("Ecosystem map"), href=str(request.app.url_path_for("mapping:directory")), order=20)]
    if auth.has_permission(request, "mapping.moderate"):
        items.append(NavItem(label=N_("Map moderation"), href=str(request.app.url_path_for("mapping:moderation")),
                             order=95))
    return items


@hookimpl
async def labkit_home(request) -> list[HomeCard]:
    from labkit_mapping import pages

    return [HomeCard(title=N_("Ecosystem map"), href=str(request.app.url_path_for("mapping:directory")), order=20,
                     template="mapping/_home_card.html", context=await pages.home_context())]


@hookimpl
def labkit_permissions() -> list[Permission]:
    return [
        Permission("mapping.moderate", N_("Approve or reject proposed organisations and corrections")),
        Permission("mapping.edit", N_("Add, edit, publish and archive organisations and their relationships")),
        Permission("mapping.import", N_("Import organisations from a CSV file")),
        Permission("mapping.seals", N_("Grant and revoke seals, and manage the list of seals")),
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
    from labkit_mapping import pages

    return await pages.personal_data(person_id)


@hookimpl
async def labkit_erase_person(person_id: int) -> None:
    from labkit_mapping import pages

    await pages.erase_person(person_id)


@hookimpl
async def labkit_startup(app) -> None:
    from labkit_mapping import seals

    await seals.ensure_defaults()


@hookimpl
async def labkit_housekeeping(app) -> None:
    from labkit_mapping import invitations

    await invitations.purge()


@hookimpl
async def labkit_demo_data(settings) -> None:
    from labkit_mapping import demo

    await demo.load(settings)
