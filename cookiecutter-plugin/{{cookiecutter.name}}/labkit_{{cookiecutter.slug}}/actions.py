"""What people do with the plugin: each use case once, for the page and the API alike.

labkit checks the declared permission (and that the person confirmed their e-mail address)
before the handler runs, on the page and on the API; the handler only does the work.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from labkit.actions import Context, action

from labkit_{{ cookiecutter.slug }}.models import Note


class NoteIn(BaseModel):
    """What a person sends to leave a note."""

    text: str = Field(min_length=1, max_length=280)


@action("{{ cookiecutter.slug }}.leave_note", input=NoteIn, permission="{{ cookiecutter.slug }}.post")
async def leave_note(ctx: Context, data: NoteIn) -> Note:
    """Leave a note."""
    note = await Note.create(author=ctx.actor, text=data.text)
    await ctx.emit("{{ cookiecutter.slug }}.note_left", note_id=note.id)
    return note
