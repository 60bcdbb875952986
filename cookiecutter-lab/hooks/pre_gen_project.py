"""Check every answer before anything is written; a bad answer stops with one clear message.

cookiecutter renders this file with the answers, runs it, and on a non-zero exit removes the
folder it was about to fill. When ``labkit new`` runs the template it sets LABKIT_HOOK_REPORT to a
file where the message goes, so that labkit prints it as its own one-line error.
"""

from __future__ import annotations

import json
import os
import re
import sys
from urllib.parse import urlsplit

ANSWERS = json.loads(r'''{{ cookiecutter | jsonify }}''')

LANGUAGES = ("pt-BR", "es", "fr", "en")
BUILT_IN_MODULES = ("mapping", "participation", "coworking", "challenges", "indicators", "onboarding", "federation")
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
    """An answer is wrong; the message names the question and what to answer."""


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


def _known_modules() -> set[str]:
    try:
        from importlib.metadata import entry_points

        found = {ep.name for ep in entry_points(group="labkit")}
    except Exception:  # noqa: BLE001 - fall back on the built-in list
        found = set()
    return found or set(BUILT_IN_MODULES)


def _check_dependencies(modules: list[str]) -> None:
    """When labkit is installed here, a module that needs another must have it switched on."""
    try:
        from importlib.metadata import entry_points
    except ImportError:
        return
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


def validate(answers: dict) -> None:
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

    from zoneinfo import available_timezones

    if answers["timezone"] not in available_timezones():
        raise Refused(f"timezone: {answers['timezone']!r} is not a known time zone; "
                      "use an IANA name such as America/Sao_Paulo or Europe/Lisbon")

    modules = _items(answers["modules"])
    known = _known_modules()
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


def main() -> int:
    try:
        validate(ANSWERS)
    except Refused as error:
        report = os.environ.get("LABKIT_HOOK_REPORT")
        if report:
            with open(report, "w", encoding="utf-8") as handle:
                json.dump({"error": str(error)}, handle)
        else:
            print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
