"""Account pages: register, sign in and out, password reset, profile, data export, deletion."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from labkit import auth, consent, i18n, people, throttle, verification
from labkit.i18n import N_, current_locale, gettext
from labkit.mail import send_mail
from labkit.models import Person
from labkit.notifications import shown
from labkit.plugins import await_me_maybe
from labkit.views import verification as verification_views
from labkit.views.forms import (
    ConfirmPasswordForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    RegisterForm,
    ResetRequestForm,
)
from labkit.web import FormResult, Problem, client_address, flash, read_form, redirect, render, safe_next


def _form_page(request: Request, template: str, form: FormResult | None = None, **context: object) -> Response:
    """Render a form page; with a failed ``form`` the page says what is wrong, with HTTP 422."""
    status = 422 if form is not None and not form.ok else 200
    return render(request, template, {"values": form.values if form else {},
                                      "errors": (form.errors if form else None) or {}, **context}, status=status)


async def register(request: Request) -> Response:
    """Create an account (when the lab allows open registration) and mail the link that confirms
    its address; the person is not signed in yet. Once the lab published its terms or privacy
    notice, the person must tick their acceptance, recorded with the versions.

    An address that already has an account gets the same answer, and its owner a note instead of a
    link: the form must not tell a stranger who has an account here.
    """
    if not request.app.state.settings.security.open_registration:
        raise Problem(403, gettext("This lab does not accept new accounts here. Ask the lab's team."))
    current = await consent.current_versions()  # the texts to accept, once the lab published them
    if request.method == "GET":
        return _form_page(request, "account/register.html", legal=current)
    form = await read_form(request, RegisterForm)
    if form.ok and current and not form.data.accept:
        form.errors = {"accept": gettext("Accept the terms of use and the privacy notice to create an account.")}
    if not form.ok:
        return _form_page(request, "account/register.html", form, legal=current)
    data = form.data
    password_hash = await auth.password_hash(data.password)
    try:
        person = await Person.create(email=data.email, name=data.name, password_hash=password_hash,
                                     locale=request.session.get("locale"))
    except IntegrityError:
        await verification_views.mail_existing_account(request, data.email)
    else:
        await consent.accept(person, current)
        await verification_views.mail_confirmation(request, person)
    return redirect("/account/check-email")


async def check_email(request: Request) -> Response:
    """Where registration leads, whether the address was new or not: "check your e-mail"."""
    return render(request, "account/check_email.html", {})


async def login(request: Request) -> Response:
    """Sign in with e-mail and password; repeated failures are throttled."""
    next_url = safe_next(request.query_params.get("next"))
    if request.method == "GET":
        return _form_page(request, "account/login.html", next=next_url)
    form = await read_form(request, LoginForm)
    if not form.ok:
        return _form_page(request, "account/login.html", form, next=next_url)
    security = request.app.state.settings.security
    # Attempts are counted before the password is checked, atomically (200 parallel guesses get
    # `login_attempts` checks, not 68), per account *from this address* — so one address behind a
    # city's NAT cannot lock anybody else out — and per account from everywhere, with a higher
    # limit, against guesses spread over many addresses.
    account = throttle.private_key("login:email", form.data.email)
    pair = throttle.private_key("login:email-ip", f"{form.data.email} {client_address(request)}")
    window = security.login_window_seconds
    if not (await throttle.allow(pair, security.login_attempts, window)
            and await throttle.allow(account, security.login_attempts * 10, window)):
        form.errors = {"__all__": gettext("Too many attempts. Wait a few minutes and try again.")}
        return render(request, "account/login.html", {"values": form.values, "errors": form.errors, "next": next_url}, status=429)
    person = await Person.get_or_none(email=form.data.email, is_active=True)
    matches = await auth.password_matches(person.password_hash if person else None, form.data.password)
    if person is None or not matches:
        form.errors = {"__all__": gettext("The e-mail or the password is not right.")}
        return _form_page(request, "account/login.html", form, next=next_url)
    await throttle.forget(pair)
    auth.sign_in(request, person)
    return redirect(next_url)


async def logout(request: Request) -> Response:
    """Sign out (POST only, with the CSRF token).

    Sessions are signed cookies that the server does not keep, so clearing this browser's cookie
    is not enough: a copy taken before (a shared computer, a stolen cookie) would still work. The
    account's session version moves on, which ends every session of the person.
    """
    person = request.state.person
    if person is not None:
        person.session_version += 1
        await person.save(update_fields=["session_version"])
    auth.sign_out(request)
    flash(request, gettext("You are signed out."), "info")
    return redirect("/")


async def reset_request(request: Request) -> Response:
    """Send a password-reset link. The answer is the same whether the address has an account."""
    if request.method == "GET":
        return _form_page(request, "account/reset_request.html")
    form = await read_form(request, ResetRequestForm)
    if not form.ok:
        return _form_page(request, "account/reset_request.html", form)
    settings = request.app.state.settings
    address = form.data.email.lower()
    flooding = await throttle.mail_flooding("reset", address, client_address(request))  # the answer stays the same
    person = await Person.get_or_none(email=address, is_active=True)
    if person is not None and not flooding:
        token = auth.make_link_token(settings.secret_key, person)
        link = f"{settings.lab.base_url.rstrip('/')}/account/reset/{token}"
        minutes = settings.security.reset_link_max_age // 60
        await send_mail(person.email, N_("Reset your password"),
                        N_("Open this link within %(minutes)s minutes to choose a new password:\n\n%(link)s\n\n"
                           "If you did not ask for it, ignore this message."),
                        params={"link": link, "minutes": minutes}, person_id=person.id,
                        locale=current_locale.get())  # the language they asked in, if their account has none
    flash(request, gettext("If an account uses this address, a link to reset the password is on its way."), "info")
    return redirect("/account/login")


async def reset_confirm(request: Request) -> Response:
    """Choose a password from a signed, time-limited, single-use link (a reset or an invitation)."""
    settings = request.app.state.settings
    max_ages = {"password-reset": settings.security.reset_link_max_age,
                "invite": settings.security.invite_link_max_age}
    person = await auth.person_from_link_token(settings.secret_key, request.path_params["token"], max_ages)
    if person is None:
        flash(request, gettext("This link is not valid any more. Ask for a new one."), "error")
        return redirect("/account/reset")
    if request.method == "GET":
        return _form_page(request, "account/reset_confirm.html")
    form = await read_form(request, NewPasswordForm)
    if not form.ok:
        return _form_page(request, "account/reset_confirm.html", form)
    await people.set_password(person, form.data.password)
    await verification.grant(person, verification.EMAIL, detail=person.email)  # the link came to this address
    auth.sign_in(request, person)
    flash(request, gettext("Your password has been changed."))
    return redirect("/")


async def profile(request: Request) -> Response:
    """The person's own page: name and language, password, export, tokens, deletion."""
    person = auth.require_person(request)
    if request.method == "GET":
        return render(request, "account/profile.html", {"values": {"name": person.name, "locale": person.locale or ""}, "errors": {}})
    form = await read_form(request, ProfileForm)
    if not form.ok:
        return _form_page(request, "account/profile.html", form)
    person.name, person.locale = form.data.name, form.data.locale
    await person.save(update_fields=["name", "locale"])
    if person.locale:
        request.session["locale"] = person.locale
    flash(request, gettext("Your profile is saved."))
    return redirect("/account")


