"""The greeting wall's reads: the page's context, the JSON list and the queries the hooks use."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse

from labkit import Period, auth
from labkit.i18n import current_zone
from labkit.web import page_params, paginate

from labkit_hello.models import Greeting


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


def greeting_out(greeting: Greeting, author: str) -> dict[str, Any]:
    """A greeting as the API shows it."""
    return GreetingOut(id=greeting.id, text=greeting.text, author=author).model_dump()


async def wall_context(request: Request) -> dict[str, Any]:
    """The wall's latest greetings, for its template."""
    return {"greetings": await Greeting.all().order_by("-created_at").limit(50).select_related("author")}


async def list_greetings(request: Request) -> JSONResponse:
    """The greetings, newest first, a page at a time."""
    number, size = page_params(request)
    page = await paginate(Greeting.all().order_by("-created_at").select_related("author"), number, size)
    items = [greeting_out(g, g.author.name) for g in page.items]
    return JSONResponse(GreetingList(items=items, **page.as_json()).model_dump())


async def greetings_in(period: Period) -> int:
    """Greetings left during ``period`` (its bounds in the lab's time zone)."""
    start, end = period.bounds(current_zone.get())
    return await Greeting.filter(created_at__gte=start, created_at__lt=end).count()


async def authors_in(period: Period) -> list[str]:
    """The people who left a greeting during ``period``, counted once across modules."""
    start, end = period.bounds(current_zone.get())
    ids = await Greeting.filter(created_at__gte=start, created_at__lt=end).distinct().values_list("author_id", flat=True)
    return [auth.participant_id(person_id) for person_id in ids]


async def greetings_of(person_id: int) -> list[dict[str, Any]]:
    """What a person wrote on the wall, for their data export."""
    return [{"text": g.text, "created_at": g.created_at.isoformat()} for g in await Greeting.filter(author_id=person_id)]
