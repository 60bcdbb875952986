"""The visitor's language: chosen, from their account, from Accept-Language, or the lab default."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from labkit import i18n
from labkit.testing import RunningLab

LANGS = ["pt-BR", "es", "fr", "en"]


@pytest.mark.parametrize(
    ("header", "chosen", "account", "expected"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.5", None, None, "fr"),
        ("pt-PT,pt;q=0.9", None, None, "pt-BR"),
        ("de-DE,en;q=0.3,es;q=0.8", None, None, "es"),
        ("de", None, None, "en"),
        ("fr", None, "es", "es"),
        ("fr", "pt-BR", "es", "pt-BR"),
        ("garbage;q=x,,", None, None, "en"),
    ],
)
def test_negotiation_order(header: str, chosen: str | None, account: str | None, expected: str) -> None:
    assert i18n.negotiate(header, LANGS, chosen=chosen, account=account, default="en") == expected


def test_lab_default_when_nothing_matches() -> None:
    assert i18n.negotiate(None, LANGS, default="pt-BR") == "pt-BR"
    assert i18n.negotiate("fr", ["es", "pt-BR"], default="en") == "es"


def test_dates_and_numbers_follow_the_locale_and_the_lab_time_zone() -> None:
    moment = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)
    i18n.current_zone.set("America/Sao_Paulo")
    i18n.current_locale.set("pt-BR")
    assert i18n.format_date(moment) == "28 de fev. de 2026"
    assert i18n.format_number(1234567.5) == "1.234.567,5"
    i18n.current_locale.set("en")
    assert i18n.format_number(1234567.5) == "1,234,567.5"
    assert i18n.format_datetime(moment, "short") == "2/28/26, 11:30\u202fPM"


async def test_the_language_switch_is_remembered_for_the_visitor(core_lab: RunningLab) -> None:
    client = core_lab.client()
    first = await client.get("/", headers={"Accept-Language": "en"})
    assert first.headers["content-language"] == "en"
    response = await client.submit("/language", {"lang": "es", "next": "/account/login"})
    assert response.headers["location"] == "/account/login"
    page = await client.get("/account/login", headers={"Accept-Language": "en"})
    assert page.headers["content-language"] == "es" and '<html lang="es">' in page.text
    assert i18n.translations("es").gettext("Sign in") in page.text


async def test_a_signed_in_person_keeps_their_language_on_a_new_device(core_lab: RunningLab) -> None:
    first = await core_lab.login_as()
    await first.submit("/language", {"lang": "fr"})
    second = await core_lab.login_as(person=first.person)
    page = await second.get("/", headers={"Accept-Language": "en"})
    assert page.headers["content-language"] == "fr"


async def test_a_language_the_lab_does_not_offer_is_ignored(make_lab) -> None:
    lab = await make_lab(plugins=[], settings={"lab": {"languages": ["es", "en"], "default_language": "es"}})
    client = lab.client()
    await client.submit("/language", {"lang": "fr"})
    assert (await client.get("/")).headers["content-language"] == "es"


async def test_two_labs_in_one_process_keep_their_own_translations(make_lab, tmp_path) -> None:
    """Catalogs live on each app: building a second lab's app without the hello plugin must not take
    the first lab's plugin words away (they were one module-level dict, reloaded by each create_app)."""
    from labkit.app import create_app
    from labkit.config import load_settings
    from labkit.testing import write_lab

    from tests.conftest import HELLO

    with_hello = await make_lab(plugins=["hello"], local_plugins=[HELLO], name="with-hello")
    write_lab(tmp_path / "without-hello", [])
    create_app(load_settings(tmp_path / "without-hello"))
    page = await with_hello.client().get("/hello/", headers={"Accept-Language": "pt-BR"})
    translated = with_hello.app.state.catalogs["pt-BR"].gettext("No greetings yet.")
    assert translated != "No greetings yet."
    assert translated in page.text
