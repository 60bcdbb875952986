"""People: registration, sign-in, throttling, reset links, profile, export, deletion, tokens, roles."""

from __future__ import annotations

import json
import logging
import re

import pytest

from labkit import throttle
from labkit.auth import verify_password
from labkit.models import ApiToken, Person, ThrottleEvent
from labkit.testing import PASSWORD, RunningLab

NEW_PASSWORD = "a brand new passphrase"


async def register(lab: RunningLab, email: str = "ana@example.org", **overrides: str):
    client = lab.client()
    data = {"name": "Ana", "email": email, "password": PASSWORD, "password_again": PASSWORD, **overrides}
    return client, await client.submit("/account/register", data)


async def test_registration_creates_a_member_with_an_argon2_hash_and_mails_a_confirmation_link(
        core_lab: RunningLab, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="labkit.mail"):
        client, response = await register(core_lab, email="  Ana@Example.org ")
        await core_lab.deliver_mail()
    assert response.headers["location"] == "/account/check-email"
    assert "Check your e-mail" in (await client.get("/account/check-email")).text
    person = await Person.get(email="ana@example.org")
    assert person.role == "member" and person.password_hash.startswith("$argon2id$")
    assert (await client.get("/api/v1/me")).status_code == 401  # not signed in before the address is confirmed
    link = re.search(r"/account/confirm/\S+", caplog.text).group(0)
    assert (await client.submit(link)).headers["location"] == "/"
    assert (await client.get("/api/v1/me")).json()["name"] == "Ana"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid e-mail address."),
        ({"password": "short", "password_again": "short"}, "password", "Enter at least 10 characters."),
        ({"password_again": "something else"}, "password_again", "The two passwords are not the same."),
        ({"name": "   "}, "name", "Enter your name."),
    ],
)
async def test_registration_errors_rerender_the_form_and_keep_the_input(
    core_lab: RunningLab, overrides: dict[str, str], field: str, message: str
) -> None:
    _client, response = await register(core_lab, **overrides)
    assert response.status_code == 422
    assert message in response.text
    assert f'id="field-{field}"' in response.text and 'aria-invalid="true"' in response.text
    if field != "name":
        assert 'value="Ana"' in response.text
    assert await Person.all().count() == 0


async def test_registering_a_taken_address_answers_the_same_and_mails_its_owner_a_note(
        core_lab: RunningLab, caplog: pytest.LogCaptureFixture) -> None:
    _client, first = await register(core_lab)
    await core_lab.deliver_mail()  # the first registration's own link, before listening
    with caplog.at_level(logging.INFO, logger="labkit.mail"):
        _client, second = await register(core_lab, email="ANA@example.org", name="Mallory")
        await core_lab.deliver_mail()
    assert (second.status_code, second.headers["location"]) == (first.status_code, first.headers["location"])
    assert (second.text, second.headers.keys()) == (first.text, first.headers.keys())
    assert "already exists" not in second.text
    assert "You already have an account" in caplog.text and "/account/confirm/" not in caplog.text
    assert await Person.all().count() == 1


async def test_registration_can_be_closed_by_the_lab(make_lab) -> None:
    lab = await make_lab(plugins=[], settings={"security": {"open_registration": False}})
    _client, response = await register(lab)
    assert response.status_code == 403
    assert await Person.all().count() == 0


