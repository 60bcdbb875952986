"""What the people plugin offers the rest of the lab: the network's size for the indicators, the
``team-seeker`` reference kind (the seam with the challenges plugin), a person's data export and
erasure, and the organisations a person belongs to (the seam with the mapping plugin).

**The seam with challenges.** Neither plugin imports the other. People offers the reference kind
``team-seeker`` (:mod:`labkit.references`): its ids are *person* ids, ``get(id)`` answers only for a
person whose profile is published with "looking for a team" set, and ``search(q)`` lists them,
each with their photo (its smallest size and description) when they have one.
The challenges plugin asks ``references.search(app, "team-seeker", q)`` to show the list on a
team's page and ``references.resolve(app, "team-seeker", person_id)`` before it sends an
invitation; with people switched off, the list is empty and nobody can be invited that way.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from labkit import Period, auth, images, references
from labkit.hooktypes import Reference, ReferenceKind
from labkit.i18n import N_, current_zone
from labkit.models import Person

from labkit_people.actions import PHOTO
from labkit_people.models import Profile
from labkit_people.rules import Filters, published

SEEKER = "team-seeker"
"""The reference kind of a person looking for a team (id: the person's id)."""


async def _seekers(profiles: list[Profile]) -> list[Reference]:
    """The references of these published profiles, each with its photo's smallest size (one query)."""
    photos = await images.of(Person, [profile.person_id for profile in profiles], PHOTO)
    found = []
    for profile in profiles:
        label = f"{profile.name} ({profile.region})" if profile.region else profile.name
        photo = photos.get(profile.person_id)
        found.append(Reference(kind=SEEKER, id=str(profile.person_id), label=label, url=f"/people/{profile.id}",
                               image_url=photo.url(min(photo.widths)) if photo else None,
                               image_alt=photo.alt if photo else ""))
    return found


async def search_seekers(query: str, limit: int) -> list[Reference]:
    """Published profiles looking for a team whose words hold every word of ``query``."""
    found = await Filters(q=query, looking=True).apply(published()).order_by("-updated_at", "id").limit(
        max(1, min(limit, 50)))
    return await _seekers(list(found))


async def get_seeker(ref_id: str) -> Reference | None:
    """The person ``ref_id`` if their published profile says they are looking for a team."""
    if not ref_id.isdigit():
        return None
    profile = await published().get_or_none(person_id=int(ref_id), looking_for_team=True)
    return (await _seekers([profile]))[0] if profile else None


REFERENCE_KINDS = [ReferenceKind(SEEKER, N_("Person looking for a team"), search_seekers, get_seeker,
                                 browse="/people/?looking=1")]


async def participants(period: Period) -> list[str]:
    """The network at the end of ``period``: people whose profile is published and was first
    published before the period ended (counted once across modules by the indicators)."""
    _start, end = period.bounds(current_zone.get())
    ids = await published().filter(published_at__lt=end).values_list("person_id", flat=True)
    return [auth.participant_id(person_id) for person_id in ids]


async def personal_data(person_id: int) -> dict[str, Any]:
    """A person's profile, public or not, for their data export."""
    profile = await Profile.get_or_none(person_id=person_id).prefetch_related("skills", "interests")
    if profile is None:
        return {"profile": None}
    return {"profile": {
        "name": profile.name, "bio": profile.bio, "region": profile.region,
        "skills": [topic.key for topic in profile.skills], "interests": [topic.key for topic in profile.interests],
        "tags": profile.tag_list, "links": profile.links, "looking_for_team": profile.looking_for_team,
        "show_organisations": profile.show_organisations, "published": profile.published,
        "published_at": profile.published_at.isoformat() if profile.published_at else None,
        "created_at": profile.created_at.isoformat(), "updated_at": profile.updated_at.isoformat(),
    }}


async def erase(person_id: int) -> None:
    """Deleting an account deletes its profile, with its choices of skills and interests."""
    await Profile.filter(person_id=person_id).delete()


async def organisations_of(app: Starlette, profile: Profile) -> list[Reference]:
    """The organisations whose membership of this person is confirmed, when the person chose to
    show them: an empty list while the mapping plugin is off.

    The confirmed memberships come from ``labkit_mapping.membership.confirmed_organisations``
    (asked only when the ``organisation`` reference kind is offered, i.e. mapping is on); each is
    shown through that reference kind, so an organisation that is not public never appears.
    """
    if not profile.show_organisations or "organisation" not in references.kinds(app):
        return []
    from labkit_mapping.membership import confirmed_organisations

    found = [await references.resolve(app, "organisation", tie.organisation_id)
             for tie in await confirmed_organisations(profile.person_id)]
    return [ref for ref in found if ref is not None]
