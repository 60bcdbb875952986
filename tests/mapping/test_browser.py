"""In headless Chromium: the map shows the demo organisations' markers, a visitor proposes an
organisation, the team approves it, and it appears on the map. No request leaves 127.0.0.1."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.async_api import TimeoutError as PlaywrightTimeout

from labkit.testing import PASSWORD, RunningLab

pytestmark = pytest.mark.browser


async def _markers(page) -> int:
    await page.wait_for_selector("#mapping-map[data-markers]")
    value = await page.get_attribute("#mapping-map", "data-markers")
    assert value != "error"
    return int(value)


async def _open_popup(page):
    """Click the first marker until its popup opens: while the map still zooms to the markers (slow
    on a loaded machine), a click can land where the marker was a moment before."""
    popup = page.locator(".leaflet-popup-content")
    for _attempt in range(3):
        await page.locator(".leaflet-marker-icon").first.click()
        try:
            await popup.wait_for(timeout=5_000)
            return popup
        except PlaywrightTimeout:
            continue
    await popup.wait_for()
    return popup


async def test_propose_approve_and_find_it_on_the_map(map_lab: RunningLab, browser_page) -> None:
    from labkit_mapping import demo

    await demo.load(map_lab.settings)
    staff = await map_lab.person("staff", name="Equipe do Lab")
    page = browser_page
    problems: list[str] = []
    outside: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: outside.append(request.url)
            if urlsplit(request.url).scheme in ("http", "https") and urlsplit(request.url).hostname != "127.0.0.1" else None)

    await page.goto(map_lab.url + "/mapping/map")
    assert await _markers(page) == 40
    assert await page.locator(".leaflet-marker-icon").count() > 0, "markers or clusters are drawn"
    assert await page.locator(".marker-cluster").count() > 0, "nearby markers are clustered"

    await page.get_by_role("link", name="Propose an organisation").first.click()
    await page.get_by_label("Name").fill("Rede Teste de Mapeamento")
    await page.get_by_label("Kind").select_option("collective")
    await page.get_by_label("Topics").fill("mapeamento, dados abertos")
    await page.get_by_label("Open data").check()
    await page.get_by_label("Latitude").fill("-23.6010")
    await page.get_by_label("Longitude").fill("-46.6020")
    await page.get_by_label("Your e-mail (optional)").fill("visitante@example.org")
    await page.get_by_role("button", name="Send the proposal").click()
    await page.wait_for_url(map_lab.url + "/mapping/")
    assert await page.get_by_text("The lab's team will review your proposal").is_visible()

    await page.goto(map_lab.url + "/mapping/map")
    assert await _markers(page) == 40, "a proposal is not on the map before the review"

    await page.goto(map_lab.url + "/account/login")
    await page.get_by_label("E-mail").fill(staff.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(map_lab.url + "/")
    await page.goto(map_lab.url + "/mapping/moderation")
    await page.get_by_role("link", name="Rede Teste de Mapeamento").click()
    await page.get_by_label("Approve and publish").check()
    await page.get_by_role("button", name="Decide").click()
    await page.wait_for_url(map_lab.url + "/mapping/moderation")
    assert await page.get_by_text("Proposal approved.").is_visible()

    await page.goto(map_lab.url + "/mapping/map?q=rede+teste")
    assert await _markers(page) == 1
    popup = await _open_popup(page)
    assert "Rede Teste de Mapeamento" in await popup.inner_text()
    await popup.get_by_role("link").click()
    await page.wait_for_url("**/mapping/organisations/*")
    assert await page.get_by_role("heading", level=1).inner_text() == "Rede Teste de Mapeamento"
    assert not problems, problems
    assert not outside, outside
