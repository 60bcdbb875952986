"""What the claim, confirmation and seal pages show around their forms (the forms run the actions
of :mod:`labkit_mapping.claim_actions` and :mod:`labkit_mapping.seal_actions`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from labkit.action_routes import found
from labkit.actions import not_found
from labkit.i18n import N_, gettext

from labkit_mapping import domains, invitations
from labkit_mapping.models import SEAL_COLOURS, SEAL_ICONS, Membership, Seal
from labkit_mapping.pages import common, organisation_for

ICON_LABELS = {"check": N_("check mark"), "star": N_("star"), "handshake": N_("handshake"), "leaf": N_("leaf"),
               "award": N_("award"), "heart": N_("heart")}
COLOUR_LABELS = {"green": N_("green"), "blue": N_("blue"), "purple": N_("purple"), "orange": N_("orange"),
                 "red": N_("red"), "grey": N_("grey")}


async def claim_context(request: Request) -> dict[str, Any]:
    """The organisation being claimed, the domain an address must be at, and the visitor's claim."""
    org = await organisation_for(request)
    site = domains.registrable(org.website_domain)
    person = request.state.person
    mine = await Membership.get_or_none(organisation=org, person=person) if person else None
    return {"org": org, "site": "" if domains.is_shared(site) else site, "mine": mine,
            "has_members": await Membership.exists(organisation=org, status="confirmed"), **common()}


async def confirm_context(request: Request) -> dict[str, Any]:
    """The confirmation page shows only its button (the code is in the address)."""
    return {}


async def invitation_context(request: Request) -> dict[str, Any]:
    """Whether the invitation of the address still works: a used, withdrawn or expired one shows
    why instead of its button."""
    usable = await invitations.usable(request.path_params["code"])
    return {"no_longer_valid": None if usable else gettext(invitations.NO_LONGER_VALID)}


def seal_choices() -> dict[str, Any]:
    """The icons and colours a seal may have, with their labels."""
    return {"icon_options": [(icon, gettext(ICON_LABELS[icon])) for icon in SEAL_ICONS],
            "colour_options": [(colour, gettext(COLOUR_LABELS[colour])) for colour in SEAL_COLOURS]}


async def seals_context(request: Request) -> dict[str, Any]:
    """Every seal, retired ones too, with how many organisations hold each."""
    items = await Seal.all().order_by("retired", "id").prefetch_related("grants")
    return {"seals": items, **seal_choices(), **common()}


async def _seal(request: Request) -> Seal:
    seal = await Seal.get_or_none(id=request.path_params["seal_id"])
    if seal is None:
        raise not_found(N_("This seal does not exist."))
    return seal


async def seal_context(request: Request) -> dict[str, Any]:
    """The seal being changed."""
    return {"seal": await found(_seal(request)), **seal_choices(), **common()}


async def seal_initial(request: Request) -> dict[str, Any]:
    """The seal's values in its form."""
    seal = await found(_seal(request))
    return {"name": seal.name, "description": seal.description, "icon": seal.icon, "colour": seal.colour,
            "retired": seal.retired}
