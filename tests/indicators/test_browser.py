"""The dashboard in headless Chromium: Chart.js draws under the lab's CSP, PNG downloads appear,
and the pages speak Portuguese."""

from __future__ import annotations

from datetime import date

from labkit import PortfolioItem
from labkit.testing import PASSWORD, RunningLab

from .conftest import module


async def test_dashboard_charts_draw_without_csp_errors(fed_lab: RunningLab, browser_page) -> None:
    module(fed_lab, "ifeed_a").ITEMS.append(PortfolioItem("projects", "x", "Projeto X", date(2025, 5, 1)))
    staff = await fed_lab.person("staff", name="Joana")
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    await page.set_extra_http_headers({"Accept-Language": "pt-BR"})
    await page.goto(fed_lab.url + "/account/login")
    await page.locator("input[name=email]").fill(staff.email)
    await page.locator("input[name=password]").fill(PASSWORD)
    await page.locator("form.form button[type=submit]").click()
    await page.wait_for_url(fed_lab.url + "/")
    await page.goto(fed_lab.url + "/indicators/?year=2025")
    assert await page.get_by_role("heading", level=1).inner_text() == "Indicadores 2025"
    await page.wait_for_selector("[data-indicator=projects][data-ready=true] canvas")
    assert await page.locator("[data-ready=true] canvas").count() == 4
    png = page.locator("a.png-download").first
    await png.click()
    assert (await png.get_attribute("href")).startswith("data:image/png;base64,")
    assert not errors, errors
