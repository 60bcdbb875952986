"""Notifications: a message to one person, in the lab (``/account/notifications``) and by mail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit import auth, i18n
from labkit.mail import queue
from labkit.models import Notification, Person
from labkit.web import redirect, render, safe_next


async def notify(app: Starlette, person_id: int, message: str, url: str = "", *,
                 params: Mapping[str, Any] | None = None, translated: Iterable[str] = (),
                 email: bool = True) -> Notification:
    """Leave ``message`` for ``person_id`` and, with ``email``, queue it in the outbox too.

    ``message`` is untranslated (mark it with ``N_``); its ``%(name)s`` placeholders are filled
    from ``params`` (the ones named in ``translated`` are messages too). It is shown, and mailed,
    in the recipient's language. Inside a transaction both rows commit or roll back with it.
    ``url`` must be a path on this site (else dropped).
    """
    url = safe_next(url, default="")[:500]
    words = i18n.text(message[:500], params, translated)
    notification = await Notification.create(person_id=person_id, message=words["message"],
                                             params=words["params"], url=url)
    person = await Person.get_or_none(id=person_id, is_active=True)
    if email and person is not None:
        settings = app.state.settings
        body = [words] + ([i18n.text(settings.lab.base_url.rstrip("/") + url)] if url.startswith("/") else [])
        await queue(person.email, i18n.text("%(lab)s: %(message)s", {"lab": settings.lab.name, "message": words}),
                    body, person_id=person.id)
    return notification


def shown(notification: Notification, tag: str | None = None) -> str:
    """The words of ``notification`` in language ``tag`` (default: the current request's)."""
    return i18n.render({"message": notification.message, "params": notification.params}, tag)


async def unread_count(person_id: int) -> int:
    """How many notifications ``person_id`` has not read."""
    return await Notification.filter(person_id=person_id, read_at=None).count()


async def inbox(request: Request) -> Response:
    """The signed-in person's notifications, newest first; POST marks them all read."""
    person = auth.require_person(request)
    if request.method == "POST":
        await Notification.filter(person=person, read_at=None).update(read_at=datetime.now(UTC))
        return redirect("/account/notifications")
    items = await Notification.filter(person=person).order_by("-created_at").limit(100)
    return render(request, "account/notifications.html",
                  {"notifications": [{"message": shown(item), "url": item.url, "read_at": item.read_at,
                                      "created_at": item.created_at} for item in items]})


routes = [Route("/account/notifications", inbox, methods=["GET", "POST"], name="notifications")]
