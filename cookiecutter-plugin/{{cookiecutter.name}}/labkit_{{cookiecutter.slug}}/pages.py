"""What people read: the page's notes and the JSON list (pages only read; writes are actions)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse

from labkit.web import page_params, paginate

from labkit_{{ cookiecutter.slug }}.models import Note


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


def note_out(note: Note, author: str) -> dict[str, Any]:
    """A note as the API shows it."""
    return NoteOut(id=note.id, text=note.text, author=author).model_dump()


async def page_context(request: Request) -> dict[str, Any]:
    """The latest notes, for the page's template."""
    return {"notes": await Note.all().order_by("-created_at").limit(50).select_related("author")}


async def list_notes(request: Request) -> JSONResponse:
    """The notes, newest first, a page at a time."""
    number, size = page_params(request)
    found = await paginate(Note.all().order_by("-created_at").select_related("author"), number, size)
    items = [note_out(note, note.author.name) for note in found.items]
    return JSONResponse(NoteList(items=items, **found.as_json()).model_dump())
