"""Serving an indicators document over HTTP with validators: a strong ``ETag`` of its figures,
``Last-Modified``, and ``304 Not Modified`` for a matching ``If-None-Match``.

The tag is a hash of the document without its :data:`VOLATILE_KEYS` (``generated_at`` changes at
every request, the figures do not), so it changes exactly when something the document says
changes. A hub harvesting a thousand unchanged labs then gets a thousand empty ``304`` answers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

VOLATILE_KEYS = ("generated_at",)
"""Top-level keys left out of the content hash: they change at every request, not the figures."""


def content_hash(document: dict[str, Any]) -> str:
    """A SHA-256 of what ``document`` says: canonical JSON (sorted keys, compact, UTF-8, written by
    ``orjson``: a seventh of the standard library's time) without :data:`VOLATILE_KEYS`."""
    stable = {key: value for key, value in document.items() if key not in VOLATILE_KEYS}
    return hashlib.sha256(dumps(stable, sort_keys=True)).hexdigest()


def dumps(value: Any, *, sort_keys: bool = False) -> bytes:
    """``value`` as compact UTF-8 JSON, by ``orjson``; by the standard library when ``orjson``
    cannot write it (an integer beyond 64 bits, which ``json.loads`` accepts)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS if sort_keys else 0)
    except TypeError:
        return json.dumps(value, sort_keys=sort_keys, separators=(",", ":"), ensure_ascii=False).encode()


def last_modified(document: dict[str, Any]) -> datetime | None:
    """The latest ``computed_at`` or ``published_at`` of the document's periods (``None``: none)."""
    times = [datetime.fromisoformat(value) for period in document.get("periods", [])
             for value in (period.get("computed_at"), period.get("published_at")) if value]
    return max(times, default=None)


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``tag`` (weak comparison, as RFC 9110 asks)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(item.strip().removeprefix("W/") == tag for item in if_none_match.split(","))


@dataclass(frozen=True)
class Prepared:
    """A document serialised once, with its validators: what a cache keeps and serves again."""

    body: bytes
    etag: str
    last_modified: datetime | None


def prepare(document: dict[str, Any]) -> Prepared:
    """``document`` as JSON bytes with its strong ``ETag`` and ``Last-Modified``."""
    return Prepared(json.dumps(document, ensure_ascii=False).encode(), f'"{content_hash(document)[:40]}"',
                    last_modified(document))


def prepared_response(request: Request, prepared: Prepared, headers: dict[str, str]) -> Response:
    """``prepared`` with ``ETag`` and ``Last-Modified`` (plus ``headers``), or an empty ``304``
    when the request's ``If-None-Match`` names its tag."""
    out = {**headers, "ETag": prepared.etag}
    if prepared.last_modified is not None:
        out["Last-Modified"] = format_datetime(prepared.last_modified, usegmt=True)
    if matches(request.headers.get("if-none-match"), prepared.etag):
        return Response(status_code=304, headers=out)
    return Response(prepared.body, media_type="application/json", headers=out)


def document_response(request: Request, document: dict[str, Any], headers: dict[str, str]) -> Response:
    """``document`` served by :func:`prepared_response` (serialised for this request only)."""
    return prepared_response(request, prepare(document), headers)
