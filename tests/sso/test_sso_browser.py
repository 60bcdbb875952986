"""Single sign-on through a real OpenID provider on loopback, in a real Chromium.

The provider is oidc-provider (see ``provider/provider.mjs``): its development login page accepts
any password for the e-mail typed, then asks for consent.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
from playwright.async_api import Page

from labkit import consent
from labkit.models import Consent, Person, SsoIdentity
from labkit.testing import RunningLab

from .conftest import PROVIDERS

pytestmark = pytest.mark.browser


async def sign_in_at_provider(page: Page, lab: RunningLab, email: str, provider: str = "test") -> None:
    """From the lab's sign-in page to the provider's consent page, signed in there as ``email``."""
    await page.goto(lab.url + "/account/login")
    await page.get_by_role("button", name=f"Sign in with {PROVIDERS[provider]}").click()
    await page.locator("input[name=login]").fill(email)
    await page.locator("input[name=password]").fill("any password")
    await page.get_by_role("button", name="Sign-in").click()
    await page.get_by_role("button", name="Continue").wait_for()


async def consent_and_capture(page: Page, lab: RunningLab) -> str:
    """Consent on the provider's page and return its answer to the lab, not delivered yet.

    The consent form is sent by the browser context's own HTTP client (same cookies), following
    the provider's redirects up to the one that leads to the lab.
    """
    action = urljoin(page.url, await page.locator("form").get_attribute("action") or "")
    response = await page.context.request.post(action, form={"prompt": "consent"}, max_redirects=0)
    while (location := response.headers.get("location", "")) and not location.startswith(lab.url):
        response = await page.context.request.get(urljoin(response.url, location), max_redirects=0)
    assert location.startswith(lab.url + "/account/sso/"), (response.status, location)
    return location


def with_params(url: str, **changes: str) -> str:
    """``url`` with some query parameters replaced."""
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return parts._replace(query=urlencode({**query, **changes})).geturl()


async def assert_refused(page: Page, url: str, status: int, message: str) -> None:
    """Opening ``url`` shows the SSO error page with ``status`` and ``message``."""
    response = await page.goto(url)
    assert response is not None and response.status == status
    assert message in await page.get_by_role("alert").inner_text()
    assert await page.get_by_role("heading", level=1).inner_text() == "Sign-in with Test ID failed"


async def test_a_new_person_signs_in_with_the_provider(sso_lab: RunningLab, browser_page: Page) -> None:
    await sign_in_at_provider(browser_page, sso_lab, "Ana@Example.org")
    await browser_page.get_by_role("button", name="Continue").click()
    await browser_page.wait_for_url(sso_lab.url + "/")
    assert await browser_page.get_by_role("link", name="Person ana").is_visible()
    assert "You are signed in with Test ID" in await browser_page.content()

    person = await Person.get(email="ana@example.org")
    assert person.password_hash == ""  # no password until they choose one
    identity = await SsoIdentity.get(person=person)
    assert (identity.provider, identity.subject) == ("test", "Ana@Example.org")

    # a second sign-in finds the same person through the identity
    await browser_page.context.clear_cookies()
    await sign_in_at_provider(browser_page, sso_lab, "Ana@Example.org")
    await browser_page.get_by_role("button", name="Continue").click()
    await browser_page.wait_for_url(sso_lab.url + "/")
    assert await Person.filter(email="ana@example.org").count() == 1
    assert await SsoIdentity.all().count() == 1


async def test_an_existing_password_account_is_linked_by_its_verified_email(sso_lab: RunningLab, browser_page: Page) -> None:
    bruno = await sso_lab.person(email="bruno@example.org", name="Bruno")
    await sign_in_at_provider(browser_page, sso_lab, "bruno@example.org")
    await browser_page.get_by_role("button", name="Continue").click()
    await browser_page.wait_for_url(sso_lab.url + "/")
    assert await browser_page.get_by_role("link", name="Bruno").is_visible()
    assert [i.person_id for i in await SsoIdentity.all()] == [bruno.id]
    assert await Person.all().count() == 1
    # the password still works (login_as uses the sign-in form): one person, two ways in
    export = await (await sso_lab.login_as(person=bruno)).get("/account/export")
    assert export.json()["single_sign_on"][0]["provider"] == "test"


async def test_an_unverified_email_neither_links_nor_creates_an_account(sso_lab: RunningLab, browser_page: Page) -> None:
    carla = await sso_lab.person(email="unverified.carla@example.org", name="Carla")
    await sign_in_at_provider(browser_page, sso_lab, "unverified.carla@example.org")
    await assert_refused(browser_page, await consent_and_capture(browser_page, sso_lab), 403,
                         "Test ID did not confirm your e-mail address")
    assert await SsoIdentity.all().count() == 0
    assert [p.id for p in await Person.all()] == [carla.id]
    assert not await browser_page.get_by_role("link", name="Carla").count()


async def test_a_wrong_state_is_refused(sso_lab: RunningLab, browser_page: Page) -> None:
    await sign_in_at_provider(browser_page, sso_lab, "dora@example.org")
    answer = await consent_and_capture(browser_page, sso_lab)
    await assert_refused(browser_page, with_params(answer, state="forged-state"), 400,
                         "This sign-in was not started here, or it was already used.")
    assert await Person.all().count() == 0 and await SsoIdentity.all().count() == 0


async def test_a_replayed_code_is_refused(sso_lab: RunningLab, browser_page: Page) -> None:
    await sign_in_at_provider(browser_page, sso_lab, "eva@example.org")
    first = await consent_and_capture(browser_page, sso_lab)
    await browser_page.goto(first)
    assert browser_page.url == sso_lab.url + "/"
    first_code = parse_qs(urlsplit(first).query)["code"][0]
    # a new sign-in gives the session a fresh state; the old code is sent back with it
    await browser_page.context.clear_cookies(name=re.compile(r"^(?!labkit_session$)"))  # the provider's session
    await sign_in_at_provider(browser_page, sso_lab, "eva@example.org")
    fresh = await consent_and_capture(browser_page, sso_lab)
    await assert_refused(browser_page, with_params(fresh, code=first_code), 400,
                         "Test ID did not accept this sign-in")
    assert await Person.all().count() == 1 and await SsoIdentity.all().count() == 1


async def test_an_answer_from_another_issuer_is_refused(sso_lab: RunningLab, browser_page: Page) -> None:
    await sign_in_at_provider(browser_page, sso_lab, "fabio@example.org")
    answer = await consent_and_capture(browser_page, sso_lab)
    assert parse_qs(urlsplit(answer).query)["iss"] == [sso_lab.settings.sso.providers[0].issuer]
    await assert_refused(browser_page, with_params(answer, iss="https://attacker.example"), 400,
                         "This answer does not come from Test ID")
    assert await Person.all().count() == 0 and await SsoIdentity.all().count() == 0


async def test_a_provider_whose_discovery_names_another_issuer_is_refused(sso_lab: RunningLab, browser_page: Page) -> None:
    await browser_page.goto(sso_lab.url + "/account/login")
    async with browser_page.expect_response(f"{sso_lab.url}/account/sso/impostor/start**") as answer:
        await browser_page.get_by_role("button", name="Sign in with Impostor ID").click()
    assert (await answer.value).status == 502
    assert "answered as another provider" in await browser_page.get_by_role("alert").inner_text()


async def test_an_expired_id_token_is_refused(sso_lab: RunningLab, browser_page: Page) -> None:
    await sign_in_at_provider(browser_page, sso_lab, "gil@example.org", provider="late")
    answer = await consent_and_capture(browser_page, sso_lab)
    response = await browser_page.goto(answer)
    assert response is not None and response.status == 400
    assert "could not be trusted" in await browser_page.get_by_role("alert").inner_text()
    assert await Person.all().count() == 0 and await SsoIdentity.all().count() == 0


async def test_a_new_sso_account_accepts_the_lab_terms_before_going_on(sso_lab: RunningLab, browser_page: Page) -> None:
    await consent.publish("privacy", {"en": "We keep **little** about you."}, None)
    await sign_in_at_provider(browser_page, sso_lab, "dora@example.org")
    await browser_page.get_by_role("button", name="Continue").click()
    await browser_page.wait_for_url(sso_lab.url + "/account/consent?next=/")
    assert await browser_page.locator("strong", has_text="little").is_visible()
    dora = await Person.get(email="dora@example.org")
    assert await consent.pending(dora) == frozenset({"privacy"})
    await browser_page.get_by_role("button", name="I accept").click()
    await browser_page.wait_for_url(sso_lab.url + "/")
    assert await Consent.filter(person=dora, kind="privacy", version=1).exists()
