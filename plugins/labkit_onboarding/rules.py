"""The mentoring plan as data: MENTORING.md's headings and `- [ ]` items, with stable keys.

An item's key is the comment at the end of its line (``- [ ] Kick-off meeting <!-- d1-kickoff -->``),
so that a tick survives a reworded or translated line; an item without one is keyed by its text.
``- [x]`` in the file means the milestone was done before the lab used this checklist.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from labkit.config import Settings
from labkit.plugin_settings import validate

from labkit_onboarding.settings import OnboardingSettings

ITEM = re.compile(r"^\s*[-*+]\s+\[(?P<mark>[ xX])\]\s+(?P<text>.+?)\s*(?:<!--\s*(?P<key>[A-Za-z0-9_.-]{1,80})\s*-->)?\s*$")
HEADING = re.compile(r"^(?P<level>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")
MAX_TEXT = 500


@dataclass
class Item:
    key: str
    text: str
    checked_in_file: bool = False


@dataclass
class Section:
    title: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Plan:
    title: str
    sections: list[Section]

    @property
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    def find(self, key: str) -> Item | None:
        return next((item for item in self.items if item.key == key), None)


def slug(text: str) -> str:
    """A key made of the item's words: lowercase ASCII, hyphens, at most 60 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return (words[:60].rstrip("-") or "item")


def parse_plan(text: str) -> Plan:
    """Read a Markdown plan: the first level-1 heading is its title; every other heading opens a
    section; every task-list item is a milestone (items before any heading go to a section with
    no title). Keys are unique: a repeated one gets ``-2``, ``-3``…"""
    title, sections, seen = "", [Section("")], set()
    in_code = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code:
            continue
        heading = HEADING.match(line)
        if heading:
            if len(heading.group("level")) == 1 and not title:
                title = heading.group("title")
            else:
                sections.append(Section(heading.group("title")))
            continue
        item = ITEM.match(line)
        if item:
            body = item.group("text")[:MAX_TEXT]
            key = base = item.group("key") or slug(body)
            number = 2
            while key in seen:
                key, number = f"{base}-{number}", number + 1
            seen.add(key)
            sections[-1].items.append(Item(key, body, item.group("mark") in "xX"))
    return Plan(title, [section for section in sections if section.items])


_cache: dict[Path, tuple[float, Plan]] = {}


def load_plan(path: Path) -> Plan | None:
    """The plan in ``path`` (re-read when the file changes); None when there is no such file."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    cached = _cache.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    plan = parse_plan(path.read_text(encoding="utf-8"))
    _cache[path] = (mtime, plan)
    return plan


def plan_path(settings: Settings) -> Path:
    """Where the lab's plan is: ``[plugin.onboarding] file`` (default MENTORING.md), relative to
    the lab folder."""
    own = validate("onboarding", OnboardingSettings, settings.for_plugin("onboarding"), settings.plugin_environment)
    return settings.lab_dir / own.file


@dataclass
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def progress(items: list[Item], done_keys: set[str]) -> Progress:
    """How many of ``items`` are done (ticked in the lab, or already checked in the file)."""
    return Progress(sum(1 for item in items if item.checked_in_file or item.key in done_keys), len(items))
