"""The front page, the language switch and the health check."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tortoise import connections

from labkit.config import LANGUAGES
from labkit.hooktypes import HomeCard
from labkit.web import redirect, render, safe_next


async def home(request: Request) -> Response:
    """The lab's front page: its name and the cards the plugins offer."""
    cards: list[HomeCard] = []
    for _slug, result in await request.app.state.plugins.aresults("labkit_home", request=request):
        cards.extend(result or [])
    return render(request, "home.html", {"cards": sorted(cards, key=lambda card: card.order)})


async def set_language(request: Request) -> Response:
    """Remember the visitor's language (and the person's, when signed in), then go back."""
    form = await request.form()
    tag = str(form.get("lang", ""))
    if tag in LANGUAGES and tag in request.app.state.settings.lab.languages:
        request.session["locale"] = tag
        person = request.state.person
        if person is not None:
            person.locale = tag
            await person.save(update_fields=["locale"])
    return redirect(safe_next(str(form.get("next", "/"))))


async def health(request: Request) -> Response:
    """``ok`` when the database answers (for load balancers and ``labkit check``)."""
    await connections.get("default").execute_query("SELECT 1")
    return JSONResponse({"status": "ok"})


routes = [
    Route("/", home, name="home"),
    Route("/language", set_language, methods=["POST"], name="set_language"),
    Route("/healthz", health, name="health"),
]
