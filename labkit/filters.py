"""A list's search and filters, read from a query string and written back into one.

The Python side of the ``filter_form`` macro in ``_forms.html``. A page reads each filter with
:func:`text`, :func:`choice`, :func:`flag` or :func:`whole_number` (values trimmed and cut to a
length, unknown choices and malformed numbers ignored, so a hand-edited address never fails), and
writes the chosen ones back with :func:`query_string` for its pager links. A directory with several
filters declares them as a dataclass extending :class:`QueryFilters`, which gives it
``query_string()`` and ``active``::

    @dataclass
    class CourseFilters(QueryFilters):
        q: str = ""
        level: str = ""
        free: bool = False

        @classmethod
        def from_query(cls, params: Mapping[str, str]) -> CourseFilters:
            return cls(q=text(params, "q"), level=choice(params, "level", LEVELS), free=flag(params, "free"))
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar
from urllib.parse import urlencode

YES = ("1", "true", "yes", "on")
"""What a checkbox or a hand-written address sends for "yes"."""


def text(params: Mapping[str, str], name: str, limit: int = 100) -> str:
    """The value of ``name``, trimmed and cut to ``limit`` characters ("" when it is absent)."""
    return str(params.get(name) or "").strip()[:limit]


def choice(params: Mapping[str, str], name: str, allowed: Container[str], default: str = "") -> str:
    """The value of ``name`` when it is one of ``allowed``, else ``default``."""
    value = text(params, name)
    return value if value in allowed else default


def flag(params: Mapping[str, str], name: str) -> bool:
    """Whether ``name`` says yes (``1``, ``true``, ``yes`` or ``on``)."""
    return text(params, name) in YES


def whole_number(params: Mapping[str, str], name: str, digits: int = 9) -> int | None:
    """The value of ``name`` as a whole number of at most ``digits`` digits, else ``None``."""
    value = text(params, name, digits)
    return int(value) if value.isascii() and value.isdigit() else None


def is_set(value: Any) -> bool:
    """Whether a filter's value narrows the list (not ``None``, ``""`` or ``False``; ``0`` does)."""
    return value is not None and value is not False and value != ""


def query_string(**values: Any) -> str:
    """The values that are set as ``&name=value`` pairs (``True`` as ``1``) for pager links, in the
    order given; "" when none is set."""
    pairs = {name: "1" if value is True else value for name, value in values.items() if is_set(value)}
    return "&" + urlencode(pairs) if pairs else ""


@dataclass
class QueryFilters:
    """Base of a dataclass of filters: each field is one query parameter of the same name."""

    NOT_CHOSEN: ClassVar[frozenset[str]] = frozenset()
    """Fields the page sets itself, not the person (they do not make the filters ``active``)."""

    def values(self) -> dict[str, Any]:
        """The filters by name, in the order they are declared."""
        return {field.name: getattr(self, field.name) for field in fields(self)}

    def query_string(self) -> str:
        """The filters that are set, as ``&name=value`` pairs for pager links."""
        return query_string(**self.values())

    @property
    def active(self) -> bool:
        """Whether the person chose any filter (the form then offers to clear them)."""
        return any(is_set(value) for name, value in self.values().items() if name not in self.NOT_CHOSEN)
