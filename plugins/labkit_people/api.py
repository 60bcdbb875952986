"""The network's JSON API and its Popolo export: only published profiles, only what each person
chose to show (their confirmed organisations only when they said so)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from labkit.exports import json_response
from labkit.i18n import gettext
from labkit.web import Problem, page_params, paginate

from labkit_people import network
from labkit_people.models import Profile
from labkit_people.pages import all_topics, profile_view, published_profile, topic_view
from labkit_people.rules import Filters, published

FILTERS = {"q": "words to look for in names, bios, tags and skills", "skill": "a skill's key",
           "interest": "an interest's key", "tag": "a free tag", "region": "a region code (zona-leste)",
           "looking": "1: only people looking for a team"}


class TopicOut(BaseModel):
    key: str
    name: str


class TopicList(BaseModel):
    items: list[TopicOut]


class OrganisationOut(BaseModel):
    id: str
    name: str
    url: str | None


class ProfileOut(BaseModel):
    id: int
    name: str
    bio: str
    region: str
    skills: list[TopicOut]
    interests: list[TopicOut]
    tags: list[str]
    links: list[str]
    looking_for_team: bool
    url: str
    organisations: list[OrganisationOut]


class ProfileList(BaseModel):
    items: list[ProfileOut]
    page: int
    per_page: int
    total: int
    pages: int


async def _out(request: Request, profile: Profile) -> dict[str, Any]:
    organisations = await network.organisations_of(request.app, profile)
    return {**profile_view(profile), "organisations": [{"id": ref.id, "name": ref.label, "url": ref.url}
                                                        for ref in organisations]}


async def list_profiles(request: Request) -> JSONResponse:
    """Published profiles matching the filters, a page at a time."""
    number, size = page_params(request)
    query = Filters.from_query(request.query_params).apply(published()).prefetch_related("skills", "interests")
    page = await paginate(query, number, size)
    items = [await _out(request, profile) for profile in page.items]
    return JSONResponse(ProfileList(items=items, **page.as_json()).model_dump())


async def get_profile(request: Request) -> JSONResponse:
    """One published profile (404 while it is hidden)."""
    profile = await published_profile(request.path_params["profile_id"])
    return JSONResponse(ProfileOut(**await _out(request, profile)).model_dump())


async def list_topics(request: Request) -> JSONResponse:
    """The lab's list of skills and interests, named in the request's language."""
    return JSONResponse(TopicList(items=[topic_view(topic) for topic in await all_topics()]).model_dump())


def _popolo_person(profile: Profile, base_url: str) -> dict[str, Any]:
    links = [{"url": f"{base_url}/people/{profile.id}", "note": "profile"}] + [{"url": url} for url in profile.links]
    item: dict[str, Any] = {
        "id": f"person-{profile.id}", "name": profile.name, "summary": profile.bio,
        "identifiers": [{"scheme": "labkit-people", "identifier": str(profile.id)}],
        "links": links, "area": {"id": profile.region, "name": profile.region} if profile.region else None,
        "labkit:skills": [topic.key for topic in profile.skills],
        "labkit:interests": [topic.key for topic in profile.interests],
        "labkit:tags": profile.tag_list, "labkit:looking_for_team": profile.looking_for_team,
    }
    return {key: value for key, value in item.items() if value not in (None, "")}


async def popolo(request: Request) -> Response:
    """Every published profile as a Popolo ``persons`` list, with ``memberships`` of the
    organisations each person chose to show and the organisation confirmed."""
    base_url = request.app.state.settings.lab.base_url.rstrip("/")
    profiles = await published().prefetch_related("skills", "interests")
    memberships = []
    for profile in profiles:
        for ref in await network.organisations_of(request.app, profile):
            memberships.append({
                "id": f"membership-{profile.id}-{ref.id}", "person_id": f"person-{profile.id}",
                "organization": {"name": ref.label,
                                 "identifiers": [{"scheme": "labkit-mapping", "identifier": ref.id}]},
            })
    return json_response("people.popolo.json", {
        "persons": [_popolo_person(profile, base_url) for profile in profiles], "memberships": memberships})


async def my_profile(request: Request) -> JSONResponse:
    """The caller's own profile, public or not (404 before they write one)."""
    profile = await Profile.get_or_none(person_id=request.state.person.id)
    if profile is None:
        raise Problem(404, gettext("You have no profile yet."), kind="not-found")
    return JSONResponse(await mine_out(profile))


async def mine_out(profile: Profile) -> dict[str, Any]:
    """One's own profile as the API shows it to its owner: the public fields and the private choices."""
    await profile.fetch_related("skills", "interests")
    return {**profile_view(profile), "published": profile.published, "show_organisations": profile.show_organisations}
