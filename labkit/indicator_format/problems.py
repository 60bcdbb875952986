"""A problem found in a document: where (a JSON path) and what."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    """One reason a document is refused.

    ``path`` points into the document like ``periods[2].observations[0].value`` (empty for the
    whole document); ``message`` says what is wrong in one sentence.
    """

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def json_path(parts: Iterable[str | int]) -> str:
    """``["periods", 2, "value"]`` → ``periods[2].value``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
