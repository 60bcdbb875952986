"""In headless Chromium: a person claims an organisation with an address at its website's domain,
follows the mailed link, edits the entry directly, and the public history shows the change; the
organisation's seal is on its map popup. No request leaves 127.0.0.1."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

import pytest

from labkit.testing import PASSWORD, RunningLab

from tests.mapping.test_browser import _markers, _open_popup

pytestmark = pytest.mark.browser


async def test_a_member_edits_the_entry_and_the_public_history_shows_it(map_lab: RunningLab, browser_page,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    from labkit_mapping import rules, seals
    from labkit_mapping.forms import OrganisationIn

    organisation = await rules.create_organisation(OrganisationIn(
        name="Coletivo Código Aberto", kind="collective", website="https://www.codigoaberto.org.br",
        latitude=-23.55, longitude=-46.65, description="Ensina software livre."), None, source="staff")
    verified = (await seals.active())[0]
    await seals.grant(organisation, verified.id, None)
    ana = await map_lab.person("member", name="Ana Souza")
    caplog.set_level(logging.INFO, logger="labkit.mail")  # the lab's own worker may deliver the mail first
    page = browser_page
    problems: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: outside.append(request.url)
            if urlsplit(request.url).scheme in ("http", "https") and urlsplit(request.url).hostname != "127.0.0.1" else None)

    await page.goto(map_lab.url + "/mapping/map?q=codigo")
    assert await _markers(page) == 1
    assert "Verified by the lab" in await (await _open_popup(page)).inner_text()

    await page.goto(map_lab.url + "/account/login")
    await page.get_by_label("E-mail").fill(ana.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(map_lab.url + "/")
    await page.goto(map_lab.url + f"/mapping/organisations/{organisation.id}")
    await page.get_by_role("link", name="Claim this organisation").click()
    await page.get_by_label("Your address at codigoaberto.org.br (optional)").fill("ana@codigoaberto.org.br")
    await page.get_by_role("button", name="Send the claim").click()
    await page.wait_for_url(f"**/mapping/organisations/{organisation.id}")
    assert await page.get_by_text("We mailed a link to ana@codigoaberto.org.br").is_visible()

    await map_lab.deliver_mail()
    link = re.search(r"http://lab\.test(/mapping/claims/\S+)", caplog.text).group(1)
    await page.goto(map_lab.url + link)
    await page.get_by_role("button", name="Confirm").click()
    await page.wait_for_url(f"**/mapping/organisations/{organisation.id}")
    assert await page.get_by_text("You are now a member of this organisation").is_visible()

    await page.get_by_role("link", name="Edit", exact=True).click()
    await page.get_by_label("Description", exact=True).fill("Ensina software livre e dados abertos em escolas públicas.")
    await page.get_by_label("Why this change? (kept in the history)").fill("Atualizamos a descrição.")
    await page.get_by_role("button", name="Save").click()
    await page.wait_for_url(f"**/mapping/organisations/{organisation.id}")
    assert await page.get_by_text("Saved.").is_visible()

    await page.context.clear_cookies()
    await page.reload()
    assert await page.get_by_text("dados abertos em escolas públicas").first.is_visible()
    history = page.locator("table", has=page.get_by_text("Every change to this organisation"))
    first_row = history.locator("tbody tr").first
    row_text = await first_row.inner_text()
    assert "Ana Souza" in row_text and "edited by a member" in row_text and "Atualizamos a descrição." in row_text
    assert "dados abertos em escolas públicas" in row_text
    assert await page.get_by_role("link", name="Edit", exact=True).count() == 0, "a visitor does not edit"
    assert not problems, problems
    assert not outside, outside
