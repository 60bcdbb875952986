"""A course runs in a real browser: staff make it and its sessions, a resident enrols, staff take
attendance, the certificate is issued and its verification address answers to anyone."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import zxingcpp
from PIL import Image

from labkit.testing import PASSWORD

from labkit_training.models import Certificate

pytestmark = pytest.mark.browser


async def _sign_in(page, lab, person) -> None:
    await page.goto(f"{lab.url}/account/login")
    await page.get_by_label("E-mail").fill(person.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{lab.url}/")


async def test_a_course_runs_from_enrolment_to_a_verified_certificate(make_lab, browser_page) -> None:
    lab = await make_lab(plugins=["training"])
    staff = await lab.person("staff", name="Equipe do Lab")
    resident = await lab.person("member", name="Antônia Conceição")
    page = browser_page

    await _sign_in(page, lab, staff)
    await page.goto(f"{lab.url}/training/staff/courses/new")
    await page.fill("#field-title", "Curso de 6 horas")
    await page.fill("#field-capacity", "10")
    await page.fill("#field-required_hours", "6")
    await page.check("#field-published")
    await page.check("#field-enrolment_open")
    await page.click("form.form button[type=submit]")
    await page.wait_for_selector("text=Curso de 6 horas is saved.")
    course_url = page.url
    for offset in (3, 2):
        await page.click("text=Add a session")
        await page.fill("#field-day", (date.today() - timedelta(days=offset)).isoformat())
        await page.fill("#field-start_time", "09:00")
        await page.fill("#field-end_time", "12:00")
        await page.fill("#field-place", "Sala Paulo Freire")
        await page.click("form.form button[type=submit]")
        await page.wait_for_selector("text=The session is added.")
    await page.click("button:has-text('Sign out')")

    await _sign_in(page, lab, resident)
    await page.goto(course_url)
    await page.click("button:has-text('Enrol')")
    await page.wait_for_selector("text=You are enrolled.")
    await page.click("button:has-text('Sign out')")

    await _sign_in(page, lab, staff)
    await page.goto(course_url)
    await page.click("text=People, attendance and certificates")
    for number in range(2):
        await page.click(f"#sessions li >> nth={number} >> a")
        await page.get_by_label("Antônia Conceição").check()
        await page.click("button:has-text('Save attendance')")
        await page.wait_for_selector("text=Attendance is saved.")
    await page.wait_for_selector("td >> text=valid")
    await page.click("button:has-text('Sign out')")

    certificate = await Certificate.get(person_id=resident.id)
    await page.goto(f"{lab.url}/training/certificates/{certificate.code}")
    assert await page.text_content("#certificate-status") == "Valid certificate"
    assert await page.text_content(".certificate-name") == "Antônia Conceição"
    verify_url = f"{lab.settings.lab.base_url}/training/certificates/{certificate.code}"
    qr = page.get_by_role("img", name=f"QR code of this certificate's verification address: {verify_url}")
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(await qr.screenshot())))
    assert decoded.text == verify_url
    pdf = await page.request.get(f"{lab.url}/training/certificates/{certificate.code}/pdf")
    assert pdf.status == 200 and (await pdf.body()).startswith(b"%PDF")
