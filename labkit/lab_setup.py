"""What ``labkit new`` does around the template: check every answer, then finish the lab.

:func:`validate` refuses a wrong answer with one message naming the question; :func:`finish`
puts README.md and MENTORING.md in the lab's language, writes a secret key to ``.env``, migrates
the database and creates the first administrator, so that ``labkit serve`` works at once.

``labkit new`` calls both in its own process (no interpreter started per step); the template's
``hooks/`` call the same functions when a trainer runs ``cookiecutter`` on the template directly.
"""

from __future__ import annotations

import re
import secrets
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import available_timezones

LANGUAGES = ("pt-BR", "es", "fr", "en")
LOCALISED = ("README", "MENTORING")
"""Files the template holds once per language; the lab keeps the one in its own language."""
COUNTRIES = set("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split())
"""ISO 3166-1 alpha-2: the 249 officially assigned codes."""

SUBDIVISIONS = {
    "BR": set("AC AL AM AP BA CE DF ES GO MA MG MS MT PA PB PE PI PR RJ RN RO RR RS SC SE SP TO".split()),
    "PT": set("01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 20 30".split()),
    "EC": set("A B C D E F G H I L M N O P R S SD SE T U W X Y Z".split()),
}
"""ISO 3166-2 subdivisions checked one by one (other countries are checked by form)."""

MUNICIPAL_CODES = {
    "BR": (re.compile(r"^\d{7}$"), "the 7-digit IBGE code, e.g. 3550308 for São Paulo"),
    "PT": (re.compile(r"^\d{4}(\d{2})?$"), "the 4-digit DICOFRE code of the concelho, e.g. 1106 for Lisboa"),
}


class Refused(Exception):
    """An answer is wrong, or the lab cannot be finished; the message says why, in one line."""


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _check_url(name: str, value: str, required: bool = False) -> None:
    if not value:
        if required:
            raise Refused(f"{name}: an address is needed (https://...)")
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"{name}: {value!r} is not a web address; write it as https://host/...")


def _check_dependencies(modules: list[str]) -> None:
    """A module that needs another must have it switched on."""
    for ep in entry_points(group="labkit"):
        if ep.name not in modules:
            continue
        try:
            info = ep.load().labkit_plugin_info()
        except Exception:  # noqa: BLE001 - the lab's own check reports broken plugins
            continue
        missing = [dependency for dependency in getattr(info, "depends_on", ()) if dependency not in modules]
        if missing:
            raise Refused(f"modules: {ep.name!r} needs {missing[0]!r}; add it to the list")


def validate(answers: dict[str, Any]) -> None:
    """Raise :class:`Refused` for the first wrong answer."""
    for key, value in answers.items():
        if isinstance(value, str) and not key.startswith("_") and re.search(r"[\x00-\x1f\x7f]", value):
            raise Refused(f"{key}: the answer may not hold line breaks or control characters")

    name = answers["lab_name"].strip()
    if not name or len(name) > 120:
        raise Refused("lab_name: give the lab a name (at most 120 characters)")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", answers["lab_slug"]):
        raise Refused(f"lab_slug: {answers['lab_slug']!r} must be lowercase letters, digits and hyphens")
    if not answers["municipality"].strip() or len(answers["municipality"]) > 120:
        raise Refused("municipality: name the municipality that runs the lab (at most 120 characters)")

    country = answers["country"]
    if country not in COUNTRIES:
        hint = f" (did you mean {country.upper()!r}?)" if country.upper() in COUNTRIES else ""
        raise Refused(f"country: {country!r} is not an ISO 3166-1 alpha-2 country code such as BR, PT or EC{hint}")

    region = answers["region"]
    if region:
        match = re.fullmatch(r"([A-Z]{2})-([A-Z0-9]{1,3})", region)
        if not match:
            raise Refused(f"region: {region!r} is not an ISO 3166-2 code such as BR-SP or PT-11")
        if match.group(1) != country:
            raise Refused(f"region: {region!r} is not in country {country!r}; it must start with {country}-")
        known = SUBDIVISIONS.get(country)
        if known is not None and match.group(2) not in known:
            raise Refused(f"region: {region!r} is not a subdivision of {country} "
                          f"(one of {', '.join(f'{country}-{code}' for code in sorted(known))})")

    code = answers["municipal_code"]
    if code:
        rule = MUNICIPAL_CODES.get(country)
        if rule is not None and not rule[0].fullmatch(code):
            raise Refused(f"municipal_code: {code!r} is not valid in {country}: use {rule[1]}")
        if rule is None and not re.fullmatch(r"[A-Za-z0-9.-]{1,20}", code):
            raise Refused(f"municipal_code: {code!r} may only hold letters, digits, dots and hyphens")

    if answers["default_language"] not in LANGUAGES:
        raise Refused(f"default_language: {answers['default_language']!r} is not one of {', '.join(LANGUAGES)}")
    for tag in _items(answers["other_languages"]):
        if tag not in LANGUAGES:
            raise Refused(f"other_languages: {tag!r} is not one of {', '.join(LANGUAGES)}")

    if answers["timezone"] not in available_timezones():
        raise Refused(f"timezone: {answers['timezone']!r} is not a known time zone; "
                      "use an IANA name such as America/Sao_Paulo or Europe/Lisbon")

    modules = _items(answers["modules"])
    known = {ep.name for ep in entry_points(group="labkit")}
    for slug in modules:
        if slug not in known:
            raise Refused(f"modules: {slug!r} is not a module; choose among {', '.join(sorted(known))}")
    if len(set(modules)) != len(modules):
        raise Refused("modules: a module is listed twice")
    local = _items(answers.get("_local_plugins", ""))
    clash = set(local) & set(modules)
    if clash:
        raise Refused(f"modules: {sorted(clash)[0]!r} is also one of this template's own plugins")
    _check_dependencies(modules)

    _check_url("base_url", answers["base_url"], required=True)
    _check_url("mentor_url", answers["mentor_url"])
    _check_url("hub_url", answers["hub_url"])
    if answers["mentor_url"] and not answers["mentor_name"].strip():
        raise Refused("mentor_name: give the mentor lab's name as well as its address")

    database = answers["database_url"]
    parts = urlsplit(database)
    if parts.scheme == "sqlite":
        if not database.removeprefix("sqlite://"):
            raise Refused("database_url: name the SQLite file, e.g. sqlite://data/lab.sqlite3")
    elif parts.scheme in ("postgres", "postgresql"):
        if not parts.hostname or not parts.path.strip("/"):
            raise Refused(f"database_url: {database!r} needs a host and a database name: "
                          "postgres://user@host:5432/dbname")
    else:
        raise Refused(f"database_url: {database!r} must start with sqlite:// or postgres://")

    email = answers["admin_email"]
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[A-Za-z0-9-]{2,}", email):
        raise Refused(f"admin_email: {email!r} is not an e-mail address")



