"""Consent: the admin publishes the terms and the privacy notice per language; registration records
the versions accepted; a new version stops a person's actions (page and API) until they accept it,
while reading stays open; the export lists the consents and a deleted account keeps them anonymised."""

from __future__ import annotations

from pathlib import Path

import pytest

from labkit import consent
from labkit.models import Consent, LegalText, Person
from labkit.testing import PASSWORD, LabClient, RunningLab

ECHO = Path(__file__).parent / "echo_plugin" / "labkit_echo"
NEW_PERSON = {"name": "Rita", "email": "rita@example.org", "password": PASSWORD, "password_again": PASSWORD}


@pytest.fixture
async def echo_lab(make_lab) -> RunningLab:
    return await make_lab(plugins=["echo"], local_plugins=[ECHO])


async def whisper(client: LabClient, text: str = "Hi"):
    return await client.post("/api/v1/echo/7/whisper", json={"text": text}, headers={"X-CSRF-Token": await client.csrf_token()})


async def test_nothing_published_means_a_clear_page_and_nothing_to_accept(core_lab: RunningLab) -> None:
    client = core_lab.client()
    page = await client.get("/terms")
    assert page.status_code == 200 and "The lab has not published this text yet." in page.text
    assert 'name="accept"' not in (await client.get("/account/register")).text
    assert (await client.submit("/account/register", NEW_PERSON)).headers["location"] == "/account/check-email"
    assert await Consent.all().count() == 0


async def test_the_admin_publishes_versions_per_language_shown_safely_in_the_visitors_language(core_lab: RunningLab) -> None:
    member = await core_lab.login_as("member")
    assert (await member.submit("/admin/legal/terms", {"terms_en": "Be kind."})).status_code == 403
    admin = await core_lab.login_as("admin")
    assert (await admin.get("/admin/legal")).status_code == 200
    missing = await admin.submit("/admin/legal/terms", {"terms_es": "Sé amable."})
    assert missing.status_code == 422 and "Write the text in the lab&#39;s default language." in missing.text
    assert await LegalText.all().count() == 0

    published = await admin.submit("/admin/legal/terms", {
        "terms_en": "# Terms\n\nBe **kind**. <script>alert(1)</script>", "terms_es": "# Términos\n\nSé amable."})
    assert published.headers["location"] == "/admin/legal"
    again = await admin.submit("/admin/legal/terms", {"terms_en": "# Terms\n\nBe kind, version two."})
    assert again.status_code == 303
    assert await consent.current_versions() == {"terms": 2}

    english = await core_lab.client().get("/terms")
    assert "version two" in english.text and "<h1>Terms</h1>" in english.text and "<script>alert" not in english.text
    # version 2 has no Spanish body: a Spanish visitor reads the default language's
    assert "version two" in (await core_lab.client().get("/terms", headers={"Accept-Language": "es"})).text
    await admin.submit("/admin/legal/terms", {"terms_en": "Three.", "terms_es": "Tres, en español."})
    spanish = await core_lab.client().get("/terms", headers={"Accept-Language": "es"})
    assert "Tres, en español." in spanish.text
    assert "The lab has not published this text yet." in (await core_lab.client().get("/privacy")).text


async def test_registration_requires_ticking_and_records_the_versions(core_lab: RunningLab) -> None:
    await consent.publish("terms", {"en": "Terms v1"}, None)
    await consent.publish("terms", {"en": "Terms v2"}, None)
    await consent.publish("privacy", {"en": "Privacy v1"}, None)
    client = core_lab.client()
    assert 'name="accept"' in (await client.get("/account/register")).text
    refused = await client.submit("/account/register", NEW_PERSON)
    assert refused.status_code == 422 and "Accept the terms of use and the privacy notice" in refused.text
    assert not await Person.filter(email="rita@example.org").exists()

    assert (await client.submit("/account/register", {**NEW_PERSON, "accept": "true"})).status_code == 303
    rita = await Person.get(email="rita@example.org")
    assert sorted(await Consent.filter(person=rita).values_list("kind", "version")) == [("privacy", 1), ("terms", 2)]
    assert await consent.pending(rita) == frozenset()


