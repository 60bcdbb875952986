"""The trainer-of-trainers tree: which lab trained which, when and in which programme.

Built from ``Member.mentor`` / ``trained_on`` / ``programme``, and from the trainings member labs
report giving to other labs (``lab.trainings`` of their documents, :mod:`labkit_federation.trainings`):
each link lists the courses its trainer reported, and a reported training links a trainee whose
registry entry names no mentor (unless that would close a loop). The tree is shown and exported,
and **never summed along**: a lab's figures belong to that lab alone, so adding a trainee's
projects or participants to its mentor would count them twice in any regional or national total
(the trainee is already a member of the hub and counted there). This module therefore offers
no totals along branches, only who trained whom.

Cycles are impossible: :func:`cycle_in` (a pure function over ``code → mentor code``) and
:func:`check_mentor` (against the database) refuse a mentor that is the lab itself or one of its
own trainees, at any depth. The registry importer and the member form call them before saving.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from labkit.i18n import N_, gettext

from labkit_federation import trainings
from labkit_federation.models import Member

CSV_HEADER = ("mentor_code", "mentor_name", "lab_code", "lab_name", "trained_on", "programme", "generation")


class MentorCycle(ValueError):
    """A mentor that would make a lab its own trainer (directly or through its trainees)."""

    def __init__(self, path: list[str]) -> None:
        self.path = path
        super().__init__(" → ".join(path))

    def message(self) -> str:
        """A translated sentence naming the loop (``A → B → A``)."""
        if len(self.path) <= 2:
            return gettext("A lab cannot be its own mentor.")
        return gettext("This mentor would make a loop in the tree: %(path)s.", path=" → ".join(self.path))


CYCLE_MESSAGE = N_("This mentor would make a loop in the tree: %(path)s.")
SELF_MESSAGE = N_("A lab cannot be its own mentor.")


def cycle_in(mentors: Mapping[str, str | None]) -> list[str] | None:
    """The first loop in ``mentors`` (lab code → its mentor's code) as a path ``[a, b, …, a]``, or ``None``.

    Pure: the registry importer checks a whole CSV file (existing links overlaid with the file's
    rows) before saving anything.
    """
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = known to reach a root
    for start in mentors:
        if state.get(start) == 2:
            continue
        walk: list[str] = []
        code: str | None = start
        while code is not None and state.get(code) != 2:
            if state.get(code) == 1:
                loop = walk[walk.index(code):] + [code]
                return loop
            state[code] = 1
            walk.append(code)
            code = mentors.get(code) or None
        for seen in walk:
            state[seen] = 2
    return None


def check_links(mentors: Mapping[str, str | None]) -> None:
    """Raise :class:`MentorCycle` when ``mentors`` holds a loop."""
    loop = cycle_in(mentors)
    if loop:
        raise MentorCycle(loop)


async def current_links() -> dict[str, str | None]:
    """Every member's mentor, by code, as stored."""
    codes = dict(await Member.all().values_list("id", "code"))
    return {code: codes.get(mentor_id) for code, mentor_id in await Member.all().values_list("code", "mentor_id")}


async def check_mentor(code: str, mentor_code: str | None) -> None:
    """Raise :class:`MentorCycle` if making ``mentor_code`` the mentor of ``code`` would close a loop."""
    if not mentor_code:
        return
    if mentor_code == code:
        raise MentorCycle([code, code])
    links = await current_links()
    links[code] = mentor_code
    loop = cycle_in(links)
    if loop:
        if code in loop:  # name the loop from the lab being edited: A → its new mentor → … → A
            start = loop.index(code)
            loop = loop[start:-1] + loop[:start] + [code]
        raise MentorCycle(loop)


@dataclass
class Node:
    """One lab in the tree, with the labs it trained (ordered by date, then name)."""

    code: str
    name: str
    municipality: str
    region_path: str
    active: bool
    trained_on: date | None
    programme: str
    generation: int
    """0 for a root (a lab nobody trained), 1 for the labs it trained, and so on."""
    mentor_code: str = ""
    mentor_name: str = ""
    trainings: list[dict[str, str]] = field(default_factory=list)
    """The courses the mentor reported giving this lab's team (``course``, ``date``)."""
    trainees: list[Node] = field(default_factory=list)

    def walk(self) -> list[Node]:
        out = [self]
        for child in self.trainees:
            out.extend(child.walk())
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "municipality": self.municipality,
            "region_path": self.region_path,
            "active": self.active,
            "trained_on": self.trained_on.isoformat() if self.trained_on else None,
            "programme": self.programme,
            "generation": self.generation,
            "trainings": self.trainings,
            "trainees": [child.as_dict() for child in self.trainees],
        }


