"""A person in a real headless Chromium: signs in, switches the language, sees a plugin's page,
accepts the lab's terms when registering and again when a new version is published."""

from __future__ import annotations

from labkit import consent, verification
from labkit.i18n import translations
from labkit.models import Consent, Person
from labkit.testing import PASSWORD, RunningLab


async def test_sign_in_switch_language_and_open_a_plugin_page(hello_lab: RunningLab, browser_page) -> None:
    person = await hello_lab.person("member", name="Maria")
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    await page.goto(hello_lab.url + "/")
    await page.get_by_role("link", name="Sign in").click()
    await page.get_by_label("E-mail").fill(person.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(hello_lab.url + "/")
    assert await page.get_by_role("link", name="Maria").is_visible()

    await page.get_by_label("Language").select_option("pt-BR")
    await page.wait_for_function("document.documentElement.lang === 'pt-BR'")
    wall = translations("pt-BR").gettext("Greetings")
    assert wall != "Greetings"
    await page.get_by_role("navigation", name=translations("pt-BR").gettext("Main")).get_by_role("link", name=wall).click()
    await page.wait_for_url(hello_lab.url + "/hello/")
    assert await page.get_by_role("heading", level=1).inner_text() == wall

    await page.get_by_label(translations("pt-BR").gettext("Your greeting")).fill("Bom dia!")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("text=Bom dia!")
    assert not errors, errors


async def test_the_skip_link_and_form_labels_work_from_the_keyboard(core_lab: RunningLab, browser_page) -> None:
    page = browser_page
    await page.goto(core_lab.url + "/account/register")
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    for field in await page.query_selector_all("input:not([type=hidden]), select, textarea"):
        field_id = await field.get_attribute("id")
        assert field_id and await page.query_selector(f'label[for="{field_id}"]'), field_id


async def test_register_ticking_the_terms_then_accept_a_new_version_before_the_next_greeting(
        hello_lab: RunningLab, browser_page) -> None:
    await consent.publish("terms", {"en": "# Terms\n\nBe kind on the wall."}, None)
    page = browser_page
    await page.goto(hello_lab.url + "/account/register")
    await page.get_by_label("Your name").fill("Joana")
    await page.get_by_label("E-mail").fill("joana@example.org")
    await page.locator("#field-password").fill(PASSWORD)
    await page.locator("#field-password_again").fill(PASSWORD)
    await page.get_by_role("button", name="Create the account").click()
    assert "Accept the terms of use and the privacy notice" in await page.get_by_role("alert").inner_text()

    await page.locator("#field-password").fill(PASSWORD)
    await page.locator("#field-password_again").fill(PASSWORD)
    await page.get_by_label("I accept the lab's terms of use and privacy notice.").check()
    await page.get_by_role("button", name="Create the account").click()
    await page.wait_for_url(hello_lab.url + "/account/check-email")
    joana = await Person.get(email="joana@example.org")
    assert await Consent.filter(person=joana, kind="terms", version=1).exists()
    await verification.grant(joana, verification.EMAIL)  # the confirmation link has its own tests

    await page.goto(hello_lab.url + "/account/login")
    await page.get_by_label("E-mail").fill(joana.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.goto(hello_lab.url + "/hello/")
    await page.get_by_label("Your greeting").fill("Olá!")
    await page.get_by_role("button", name="Post").click()
    await page.wait_for_selector("text=Thank you for your greeting!")

    await consent.publish("terms", {"en": "# Terms\n\nBe kind on the wall, **version two**."}, None)
    await page.get_by_label("Your greeting").fill("Olá de novo!")
    await page.get_by_role("button", name="Post").click()
    await page.wait_for_url(hello_lab.url + "/account/consent?next=/hello/")
    assert await page.locator("strong", has_text="version two").is_visible()
    await page.get_by_role("button", name="I accept").click()
    await page.wait_for_url(hello_lab.url + "/hello/")
    await page.get_by_label("Your greeting").fill("Olá de novo!")
    await page.get_by_role("button", name="Post").click()
    await page.wait_for_selector("text=Thank you for your greeting!")
    assert await page.locator("q", has_text="Olá de novo!").count() == 1
    assert sorted(await Consent.filter(person=joana).values_list("version", flat=True)) == [1, 2]
