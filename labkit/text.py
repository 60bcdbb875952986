"""Checks and normal forms of short texts that people type, shared by the plugins' input models.

Every function raises ``ValueError`` with an untranslated message (marked with ``N_``), so a pydantic
validator that calls it turns the problem into a field error in the visitor's language.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from labkit.i18n import N_

_HTML = re.compile(r"<(?!https?://)\s*[/!?]?[a-zA-Z]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_REGION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def fold(text: str) -> str:
    """Lower case without accents or punctuation, single spaces: "Ação  Jovem!" -> "acao jovem"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).replace("_", " ").split())


def check_text(value: str, multiline: bool = False) -> str:
    """Refuse HTML tags and control characters (and line breaks unless ``multiline``); trim the text."""
    if _HTML.search(value):
        raise ValueError(N_("HTML tags are not allowed here: write plain text (the description may use Markdown)."))
    if _CONTROL.search(value) or (not multiline and ("\n" in value or "\r" in value)):
        raise ValueError(N_("This text contains characters that are not allowed."))
    return value.strip()


def check_url(value: str) -> str:
    """A web address starting with http:// or https:// and naming a host."""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname \
            or any(ch.isspace() for ch in value) or "<" in value or '"' in value:
        raise ValueError(N_("Enter a full web address starting with http:// or https://."))
    if len(value) > 300:
        raise ValueError(N_("This web address is too long (300 characters at most)."))
    return value


def check_region(value: str) -> str:
    """A region code as the lab's places use it (``zona-leste``, ``BR-SP``), or empty."""
    value = value.strip()
    if value and not _REGION.match(value):
        raise ValueError(N_("A region code has letters, digits, dots, hyphens or underscores, without spaces (for example zona-leste or BR-SP)."))
    return value


def split_items(value: Any, separators: str) -> list[str]:
    """The non-empty, trimmed items of a text (or a list of texts) cut at the ``separators`` pattern."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError(N_("Enter text."))
        out.extend(part.strip() for part in re.split(separators, item) if part.strip())
    return out
