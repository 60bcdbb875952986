"""A consultation can require a verification for supporting: staff set it in the consultation's form,
the core refuses the support (page and API) and says what is missing and how to get it."""

from __future__ import annotations

import re

from labkit.testing import RunningLab

from .conftest import proposal_of, set_phase


async def test_staff_require_a_verification_and_the_api_refuses_without_it(plab: RunningLab, make_process) -> None:
    from labkit_participation.models import Process, Support

    process = await make_process("proposals")
    staff = await plab.login_as("staff")
    form = await staff.get(f"/participation/processes/{process.id}/edit")
    assert 'name="required_verification"' in form.text
    shown = dict(re.findall(r'name="(\w+_starts_at)" type="datetime-local" value="([^"]*)"', form.text))
    values = {"title": process.title, "summary": process.summary, "published": "on", "required_verification": "staff", **shown}
    saved = await staff.submit(f"/participation/processes/{process.id}/edit", values)
    assert saved.status_code == 303, saved.text[:500]
    process = await Process.get(id=process.id)
    assert process.required_verification == "staff"
    described = (await plab.client().get(f"/api/v1/participation/processes/{process.id}")).json()
    assert described["required_verification"] == "staff"  # a client can say what is needed before trying
    await set_phase(process, "support")

    proposal = await proposal_of(process, staff.person)
    member = await plab.login_as("member")
    headers = {"X-CSRF-Token": await member.csrf_token()}
    refused = await member.post(f"/api/v1/participation/proposals/{proposal.id}/support", headers=headers)
    assert refused.status_code == 403 and refused.json()["type"] == "urn:labkit:problem:unverified"
    assert "checked by the lab's staff" in refused.json()["detail"]
    assert not await Support.filter(proposal_id=proposal.id).exists()
    page = (await member.get(f"/participation/processes/{process.id}")).text
    assert "Supporting proposals here needs a verified account: checked by the lab&#39;s staff." in page

    await staff.submit(f"/admin/people/{member.person.id}/verification", {"kind": "staff", "granted": "true"})
    assert (await member.post(f"/api/v1/participation/proposals/{proposal.id}/support", headers=headers)).status_code == 201


async def test_a_support_in_a_census_consultation_is_refused_until_the_person_matches(
        plab: RunningLab, make_process, browser_page) -> None:
    process = await make_process("support", title="Orçamento do bairro", required_verification="census")
    staff = await plab.login_as("staff")
    proposal = await proposal_of(process, staff.person, title="Uma praça com sombra")
    await staff.post("/admin/census", data={"csrf_token": await staff.csrf_token()},
                     files={"file": ("census.csv", b"identifier\n529.982.247-25\n", "text/csv")})
    person = await plab.person(name="Rita")
    page = browser_page
    await page.goto(plab.url + "/account/login")
    await page.get_by_label("E-mail").fill(person.email)
    await page.get_by_label("Password").fill("correct horse battery staple")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(plab.url + "/")

    await page.goto(f"{plab.url}/participation/proposals/{proposal.id}")
    await page.get_by_role("button", name="Support", exact=True).click()
    await page.wait_for_selector("text=This needs a verified account (found in the census list).")
    assert await page.locator("#support-count").inner_text() == "0 supports"

    await page.goto(plab.url + "/account/verification")
    await page.get_by_label("Your identifier (CPF or ID number)").fill("52998224725")
    await page.get_by_role("button", name="Check").click()
    await page.wait_for_selector("text=Your account is verified: you are on the census list.")

    await page.goto(f"{plab.url}/participation/proposals/{proposal.id}")
    await page.get_by_role("button", name="Support", exact=True).click()
    await page.wait_for_selector("text=Thank you for your support!")
    assert await page.locator("#support-count").inner_text() == "1 support"
