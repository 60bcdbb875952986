"""onboarding: the lab's mentoring plan (MENTORING.md) as a checklist that staff tick off.

The plan is the lab's own Markdown file: its headings are the stages (training days, then each
month of mentoring) and its ``- [ ]`` items the milestones. Ticks are stored in the database, so
the file stays as the mentor wrote it and the lab's progress is shared by every worker. Its
models and routes (``models.py``, ``routes.py``) are found by convention.
"""

from __future__ import annotations

from labkit import HomeCard, NavItem, Permission, PluginInfo, __version__, auth, hookimpl
from labkit.i18n import N_

from labkit_onboarding import demo, pages
from labkit_onboarding.settings import OnboardingSettings


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Onboarding"),
                      description=N_("The lab's mentoring plan as a checklist that staff tick off."),
                      version=__version__)


@hookimpl
def labkit_settings() -> type[OnboardingSettings]:
    return OnboardingSettings


@hookimpl
def labkit_nav(request) -> list[NavItem]:
    if not auth.has_permission(request, "onboarding.view"):
        return []
    return [NavItem(label=N_("Onboarding"), href=str(request.url_for("onboarding:index").path), order=150)]


@hookimpl
async def labkit_home(request) -> list[HomeCard]:
    if not auth.has_permission(request, "onboarding.view"):
        return []
    done, total = await pages.done_count(request.app.state.settings)
    if not total:
        return []
    return [HomeCard(title=N_("Onboarding"), href=str(request.url_for("onboarding:index").path), order=5,
                     template="onboarding/_card.html", context={"done": done, "total": total})]


@hookimpl
def labkit_permissions() -> list[Permission]:
    return [
        Permission("onboarding.view", N_("See the mentoring plan and its progress"), roles=("staff",)),
        Permission("onboarding.tick", N_("Tick off milestones of the mentoring plan"), roles=("staff",)),
    ]


@hookimpl
async def labkit_personal_data(person_id: int) -> dict:
    return {"milestones_ticked": await pages.ticks_of(person_id)}


@hookimpl
async def labkit_erase_person(person_id: int) -> None:
    await pages.forget(person_id)


@hookimpl
async def labkit_demo_data(settings) -> None:
    await demo.load(settings)
