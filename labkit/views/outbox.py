"""The staff's outbox page: every e-mail the lab queued, sent, logged or gave up on, with retry."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from labkit import auth, i18n, outbox
from labkit.i18n import gettext
from labkit.models import OUTBOX_STATUSES, OutboxMessage
from labkit.web import Problem, flash, page_params, paginate, redirect, render


async def outbox_page(request: Request) -> Response:
    """The outbox, newest first, filtered by ``status``. Bodies are not shown: a message may hold
    a password-reset link, which staff must not be able to use."""
    auth.require(request, "labkit.view_admin")
    number, size = page_params(request, default_size=50)
    status = request.query_params.get("status", "")
    if status and status not in OUTBOX_STATUSES:
        raise Problem(400, gettext("Unknown status."), kind="bad-query")
    query = OutboxMessage.all().order_by("-id")
    if status:
        query = query.filter(status=status)
    page = await paginate(query, number, size)
    rows = [{"message": m, "subject": i18n.render(m.subject)} for m in page.items]
    return render(request, "admin/outbox.html",
                  {"page": page, "rows": rows, "status": status, "statuses": OUTBOX_STATUSES,
                   "mail_host": request.app.state.settings.mail.host})


async def retry(request: Request) -> Response:
    """Queue a failed message again (the worker sends it at its next pass)."""
    auth.require_write(request, "labkit.manage_mail")
    if await outbox.retry(request.path_params["message_id"]):
        flash(request, gettext("The message is queued again."))
    else:
        flash(request, gettext("Only a failed message can be tried again."), "error")
    return redirect("/admin/outbox?status=queued")


routes = [
    Route("/admin/outbox", outbox_page, name="outbox"),
    Route("/admin/outbox/{message_id:int}/retry", retry, methods=["POST"], name="retry_mail"),
]