# ------------------------------------------------------------------ finishing the lab


def pick_language(lab: Path, language: str) -> None:
    """Keep README.md and MENTORING.md in the lab's language (English when there is none)."""
    for name in LOCALISED:
        variants = {tag: lab / f"{name}.{tag}.md" for tag in LANGUAGES}
        target = lab / f"{name}.md"
        if not target.exists():
            chosen = variants[language] if variants[language].exists() else variants["en"]
            if chosen.exists():
                chosen.rename(target)
        for path in variants.values():
            if path.exists():
                path.unlink()


def database_has_password(url: str) -> bool:
    """Whether a database URL holds a password (it then goes to .env, not lab.toml)."""
    userinfo = url.split("://", 1)[-1].split("/", 1)[0]
    return "@" in userinfo and ":" in userinfo.split("@", 1)[0]


def write_env(lab: Path, answers: dict[str, Any]) -> None:
    """Secrets go into .env (readable by the owner only), never into lab.toml."""
    lines = [
        "# Secrets of this lab. Keep this file out of version control and backups you share.",
        f"LABKIT_SECRET_KEY={secrets.token_urlsafe(48)}",
    ]
    if database_has_password(answers["database_url"]):
        lines.append(f"LABKIT_DATABASE_URL={answers['database_url']}")
    env = lab / ".env"
    env.touch(mode=0o600)
    env.chmod(0o600)
    env.write_text("\n".join(lines) + "\n", encoding="utf-8")


def lab_environment(environ: dict[str, str]) -> dict[str, str]:
    """``environ`` without LABKIT_* variables: a new lab is read from its own files."""
    return {key: value for key, value in environ.items() if not key.startswith("LABKIT_")}


async def migrate_and_admin(lab: Path, email: str, password: str, environ: dict[str, str]) -> list[str]:
    """Apply the migrations and create the first administrator; return what was done."""
    from labkit import db
    from labkit.config import ConfigError, load_settings
    from labkit.people import create_admin
    from labkit.plugins import PluginError, Plugins

    try:
        settings = load_settings(lab, lab_environment(environ))
        plugins = Plugins(settings)
    except (ConfigError, PluginError) as error:
        raise Refused(str(error)) from None
    try:
        await db.migrate(settings, plugins)
    except db.DatabaseError as error:
        if settings.database_url.startswith("sqlite"):
            raise Refused(f"the database could not be migrated: {error}") from None
        return [f"warning: the database did not answer ({error}); once it does, run "
                f"`labkit --lab {lab.name} migrate` and `labkit --lab {lab.name} createadmin --email {email}`"]
    await create_admin(settings, plugins, email=email, name="Administrator", password=password)
    return ["database migrated", f"administrator {email} created"]


async def finish(lab: Path, answers: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    """Finish the freshly rendered lab in ``lab``; return its ``notes`` and, once the database is
    migrated, the administrator's ``admin_email`` and ``admin_password``
    (``LABKIT_ADMIN_PASSWORD`` in ``environ``, or a new random one). Raise :class:`Refused`."""
    pick_language(lab, answers["default_language"])
    write_env(lab, answers)
    password = environ.get("LABKIT_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
    result: dict[str, Any] = {"notes": await migrate_and_admin(lab, answers["admin_email"], password, environ)}
    if "database migrated" in result["notes"]:
        result["admin_email"], result["admin_password"] = answers["admin_email"], password
    return result
