"""A person's verifications: the e-mail confirmation link, asking for it again, the census match."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit import auth, throttle, verification
from labkit.i18n import N_, current_locale, gettext
from labkit.mail import send_mail
from labkit.models import Person, Verification
from labkit.views.forms import ResetRequestForm
from labkit.web import client_address, flash, read_form, redirect, render


class CensusForm(BaseModel):
    identifier: str = Field(min_length=3, max_length=40)


def _link(request: Request, path: str) -> str:
    return request.app.state.settings.lab.base_url.rstrip("/") + path


async def mail_confirmation(request: Request, person: Person) -> None:
    """Mail ``person`` the link that confirms their address (and signs them in)."""
    settings = request.app.state.settings
    link = _link(request, f"/account/confirm/{verification.confirmation_token(settings.secret_key, person)}")
    hours = settings.security.confirm_link_max_age // 3600
    await send_mail(person.email, N_("Confirm your e-mail address"),
                    N_("Open this link within %(hours)s hours to confirm your address and start taking part "
                       "in %(lab)s:\n\n%(link)s\n\nIf you did not create this account, ignore this message."),
                    params={"hours": hours, "lab": settings.lab.name, "link": link}, person_id=person.id,
                    locale=current_locale.get())


async def mail_existing_account(request: Request, email: str) -> None:
    """Tell the owner of ``email`` that somebody tried to register it again (instead of a link)."""
    settings = request.app.state.settings
    person = await Person.get_or_none(email=email, is_active=True)
    if person is None or await throttle.mail_flooding("register", email, client_address(request)):
        return
    await send_mail(person.email, N_("You already have an account"),
                    N_("Somebody, perhaps you, tried to create an account in %(lab)s with this address. "
                       "You already have one: sign in at %(login)s or choose a new password at %(reset)s.\n\n"
                       "If it was not you, ignore this message."),
                    params={"lab": settings.lab.name, "login": _link(request, "/account/login"),
                            "reset": _link(request, "/account/reset")}, person_id=person.id)


async def confirm(request: Request) -> Response:
    """The link in the confirmation mail: a button that confirms the address and signs in (a ``GET``
    changes nothing, so a mail scanner opening the link does not use it up)."""
    if request.method == "GET":
        return render(request, "account/confirm.html", {})
    settings = request.app.state.settings
    person = await verification.confirm(settings.secret_key, request.path_params["token"],
                                        settings.security.confirm_link_max_age)
    if person is None:
        flash(request, gettext("This link is not valid any more. Ask for a new one."), "error")
        return redirect("/account/confirm")
    auth.sign_in(request, person)
    flash(request, gettext("Your e-mail address is confirmed. Welcome, %(name)s!", name=person.name))
    return redirect("/")


async def resend(request: Request) -> Response:
    """Ask for a new confirmation link. The answer is the same whatever the address."""
    person = request.state.person
    if request.method == "GET":
        return render(request, "account/resend.html", {"values": {"email": person.email if person else ""}, "errors": {}})
    form = await read_form(request, ResetRequestForm)
    if not form.ok:
        return render(request, "account/resend.html", {"values": form.values, "errors": form.errors}, status=422)
    address = form.data.email.strip().lower()
    if not await throttle.mail_flooding("confirm", address, client_address(request)):
        waiting = await Person.get_or_none(email=address, is_active=True)
        if waiting is not None and verification.EMAIL not in await verification.kinds_of(waiting):
            await mail_confirmation(request, waiting)
    flash(request, gettext("If an account with this address waits for confirmation, a new link is on its way."), "info")
    return redirect("/account/verification" if person else "/account/login")


async def overview(request: Request, form_values: dict | None = None, errors: dict | None = None,
                   status: int = 200) -> Response:
    """The person's verifications and how to get the others."""
    person = auth.require_person(request)
    held = await Verification.filter(person_id=person.id).order_by("granted_at")
    kinds = {record.kind for record in held}
    missing = [(kind, verification.label(kind), verification.how_to_get(kind))
               for kind in (verification.EMAIL, verification.STAFF, verification.CENSUS) if kind not in kinds]
    return render(request, "account/verification.html", {
        "held": [(verification.label(record.kind), record.granted_at) for record in held],
        "missing": missing, "values": form_values or {}, "errors": errors or {}}, status=status)


async def census(request: Request) -> Response:
    """Match the identifier the person types with the census list (10 tries a day)."""
    person = auth.require_person(request)
    form = await read_form(request, CensusForm)
    if not form.ok:
        return await overview(request, form.values, form.errors, 422)
    if await throttle.too_many("census", str(person.id), 10, throttle.KEEP_SECONDS):
        return await overview(request, form.values, {"identifier": gettext("Too many attempts. Try again tomorrow.")}, 429)
    settings = request.app.state.settings
    if not await verification.claim_census(settings.secret_key, person, form.data.identifier):
        return await overview(request, form.values, {"identifier": gettext(
            "This identifier is not on the census list, or another account already uses it.")}, 422)
    flash(request, gettext("Your account is verified: you are on the census list."))
    return redirect("/account/verification")


routes = [
    Route("/account/confirm", resend, methods=["GET", "POST"], name="resend_confirmation"),
    Route("/account/confirm/{token}", confirm, methods=["GET", "POST"], name="confirm_email"),
    Route("/account/verification", overview, name="verification"),
    Route("/account/verification/census", census, methods=["POST"], name="census_match"),
]
