"""``POST /api/v1/federation/reports``: a member lab pushes its indicators document.

- Authentication: the member's token in the ``X-Labkit-Member-Token`` header (not a person's API
  token: ``Authorization: Bearer`` is for people and refuses any other token). Never logged: it
  is a header, and the access log writes only the request line.
- ``Idempotency-Key`` (required): the same key with the same body replays the stored answer
  (same status, same JSON, with ``Idempotent-Replayed: true``); the same key with another body
  is refused (422). Answers are stored in the database, so every worker of the hub sees them.
  The key's receipt row is inserted *before* the document is stored, in the same transaction
  that holds the member's row lock (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite runs one
  transaction at a time): a second push of the lab waits, then finds the key taken and reads the
  first one's answer, so a key stores one body, once.
- The body may be up to ``max_document_bytes`` (the route's own limit, instead of the core's
  ``[security] max_body_bytes``); a larger one is a 413 ``too-large`` problem from the core.
  The token is checked before the body is read: a push without a valid token is answered 401
  at once, however large the body it announces (the core leaves an API call's body unread
  until its route reads it).
- The answer is the import summary (see :class:`labkit_federation.storage.ImportSummary`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from labkit.api import ApiRoute
from labkit.i18n import gettext
from labkit.web import problem_response

from labkit_federation import registry, storage
from labkit_federation.models import Member, PushReceipt
from labkit_federation.options import of

TOKEN_HEADER = "X-Labkit-Member-Token"
KEY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


class PushDocument(BaseModel):
    """A lab indicators document, version 1.0 or 1.1 (see /api/v1/indicators/schema.json and
    docs/formats/indicators.md); checked in full by the hub."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    schema_: str = Field(alias="schema")
    version: str
    lab: dict[str, Any]
    periods: list[dict[str, Any]]


class ProblemItem(BaseModel):
    path: str
    message: str


class ImportSummaryOut(BaseModel):
    """What the hub stored: rows new (imported), changed (updated), unchanged or not stored
    (ignored), removed from a replaced slice; conflicts in words; labs first seen through a hub."""

    imported: int
    updated: int
    ignored: int
    removed: int
    conflicts: list[str]
    errors: list[ProblemItem]
    registered: list[str]
    member: str
    received_at: str


def _problem(request: Request, status: int, detail: str, kind: str,
             errors: list[dict[str, str]] | None = None) -> JSONResponse:
    response = problem_response(request, status, detail, kind=kind, errors=errors)
    assert isinstance(response, JSONResponse)
    return response


async def _answer(request: Request, member: Member, body: bytes) -> JSONResponse:
    """The answer to a push not seen before (stored afterwards as the key's receipt)."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return _problem(request, 400, gettext("The body is not JSON: %(error)s", error=str(error)), "invalid-json")
    if not isinstance(document, dict):
        return _problem(request, 422, gettext("The body is not an indicators document."), "invalid-document")
    claimed = document.get("lab", {}).get("code") if isinstance(document.get("lab"), dict) else None
    if claimed is not None and claimed != member.code:
        return _problem(request, 403, gettext(
            "This token belongs to %(member)s; the document reports for %(claimed)s. A lab reports only for itself.",
            member=member.code, claimed=str(claimed)[:64]), "wrong-lab")
    received_at = datetime.now(UTC)
    summary = await storage.ingest(member, document, source="push", received_at=received_at)
    if summary.errors:
        status = 403 if summary.errors[0].path == "lab.kind" else 422
        return _problem(request, status, gettext("The document was not stored: %(count)s problem(s).",
                                                 count=len(summary.errors)),
                        "wrong-lab" if status == 403 else "invalid-document",
                        errors=[{"field": p.path, "message": p.message} for p in summary.errors])
    out = {**summary.as_dict(), "member": member.code,
           "received_at": received_at.isoformat().replace("+00:00", "Z")}
    return JSONResponse(ImportSummaryOut.model_validate(out).model_dump(mode="json"))


def _replay(receipt: PushReceipt) -> Response:
    media_type = "application/problem+json" if receipt.status_code >= 400 else "application/json"
    return JSONResponse(receipt.response, status_code=receipt.status_code, media_type=media_type,
                        headers={"Idempotent-Replayed": "true"})


async def _take(member: Member, key: str, body_hash: str) -> bool:
    """Insert the key's receipt in the current transaction (its answer is filled in afterwards);
    ``False`` when the key is already taken. The caller holds the member's row lock, so a push
    with the same key waits for the first one to commit (or fail) before it tries."""
    try:
        async with in_transaction():  # a savepoint: a taken key leaves the outer transaction usable
            await PushReceipt.create(member=member, key=key, body_hash=body_hash, status_code=0, response={})
        return True
    except IntegrityError:
        return False


async def api_push(request: Request) -> Response:
    """Push the lab's indicators document to the hub (member token and Idempotency-Key headers)."""
    member = await registry.member_for_token(request.headers.get(TOKEN_HEADER))
    if member is None:
        return _problem(request, 401, gettext("Send the lab's member token in the %(header)s header; this one is "
                                              "missing, unknown or revoked.", header=TOKEN_HEADER), "invalid-token")
    key = request.headers.get(KEY_HEADER, "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        return _problem(request, 400, gettext("Send an %(header)s header (1 to %(max)s characters), the same for "
                                              "every retry of this push.", header=KEY_HEADER, max=MAX_KEY_LENGTH),
                        "idempotency-key-required")
    body = await request.body()  # read only now, never past max_document_bytes (the core's 413)
    body_hash = hashlib.sha256(body).hexdigest()
    async with in_transaction():
        # the member's row first (as ingest locks it), then the receipt: one order, no deadlock
        await Member.filter(id=member.id).select_for_update()
        if await _take(member, key, body_hash):
            response = await _answer(request, member, body)
            await PushReceipt.filter(member=member, key=key).update(status_code=response.status_code,
                                                                    response=json.loads(bytes(response.body)))
            return response
    receipt = await PushReceipt.get(member=member, key=key)
    if receipt.body_hash != body_hash:
        return _problem(request, 422, gettext("This %(header)s was already used with another document. Use a new "
                                              "key for a new document.", header=KEY_HEADER), "idempotency-key-reused")
    return _replay(receipt)


routes = [
    ApiRoute("/reports", api_push, methods=["POST"], name="push", body=PushDocument, response=ImportSummaryOut,
             max_body_bytes=lambda app: of(app).max_document_bytes, summary="Push the lab's indicators document (headers X-Labkit-Member-Token and Idempotency-Key)"),
]
