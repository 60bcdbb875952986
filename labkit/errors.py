"""Error answers: problem documents under ``/api/``, pages in the visitor's language elsewhere."""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from labkit.consent import consent_url
from labkit.i18n import N_, gettext
from labkit.web import Problem, problem_response, render

log = logging.getLogger("labkit")

_PAGE_MESSAGES = {
    400: N_("The request could not be understood."),
    401: N_("Sign in to see this page."),
    403: N_("You do not have permission to see this page."),
    404: N_("This page does not exist."),
    405: N_("This action is not available here."),
    413: N_("The request is too large."),
    429: N_("Too many attempts. Wait a few minutes and try again."),
    500: N_("Something went wrong on our side. The lab's team has been told."),
    503: N_("The lab is temporarily unavailable. Try again in a minute."),
}


def is_api(request: Request) -> bool:
    """Whether the request is for the JSON API (answered with problem documents)."""
    return request.url.path.startswith("/api/")


async def error_response(request: Request, status: int, detail: str | None = None, kind: str | None = None) -> Response:
    """The lab's answer for an error ``status``: a problem document (of type ``kind``, when given)
    or an error page (which, for a refusal of ``kind`` ``unverified``, links to the page where the
    person gets verified)."""
    title = HTTPStatus(status).phrase
    headers = {"Retry-After": "30"} if status == 503 else None
    if is_api(request):
        return problem_response(request, status, detail or title, headers=headers, kind=kind)
    message = detail or gettext(_PAGE_MESSAGES.get(status, title))
    try:
        return render(request, "error.html", {"status": status, "message": message, "kind": kind},
                      status=status, headers=headers)
    except Exception:  # the page itself failed (no session, a broken template): plain text, still no traceback
        log.exception("error page failed")
        return Response(f"{status} {title}: {message}", status_code=status, media_type="text/plain", headers=headers)


async def http_exception(request: Request, exc: Exception) -> Response:
    """Handler for ``HTTPException`` and :class:`Problem`."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 401 and not is_api(request):
        return RedirectResponse(f"/account/login?next={request.url.path}", status_code=303)
    if isinstance(exc, Problem) and exc.kind == "consent-required" and not is_api(request):
        return RedirectResponse(consent_url(_return_path(request)), status_code=303)
    if isinstance(exc, Problem) and is_api(request):
        return problem_response(request, exc.status_code, exc.detail, title=exc.title, errors=exc.errors, kind=exc.kind)
    detail = exc.detail if isinstance(exc, Problem) or exc.detail != HTTPStatus(exc.status_code).phrase else None
    return await error_response(request, exc.status_code, detail, exc.kind if isinstance(exc, Problem) else None)


def _return_path(request: Request) -> str:
    """Where a person goes back to after a detour (accepting the lab's new terms): the page itself
    for a ``GET``; for a form posted from a page of this lab, that page; else the home page."""
    if request.method == "GET":
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    return referer.path or "/" if referer.netloc == request.url.netloc else "/"


def _local_file_error(exc: BaseException) -> bool:
    """Whether an ``OSError`` is about a local file (missing, unreadable) rather than the network:
    that is a bug or a broken installation (500), not the database being away (503)."""
    return isinstance(exc, (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError))


async def database_unavailable(request: Request, exc: Exception) -> Response:
    """Handler for a lost database connection: a clear 503, never a traceback."""
    if _local_file_error(exc):
        return await server_error(request, exc)
    log.error("database unavailable: %s", exc)
    return await error_response(request, 503)


STORAGE_UNAVAILABLE = N_("The lab's files cannot be reached right now. Try again in a few minutes.")


async def storage_unavailable(request: Request, exc: Exception) -> Response:
    """Handler for a :class:`~labkit.storage.StorageError` nothing caught (a download while the
    object storage is down): a 503 that says the files are away, the reason in the log."""
    log.error("storage unavailable on %s %s: %s", request.method, request.url.path, exc)
    return await error_response(request, 503, gettext(STORAGE_UNAVAILABLE), kind="storage-unavailable")


def _value_rejected_by_database(exc: BaseException) -> bool:
    """Whether the database refused a value the request carried (a number beyond its integers, a
    NUL character in text) rather than failed: SQLite's driver raises ``OverflowError``, asyncpg a
    ``DataError`` that Tortoise wraps in ``OperationalError``."""
    if isinstance(exc, OverflowError):
        return True
    try:
        from asyncpg.exceptions import DataError
    except ImportError:  # pragma: no cover - asyncpg is only installed for PostgreSQL labs
        return False
    return isinstance(exc.__cause__, DataError)


async def database_rejected_value(request: Request, exc: Exception) -> Response:
    """Handler for a value the database cannot hold: the request is wrong (a 404 when the value is an
    id in the path, since no record can have it, a 400 otherwise), not the server."""
    if not _value_rejected_by_database(exc):
        return await server_error(request, exc)
    log.info("value rejected by the database on %s %s: %s", request.method, request.url.path, exc)
    huge_id = any(isinstance(value, int) and value > 2**31 - 1 for value in request.path_params.values())
    return await error_response(request, 404 if huge_id else 400)


async def too_deep(request: Request, exc: Exception) -> Response:
    """Handler for a body nested too deeply to parse (a JSON ``[`` x 100,000): the request's fault, 400."""
    log.info("too deeply nested input on %s %s", request.method, request.url.path)
    if is_api(request):
        return problem_response(request, 400, gettext("The request body is nested too deeply."), kind="too-deep")
    return await error_response(request, 400)


async def server_error(request: Request, exc: Exception) -> Response:
    """Handler of last resort: log the traceback, show the visitor a plain 500."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return await error_response(request, 500)
