"""The lab's terms of use and privacy notice: the public pages, the acceptance page, the admin's
page that publishes a new version (see :mod:`labkit.consent`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit import auth, consent
from labkit.actions import Refused
from labkit.i18n import N_, current_locale, gettext
from labkit.models import LegalText
from labkit.web import Problem, flash, redirect, render, safe_next

TITLES = {"terms": N_("Terms of use"), "privacy": N_("Privacy notice")}


async def _current_texts(request: Request, kinds: tuple[str, ...] | frozenset[str] = consent.KINDS) -> list[LegalText]:
    """The current version of each of ``kinds`` in the visitor's language (or the lab's default)."""
    default = request.app.state.settings.lab.default_language
    found = [await consent.current_text(kind, current_locale.get(), default) for kind in consent.KINDS if kind in kinds]
    return [text for text in found if text is not None]


async def public_text(request: Request) -> Response:
    """``/terms`` or ``/privacy``: the current version in the visitor's language, or a page that says
    the lab has not published it yet."""
    kind = request.url.path.strip("/")
    text = await consent.current_text(kind, current_locale.get(), request.app.state.settings.lab.default_language)
    return render(request, "legal/text.html", {"kind": kind, "title": gettext(TITLES[kind]), "text": text})


def _shown_versions(form: Any, current: dict[str, int]) -> dict[str, int] | None:
    """The ``{kind: version}`` the acceptance form showed (hidden ``version_<kind>`` fields) when they
    are still the current ones; ``None`` when a newer version came out while the person was reading."""
    shown = {kind: str(form.get(f"version_{kind}", "")) for kind in current}
    return current if all(shown[kind] == str(version) for kind, version in current.items()) else None


async def accept_page(request: Request) -> Response:
    """``/account/consent``: the texts the person has not accepted yet, and a button that accepts
    them and goes on to ``next``."""
    person = auth.require_person(request)
    next_url = safe_next(request.query_params.get("next"))
    waiting = await consent.pending(person)
    if request.method == "POST":
        current = await consent.current_versions()
        versions = _shown_versions(await request.form(), {k: v for k, v in current.items() if k in waiting})
        if versions is not None:
            await consent.accept(person, versions)
            flash(request, gettext("Thank you. You can go on."))
            return redirect(next_url)
        flash(request, gettext("A new version was published while you were reading. Read it and accept it."), "error")
        return redirect(consent.consent_url(next_url))
    texts = await _current_texts(request, waiting)
    return render(request, "legal/accept.html", {"texts": texts, "titles": TITLES, "next": next_url})


async def admin_page(request: Request, errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                     status: int = 200) -> Response:
    """``/admin/legal``: each text's current version and a form per kind to publish a new one, with
    a body per language the lab offers (filled with the current ones)."""
    auth.require(request, "labkit.manage_legal")
    current = await consent.current_versions()
    bodies = {(text.kind, text.language): text.body
              for text in await LegalText.filter(kind__in=list(current)) if current.get(text.kind) == text.version}
    shown = {f"{kind}_{language}": body for (kind, language), body in bodies.items()} | (values or {})
    return render(request, "admin/legal.html", {
        "kinds": consent.KINDS, "titles": TITLES, "current": current, "values": shown, "errors": errors or {}},
        status=status)


async def publish(request: Request) -> Response:
    """Publish a new version of the terms or the privacy notice: the lab's default language is
    required, the other languages fall back to it when left empty. Unlike the other writes, it
    does not wait for the admin's own acceptance: the author publishes the terms and the privacy
    notice one after the other, or corrects one, before accepting them."""
    me = auth.require(request, "labkit.manage_legal")
    kind = request.path_params["kind"]
    if kind not in consent.KINDS:
        raise Problem(404, gettext("This page does not exist."), kind="not-found")
    form = await request.form()
    settings = request.app.state.settings
    bodies = {language: str(form.get(f"{kind}_{language}", "")) for language in settings.lab.languages}
    values = {f"{kind}_{language}": body for language, body in bodies.items()}
    default = f"{kind}_{settings.lab.default_language}"
    if not bodies.get(settings.lab.default_language, "").strip():
        return await admin_page(request, {default: gettext("Write the text in the lab's default language.")}, values, 422)
    too_long = [f"{kind}_{language}" for language, body in bodies.items() if len(body) > consent.MAX_BODY]
    if too_long:
        message = gettext("At most %(count)s characters.", count=consent.MAX_BODY)
        return await admin_page(request, dict.fromkeys(too_long, message), values, 422)
    try:
        version = await consent.publish(kind, bodies, me)
    except Refused as refusal:
        return await admin_page(request, {default: refusal.text()}, values, refusal.status)
    flash(request, gettext("Version %(version)s is published. Everyone is asked to accept it before their next action.",
                           version=version))
    return redirect("/admin/legal")


routes = [
    Route("/terms", public_text, name="terms"),
    Route("/privacy", public_text, name="privacy"),
    Route("/account/consent", accept_page, methods=["GET", "POST"], name="consent"),
    Route("/admin/legal", admin_page, name="legal_admin"),
    Route("/admin/legal/{kind}", publish, methods=["POST"], name="publish_legal"),
]
