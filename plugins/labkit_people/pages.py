"""The network's pages: the directory, a public profile, one's own profile, the staff's list.
Read-only: every write is an action (``actions.py``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from labkit.config import LANGUAGES
from labkit.i18n import current_locale, gettext
from labkit.web import Problem, paginate, render

from labkit_people import network
from labkit_people.forms import name_field
from labkit_people.models import Profile, Topic
from labkit_people.rules import Filters, published, regions_in_use

PER_PAGE = 24


def topic_view(topic: Topic) -> dict[str, str]:
    """A topic as pages and the API show it: its key and its name in the current language."""
    return {"key": topic.key, "name": topic.name_in(current_locale.get())}


def profile_view(profile: Profile) -> dict[str, Any]:
    """What anybody may see of a published profile (its skills and interests prefetched)."""
    return {
        "id": profile.id, "name": profile.name, "bio": profile.bio, "region": profile.region,
        "skills": [topic_view(topic) for topic in profile.skills],
        "interests": [topic_view(topic) for topic in profile.interests],
        "tags": profile.tag_list, "links": list(profile.links), "looking_for_team": profile.looking_for_team,
        "url": f"/people/{profile.id}",
    }


async def all_topics() -> list[Topic]:
    """The lab's list of skills and interests."""
    return await Topic.all()


async def directory(request: Request) -> Response:
    """The directory of published profiles, filtered (``q``, ``skill``, ``interest``, ``tag``,
    ``region``, ``looking``) and a page at a time."""
    filters = Filters.from_query(request.query_params)
    try:
        number = max(int(request.query_params.get("page", "1")), 1)
    except ValueError:
        number = 1
    query = filters.apply(published()).prefetch_related("skills", "interests")
    page = await paginate(query, number, PER_PAGE)
    return render(request, "people/directory.html", {
        "profiles": [profile_view(profile) for profile in page.items], "page": page, "filters": filters,
        "topics": [topic_view(topic) for topic in await all_topics()], "regions": await regions_in_use(),
    })


async def published_profile(profile_id: int) -> Profile:
    """The published profile ``profile_id`` with its topics (404 otherwise: a hidden profile does
    not exist for anybody else)."""
    profile = await published().get_or_none(id=profile_id).prefetch_related("skills", "interests")
    if profile is None:
        raise Problem(404, gettext("This page does not exist."), kind="not-found")
    return profile


async def profile_page(request: Request) -> Response:
    """A person's public profile."""
    profile = await published_profile(request.path_params["profile_id"])
    return render(request, "people/profile.html", {
        "profile": profile_view(profile),
        "organisations": await network.organisations_of(request.app, profile),
    })


async def my_profile(request: Request) -> dict[str, Any]:
    """The signed-in person's profile form: the lab's list and whether the profile is public."""
    profile = await Profile.get_or_none(person_id=request.state.person.id)
    return {"profile": profile, "topics": [topic_view(topic) for topic in await all_topics()]}


async def my_values(request: Request) -> dict[str, Any]:
    """The profile's fields as the form shows them (the account's name for a new profile)."""
    person = request.state.person
    profile = await Profile.get_or_none(person_id=person.id).prefetch_related("skills", "interests")
    if profile is None:
        return {"name": person.name}
    return {"name": profile.name, "bio": profile.bio, "region": profile.region,
            "skills": [topic.key for topic in profile.skills], "interests": [topic.key for topic in profile.interests],
            "tags": ", ".join(profile.tag_list), "links": "\n".join(profile.links),
            "looking_for_team": profile.looking_for_team, "show_organisations": profile.show_organisations}


def _languages(request: Request) -> list[tuple[str, str, str]]:
    """The lab's languages as ``(field, tag, name)``, for the topic forms."""
    return [(name_field(tag), tag, LANGUAGES[tag]) for tag in request.app.state.settings.lab.languages]


async def topics_context(request: Request) -> dict[str, Any]:
    """The staff's page of the lab's list of skills and interests."""
    return {"topics": await all_topics(), "name_fields": _languages(request)}


async def topic_context(request: Request) -> dict[str, Any]:
    """The form that renames one topic."""
    topic = await Topic.get_or_none(id=request.path_params["topic_id"])
    if topic is None:
        raise Problem(404, gettext("This page does not exist."), kind="not-found")
    return {"topic": topic, "name_fields": _languages(request)}


async def topic_values(request: Request) -> dict[str, Any]:
    """One topic's fields as the form shows them."""
    topic = await Topic.get_or_none(id=request.path_params["topic_id"])
    names = topic.names if topic else {}
    return {"key": topic.key if topic else "", **{name_field(tag): name for tag, name in names.items()}}
