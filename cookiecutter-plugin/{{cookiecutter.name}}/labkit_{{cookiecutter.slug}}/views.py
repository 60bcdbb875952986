"""The plugin's page and JSON API.

Both write through :func:`leave_note`, the plugin's one write: the permission check and the
insert live there, so that the page and the API cannot drift apart.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from labkit import auth
from labkit.api import ApiRoute
from labkit.i18n import gettext
from labkit.web import flash, page_params, paginate, read_form, read_json, redirect, render

from labkit_{{ cookiecutter.slug }}.models import Note

PERMISSION = "{{ cookiecutter.slug }}.post"


class NoteIn(BaseModel):
    """What a person sends to leave a note."""

    text: str = Field(min_length=1, max_length=280)


class NoteOut(BaseModel):
    id: int
    text: str
    author: str


class NoteList(BaseModel):
    items: list[NoteOut]
    page: int
    per_page: int
    total: int
    pages: int


async def leave_note(request: Request, data: NoteIn) -> Note:
    """The one write of the plugin: check the permission, then store the note."""
    person = auth.require(request, PERMISSION)
    note = await Note.create(author=person, text=data.text)
    note.author = person
    return note


async def page(request: Request) -> Response:
    """The notes, newest first, with a form for people who may post."""
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        auth.require(request, PERMISSION)  # before reading the form: a visitor is sent to sign in
        form = await read_form(request, NoteIn)
        if form.ok:
            await leave_note(request, form.data)
            flash(request, gettext("Thank you for your note!"))
            return redirect("/{{ cookiecutter.slug }}/")
        values, errors, status = form.values, form.errors, 422
    notes = await Note.all().order_by("-created_at").limit(50).select_related("author")
    return render(request, "{{ cookiecutter.slug }}/page.html", {"notes": notes, "values": values, "errors": errors},
                  status=status)


async def api_list(request: Request) -> JSONResponse:
    """The notes, newest first, a page at a time."""
    number, size = page_params(request)
    found = await paginate(Note.all().order_by("-created_at").select_related("author"), number, size)
    items = [NoteOut(id=note.id, text=note.text, author=note.author.name) for note in found.items]
    return JSONResponse(NoteList(items=items, **found.as_json()).model_dump())


async def api_create(request: Request) -> JSONResponse:
    """Leave a note."""
    note = await leave_note(request, await read_json(request, NoteIn))
    return JSONResponse(NoteOut(id=note.id, text=note.text, author=note.author.name).model_dump(), status_code=201)


page_routes = [Route("/", page, methods=["GET", "POST"], name="page")]
api_routes = [
    ApiRoute("/notes", api_list, name="list", response=NoteList,
             query={"page": "page number, from 1", "per_page": "items per page, 1 to 100"}),
    ApiRoute("/notes", api_create, methods=["POST"], name="create", body=NoteIn,
             response=NoteOut, permission=PERMISSION, status=201),
]
