"""A team lead invites someone from the people looking for a team: only a published profile with
the flag, at most once a day per person and 20 an hour per lead; the mail carries the team's
signed link, which joins the team."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

import pytest

from labkit import references
from labkit.models import Image
from labkit.testing import RunningLab

from labkit_people.models import Topic
from tests.challenges.conftest import make_challenge, make_team
from tests.people.conftest import write_profile
from tests.people.test_photos import upload


@pytest.fixture
async def both(make_lab: Callable[..., Awaitable[RunningLab]]) -> RunningLab:
    lab = await make_lab(plugins=["people", "challenges"])
    await Topic.create(key="gis", names={"en": "GIS"})
    await Topic.create(key="open-data", names={"en": "Open data"})
    return lab


async def test_a_lead_invites_a_person_looking_for_a_team_and_the_mailed_link_joins(
        both: RunningLab, caplog: pytest.LogCaptureFixture) -> None:
    challenge = await make_challenge("open")
    lead = await both.login_as("member")
    await make_team(challenge, lead.person, name="Equipe Mapa")
    seeker = await both.login_as("member")
    await write_profile(seeker, name="Rita Procura", looking_for_team="1")
    quiet = await both.login_as("member")
    await write_profile(quiet, name="Tom Sossegado")

    team_page = (await lead.get(f"/challenges/{challenge.id}/team")).text
    assert "Rita Procura (zona-leste)" in team_page and "Tom Sossegado" not in team_page
    assert 'href="/people/?looking=1"' in team_page

    with caplog.at_level(logging.INFO, logger="labkit.mail"):
        sent = await lead.submit(f"/challenges/{challenge.id}/team/invitations", {"person": seeker.person.id})
        assert sent.status_code == 303
        await both.deliver_mail()
    link = re.search(r"/challenges/join/\S+", caplog.text).group(0)
    notifications = (await seeker.get("/account/notifications")).text
    assert "invites you to join the team Equipe Mapa" in notifications
    joined = await seeker.submit(link, {"accept_conduct": "1"})
    assert joined.status_code == 303 and joined.headers["location"] == f"/challenges/{challenge.id}/team"
    assert "Rita Procura" in (await lead.get(f"/challenges/{challenge.id}/team")).text


async def test_only_published_seekers_can_be_invited_and_invitations_are_limited(both: RunningLab) -> None:
    challenge = await make_challenge("open")
    lead = await both.login_as("member")
    await make_team(challenge, lead.person)
    csrf = {"X-CSRF-Token": await lead.csrf_token()}
    url = f"/api/v1/challenges/{challenge.id}/team/invitations"

    quiet = await both.login_as("member")
    await write_profile(quiet, name="Tom Sossegado")
    hidden = await both.login_as("member")
    await write_profile(hidden, publish=False, looking_for_team="1")
    for person in (quiet.person, hidden.person):
        refused = await lead.post(url, json={"person": person.id}, headers=csrf)
        assert refused.status_code == 404, refused.text

    seeker = await both.login_as("member")
    await write_profile(seeker, name="Rita Procura", looking_for_team="1")
    first = await lead.post(url, json={"person": seeker.person.id}, headers=csrf)
    assert first.status_code == 201 and first.json() == {"person": seeker.person.id, "name": "Rita Procura (zona-leste)"}
    again = await lead.post(url, json={"person": seeker.person.id}, headers=csrf)
    assert again.status_code == 429 and again.json()["type"].endswith("too-many")

    assert (await seeker.submit("/people/me/unpublish")).status_code == 303
    other_lead = await both.login_as("member")
    await make_team(challenge, other_lead.person, name="Equipe Verde")
    gone = await other_lead.post(url, json={"person": seeker.person.id},
                                 headers={"X-CSRF-Token": await other_lead.csrf_token()})
    assert gone.status_code == 404, "a hidden profile cannot be invited any more"


async def test_a_member_who_is_not_lead_cannot_invite(both: RunningLab) -> None:
    challenge = await make_challenge("open")
    lead, mate = await both.login_as("member"), await both.login_as("member")
    await make_team(challenge, lead.person, mate.person)
    seeker = await both.login_as("member")
    await write_profile(seeker, looking_for_team="1")
    response = await mate.post(f"/api/v1/challenges/{challenge.id}/team/invitations", json={"person": seeker.person.id},
                               headers={"X-CSRF-Token": await mate.csrf_token()})
    assert response.status_code == 403
    assert "People looking for a team" not in (await mate.get(f"/challenges/{challenge.id}/team")).text


async def test_the_people_looking_for_a_team_show_their_photo_or_their_initials(both: RunningLab) -> None:
    challenge = await make_challenge("open")
    lead = await both.login_as("member")
    await make_team(challenge, lead.person, name="Equipe Mapa")
    rita = await both.login_as("member")
    assert (await upload(rita, alt="Rita holding a bus map", looking_for_team="1")).status_code == 303
    await write_profile(rita, name="Rita Procura", looking_for_team="1")
    await write_profile(await both.login_as("member"), name="Tom Busca", region="", looking_for_team="1")
    photo = await Image.get(owner_kind="labkit.person", owner_id=rita.person.id, role="photo")

    team_page = (await lead.get(f"/challenges/{challenge.id}/team")).text
    looking = team_page[team_page.index('id="looking"'):]
    assert f'<img class="thumbnail" src="{photo.url(160)}" alt="Rita holding a bus map"' in looking
    assert '<span class="thumbnail thumbnail-initials" aria-hidden="true">TB</span>' in looking
    assert (await lead.get(photo.url(160))).headers["content-type"] == "image/webp"
    searched = (await lead.get(f"/challenges/{challenge.id}/team?looking=tom")).text
    assert "Tom Busca" in searched and "Rita Procura" not in searched
    assert f'<a href="/challenges/{challenge.id}/team#looking">Clear filters</a>' in searched
    found = await references.resolve(both.app, "team-seeker", rita.person.id)
    assert (found.image_url, found.image_alt) == (photo.url(160), "Rita holding a bus map")
    assert (await both.client().get("/api/v1/references/team-seeker")).json()["items"][0].keys() == {
        "kind", "id", "label", "url"}, "the public picker API is unchanged"


async def test_without_the_people_plugin_the_team_page_has_no_list_and_works(
        make_lab: Callable[..., Awaitable[RunningLab]]) -> None:
    lab = await make_lab(plugins=["challenges"])
    challenge = await make_challenge("open")
    lead = await lab.login_as("member")
    await make_team(challenge, lead.person, name="Equipe Só")
    team_page = await lead.get(f"/challenges/{challenge.id}/team")
    assert team_page.status_code == 200 and "Team Equipe Só" in team_page.text
    assert 'id="looking"' not in team_page.text and "thumbnail" not in team_page.text