async def test_a_new_version_stops_actions_until_accepted_and_reading_stays_open(echo_lab: RunningLab) -> None:
    await consent.publish("terms", {"en": "Terms v1"}, None)
    person = await echo_lab.person()  # accepted version 1
    client = await echo_lab.login_as(person=person)
    assert (await whisper(client)).status_code == 200

    await consent.publish("terms", {"en": "Be **kind**, version 2"}, None)
    refused = await whisper(client)
    assert refused.status_code == 403 and refused.json()["type"] == "urn:labkit:problem:consent-required"
    assert "terms of use or privacy notice changed" in refused.json()["detail"]
    button = await client.submit("/echo/7/whisper", {"text": "Hi"}, headers={"Referer": f"{echo_lab.url}/echo/7/shout"})
    assert button.status_code == 303 and button.headers["location"] == "/account/consent?next=/echo/7/shout"
    assert (await client.get("/")).status_code == 200  # reading stays open
    assert (await client.get("/account/export")).status_code == 200  # and so does the account

    page = await client.get("/account/consent?next=/echo/7/shout")
    assert "<strong>kind</strong>, version 2" in page.text and 'name="version_terms" value="2"' in page.text
    accepted = await client.submit("/account/consent?next=/echo/7/shout", {"version_terms": "2"})
    assert accepted.headers["location"] == "/echo/7/shout"
    assert (await whisper(client)).status_code == 200
    assert sorted(await Consent.filter(person=person).values_list("version", flat=True)) == [1, 2]


async def test_the_cores_admin_writes_also_wait_for_the_admins_acceptance(core_lab: RunningLab) -> None:
    member = await core_lab.person("member")
    admin = await core_lab.login_as("admin")
    await consent.publish("terms", {"en": "Terms v1"}, None)
    people_page = {"Referer": f"{core_lab.url}/admin/people"}
    assert (await admin.get("/admin/people")).status_code == 200, "reading the administration stays open"
    promoted = await admin.submit(f"/admin/people/{member.id}", {"role": "staff", "is_active": "on"}, headers=people_page)
    assert promoted.status_code == 303 and promoted.headers["location"] == "/account/consent?next=/admin/people"
    assert (await Person.get(id=member.id)).role == "member"
    invited = await admin.submit("/admin/people/new", {"name": "Rita", "email": "rita@example.org", "role": "member"},
                                 headers={"Referer": f"{core_lab.url}/admin/people/new"})
    assert invited.headers["location"] == "/account/consent?next=/admin/people/new"
    assert not await Person.filter(email="rita@example.org").exists()
    marked = await admin.submit(f"/admin/people/{member.id}/verification", {"kind": "staff", "granted": "on"},
                                headers=people_page)
    assert marked.headers["location"].startswith("/account/consent")

    accepted = await admin.submit("/account/consent?next=/admin/people", {"version_terms": "1"})
    assert accepted.headers["location"] == "/admin/people"
    promoted = await admin.submit(f"/admin/people/{member.id}", {"role": "staff", "is_active": "on"})
    assert promoted.headers["location"] == "/admin/people" and (await Person.get(id=member.id)).role == "staff"


async def test_an_acceptance_of_a_version_replaced_while_reading_does_not_count(echo_lab: RunningLab) -> None:
    await consent.publish("privacy", {"en": "Privacy v1"}, None)
    client = await echo_lab.login_as()
    await consent.publish("privacy", {"en": "Privacy v2"}, None)
    await consent.publish("privacy", {"en": "Privacy v3"}, None)
    stale = await client.submit("/account/consent?next=/", {"version_privacy": "2"})
    assert stale.headers["location"] == "/account/consent?next=/"
    assert (await whisper(client)).status_code == 403
    assert not await Consent.filter(person=client.person, version__gt=1).exists()  # type: ignore[attr-defined]


async def test_the_export_lists_consents_and_a_deleted_account_keeps_them_anonymised(core_lab: RunningLab) -> None:
    await consent.publish("terms", {"en": "Terms"}, None)
    await consent.publish("privacy", {"en": "Privacy"}, None)
    client = await core_lab.login_as()
    person = client.person  # type: ignore[attr-defined]
    export = (await client.get("/account/export")).json()
    assert sorted((c["kind"], c["version"]) for c in export["consents"]) == [("privacy", 1), ("terms", 1)]
    assert all(c["accepted_at"] for c in export["consents"])

    assert (await client.submit("/account/delete", {"password": PASSWORD})).status_code == 303
    gone = await Person.get(id=person.id)
    assert gone.email == f"deleted-{person.id}@invalid" and gone.name == "Former participant"
    assert await Consent.filter(person_id=person.id).count() == 2