@dataclass
class Tree:
    """The whole forest: roots (labs that trained others but were trained by no member)."""

    roots: list[Node]
    alone: int
    """Members that neither trained nor were trained by another member (not shown in the tree)."""
    looped: list[str]
    """Codes caught in a loop stored before the rule existed (never expected; shown so staff can fix them)."""

    @property
    def nodes(self) -> list[Node]:
        out: list[Node] = []
        for root in self.roots:
            out.extend(root.walk())
        return out

    @property
    def generations(self) -> int:
        """How many generations of trainees below the roots (0 when nobody trained anybody)."""
        return max((node.generation for node in self.nodes), default=0)

    @property
    def links(self) -> int:
        """How many labs were trained by another member."""
        return sum(1 for node in self.nodes if node.generation > 0)

    def rows(self) -> list[tuple[Any, ...]]:
        """One CSV row per training link, depth first (:data:`CSV_HEADER`)."""
        return [(node.mentor_code, node.mentor_name, node.code, node.name,
                 node.trained_on.isoformat() if node.trained_on else "", node.programme, node.generation)
                for node in self.nodes if node.generation > 0]

    def as_dict(self) -> dict[str, Any]:
        return {"generations": self.generations, "links": self.links, "roots": [root.as_dict() for root in self.roots],
                "looped": self.looped}


def _order(node: Node) -> tuple[Any, ...]:
    return (node.trained_on is None, node.trained_on or date.min, node.name.casefold(), node.code)


def _link_reported(members: list[dict[str, Any]], by_id: dict[int, dict[str, Any]],
                   reported: Mapping[tuple[int, str], list[Any]]) -> None:
    """Give a member without a mentor in the registry the lab that reported training its team
    first (its earliest course's day and name), unless that would close a loop."""
    by_code = {row["code"]: row for row in members}
    links = {row["code"]: by_id[row["mentor_id"]]["code"] if row["mentor_id"] in by_id else None for row in members}
    for (trainer_id, code), given in sorted(reported.items(), key=lambda item: (item[1][0].given_on, item[0])):
        row = by_code.get(code)
        if row is None or trainer_id not in by_id or links[code] is not None:
            continue
        if cycle_in({**links, code: by_id[trainer_id]["code"]}):
            continue
        links[code] = by_id[trainer_id]["code"]
        row.update(mentor_id=trainer_id, trained_on=given[0].given_on, programme=given[0].course)


async def build(root_code: str | None = None) -> Tree:
    """The tree of every member (or the branch under ``root_code``), children ordered by date."""
    members = await Member.all().values("id", "code", "name", "municipality", "region_path", "active", "mentor_id",
                                        "trained_on", "programme")
    by_id = {row["id"]: row for row in members}
    reported = await trainings.by_link()
    _link_reported(members, by_id, reported)
    children: dict[int | None, list[dict[str, Any]]] = {}
    for row in members:
        mentor = row["mentor_id"] if row["mentor_id"] in by_id else None
        children.setdefault(mentor, []).append(row)

    reached: set[int] = set()

    def grow(row: dict[str, Any], generation: int, mentor: dict[str, Any] | None) -> Node:
        reached.add(row["id"])
        node = Node(code=row["code"], name=row["name"], municipality=row["municipality"],
                    region_path=row["region_path"], active=row["active"], trained_on=row["trained_on"] if mentor else None,
                    programme=row["programme"] if mentor else "", generation=generation,
                    mentor_code=mentor["code"] if mentor else "", mentor_name=mentor["name"] if mentor else "",
                    trainings=[{"course": t.course, "date": t.given_on.isoformat()}
                               for t in reported.get((mentor["id"], row["code"]), [])] if mentor else [])
        for child in children.get(row["id"], []):
            if child["id"] not in reached:
                node.trainees.append(grow(child, generation + 1, row))
        node.trainees.sort(key=_order)
        return node

    if root_code is not None:
        start = next((row for row in members if row["code"] == root_code), None)
        roots = [grow(start, 0, None)] if start else []
        return Tree(roots=roots, alone=0, looped=[])
    roots, alone = [], 0
    for row in children.get(None, []):
        if children.get(row["id"]):
            roots.append(grow(row, 0, None))
        else:
            alone += 1
            reached.add(row["id"])
    roots.sort(key=lambda node: (node.name.casefold(), node.code))
    looped = sorted(row["code"] for row in members if row["id"] not in reached)
    return Tree(roots=roots, alone=alone, looped=looped)


async def lineage(member: Member) -> list[dict[str, Any]]:
    """The chain of mentors above ``member``, nearest first (stops on a loop)."""
    chain: list[dict[str, Any]] = []
    seen = {member.id}
    mentor_id = member.mentor_id
    while mentor_id is not None and mentor_id not in seen:
        seen.add(mentor_id)
        mentor = await Member.get_or_none(id=mentor_id)
        if mentor is None:
            break
        chain.append({"code": mentor.code, "name": mentor.name})
        mentor_id = mentor.mentor_id
    return chain
