"""In headless Chromium: the map of a lab just made by `labkit new` shows its markers out of the box,
while its tile server (OpenStreetMap, the default) cannot be reached."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.scaffold.conftest import labkit, running

pytestmark = pytest.mark.browser


async def test_a_new_labs_map_draws_its_markers_when_the_tiles_cannot_load(tmp_path: Path, browser_page) -> None:
    labs = tmp_path
    made = labkit("new", "--demo", "--no-input", "city-lab", "--set", "modules=mapping", cwd=labs)
    assert made.returncode == 0, made.stderr
    page = browser_page
    errors: list[str] = []
    tiles: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "Content-Security-Policy" in message.text else None)

    async def unreachable(route) -> None:
        tiles.append(route.request.url)
        await route.abort("addressunreachable")

    await page.route(lambda url: urlsplit(url).hostname == "tile.openstreetmap.org", unreachable)
    async with running(labs / "city-lab") as client:
        await page.goto(f"{client.base_url}/mapping/map")
        await page.wait_for_selector("#mapping-map[data-markers]")
        markers = await page.get_attribute("#mapping-map", "data-markers")
        assert markers not in ("error", "0"), f"data-markers={markers}: {errors}"
        assert await page.locator(".leaflet-marker-icon").count() > 0, "markers or clusters are drawn"
        assert await page.locator(".mapping-map-list li a").count() == int(markers)
        assert tiles, "the browser did not even try the tile server (the CSP blocked it?)"

        await page.locator(".mapping-map-list li a").first.click()
        await page.wait_for_selector("#mapping-map[data-markers='1']")
        assert await page.locator(".leaflet-marker-icon").count() == 1
    assert not errors, errors
