"""hello: the smallest complete labkit plugin, the worked example of the plugin guide.

People leave a short greeting on the lab's wall. It shows every part of the contract: a model
with a migration, a page, a JSON endpoint, a navigation entry, a home card, a permission, a
translated string, indicator contributions and the participants it engaged.
"""

from __future__ import annotations

from labkit import Contribution, HomeCard, Models, NavItem, Period, Permission, PluginInfo, hookimpl
from labkit.i18n import N_

from labkit_hello import views


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Greetings"), description="People leave a greeting on the lab's wall.", version="0.1.0")


@hookimpl
def labkit_models() -> Models:
    return Models(modules=("labkit_hello.models",), migrations="labkit_hello.migrations")


@hookimpl
def labkit_routes() -> list:
    return views.page_routes


@hookimpl
def labkit_api_routes() -> list:
    return views.api_routes


@hookimpl
def labkit_nav(request) -> list[NavItem]:
    return [NavItem(label=N_("Greetings"), href="/hello/", order=90)]


@hookimpl
def labkit_home(request) -> list[HomeCard]:
    return [HomeCard(title=N_("Greetings"), text=N_("Say hello to the lab."), href="/hello/")]


@hookimpl
def labkit_permissions() -> list[Permission]:
    return [Permission("hello.post", N_("Leave a greeting"), roles=("member", "staff"))]


@hookimpl
async def labkit_indicators(period: Period) -> list[Contribution]:
    return [Contribution("products", await views.greetings_in(period), {"kind": "greeting"})]


@hookimpl
async def labkit_participants(period: Period) -> list[str]:
    return await views.authors_in(period)


@hookimpl
async def labkit_personal_data(person_id: int) -> dict:
    return {"greetings": await views.greetings_of(person_id)}


@hookimpl
async def labkit_erase_person(person_id: int) -> None:
    await views.erase_author(person_id)
