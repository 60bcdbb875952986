"""An organisation's logo: the team uploads it with its description on the edit form, and it shows
on the directory's card, the organisation's page, the map's popup (in Chromium) and in the API."""

from __future__ import annotations

import io

import pytest
from PIL import Image as PILImage

from labkit.models import Image
from labkit.testing import PASSWORD, RunningLab

from tests.mapping.conftest import org
from tests.mapping.test_browser import _open_popup

ALT = "Logo of the Coletivo: a green <circle> & a \"key\""


def png(size: tuple[int, int] = (600, 300)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (20, 140, 60)).save(buffer, "PNG")
    return buffer.getvalue()


async def _organisation(lab: RunningLab) -> int:
    staff = await lab.login_as("staff")
    created = await staff.post("/api/v1/mapping/organisations", json=org(), headers={"X-CSRF-Token": await staff.csrf_token()})
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def _edit(client, org_id: int, files: dict | None = None, **fields: str):
    data = {"csrf_token": await client.csrf_token(), **org(), **fields}
    return await client.post(f"/mapping/organisations/{org_id}/edit", data=data, files=files or {})


async def test_the_team_gives_an_organisation_a_logo_shown_everywhere(map_lab: RunningLab) -> None:
    org_id = await _organisation(map_lab)
    staff = await map_lab.login_as("staff")
    saved = await _edit(staff, org_id, {"logo": ("logo.png", png(), "image/png")}, logo_alt=ALT)
    assert saved.status_code == 303, saved.text
    logo = await Image.get(owner_kind="mapping.organisation", owner_id=org_id, role="logo")
    assert logo.widths == [160, 480, 600]
    escaped = 'alt="Logo of the Coletivo: a green &lt;circle&gt; &amp; a &#34;key&#34;"'
    visitor = map_lab.client()
    for path in ("/mapping/", f"/mapping/organisations/{org_id}"):
        page = (await visitor.get(path)).text
        assert escaped in page and logo.url(160) in page, path
    item = (await visitor.get(f"/api/v1/mapping/organisations/{org_id}")).json()
    assert item["logo"]["alt"] == ALT
    assert item["logo"]["url"] == "http://lab.test" + logo.url(480)
    assert [size["width"] for size in item["logo"]["sizes"]] == [160, 480, 600]
    listed = (await visitor.get("/api/v1/mapping/organisations")).json()["items"]
    assert listed[0]["logo"]["alt"] == ALT
    feature = (await visitor.get("/api/v1/mapping/organisations.geojson")).json()["features"][0]
    assert feature["properties"]["logo"] == {"url": logo.url(160), "alt": ALT}
    assert (await visitor.get(logo.url(600))).headers["content-type"] == "image/webp"
    page = (await staff.get(f"/mapping/organisations/{org_id}")).text
    assert "Saved." in page, "a new logo alone is a change"
    assert "<strong>logo</strong>: Logo of the Coletivo: a green &lt;circle&gt;" in page, "and it is in the history"


async def test_a_bad_logo_gives_the_form_back_and_keeps_nothing(map_lab: RunningLab) -> None:
    org_id = await _organisation(map_lab)
    staff = await map_lab.login_as("staff")
    html = await _edit(staff, org_id, {"logo": ("logo.png", b"<html><script>alert(1)</script>", "image/png")},
                       logo_alt="A logo")
    assert html.status_code == 422 and "This file is not an image labkit accepts" in html.text
    no_alt = await _edit(staff, org_id, {"logo": ("logo.png", png(), "image/png")})
    assert no_alt.status_code == 422 and 'id="error-logo_alt"' in no_alt.text
    assert not await Image.exists()


async def test_only_the_team_changes_a_logo(map_lab: RunningLab) -> None:
    org_id = await _organisation(map_lab)
    member = await map_lab.login_as("member")
    refused = await _edit(member, org_id, {"logo": ("logo.png", png(), "image/png")}, logo_alt="A logo")
    assert refused.status_code == 403 and not await Image.exists()


async def test_replacing_and_removing_a_logo(map_lab: RunningLab) -> None:
    org_id = await _organisation(map_lab)
    staff = await map_lab.login_as("staff")
    await _edit(staff, org_id, {"logo": ("a.png", png(), "image/png")}, logo_alt="First")
    first = await Image.get(owner_id=org_id)
    await _edit(staff, org_id, {"logo": ("b.png", png((200, 200)), "image/png")}, logo_alt="Second")
    second = await Image.get(owner_id=org_id)
    assert second.key != first.key and second.widths == [160, 200]
    assert (await map_lab.client().get(first.url(160))).status_code == 404
    removed = await _edit(staff, org_id, logo_remove="1")
    assert removed.status_code == 303 and not await Image.exists()
    assert (await map_lab.client().get(second.url(160))).status_code == 404


@pytest.mark.browser
async def test_staff_upload_a_logo_seen_on_the_card_and_the_map_popup(map_lab: RunningLab, browser_page, tmp_path) -> None:
    org_id = await _organisation(map_lab)
    staff = await map_lab.person("staff", name="Equipe do Lab")
    logo_file = tmp_path / "logo.png"
    logo_file.write_bytes(png())
    page = browser_page
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    await page.goto(map_lab.url + "/account/login")
    await page.get_by_label("E-mail").fill(staff.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(map_lab.url + "/")

    await page.goto(f"{map_lab.url}/mapping/organisations/{org_id}/edit")
    await page.get_by_label("Image file").set_input_files(str(logo_file))
    await page.get_by_label("Description of the image").fill("Logo of the Coletivo Código Aberto")
    await page.get_by_role("button", name="Save").click()
    await page.wait_for_url(f"{map_lab.url}/mapping/organisations/{org_id}")
    assert await page.get_by_role("img", name="Logo of the Coletivo Código Aberto").is_visible()

    await page.goto(map_lab.url + "/mapping/")
    card_logo = page.locator("li.card img.card-logo")
    assert await card_logo.get_attribute("alt") == "Logo of the Coletivo Código Aberto"
    assert await card_logo.evaluate("img => img.complete && img.naturalWidth > 0"), "the logo loads"

    await page.goto(map_lab.url + "/mapping/map")
    await page.wait_for_selector("#mapping-map[data-markers='1']")
    popup = await _open_popup(page)
    popup_logo = popup.locator("img.mapping-popup-logo")
    await popup_logo.wait_for()
    assert await popup_logo.get_attribute("alt") == "Logo of the Coletivo Código Aberto"
    await page.wait_for_function("document.querySelector('.mapping-popup-logo').naturalWidth > 0")
    assert problems == []