async def change_password(request: Request) -> Response:
    """Change the password; every other session of the person ends."""
    person = auth.require_person(request)
    current = (await request.form()).get("current_password", "")
    form = await read_form(request, NewPasswordForm)
    if form.ok:
        form.errors = await _check_current_password(request, person, str(current), "current_password")
    if not form.ok:
        return _form_page(request, "account/profile.html", form, password_form=True)
    await people.set_password(person, form.data.password)
    auth.sign_in(request, person)
    flash(request, gettext("Your password has been changed."))
    return redirect("/account")


async def _check_current_password(request: Request, person: Person, password: str, field: str) -> dict[str, str] | None:
    """``None`` when ``password`` is the person's, else the field's message. Checks are throttled
    like sign-ins (a stolen session must not become a way to guess the password)."""
    security = request.app.state.settings.security
    if await throttle.too_many("password-check", str(person.id), security.login_attempts, security.login_window_seconds):
        return {field: gettext("Too many attempts. Wait a few minutes and try again.")}
    if not await auth.password_matches(person.password_hash, password):
        return {field: gettext("This is not your current password.")}
    return None


async def export_data(request: Request) -> Response:
    """Download everything the lab holds about the signed-in person, as JSON (LGPD/GDPR)."""
    person = auth.require_person(request)
    data: dict[str, object] = {
        "account": {"id": person.id, "name": person.name, "email": person.email, "role": person.role,
                    "language": person.locale, "created_at": person.created_at.isoformat()},
        "api_tokens": [{"name": t.name, "prefix": t.prefix, "created_at": t.created_at.isoformat(),
                        "revoked": t.revoked_at is not None} for t in await person.tokens.all()],
        "single_sign_on": [{"provider": i.provider, "subject": i.subject, "email": i.email,
                            "linked_at": i.created_at.isoformat()} for i in await person.sso_identities.all()],
        "notifications": [{"message": shown(n), "url": n.url, "created_at": n.created_at.isoformat(),
                           "read": n.read_at is not None} for n in await person.notifications.all()],
        "verifications": [{"kind": v.kind, "granted_at": v.granted_at.isoformat()}
                          for v in await person.verifications.all().order_by("granted_at")],
        "consents": [{"kind": c.kind, "version": c.version, "accepted_at": c.accepted_at.isoformat()}
                     for c in await person.consents.all().order_by("accepted_at", "id")],
        # the subject only: a body may carry a sign-in or reset link that still works
        "mail": [{"to": m.address, "subject": i18n.render(m.subject), "status": m.status,
                  "queued_at": m.created_at.isoformat(), "sent_at": m.sent_at.isoformat() if m.sent_at else None}
                 for m in await person.outbox.all().order_by("created_at", "id")],
    }
    for slug, result in await request.app.state.plugins.aresults("labkit_personal_data", person_id=person.id):
        if result:
            data[slug] = result
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": 'attachment; filename="my-lab-data.json"'})


