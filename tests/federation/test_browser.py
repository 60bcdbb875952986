"""A person in headless Chromium uses the hub's overview, its map and its tree with the keyboard."""

from __future__ import annotations

from labkit.testing import RunningLab

from labkit_federation import demo
from tests.mapping.conftest import BLANK_TILE


async def test_overview_map_and_tree_with_the_keyboard(make_lab, browser_page) -> None:
    lab: RunningLab = await make_lab(plugins=["federation"], settings={"lab": {"map_tiles": BLANK_TILE}})
    await demo.create(lab.settings)
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    # Overview: the charts draw, and a period is chosen from the keyboard.
    await page.goto(lab.url + "/federation/")
    await page.wait_for_selector("[data-fed-chart][data-ready='true']")
    assert await page.locator("[data-fed-chart] canvas").count() == 4
    select = page.get_by_label("Period", exact=True)
    chosen = await select.input_value()
    await select.focus()
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent.trim()") == "Show"
    await page.keyboard.press("Enter")
    await page.wait_for_url(lambda url: "period=" in url and chosen not in url)
    await page.get_by_role("link", name="BR-RJ").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url(lambda url: "region=BR%2FBR-RJ" in url or "region=BR/BR-RJ" in url)
    assert "LAB.Rio" in await page.locator("main").inner_text()

    # The map: every lab with a place is a marker, reachable with Tab, opened with Enter.
    await page.goto(lab.url + "/federation/completeness")
    await page.wait_for_selector("#federation-map[data-markers='12']")
    failed = page.locator(".leaflet-marker-icon[data-status='failed']")
    assert await failed.count() == 2
    marker = page.locator(".leaflet-marker-icon[aria-label^='Lab Manaus']")
    assert await marker.get_attribute("aria-label") == "Lab Manaus — Failed"
    await marker.focus()
    await page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    await popup.wait_for()
    assert "Lab Manaus" in await popup.inner_text() and "Failed" in await popup.inner_text()
    legend = await page.locator("#map-legend").inner_text()
    assert "Failed (2)" in legend and "Late (1)" in legend
    # The same data as a table, filtered from the keyboard.
    await page.get_by_label("Status").focus()
    await page.get_by_label("Status").select_option("late")
    await page.get_by_role("button", name="Show").press("Enter")
    await page.wait_for_url(lambda url: "status=late" in url)
    rows = page.locator("table.fed-completeness tbody tr")
    assert await rows.count() == 1 and "Lab Salvador" in await rows.inner_text()

    # The tree: branches fold and unfold with the keyboard, links lead to a lab's page.
    await page.goto(lab.url + "/federation/tree")
    branch = page.locator("details", has=page.locator("summary > a", has_text="LAB.Rio")).first
    summary = branch.locator("> summary")
    await summary.focus()
    await page.keyboard.press("Enter")
    assert await branch.get_attribute("open") is None
    assert not await page.get_by_role("link", name="Niterói Lab").is_visible()
    await page.keyboard.press("Enter")
    assert await branch.get_attribute("open") == ""
    await page.get_by_role("link", name="Niterói Lab").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url(lab.url + "/federation/labs/BR-3303302")
    assert await page.get_by_role("heading", level=1).inner_text() == "Niterói Lab"
    assert not errors, errors
