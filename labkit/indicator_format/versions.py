"""The versions of the format a reader accepts, each with its JSON Schema and its upgrade.

Policy: a reader accepts the current version and every minor version of the current and the
previous major (1.0, 1.1 and 1.2 today). Each entry says how to bring a document of its version to
the structure of the current one, so the rest of the code reads one structure only. Adding 2.0
is one entry here (with its schema file and the upgrade of 1.x documents written next to it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).parent / "schemas"
BASE_URL = "https://labkit.readthedocs.io/formats/lab-indicators/"


def _from_1_0(document: dict[str, Any]) -> dict[str, Any]:
    """1.0 → 1.1: the same structure; a 1.0 document is always a lab's own."""
    lab = {**document.get("lab", {}), "kind": "lab", "trainings": []}
    return {**document, "lab": lab, "members": []}


def _from_1_1(document: dict[str, Any]) -> dict[str, Any]:
    """1.1 and 1.2 → current: ``lab.kind`` defaults to ``lab``, ``members`` and ``lab.trainings`` to none."""
    lab = {"kind": "lab", "trainings": [], **document.get("lab", {})}
    return {**document, "lab": lab, "members": document.get("members", [])}


@dataclass(frozen=True)
class Version:
    """One version of the format this code reads."""

    number: str
    upgrade: Callable[[dict[str, Any]], dict[str, Any]]
    """Bring a (valid) document of this version to the current structure."""

    @property
    def url(self) -> str:
        """The document's ``schema`` value for this version."""
        return BASE_URL + self.number

    @property
    def schema_path(self) -> Path:
        return SCHEMA_DIR / f"lab-indicators-{self.number}.schema.json"

    @property
    def major(self) -> int:
        return int(self.number.split(".")[0])


CURRENT = "1.2"
VERSIONS: dict[str, Version] = {
    "1.0": Version("1.0", _from_1_0),
    "1.1": Version("1.1", _from_1_1),
    "1.2": Version("1.2", _from_1_1),
}
"""Every version read, oldest first. The last is the current one."""
assert list(VERSIONS)[-1] == CURRENT


class UnsupportedVersion(ValueError):
    """A document of a version this code does not read; the message names what it reads."""


def readable() -> str:
    """What this code reads, for messages: ``1.x`` (or ``1.x and 2.x``)."""
    majors = sorted({version.major for version in VERSIONS.values()})
    return " and ".join(f"{major}.x" for major in majors)


def version_of(document: Any) -> Version:
    """The :class:`Version` a document declares (raises :class:`UnsupportedVersion`)."""
    declared = document.get("version") if isinstance(document, dict) else None
    if not isinstance(declared, str) or not declared:
        raise UnsupportedVersion(f"the document has no version; this hub reads {readable()}")
    if declared not in VERSIONS:
        raise UnsupportedVersion(f"version {declared[:20]} is not supported by this hub; it reads {readable()}")
    return VERSIONS[declared]


@cache
def _load(number: str) -> str:
    return VERSIONS[number].schema_path.read_text(encoding="utf-8")


def schema(version: str = CURRENT) -> dict[str, Any]:
    """The JSON Schema of ``version`` (a fresh copy, shipped in the package)."""
    if version not in VERSIONS:
        raise UnsupportedVersion(f"version {version} is not supported by this hub; it reads {readable()}")
    return json.loads(_load(version))
