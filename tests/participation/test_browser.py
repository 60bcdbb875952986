"""In headless Chromium: a newcomer registers, confirms their address, proposes, supports, sees the
count and later the lab's answer."""

from __future__ import annotations

import logging
import re

import pytest

from labkit.testing import RunningLab

from .conftest import set_phase


async def test_register_propose_support_and_read_the_answer(plab: RunningLab, make_process, browser_page,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    from labkit_participation.models import Proposal

    process = await make_process("proposals", title="Merenda escolar", categories=["Cardápio", "Acesso"])
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    await page.goto(plab.url + "/account/register")
    await page.get_by_label("Your name").fill("Joana Lima")
    await page.get_by_label("E-mail").fill("joana@example.org")
    await page.locator("#field-password").fill("a long enough password")
    await page.locator("#field-password_again").fill("a long enough password")
    with caplog.at_level(logging.INFO, logger="labkit.mail"):
        await page.get_by_role("button", name="Create the account").click()
        await page.wait_for_selector("text=Check your e-mail")
        await plab.deliver_mail()
    await page.goto(plab.url + re.search(r"/account/confirm/\S+", caplog.text).group(0))
    await page.get_by_role("button", name="Confirm my address and sign in").click()
    await page.wait_for_url(plab.url + "/")

    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Participation").click()
    await page.get_by_role("link", name="Merenda escolar").click()
    await page.get_by_role("link", name="Send a proposal").click()
    await page.get_by_label("Title").fill("Fruta fresca todos os dias")
    await page.get_by_label("Your proposal").fill("Comprar frutas da agricultura familiar para todas as escolas.")
    await page.get_by_label("Category").select_option("Cardápio")
    await page.get_by_role("button", name="Publish the proposal").click()
    await page.wait_for_selector("text=Your proposal was published. Thank you!")
    proposal = await Proposal.get(title="Fruta fresca todos os dias")
    assert page.url == f"{plab.url}/participation/proposals/{proposal.id}"

    await set_phase(process, "support")  # time passes: the support phase opens
    await page.reload()
    assert await page.locator("#support-count").inner_text() == "0 supports"
    await page.get_by_role("button", name="Support", exact=True).click()
    await page.wait_for_selector("text=Thank you for your support!")
    assert await page.locator("#support-count").inner_text() == "1 support"
    assert await page.get_by_role("button", name="Withdraw my support").is_visible()

    staff = await plab.login_as("staff")
    answered = await staff.submit(f"/participation/proposals/{proposal.id}/answer",
                                  {"status": "accepted", "text": "A Secretaria vai comprar frutas da agricultura familiar."})
    assert answered.status_code == 303
    await page.reload()
    assert await page.get_by_text("A Secretaria vai comprar frutas da agricultura familiar.").is_visible()
    assert await page.locator(".answer .badge").inner_text() == "Accepted"
    await page.goto(plab.url + "/account/notifications")
    assert await page.get_by_text("Fruta fresca todos os dias", exact=False).first.is_visible()
    assert not errors, errors
