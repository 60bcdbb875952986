"""A plugin living outside labkit/ adds a model with a migration, a page, an API endpoint, a
navigation entry, a permission and a translated string, and each works (on SQLite, and on
PostgreSQL when LABKIT_TEST_DATABASE_URL is set)."""

from __future__ import annotations

from typing import Any

import pytest

from labkit.i18n import translations
from labkit.testing import RunningLab


@pytest.fixture
def Greeting(hello_lab: RunningLab) -> Any:  # noqa: N802 - it is the model class
    """The example plugin's model, imported the way the lab loaded it (from its plugins/ folder)."""
    from labkit_hello.models import Greeting

    return Greeting


async def test_page_lists_and_a_member_posts_through_the_form(hello_lab: RunningLab, Greeting: Any) -> None:
    member = await hello_lab.login_as("member")
    response = await member.submit("/hello/", {"text": "Olá, laboratório!"})
    assert response.status_code == 303
    page = await member.get("/hello/")
    assert "Olá, laboratório!" in page.text
    assert 'action="/hello/"' in page.text
    assert await Greeting.filter(text="Olá, laboratório!").count() == 1


async def test_invalid_greeting_rerenders_the_form_with_the_message_and_saves_nothing(hello_lab: RunningLab, Greeting: Any) -> None:
    member = await hello_lab.login_as("member")
    response = await member.submit("/hello/", {"text": "x" * 281})
    assert response.status_code == 422
    assert "Enter at most 280 characters." in response.text
    assert 'aria-invalid="true"' in response.text
    assert await Greeting.all().count() == 0


async def test_navigation_shows_the_plugin_entry(hello_lab: RunningLab, Greeting: Any) -> None:
    home = await hello_lab.client().get("/", headers={"Accept-Language": "en"})
    assert '<a href="/hello/"' in home.text and "Greetings" in home.text


async def test_translated_string_follows_the_visitor_language(hello_lab: RunningLab) -> None:
    client = hello_lab.client()
    english = await client.get("/hello/", headers={"Accept-Language": "en"})
    brazilian = await client.get("/hello/", headers={"Accept-Language": "pt-BR,pt;q=0.9"})
    translated = translations("pt-BR").gettext("No greetings yet.")
    assert translated != "No greetings yet.", "the plugin's pt_BR catalog was not loaded"
    assert "No greetings yet." in english.text and translated not in english.text
    assert translated in brazilian.text and "No greetings yet." not in brazilian.text
    assert brazilian.headers["content-language"] == "pt-BR"


async def test_anonymous_visitor_cannot_post_and_is_sent_to_sign_in(hello_lab: RunningLab, Greeting: Any) -> None:
    response = await hello_lab.client().submit("/hello/", {"text": "hi"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/account/login?next=/hello/")
    assert await Greeting.all().count() == 0


async def test_permission_is_declared_and_enforced_for_roles(hello_lab: RunningLab) -> None:
    registry = hello_lab.app.state.permissions
    assert registry.permissions["hello.post"].roles == ("member", "staff")
    blocked = await hello_lab.person("member")
    blocked.is_active = False
    assert not registry.allows(blocked, "hello.post")
    assert registry.allows(await hello_lab.person("admin"), "hello.post")


async def test_api_endpoint_reads_publicly_and_writes_with_a_token(hello_lab: RunningLab) -> None:
    from labkit.auth import create_token

    person = await hello_lab.person("member")
    token = await create_token(person, "script")
    api = hello_lab.client(token=token)
    created = await api.post("/api/v1/hello/greetings", json={"text": "from a script"})
    assert created.status_code == 201
    assert created.json()["author"] == person.name
    listed = await hello_lab.client().get("/api/v1/hello/greetings")
    assert [item["text"] for item in listed.json()["items"]] == ["from a script"]


async def test_api_write_without_credentials_is_a_problem_document(hello_lab: RunningLab, Greeting: Any) -> None:
    client = hello_lab.client()
    response = await client.post("/api/v1/hello/greetings", json={"text": "x"},
                                 headers={"X-CSRF-Token": await client.csrf_token()})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "Sign in to do this."
    assert await Greeting.all().count() == 0


async def test_api_validation_errors_name_the_field(hello_lab: RunningLab) -> None:
    from labkit.auth import create_token

    token = await create_token(await hello_lab.person("member"), "script")
    response = await hello_lab.client(token=token).post("/api/v1/hello/greetings", json={"text": ""})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [{"field": "text", "message": "This field is required."}]


async def test_openapi_document_describes_the_plugin_endpoints(hello_lab: RunningLab, Greeting: Any) -> None:
    document = (await hello_lab.client().get("/api/v1/openapi.json")).json()
    operations = document["paths"]["/api/v1/hello/greetings"]
    assert set(operations) == {"get", "post"}
    assert operations["post"]["x-labkit-permission"] == "hello.post"
    assert "GreetingIn" in document["components"]["schemas"]


async def test_migration_created_the_plugin_table(hello_lab: RunningLab) -> None:
    from tortoise import connections

    connection = connections.get("default")
    await connection.execute_query("SELECT id, author_id, text, created_at FROM hello_greeting")
