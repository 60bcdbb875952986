"""Languages: Babel catalogs, the visitor's locale, and locale-aware formatting.

Each package (the core and every plugin) keeps its catalogs in ``locale/<xx>/LC_MESSAGES/
messages.po``; they are merged into one set of translations per language. A compiled ``.mo``
is used when present and newer, otherwise the ``.po`` is compiled in memory at start.
The locale of a request is chosen, first match wins, from: the ``lang`` the visitor picked
(kept in the session), the signed-in person's language, ``Accept-Language``, the lab default.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from labkit.config import LANGUAGES

Catalogs = dict[str, Translations]
"""One lab's translations: its core and plugin catalogs merged, by language tag."""

current_locale: ContextVar[str] = ContextVar("labkit_locale", default="en")
current_zone: ContextVar[str] = ContextVar("labkit_zone", default="UTC")
current_catalogs: ContextVar[Catalogs | None] = ContextVar("labkit_catalogs", default=None)
"""The catalogs of the lab serving the current request (set by :class:`LocaleMiddleware`), so two
labs in one process each speak with their own plugins' words."""
_latest: Catalogs = {}
"""The catalogs loaded last, for work outside a request (commands, tests)."""
_parsed: dict[tuple[Path, int | None, int | None], Translations] = {}
"""Each catalog file as parsed, by folder and modification times (see :func:`_read_catalog`)."""


def babel_name(tag: str) -> str:
    """``pt-BR`` -> ``pt_BR`` (Babel's spelling of a language tag)."""
    return tag.replace("-", "_")


def load_catalogs(locale_dirs: Iterable[Path]) -> Catalogs:
    """Merge the catalogs found in ``locale_dirs`` (core first) into one set per language.

    The app keeps the result (``app.state.catalogs``); it also becomes the default outside requests.
    """
    folders = list(locale_dirs)
    catalogs: Catalogs = {}
    for tag in LANGUAGES:
        merged = Translations()
        for folder in folders:
            merged.merge(_read_catalog(folder / babel_name(tag) / "LC_MESSAGES"))
        catalogs[tag] = merged
    _latest.clear()
    _latest.update(catalogs)
    return catalogs


def _read_catalog(folder: Path) -> Translations:
    """The catalog in ``folder``, parsed once per process and version of its files (``labkit
    serve`` builds the app twice, and tests build many)."""
    po, mo = folder / "messages.po", folder / "messages.mo"
    key = (folder, _modified(po), _modified(mo))
    if key not in _parsed:
        _parsed[key] = _parse_catalog(po, mo)
    return _parsed[key]


def _modified(path: Path) -> int | None:
    return path.stat().st_mtime_ns if path.is_file() else None


def _parse_catalog(po: Path, mo: Path) -> Translations:
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return Translations(handle)
    if not po.is_file():
        return Translations()
    with po.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def translations(tag: str | None = None) -> Translations:
    """The merged translations for ``tag`` (default: the current request's locale)."""
    catalogs = current_catalogs.get() or _latest
    return catalogs.get(tag or current_locale.get()) or Translations()


def gettext(message: str, **values: Any) -> str:
    """Translate ``message`` into the current locale, then fill ``%(name)s`` placeholders."""
    text = translations().gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    """Translate a message with a plural form; ``%(num)s`` is ``n``."""
    text = translations().ngettext(singular, plural, n)
    return text % {"num": n, **values}


_ = gettext


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (it is translated at render)."""
    return message


Text = dict[str, Any]
"""A message to translate later, as JSON: ``{"message": msgid, "params": {name: value}}``; a value
may itself be a ``Text`` (translated too). Notifications and mail keep their words this way, so
each is rendered in its reader's language."""


def text(message: str, params: Mapping[str, Any] | None = None, translated: Iterable[str] = ()) -> Text:
    """A :data:`Text` of ``message`` (marked with :func:`N_`) and its ``params``; the params named
    in ``translated`` are messages too (a status, a kind) and are translated likewise."""
    names = set(translated)
    values = {key: text(str(value)) if key in names else value for key, value in (params or {}).items()}
    return {"message": message, "params": values}


def render(value: Text, tag: str | None = None) -> str:
    """``value`` translated into ``tag`` (default: the current locale) with its params filled in.

    A translation whose placeholders do not match its params falls back to the original message.
    """
    catalog = translations(tag)
    message = str(value.get("message", ""))
    params = {key: render(item, tag) if isinstance(item, dict) else item
              for key, item in (value.get("params") or {}).items()}
    if not params:
        return catalog.gettext(message)
    for candidate in (catalog.gettext(message), message):
        try:
            return candidate % params
        except (KeyError, ValueError, TypeError):
            continue
    return message


def negotiate(
    accept_language: str | None, available: list[str], chosen: str | None = None,
    account: str | None = None, default: str = "en",
) -> str:
    """Pick the locale tag for a request from the visitor's choice, account, header and default."""
    for candidate in (chosen, account):
        if candidate in available:
            return candidate
    if accept_language:
        weighted = []
        for part in accept_language.split(","):
            name, _, quality = part.strip().partition(";q=")
            try:
                weighted.append((float(quality or 1), name.strip()))
            except ValueError:
                continue
        for _weight, name in sorted(weighted, key=lambda item: -item[0]):
            for tag in available:
                if name.lower() == tag.lower():
                    return tag
            for tag in available:
                if name.split("-")[0].lower() == tag.split("-")[0].lower():
                    return tag
    return default if default in available else available[0]


def format_date(value: date | datetime | None, format: str = "medium") -> str:
    """A date in the current locale (datetimes are first moved into the lab's time zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_zone()).date()
    return dates.format_date(value, format=format, locale=babel_name(current_locale.get()))


def format_datetime(value: datetime | None, format: str = "medium") -> str:
    """An aware datetime in the lab's time zone and the current locale."""
    if value is None:
        return ""
    return dates.format_datetime(value, format=format, tzinfo=_zone(), locale=babel_name(current_locale.get()))


def format_number(value: float | int | None) -> str:
    """A number with the current locale's separators."""
    if value is None:
        return ""
    return numbers.format_decimal(value, locale=babel_name(current_locale.get()))


def language_name(tag: str) -> str:
    """The language's own name (``Español``) for a language switcher."""
    return LANGUAGES.get(tag) or Locale.parse(babel_name(tag)).display_name or tag


def _zone() -> Any:
    return dates.get_timezone(current_zone.get())


class LocaleMiddleware:
    """Chooses the request's locale (see the module docstring) and the lab's time zone.

    Runs inside the session and auth middleware; sets ``Content-Language`` on the response.
    """

    def __init__(self, app: Any, languages: list[str], default: str, timezone: str, catalogs: Catalogs) -> None:
        self.app = app
        self.languages = languages
        self.default = default
        self.timezone = timezone
        self.catalogs = catalogs

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers", []))
        person = scope.get("state", {}).get("person")
        session = scope.get("session", {})
        tag = negotiate(
            headers.get(b"accept-language", b"").decode("latin-1"),
            self.languages,
            chosen=session.get("locale"),
            account=getattr(person, "locale", None),
            default=self.default,
        )
        current_locale.set(tag)
        current_zone.set(self.timezone)
        current_catalogs.set(self.catalogs)

        async def send_with_language(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"content-language", tag.encode())]
            await send(message)

        await self.app(scope, receive, send_with_language)
