"""visit: this lab's own example plugin, a "Visit us" page with the address and opening hours.

It lives in the lab's plugins/ folder, so it is loaded for this lab only; copy it to start a
plugin of your own (rename the folder: its name is the plugin's slug and URL prefix). The texts
come from lab.toml:

    [plugin.visit]
    address = "Rua Exemplo, 100 - Centro"
    opening_hours = ["Monday to Friday, 9:00 to 18:00"]
    directions = "Metro line 1, Sé station."
    email = "contact@example.org"

Its pages are in routes.py (found by convention). Run its test from the lab folder with `pytest`
(see tests/test_visit.py).
"""

from __future__ import annotations

from pydantic import Field, field_validator

from labkit import HomeCard, NavItem, PluginInfo, hookimpl
from labkit.i18n import N_
from labkit.plugin_settings import PluginSettings


class VisitSettings(PluginSettings):
    """``[plugin.visit]`` in lab.toml: what the page shows (a mistyped key stops `labkit check`)."""

    address: str = ""
    opening_hours: list[str] = Field(default_factory=list)
    directions: str = ""
    email: str = ""

    @field_validator("opening_hours", mode="before")
    @classmethod
    def _one_line_is_a_list(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Visit us"), description=N_("Where the lab is and when it is open."), version="0.1.0")


@hookimpl
def labkit_settings() -> type[VisitSettings]:
    return VisitSettings


@hookimpl
def labkit_nav(request) -> list[NavItem]:
    return [NavItem(label=N_("Visit us"), href="/visit/", order=200)]


@hookimpl
def labkit_home(request) -> list[HomeCard]:
    return [HomeCard(title=N_("Visit us"), text=N_("Where the lab is and when it is open."), href="/visit/", order=200)]
