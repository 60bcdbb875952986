"""Attendance → hours → certificate: taken by staff per session, issued when the last session's
attendance is in (or by staff earlier), verifiable by anyone at its address, as a page, JSON and
a PDF that names the person; staff can revoke it."""

from __future__ import annotations

import io

import zxingcpp
from pypdf import PdfReader

from .conftest import add_sessions, api_client, make_course
from labkit_training.models import Certificate


async def _enrolled(lab, course, *names: str) -> list:
    clients = [await api_client(lab, name=name) for name in names]
    for client in clients:
        assert (await client.post(f"/api/v1/training/courses/{course.id}/enrolment", json={})).status_code == 201
    return clients


async def test_attendance_makes_hours_and_the_last_session_issues_certificates(tlab) -> None:
    course = await make_course(tlab, capacity=5, required_hours="6", title="Curso de 9 horas")
    sessions = await add_sessions(tlab, course, 3)  # 3 hours each
    conceicao, joao = await _enrolled(tlab, course, "Maria da Conceição Nguyễn", "João Łukasz")
    staff = await api_client(tlab, "staff")
    marks = [[conceicao, joao], [conceicao], []]  # Conceição attends 6 h, João 3 h
    for session, present in zip(sessions, marks):
        answer = await staff.post(f"/api/v1/training/sessions/{session.id}/attendance",
                                  json={"present": [c.person.id for c in present]})
        assert answer.status_code == 200, answer.text
    assert answer.json()["certificates_issued"] == 1
    certificate = await Certificate.get(course_id=course.id)
    assert certificate.person_id == conceicao.person.id
    assert len(certificate.code) >= 24

    page = await tlab.client().get(f"/training/certificates/{certificate.code}")
    assert page.status_code == 200
    assert "Maria da Conceição Nguyễn" in page.text and "Curso de 9 horas" in page.text
    assert "Valid certificate" in page.text
    verified = (await tlab.client().get(f"/api/v1/training/certificates/{certificate.code}")).json()
    assert verified["valid"] is True and verified["hours"] == "6" and verified["holder_name"] == conceicao.person.name

    pdf = await tlab.client().get(f"/training/certificates/{certificate.code}/pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Maria da Conceição Nguyễn" in text
    assert f"/training/certificates/{certificate.code}" in text

    course_page = await tlab.client().get(f"/training/courses/{course.id}")
    assert course_page.status_code == 200


async def test_a_wrong_code_is_not_found(tlab) -> None:
    visitor = tlab.client()
    assert (await visitor.get("/training/certificates/not-a-real-code")).status_code == 404
    answer = await visitor.get("/api/v1/training/certificates/not-a-real-code")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert (await visitor.get("/training/certificates/not-a-real-code/pdf")).status_code == 404


async def test_staff_issue_early_and_revoke_and_the_page_says_revoked(tlab) -> None:
    course = await make_course(tlab, required_hours="3")
    first, second = await add_sessions(tlab, course, 2)
    (member,) = await _enrolled(tlab, course, "Zé Nguyễn")
    staff = await tlab.login_as("staff")
    sheet = await staff.get(f"/training/staff/sessions/{first.id}/attendance")
    assert "Zé Nguyễn" in sheet.text
    saved = await staff.submit(f"/training/staff/sessions/{first.id}/attendance", {"present": str(member.person.id)})
    assert saved.status_code == 303
    assert not await Certificate.exists(course_id=course.id)  # one session still to take
    issued = await staff.submit(f"/training/staff/courses/{course.id}/certificates")
    assert issued.status_code == 303
    certificate = await Certificate.get(course_id=course.id)

    refused = await staff.submit(f"/training/staff/certificates/{certificate.code}/revoke", {"reason": ""})
    assert refused.status_code == 303
    assert (await Certificate.get(id=certificate.id)).revoked_at is None
    revoked = await staff.submit(f"/training/staff/certificates/{certificate.code}/revoke",
                                 {"reason": "Emitido por engano"})
    assert revoked.status_code == 303
    page = await tlab.client().get(f"/training/certificates/{certificate.code}")
    assert "This certificate was revoked" in page.text and "Emitido por engano" in page.text
    assert (await tlab.client().get(f"/api/v1/training/certificates/{certificate.code}")).json()["valid"] is False


async def test_only_enrolled_people_can_be_marked_and_members_cannot_take_attendance(tlab) -> None:
    course = await make_course(tlab)
    (session,) = await add_sessions(tlab, course, 1)
    stranger = await api_client(tlab)
    staff = await api_client(tlab, "staff")
    answer = await staff.post(f"/api/v1/training/sessions/{session.id}/attendance", json={"present": [stranger.person.id]})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "present"
    assert (await stranger.post(f"/api/v1/training/sessions/{session.id}/attendance", json={"present": []})).status_code == 403


async def test_the_certificate_speaks_the_visitors_language(tlab) -> None:
    course = await make_course(tlab, required_hours="3", title="Curso de dados")
    (session,) = await add_sessions(tlab, course, 1)
    (member,) = await _enrolled(tlab, course, "Inês")
    staff = await api_client(tlab, "staff")
    await staff.post(f"/api/v1/training/sessions/{session.id}/attendance", json={"present": [member.person.id]})
    certificate = await Certificate.get(course_id=course.id)
    for language, words in (("pt-BR", "Certificado válido"), ("es", "Se certifica que"), ("fr", "Nous certifions que")):
        page = await tlab.client().get(f"/training/certificates/{certificate.code}", headers={"Accept-Language": language})
        assert words in page.text, language
    assert "Code QR de l’adresse de vérification" in page.text  # the QR code's text alternative, in French
    pdf = await tlab.client().get(f"/training/certificates/{certificate.code}/pdf", headers={"Accept-Language": "fr"})
    assert "Nous certifions que" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()


async def test_the_pdf_carries_a_qr_code_of_the_verification_address(tlab) -> None:
    course = await make_course(tlab, required_hours="3")
    (session,) = await add_sessions(tlab, course, 1)
    (member,) = await _enrolled(tlab, course, "Inês")
    staff = await api_client(tlab, "staff")
    await staff.post(f"/api/v1/training/sessions/{session.id}/attendance", json={"present": [member.person.id]})
    certificate = await Certificate.get(course_id=course.id)
    verify_url = f"{tlab.settings.lab.base_url}/training/certificates/{certificate.code}"

    page = await tlab.client().get(f"/training/certificates/{certificate.code}")
    assert f'<a href="{verify_url}">{verify_url}</a>' in page.text  # the address is still printed in text
    assert f'role="img" aria-label="QR code of this certificate&#39;s verification address: {verify_url}"><svg' in page.text

    pdf = await tlab.client().get(f"/training/certificates/{certificate.code}/pdf")
    (image,) = PdfReader(io.BytesIO(pdf.content)).pages[0].images
    (decoded,) = zxingcpp.read_barcodes(image.image)
    assert decoded.format == zxingcpp.BarcodeFormat.QRCode
    assert decoded.text == verify_url
