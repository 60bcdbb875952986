"""The small value types that hooks return.

Plugins build these; the core consumes them. They are plain frozen dataclasses so that a
plugin author can read every field in one screen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from labkit.i18n import Text


@dataclass(frozen=True)
class PluginInfo:
    """What a plugin says about itself (``labkit_plugin_info``)."""

    title: str
    description: str = ""
    version: str = "0"
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Models:
    """Where a plugin's Tortoise models and migrations live (``labkit_models``).

    The Tortoise app label is always the plugin's slug.
    """

    modules: tuple[str, ...]
    migrations: str


@dataclass(frozen=True)
class NavItem:
    """One entry in the site navigation (``labkit_nav``). ``label`` is translated at render."""

    label: str
    href: str
    order: int = 100


@dataclass(frozen=True)
class HomeCard:
    """A card on the lab's front page (``labkit_home``).

    With ``template`` (a Jinja template name) the card's body is that template, included in the
    home page with the card as ``card`` (so its values are ``card.context.<name>``); otherwise the
    card shows ``title``, ``text`` and a link to ``href``.
    """

    title: str
    text: str = ""
    href: str | None = None
    order: int = 100
    template: str | None = None
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Permission:
    """A permission a plugin defines (``labkit_permissions``).

    ``name`` is namespaced by the plugin slug (``"coworking.approve_booking"``); ``roles`` are the
    roles that hold it by default. Admins hold every permission.
    """

    name: str
    description: str
    roles: tuple[str, ...] = ("staff",)


@dataclass(frozen=True)
class Event:
    """A domain event (``labkit_event``): ``name`` such as ``"participation.proposal_created"``.

    ``actor_id`` is the acting person's id (or ``None``); ``data`` holds ids and small values only.
    """

    name: str
    actor_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


INDICATORS = ("projects", "partnerships", "participants", "products")
"""The four indicators every lab reports, in the order they are shown."""


@dataclass(frozen=True)
class Contribution:
    """A plugin's contribution to one indicator for a period (``labkit_indicators``).

    ``indicator`` is one of :data:`INDICATORS`; ``value`` a non-negative integer; ``breakdown``
    optional dimensions such as ``{"kind": "prototype"}``. The module dimension is added by the
    core from the plugin's slug.
    """

    indicator: str
    value: int
    breakdown: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PortfolioItem:
    """A project, partnership or product a plugin knows of (``labkit_portfolio``).

    ``indicator`` is ``"projects"``, ``"partnerships"`` or ``"products"``; ``key`` is stable within
    the plugin (``"submission:42"``); the item counts as new in the period holding ``started``.
    ``kind`` is its breakdown (a project's origin, a partner's kind, a product's type);
    ``milestones`` is its journey as ``(date, text)`` pairs; ``team`` the person ids credited
    (kept inside the lab, never published). ``trainee_lab`` is, for a training given to another
    lab's team, that lab's code in the hub's registry (published for the trainer-of-trainers tree).
    """

    indicator: str
    key: str
    title: str
    started: date
    ended: date | None = None
    kind: str = ""
    url: str | None = None
    description: str = ""
    milestones: tuple[tuple[date, str], ...] = ()
    team: tuple[int, ...] = ()
    trainee_lab: str = ""


@dataclass(frozen=True)
class Reference:
    """A record of one plugin that another plugin may point at (an organisation, a project).

    ``image_url`` is the path of a small picture of it (a person's photo, an organisation's logo),
    ``image_alt`` that picture's description; both are optional.
    """

    kind: str
    id: str
    label: str
    url: str | None = None
    image_url: str | None = None
    image_alt: str = ""


@dataclass(frozen=True)
class ReferenceKind:
    """A kind of record a plugin offers to the others (``labkit_references``).

    ``search(query, limit)`` returns matching references (for pickers and autocompletion);
    ``get(id)`` returns one reference or ``None`` when it no longer exists or is not public.
    ``browse`` is the path of a page listing these records (a directory), or empty.
    ``reserve`` and ``release``, when given, let another plugin hold a record for a time (a
    training session books a coworking space): see :func:`labkit.references.reserve`.
    """

    kind: str
    label: str
    search: Callable[[str, int], Awaitable[list[Reference]]]
    get: Callable[[str], Awaitable[Reference | None]]
    browse: str = ""
    reserve: Callable[[str, Reservation], Awaitable[None]] | None = None
    release: Callable[[str], Awaitable[None]] | None = None


@dataclass(frozen=True)
class Reservation:
    """A hold one plugin puts on another plugin's record over ``[start, end)`` (UTC).

    ``holder`` names what holds it, unique across the lab (``"training.session:12"``); ``label``
    and ``url`` are what the record's pages show for it, never personal data: ``label`` is a
    :data:`labkit.i18n.Text` (``text(N_("Training: %(course)s"), {"course": title})``), kept as
    such and shown in each viewer's language.
    """

    holder: str
    label: Text
    start: datetime
    end: datetime
    url: str | None = None
