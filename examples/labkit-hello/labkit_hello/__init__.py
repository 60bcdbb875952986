"""hello: the smallest complete labkit plugin, the worked example of the plugin guide.

People leave a short greeting on the lab's wall. It shows every part of the contract: a model
with a migration, an action that is both a page form and a JSON endpoint, a navigation entry, a
home card, a permission, a translated string, indicator contributions and the participants it
engaged. Its models (``models.py``, ``migrations/``) and routes (``routes.py``) are found by
convention: this file only declares what the plugin is.
"""

from __future__ import annotations

from labkit import Contribution, HomeCard, NavItem, Period, Permission, PluginInfo, hookimpl
from labkit.i18n import N_

from labkit_hello import pages


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Greetings"), description="People leave a greeting on the lab's wall.", version="0.1.0")



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
    return [Contribution("products", await pages.greetings_in(period), {"kind": "greeting"})]


@hookimpl
async def labkit_participants(period: Period) -> list[str]:
    return await pages.authors_in(period)


@hookimpl
async def labkit_personal_data(person_id: int) -> dict:
    return {"greetings": await pages.greetings_of(person_id)}
