"""Every request is guarded: CSRF on unsafe requests, a body limit, security headers, escaping,
and errors that are pages or problem documents, never tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import escape

from labkit.models import Person
from labkit.testing import PASSWORD, RunningLab

from .conftest import HELLO

FAILING = '''
from starlette.routing import Route
from labkit import PluginInfo, hookimpl
from labkit.api import ApiRoute

async def boom(request):
    raise RuntimeError("secret internal detail")

async def missing_file(request):
    open("/nonexistent/secret internal detail")

@hookimpl
def labkit_plugin_info():
    return PluginInfo(title="Failing")

@hookimpl
def labkit_routes():
    return [Route("/boom", boom), Route("/missing-file", missing_file)]

@hookimpl
def labkit_api_routes():
    return [ApiRoute("/boom", boom)]
'''


@pytest.fixture
async def failing_lab(make_lab, tmp_path: Path) -> RunningLab:
    source = tmp_path / "failing.py"
    source.write_text(FAILING)
    return await make_lab(plugins=["failing"], local_plugins=[source])


async def test_a_form_post_without_a_csrf_token_is_refused_and_changes_nothing(core_lab: RunningLab) -> None:
    client = core_lab.client()
    data = {"name": "Eve", "email": "eve@example.org", "password": PASSWORD, "password_again": PASSWORD}
    response = await client.post("/account/register", data=data)
    assert response.status_code == 403
    assert "The form has expired" in response.text
    assert await Person.all().count() == 0


async def test_a_stale_or_foreign_csrf_token_is_refused(core_lab: RunningLab) -> None:
    attacker, victim = core_lab.client(), await core_lab.login_as()
    foreign = await attacker.csrf_token()
    response = await victim.post("/account", data={"csrf_token": foreign, "name": "Hacked"})
    assert response.status_code == 403
    await victim.submit("/account/logout")
    stale = await victim.post("/account/logout", data={"csrf_token": foreign})
    assert stale.status_code == 403
    assert (await Person.get(id=victim.person.id)).name != "Hacked"


async def test_json_api_with_a_session_cookie_needs_the_csrf_header_but_a_token_does_not(hello_lab: RunningLab) -> None:
    from labkit.auth import create_token

    member = await hello_lab.login_as()
    assert (await member.post("/api/v1/hello/greetings", json={"text": "a"})).status_code == 403
    with_header = await member.post("/api/v1/hello/greetings", json={"text": "b"},
                                    headers={"X-CSRF-Token": await member.csrf_token()})
    assert with_header.status_code == 201
    token = await create_token(member.person, "bot")
    assert (await hello_lab.client(token=token).post("/api/v1/hello/greetings", json={"text": "c"})).status_code == 201


async def test_bodies_over_the_limit_get_413_as_a_page_or_a_problem(make_lab) -> None:
    lab = await make_lab(plugins=["hello"], local_plugins=[HELLO], settings={"security": {"max_body_bytes": 1000}})
    client = lab.client()
    page = await client.post("/account/register", content=b"x" * 5000,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert page.status_code == 413 and "text/html" in page.headers["content-type"]
    api = await client.post("/api/v1/hello/greetings", content=b"{" + b" " * 5000 + b"}",
                            headers={"Content-Type": "application/json"})
    assert api.status_code == 413 and api.json()["status"] == 413

    async def chunks():
        for _ in range(10):
            yield b"y" * 500

    streamed = await client.post("/account/login", content=chunks(),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert streamed.status_code == 413


async def test_pages_carry_the_security_headers(core_lab: RunningLab) -> None:
    headers = (await core_lab.client().get("/")).headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    cookie = headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


@pytest.mark.parametrize("payload", ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "{{ 7*7 }}"])
async def test_what_people_write_is_rendered_escaped(hello_lab: RunningLab, payload: str) -> None:
    member = await hello_lab.login_as()
    await member.submit("/hello/", {"text": payload})
    page = (await hello_lab.client().get("/hello/")).text
    assert payload not in page or payload == "{{ 7*7 }}"
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "49" not in page.split("<main")[1]


async def test_unknown_pages_are_404_pages_in_the_visitor_language(core_lab: RunningLab) -> None:
    from labkit.i18n import translations

    response = await core_lab.client().get("/no/such/page", headers={"Accept-Language": "fr"})
    assert response.status_code == 404 and response.headers["content-language"] == "fr"
    assert escape(translations("fr").gettext("This page does not exist.")) in response.text


async def test_api_errors_are_rfc9457_problem_documents(core_lab: RunningLab) -> None:
    response = await core_lab.client().get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {"type": "about:blank", "title": "Not Found", "status": 404,
                               "detail": "Not Found", "instance": "/api/v1/nothing-here"}


async def test_a_crash_is_a_plain_500_without_the_traceback(failing_lab: RunningLab) -> None:
    client = failing_lab.client()
    page = await client.get("/failing/boom")
    assert page.status_code == 500
    assert "secret internal detail" not in page.text and "Traceback" not in page.text
    problem = await client.get("/api/v1/failing/boom")
    assert problem.status_code == 500 and problem.json()["title"] == "Internal Server Error"
    assert "secret internal detail" not in problem.text


async def test_a_missing_file_is_a_500_not_the_database_being_away(failing_lab: RunningLab) -> None:
    page = await failing_lab.client().get("/failing/missing-file")
    assert page.status_code == 500 and "Retry-After" not in page.headers
    assert "secret internal detail" not in page.text


async def test_static_files_cannot_escape_their_folders(core_lab: RunningLab) -> None:
    client = core_lab.client()
    for path in ["/static/../lab.toml", "/static/%2e%2e/%2e%2e/lab.toml", "/static/..%2f.env"]:
        response = await client.get(path)
        assert response.status_code == 404
        assert "LABKIT_SECRET_KEY" not in response.text
