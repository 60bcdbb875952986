"""The example plugin's test, run with `pytest` from the lab folder.

The `make_lab` fixture comes with labkit: it builds a throw-away lab with a migrated database
(SQLite, or PostgreSQL when LABKIT_TEST_DATABASE_URL is set), serves it on a loopback port, and
returns an object whose `client()` speaks real HTTP to it.
"""

from __future__ import annotations

from pathlib import Path

PLUGIN = Path(__file__).resolve().parents[1]
SETTINGS = {"plugin.visit": {"address": "Rua <Exemplo>, 100", "opening_hours": ["Mon-Fri 9:00-18:00", "Sat 10:00-14:00"],
                             "email": "contact@example.org"}}


async def test_the_page_shows_address_and_hours_escaped(make_lab) -> None:
    lab = await make_lab(plugins=["visit"], local_plugins=[PLUGIN], settings=SETTINGS)
    page = await lab.client().get("/visit/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Rua &lt;Exemplo&gt;, 100" in page.text
    assert "<li>Sat 10:00-14:00</li>" in page.text
    assert 'href="mailto:contact@example.org"' in page.text


async def test_the_home_page_links_to_it_in_the_visitors_language(make_lab) -> None:
    lab = await make_lab(plugins=["visit"], local_plugins=[PLUGIN], settings=SETTINGS)
    client = lab.client()
    english = await client.get("/", headers={"Accept-Language": "en"})
    brazilian = await client.get("/", headers={"Accept-Language": "pt-BR"})
    assert '<a href="/visit/"' in english.text and "Visit us" in english.text
    assert "Visite-nos" in brazilian.text and "Visit us" not in brazilian.text


async def test_without_settings_the_page_says_so(make_lab) -> None:
    lab = await make_lab(plugins=["visit"], local_plugins=[PLUGIN])
    page = await lab.client().get("/visit/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "The lab has not published its address yet." in page.text
