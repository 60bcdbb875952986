"""Where the greeting wall is on the web: its page and its JSON API (found by convention:
labkit mounts ``pages`` under ``/hello/`` and ``api`` under ``/api/v1/hello/``)."""

from __future__ import annotations

from labkit.action_routes import ActionPage, ActionRoute
from labkit.api import ApiRoute
from labkit.i18n import N_

from labkit_hello.actions import post_greeting
from labkit_hello.pages import GreetingList, GreetingOut, greeting_out, list_greetings, wall_context

pages = [
    ActionPage("/", post_greeting, name="wall", template="hello/wall.html", context=wall_context, public_get=True,
               message=N_("Thank you for your greeting!"), success=lambda ctx, greeting: ctx.url_for("hello:wall")),
]
api = [
    ApiRoute("/greetings", list_greetings, name="list", response=GreetingList,
             query={"page": "page number, from 1", "per_page": "items per page, 1 to 100"}),
    ActionRoute("/greetings", post_greeting, name="create", response=GreetingOut, status=201,
                present=lambda ctx, greeting: greeting_out(greeting, ctx.actor.name)),
]