async def delete_account(request: Request) -> Response:
    """Delete the account after the password is confirmed; contributions stay, anonymised."""
    person = auth.require_person(request)
    if request.method == "GET":
        return _form_page(request, "account/delete.html")
    form = await read_form(request, ConfirmPasswordForm)
    if form.ok:
        form.errors = await _check_current_password(request, person, form.data.password, "password")
    if not form.ok:
        return _form_page(request, "account/delete.html", form)
    async with in_transaction():
        for _slug, result in request.app.state.plugins.results("labkit_erase_person", person_id=person.id):
            await await_me_maybe(result)
        await people.anonymise(person)
    auth.sign_out(request)
    flash(request, gettext("Your account has been deleted."), "info")
    return redirect("/")


routes = [
    Route("/account/register", register, methods=["GET", "POST"], name="register"),
    Route("/account/check-email", check_email, name="check_email"),
    Route("/account/login", login, methods=["GET", "POST"], name="login"),
    Route("/account/logout", logout, methods=["POST"], name="logout"),
    Route("/account/reset", reset_request, methods=["GET", "POST"], name="reset"),
    Route("/account/reset/{token}", reset_confirm, methods=["GET", "POST"], name="reset_confirm"),
    Route("/account", profile, methods=["GET", "POST"], name="profile"),
    Route("/account/password", change_password, methods=["POST"], name="change_password"),
    Route("/account/export", export_data, name="export_data"),
    Route("/account/delete", delete_account, methods=["GET", "POST"], name="delete_account"),
]
