"""The plugin in a real lab (labkit's test kit, ``labkit.testing``): each test starts a lab with a
migrated database, served over loopback HTTP, with this plugin enabled.

Run them with ``pytest``; with ``LABKIT_TEST_DATABASE_URL=postgres://...`` they run on PostgreSQL.
"""

from __future__ import annotations

from labkit.auth import create_token
from labkit.i18n import translations
from labkit.testing import RunningLab

from labkit_{{ cookiecutter.slug }}.models import Note

SLUG = "{{ cookiecutter.slug }}"


async def test_a_member_posts_a_note_through_the_form(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=[SLUG])
    member = await lab.login_as("member")
    response = await member.submit(f"/{SLUG}/", {"text": "Bom dia!"})
    assert response.status_code == 303
    assert "Bom dia!" in (await member.get(f"/{SLUG}/")).text
    assert await Note.filter(text="Bom dia!").count() == 1


async def test_a_too_long_note_is_refused_with_a_message(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=[SLUG])
    member = await lab.login_as("member")
    response = await member.submit(f"/{SLUG}/", {"text": "x" * 281})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert await Note.all().count() == 0


async def test_a_visitor_is_sent_to_sign_in_and_nothing_is_written(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=[SLUG])
    response = await lab.client().submit(f"/{SLUG}/", {"text": "hi"})
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/account/login?next=/{SLUG}/")
    assert await Note.all().count() == 0


async def test_the_navigation_links_to_the_page(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=[SLUG])
    home = await lab.client().get("/", headers={"Accept-Language": "en"})
    assert f'<a href="/{SLUG}/"' in home.text


async def test_the_page_follows_the_visitor_language(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=[SLUG])
    translated = translations("pt-BR").gettext("No notes yet.")
    assert translated != "No notes yet.", "the plugin's pt_BR catalog was not loaded"
    page = await lab.client().get(f"/{SLUG}/", headers={"Accept-Language": "pt-BR"})
    assert translated in page.text


async def test_the_api_writes_with_a_token_and_lists_publicly(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=[SLUG])
    person = await lab.person("member")
    created = await lab.client(token=await create_token(person, "script")).post(
        f"/api/v1/{SLUG}/notes", json={"text": "from a script"})
    assert created.status_code == 201 and created.json()["author"] == person.name
    listed = await lab.client().get(f"/api/v1/{SLUG}/notes")
    assert [item["text"] for item in listed.json()["items"]] == ["from a script"]


async def test_an_api_write_without_credentials_is_a_problem_document(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=[SLUG])
    client = lab.client()
    response = await client.post(f"/api/v1/{SLUG}/notes", json={"text": "x"},
                                 headers={"X-CSRF-Token": await client.csrf_token()})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert await Note.all().count() == 0


async def test_the_permission_is_for_members_and_staff(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=[SLUG])
    assert lab.app.state.permissions.permissions[f"{SLUG}.post"].roles == ("member", "staff")
