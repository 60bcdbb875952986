"""The greeting wall: a page, a JSON endpoint and the queries the hooks use."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from labkit import Period, auth
from labkit.api import ApiRoute
from labkit.i18n import gettext
from labkit.web import flash, page_params, paginate, read_form, read_json, redirect, render

from labkit_hello.models import Greeting


class GreetingIn(BaseModel):
    """What a person sends to leave a greeting."""

    text: str = Field(min_length=1, max_length=280)


class GreetingOut(BaseModel):
    id: int
    text: str
    author: str


class GreetingList(BaseModel):
    items: list[GreetingOut]
    page: int
    per_page: int
    total: int
    pages: int


async def _latest() -> list[Greeting]:
    return await Greeting.all().order_by("-created_at").limit(50).select_related("author")


async def wall(request: Request) -> Response:
    """The wall, with a form for people who may post."""
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        person = auth.require(request, "hello.post")
        form = await read_form(request, GreetingIn)
        if form.ok:
            await Greeting.create(author=person, text=form.data.text)
            flash(request, gettext("Thank you for your greeting!"))
            return redirect("/hello/")
        values, errors, status = form.values, form.errors, 422
    return render(request, "hello/wall.html", {"greetings": await _latest(), "values": values, "errors": errors},
                  status=status)


async def api_list(request: Request) -> JSONResponse:
    """The greetings, newest first, a page at a time."""
    number, size = page_params(request)
    page = await paginate(Greeting.all().order_by("-created_at").select_related("author"), number, size)
    items = [GreetingOut(id=g.id, text=g.text, author=g.author.name) for g in page.items]
    return JSONResponse(GreetingList(items=items, **page.as_json()).model_dump())


async def api_create(request: Request) -> JSONResponse:
    """Leave a greeting."""
    person = auth.require(request, "hello.post")
    data = await read_json(request, GreetingIn)
    greeting = await Greeting.create(author=person, text=data.text)
    return JSONResponse(GreetingOut(id=greeting.id, text=greeting.text, author=person.name).model_dump(), status_code=201)


async def greetings_in(period: Period) -> int:
    start, end = period.bounds("UTC")
    return await Greeting.filter(created_at__gte=start, created_at__lt=end).count()


async def authors_in(period: Period) -> list[str]:
    start, end = period.bounds("UTC")
    ids = await Greeting.filter(created_at__gte=start, created_at__lt=end).distinct().values_list("author_id", flat=True)
    return [auth.participant_id(person_id) for person_id in ids]


async def greetings_of(person_id: int) -> list[dict]:
    return [{"text": g.text, "created_at": g.created_at.isoformat()} for g in await Greeting.filter(author_id=person_id)]


async def erase_author(person_id: int) -> None:
    """Greetings are public contributions: they stay, and the account itself is anonymised."""


page_routes = [Route("/", wall, methods=["GET", "POST"], name="wall")]
api_routes = [
    ApiRoute("/greetings", api_list, name="list", response=GreetingList,
             query={"page": "page number, from 1", "per_page": "items per page, 1 to 100"}),
    ApiRoute("/greetings", api_create, methods=["POST"], name="create", body=GreetingIn,
             response=GreetingOut, permission="hello.post", status=201),
]
