"""Templates and static files, looked up lab first, then plugins, then the core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import markdown
import nh3
from markupsafe import Markup
from starlette.requests import Request
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from labkit import i18n
from labkit.auth import has_permission
from labkit.config import Settings
from labkit.hooktypes import NavItem
from labkit.images import lab_logo
from labkit.plugins import Plugins
from labkit.security import csrf_token
from labkit.web import pop_flashes

CORE_DIR = Path(__file__).parent


def _plugin_dirs(plugins: Plugins, name: str) -> list[Path]:
    folders = []
    for plugin in plugins.order:
        folder = plugin.directory
        if folder is not None and folder != CORE_DIR and (folder / name).is_dir():
            folders.append(folder / name)
    return folders


def template_dirs(settings: Settings, plugins: Plugins) -> list[Path]:
    """Where templates are looked up, first match wins: lab, plugins, core."""
    return [settings.lab_dir / "templates", *_plugin_dirs(plugins, "templates"), CORE_DIR / "templates"]


def static_dirs(settings: Settings, plugins: Plugins) -> list[Path]:
    """Where static files are looked up, first match wins: lab, plugins, core."""
    return [p for p in [settings.lab_dir / "static", *_plugin_dirs(plugins, "static"), CORE_DIR / "static"] if p.is_dir()]


def locale_dirs(settings: Settings, plugins: Plugins) -> list[Path]:
    """Catalog folders, merged in this order (a later one wins): core, plugins, lab."""
    return [CORE_DIR / "locale", *_plugin_dirs(plugins, "locale"), settings.lab_dir / "locale"]


class LayeredStaticFiles(StaticFiles):
    """``StaticFiles`` over several folders, the first holding a file wins."""

    def __init__(self, directories: list[Path]) -> None:
        super().__init__(directory=directories[0])
        self.all_directories = list(directories)


def markdown_to_html(text: str | None) -> Markup:
    """Render Markdown written by people, sanitised: no scripts, styles or event attributes."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"])
    return Markup(nh3.clean(html, link_rel="noopener noreferrer nofollow"))


@jinja2.pass_context
def url_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """A link to the route ``name`` as a path (``/account/login``), so it works behind any proxy."""
    request: Request = context["request"]
    root = request.scope.get("app_root_path", request.scope.get("root_path", ""))
    return root + str(request.app.url_path_for(name, **params))


def _navigation(request: Request) -> list[NavItem]:
    items: list[NavItem] = []
    for _slug, entries in request.app.state.plugins.results("labkit_nav", request=request):
        items.extend(entries or [])
    return sorted(items, key=lambda item: (item.order, item.label))


def _shared_context(request: Request) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    return {
        "lab": settings.lab,
        "person": request.state.person,
        "nav": _navigation(request),
        "csrf_token": csrf_token(request),
        "flashes": pop_flashes(request),
        "locale": i18n.current_locale.get(),
        "languages": [(tag, i18n.language_name(tag)) for tag in settings.lab.languages],
        "can": lambda name: has_permission(request, name),
        "lab_logo": lab_logo(request),
    }


def _translate_placeholders(value: Any) -> Any:
    """Show stored placeholder texts (a deleted account's "Former participant", see
    :data:`labkit.people.PLACEHOLDERS`) in the visitor's language."""
    from labkit.people import PLACEHOLDERS

    return i18n.gettext(value) if isinstance(value, str) and value in PLACEHOLDERS else value


def verification_label(kind: str) -> str:
    """The name of a verification kind in the visitor's language (``{{ "census"|verification }}``)."""
    from labkit.verification import label

    return label(kind)


def build_templates(settings: Settings, plugins: Plugins) -> Jinja2Templates:
    """The Jinja environment of a lab: layered lookup, autoescape, i18n and format filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in template_dirs(settings, plugins)]),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        finalize=_translate_placeholders,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: i18n.translations().gettext(message),
        lambda singular, plural, n: i18n.translations().ngettext(singular, plural, n),
        newstyle=True,
    )
    env.globals["url_for"] = url_for
    env.filters.update(
        date=i18n.format_date,
        datetime=i18n.format_datetime,
        number=i18n.format_number,
        markdown=markdown_to_html,
        verification=verification_label,
    )
    return Jinja2Templates(env=env, context_processors=[_shared_context])
