"""Notifications: a message to one person, in the lab (``/account/notifications``) and by mail."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit import auth
from labkit.mail import send_mail
from labkit.models import Notification, Person
from labkit.web import redirect, render, safe_next


async def notify(app: Starlette, person_id: int, message: str, url: str = "", *, email: bool = True) -> Notification:
    """Leave ``message`` (already in the person's language) for ``person_id``; mail it too when
    ``email`` and the lab has mail configured. ``url`` must be a path on this site (else dropped)."""
    url = safe_next(url, default="")[:500]
    notification = await Notification.create(person_id=person_id, message=message[:500], url=url)
    person = await Person.get_or_none(id=person_id, is_active=True)
    settings = app.state.settings
    if email and person is not None and settings.mail.host:
        link = f"\n\n{settings.lab.base_url.rstrip('/')}{url}" if url.startswith("/") else ""
        await send_mail(settings, person.email, f"{settings.lab.name}: {message[:80]}", message + link)
    return notification


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
    return render(request, "account/notifications.html", {"notifications": items})


routes = [Route("/account/notifications", inbox, methods=["GET", "POST"], name="notifications")]
