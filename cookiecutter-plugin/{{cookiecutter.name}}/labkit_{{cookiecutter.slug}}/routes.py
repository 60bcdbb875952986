"""Where the plugin is on the web. labkit finds this module by convention: ``pages`` is mounted
under ``/{{ cookiecutter.slug }}/`` and ``api`` under ``/api/v1/{{ cookiecutter.slug }}/``."""

from __future__ import annotations

from labkit.action_routes import ActionPage, ActionRoute
from labkit.api import ApiRoute
from labkit.i18n import N_

from labkit_{{ cookiecutter.slug }}.actions import leave_note
from labkit_{{ cookiecutter.slug }}.pages import NoteList, NoteOut, list_notes, note_out, page_context

pages = [
    ActionPage("/", leave_note, name="page", template="{{ cookiecutter.slug }}/page.html", context=page_context,
               public_get=True, message=N_("Thank you for your note!"),
               success=lambda ctx, note: ctx.url_for("{{ cookiecutter.slug }}:page")),
]
api = [
    ApiRoute("/notes", list_notes, name="list", response=NoteList,
             query={"page": "page number, from 1", "per_page": "items per page, 1 to 100"}),
    ActionRoute("/notes", leave_note, name="create", response=NoteOut, status=201,
                present=lambda ctx, note: note_out(note, ctx.actor.name)),
]