async def test_wrong_password_is_refused_and_repeated_failures_are_throttled(core_lab: RunningLab) -> None:
    person = await core_lab.person()
    client = core_lab.client()
    for _ in range(5):
        response = await client.submit("/account/login", {"email": person.email, "password": "wrong"})
        assert response.status_code == 422
        assert "The e-mail or the password is not right." in response.text
    response = await client.submit("/account/login", {"email": person.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert await ThrottleEvent.filter(key=throttle.private_key("login:email", person.email)).count() == 5
    assert not await ThrottleEvent.filter(key__contains=person.email).exists()


async def test_sign_in_starts_a_new_session_and_sign_out_ends_it(core_lab: RunningLab) -> None:
    person = await core_lab.person()
    client = core_lab.client()
    await client.get("/")
    before = client.cookies["labkit_session"]
    response = await client.submit("/account/login?next=/account", {"email": person.email, "password": PASSWORD})
    assert response.headers["location"] == "/account"
    assert client.cookies["labkit_session"] != before
    assert (await client.get("/api/v1/me")).status_code == 200
    await client.submit("/account/logout")
    assert (await client.get("/api/v1/me")).status_code == 401


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
async def test_sign_in_never_redirects_off_site(core_lab: RunningLab, target: str) -> None:
    person = await core_lab.person()
    response = await core_lab.client().submit(f"/account/login?next={target}", {"email": person.email, "password": PASSWORD})
    assert response.headers["location"] == "/"


async def test_password_reset_link_works_once(core_lab: RunningLab, caplog: pytest.LogCaptureFixture) -> None:
    person = await core_lab.person()
    client = core_lab.client()
    with caplog.at_level(logging.INFO, logger="labkit.mail"):
        response = await client.submit("/account/reset", {"email": person.email})
        await core_lab.deliver_mail()
    assert response.status_code == 303
    link = re.search(r"/account/reset/\S+", caplog.text).group(0)
    response = await client.submit(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 303
    assert verify_password((await Person.get(id=person.id)).password_hash, NEW_PASSWORD)
    reused = await client.submit(link, {"password": "another one entirely", "password_again": "another one entirely"})
    assert reused.headers["location"] == "/account/reset"
    assert verify_password((await Person.get(id=person.id)).password_hash, NEW_PASSWORD)


async def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing(core_lab: RunningLab, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="labkit.mail"):
        response = await core_lab.client().submit("/account/reset", {"email": "nobody@example.org"})
        await core_lab.deliver_mail()
    assert response.status_code == 303
    assert "/account/reset/" not in caplog.text


async def test_reset_links_to_one_address_are_limited(core_lab: RunningLab, caplog: pytest.LogCaptureFixture) -> None:
    """Twelve requests in a row used to mail twelve links to the victim; now three an hour."""
    person = await core_lab.person()
    client = core_lab.client()
    with caplog.at_level(logging.INFO, logger="labkit.mail"):
        answers = [await client.submit("/account/reset", {"email": person.email}) for _ in range(12)]
        await core_lab.deliver_mail()
    assert {a.status_code for a in answers} == {303}  # the same answer every time
    assert len(re.findall(r"/account/reset/\S+", caplog.text)) == 3


async def test_checking_the_current_password_is_throttled(core_lab: RunningLab) -> None:
    """A stolen session cannot be used to guess the password through the password or deletion forms."""
    client = await core_lab.login_as()
    limit = core_lab.settings.security.login_attempts
    for _ in range(limit):
        wrong = await client.submit("/account/delete", {"password": "a guess"})
        assert "This is not your current password." in wrong.text
    blocked = await client.submit("/account/password", {"current_password": PASSWORD, "password": NEW_PASSWORD,
                                                         "password_again": NEW_PASSWORD})
    assert blocked.status_code == 422 and "Too many attempts." in blocked.text


async def test_changing_the_password_ends_other_sessions(core_lab: RunningLab) -> None:
    person = await core_lab.person()
    laptop, phone = await core_lab.login_as(person=person), await core_lab.login_as(person=person)
    response = await laptop.submit("/account/password", {"current_password": PASSWORD, "password": NEW_PASSWORD,
                                                         "password_again": NEW_PASSWORD})
    assert response.status_code == 303
    assert (await laptop.get("/api/v1/me")).status_code == 200
    assert (await phone.get("/api/v1/me")).status_code == 401


async def test_changing_the_password_needs_the_current_one(core_lab: RunningLab) -> None:
    client = await core_lab.login_as()
    response = await client.submit("/account/password", {"current_password": "wrong", "password": NEW_PASSWORD,
                                                          "password_again": NEW_PASSWORD})
    assert response.status_code == 422 and "This is not your current password." in response.text


async def test_profile_saves_name_and_language(core_lab: RunningLab) -> None:
    client = await core_lab.login_as()
    response = await client.submit("/account", {"name": "Bea", "locale": "es"})
    assert response.status_code == 303
    assert (await client.get("/api/v1/me")).json() | {"id": 0, "permissions": []} == {
        "id": 0, "name": "Bea", "role": "member", "language": "es", "permissions": []}
    assert (await client.get("/account")).headers["content-language"] == "es"


async def test_export_gives_the_person_their_own_data(hello_lab: RunningLab) -> None:
    client = await hello_lab.login_as()
    await client.submit("/hello/", {"text": "mine"})
    response = await client.get("/account/export")
    assert response.headers["content-disposition"].startswith("attachment")
    data = json.loads(response.text)
    assert data["account"]["email"] == client.person.email
    assert [g["text"] for g in data["hello"]["greetings"]] == ["mine"]


async def test_deleting_the_account_anonymises_it_and_keeps_contributions(hello_lab: RunningLab) -> None:
    client = await hello_lab.login_as()
    await client.submit("/hello/", {"text": "stays"})
    wrong = await client.submit("/account/delete", {"password": "nope"})
    assert wrong.status_code == 422
    response = await client.submit("/account/delete", {"password": PASSWORD})
    assert response.status_code == 303
    person = await Person.get(id=client.person.id)
    assert person.email == f"deleted-{person.id}@invalid" and person.name == "Former participant"
    assert not person.is_active and person.password_hash == ""
    assert "stays" in (await hello_lab.client().get("/hello/")).text
    assert (await client.get("/api/v1/me")).status_code == 401
    # the placeholder name is shown in each visitor's language
    wall = await hello_lab.client().get("/hello/", headers={"Accept-Language": "pt-BR"})
    assert "Participante anterior" in wall.text and "Former participant" not in wall.text


async def test_api_tokens_are_shown_once_stored_hashed_and_revocable(core_lab: RunningLab) -> None:
    client = await core_lab.login_as()
    page = await client.submit("/account/tokens", {"name": "my script"})
    token = re.search(r'<code id="new-token">([^<]+)</code>', page.text).group(1)
    record = await ApiToken.get(name="my script")
    assert token not in record.token_hash and len(record.token_hash) == 64
    assert (await core_lab.client(token=token).get("/api/v1/me")).status_code == 200
    await client.submit(f"/account/tokens/{record.id}/revoke")
    assert (await core_lab.client(token=token).get("/api/v1/me")).status_code == 401
    assert token not in (await client.get("/account/tokens")).text


async def test_members_cannot_see_administration_staff_can_admins_change_roles(core_lab: RunningLab) -> None:
    target = await core_lab.person("member")
    member, staff, admin = [await core_lab.login_as(role) for role in ("member", "staff", "admin")]
    assert (await member.get("/admin/people")).status_code == 403
    assert (await staff.get("/admin/people")).status_code == 200
    refused = await staff.submit(f"/admin/people/{target.id}", {"role": "admin", "is_active": "true"})
    assert refused.status_code == 403
    assert (await Person.get(id=target.id)).role == "member"
    done = await admin.submit(f"/admin/people/{target.id}", {"role": "staff", "is_active": "true"})
    assert done.status_code == 303
    assert (await Person.get(id=target.id)).role == "staff"


async def test_blocking_a_person_ends_their_session(core_lab: RunningLab) -> None:
    admin = await core_lab.login_as("admin")
    member = await core_lab.login_as("member")
    await admin.submit(f"/admin/people/{member.person.id}", {"role": "member"})
    assert (await member.get("/api/v1/me")).status_code == 401


async def test_an_admin_cannot_lock_themselves_out(core_lab: RunningLab) -> None:
    admin = await core_lab.login_as("admin")
    await admin.submit(f"/admin/people/{admin.person.id}", {"role": "member", "is_active": "true"})
    assert (await Person.get(id=admin.person.id)).role == "admin"


async def test_notifications_are_exported_and_erased_with_the_account(core_lab: RunningLab) -> None:
    from labkit.models import Notification
    from labkit.notifications import notify

    client = await core_lab.login_as()
    await notify(core_lab.app, client.person.id, "Your proposal got an answer", "/participation/1")
    exported = json.loads((await client.get("/account/export")).text)
    assert [n["message"] for n in exported["notifications"]] == ["Your proposal got an answer"]
    await client.submit("/account/delete", {"password": PASSWORD})
    assert await Notification.filter(person_id=client.person.id).count() == 0


async def test_an_api_token_does_not_open_the_pages(core_lab: RunningLab) -> None:
    from labkit.auth import create_token

    person = await core_lab.person()
    token = await create_token(person, "script")
    robot = core_lab.client(token=token)
    assert (await robot.get("/api/v1/me")).status_code == 200
    response = await robot.post("/account/tokens", data={"name": "another"})
    assert response.status_code == 403
    assert (await robot.get("/account/tokens")).status_code == 303
    assert await ApiToken.filter(person=person).count() == 1


async def test_an_admin_invites_someone_who_then_chooses_a_password(make_lab, caplog: pytest.LogCaptureFixture) -> None:
    lab = await make_lab(plugins=[], settings={"security": {"open_registration": False}})
    admin = await lab.login_as("admin")
    staff = await lab.login_as("staff")
    assert (await staff.submit("/admin/people/new", {"name": "Rui", "email": "rui@example.org"})).status_code == 403
    bad = await admin.submit("/admin/people/new", {"name": "Rui", "email": "nope", "role": "staff"})
    assert bad.status_code == 422 and "Enter a valid e-mail address." in bad.text
    with caplog.at_level(logging.INFO, logger="labkit.mail"):
        done = await admin.submit("/admin/people/new", {"name": "Rui", "email": "Rui@Example.org", "role": "staff"})
        await lab.deliver_mail()
    assert done.status_code == 303
    link = re.search(r"/account/reset/\S+", caplog.text).group(0)
    invited = lab.client()
    assert (await invited.submit(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})).status_code == 303
    me = (await invited.get("/api/v1/me")).json()
    assert me["name"] == "Rui" and me["role"] == "staff"
    assert (await Person.get(email="rui@example.org")).password_hash.startswith("$argon2id$")


async def test_mail_to_the_person_is_exported_by_subject_only(core_lab: RunningLab) -> None:
    from labkit.i18n import N_
    from labkit.mail import send_mail

    client = await core_lab.login_as()
    await send_mail(client.person.email, N_("Your booking is confirmed"), N_("Reset with %(link)s"),
                    params={"link": "https://lab.example/account/reset/secret-token"}, person_id=client.person.id)
    exported = (await client.get("/account/export")).json()
    assert [(m["to"], m["subject"], m["status"]) for m in exported["mail"]] == [
        (client.person.email, "Your booking is confirmed", "queued")]
    assert "secret-token" not in json.dumps(exported)


@pytest.mark.parametrize(("path", "heading", "action"), [
    ("/account/reset", "Reset your password", 'action="/account/reset"'),
    ("/account/confirm", "Confirm your e-mail address", 'action="/account/confirm"'),
])
async def test_the_send_a_link_pages_ask_for_the_address_in_their_own_words(
        core_lab: RunningLab, path: str, heading: str, action: str) -> None:
    page = await core_lab.client().get(path, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert f"<h1>{heading}</h1>" in page.text and f"<title>{heading}" in page.text and action in page.text
    assert 'type="email"' in page.text and 'name="csrf_token"' in page.text
