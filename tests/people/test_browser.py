"""In a real headless Chromium: a person publishes a profile with a photo, is found by skill (the
photo on the card, with its description), and a team lead invites them from the people looking for
a team (their photo small beside their name); the mailed link joins the team."""

from __future__ import annotations

import logging
import re

import pytest

from labkit.testing import RunningLab

from labkit_people.models import Topic
from tests.challenges.conftest import make_challenge, make_team
from tests.challenges.test_browser import sign_in
from tests.coworking.test_photos import jpeg

pytestmark = pytest.mark.browser


async def test_a_profile_is_published_with_a_photo_found_by_skill_and_invited_to_a_team(
        make_lab, browser_page, caplog: pytest.LogCaptureFixture, tmp_path) -> None:
    lab: RunningLab = await make_lab(plugins=["people", "challenges"])
    await Topic.create(key="gis", names={"en": "GIS"})
    await Topic.create(key="python", names={"en": "Python"})
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    challenge = await make_challenge("open", title="Ônibus na Zona Leste")
    lead = await lab.person("member", name="Lia Líder")
    await make_team(challenge, lead, name="Equipe Rota")
    rita = await lab.person("member", name="Rita")
    photo = tmp_path / "rita.jpg"
    photo.write_bytes(jpeg())

    await sign_in(page, lab, rita)
    await page.goto(lab.url + "/people/me")
    await page.get_by_label("Name").fill("Rita Mapas")
    await page.get_by_label("About you").fill("Mapeio **linhas de ônibus** em Itaquera.")
    await page.get_by_label("Region code").fill("zona-leste")
    await page.get_by_role("group", name="What you know").get_by_label("GIS").check()
    await page.get_by_label("I am looking for a team").check()
    await page.get_by_label("Image file").set_input_files(str(photo))
    await page.get_by_role("button", name="Save").click()
    refused = page.locator("#error-photo_alt")
    await refused.wait_for()
    assert await refused.inner_text() == "Describe the image for people who cannot see it."
    assert len(errors) == 1 and "status of 422" in errors.pop(), "the browser only notes the refused form's status"
    await page.get_by_label("Image file").set_input_files(str(photo))  # a refused form keeps no file
    await page.get_by_label("Description of the image").fill("Rita with a printed bus map")
    await page.get_by_role("button", name="Save").click()
    await page.wait_for_url(lab.url + "/people/me")
    assert await page.get_by_text("Your profile is private").is_visible()
    await page.get_by_role("button", name="Publish my profile").click()
    await page.wait_for_url(lab.url + "/people/me")
    assert await page.get_by_text("Your profile is public: it is in the directory.").is_visible()

    await sign_in(page, lab, lead)
    await page.goto(lab.url + "/people/")
    await page.get_by_label("Knows").select_option("gis")
    await page.get_by_label("Region").select_option("zona-leste")
    await page.get_by_role("button", name="Find").click()
    card_photo = page.locator("li.card img.card-logo")
    assert await card_photo.get_attribute("alt") == "Rita with a printed bus map"
    assert await card_photo.evaluate("img => img.complete && img.naturalWidth > 0"), "the photo loads"
    await page.get_by_role("link", name="Rita Mapas").click()
    assert await page.get_by_role("img", name="Rita with a printed bus map").is_visible()
    assert await page.locator(".people-bio strong").inner_text() == "linhas de ônibus"

    await page.goto(f"{lab.url}/challenges/{challenge.id}/team")
    looking = page.locator("#looking")
    assert await looking.get_by_role("link", name="Rita Mapas (zona-leste)").is_visible()
    thumbnail = looking.get_by_role("img", name="Rita with a printed bus map")
    assert await thumbnail.evaluate("img => img.complete && img.naturalWidth > 0"), "the photo loads"
    assert (await thumbnail.bounding_box())["width"] == 48, "small, beside the name"
    with caplog.at_level(logging.INFO, logger="labkit.mail"):
        await looking.get_by_role("button", name="Invite Rita Mapas (zona-leste)").click()
        await page.wait_for_url(f"{lab.url}/challenges/{challenge.id}/team#looking")
        assert await page.get_by_text("Rita Mapas (zona-leste) was sent your team's invitation.").is_visible()
        await lab.deliver_mail()
    link = re.search(r"https?://\S+(/challenges/join/\S+)", caplog.text).group(1)

    await sign_in(page, lab, rita)
    await page.goto(lab.url + link)
    await page.get_by_label("I accept the code of conduct").check()
    await page.get_by_role("button", name="Join the team").click()
    await page.wait_for_url(f"{lab.url}/challenges/{challenge.id}/team")
    assert await page.get_by_role("heading", name="Team Equipe Rota").is_visible()
    assert await page.get_by_role("rowheader", name="Rita").is_visible()
    assert errors == []
