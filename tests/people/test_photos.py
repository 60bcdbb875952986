"""A profile's photo: added with its description on the profile form, shown on the directory's card,
the profile page, the JSON API and the Popolo export only while the profile is published, and
deleted with the account."""

from __future__ import annotations

from labkit import images
from labkit.models import Image
from labkit.storage import storage_of
from labkit.testing import PASSWORD, LabClient, RunningLab

from labkit_people.models import Profile
from tests.coworking.test_photos import jpeg
from tests.people.conftest import PROFILE, write_profile

ALT = "Ana smiling in front of a bus map"


async def upload(client: LabClient, alt: str = ALT, **changes: str):
    """Send the profile form with a photo, as the browser does (multipart)."""
    return await client.post("/people/me", files={"photo": ("ana.jpg", jpeg(), "image/jpeg")},
                             data={"csrf_token": await client.csrf_token(), **PROFILE, "photo_alt": alt, **changes})


async def test_a_published_profile_shows_its_photo_with_its_description(people_lab: RunningLab) -> None:
    member = await people_lab.login_as("member")
    assert (await upload(member)).status_code == 303
    profile = await write_profile(member)  # saved again without a file: the photo stays
    photo = await Image.get(owner_kind="labkit.person", owner_id=member.person.id, role="photo")
    assert photo.widths == [160, 480, 1200] and photo.alt == ALT

    visitor = people_lab.client()
    for path in ("/people/", f"/people/{profile.id}", "/people/?skill=gis"):
        page = (await visitor.get(path)).text
        assert f'alt="{ALT}"' in page and photo.url(160) in page, path
    base = people_lab.settings.lab.base_url.rstrip("/")
    listed = (await visitor.get("/api/v1/people/")).json()["items"][0]["photo"]
    assert listed == images.as_json(photo, base) and listed["url"] == base + photo.src
    assert (await visitor.get(f"/api/v1/people/{profile.id}")).json()["photo"]["alt"] == ALT
    person = (await visitor.get("/api/v1/people/popolo.json")).json()["persons"][0]
    assert person["image"] == base + photo.src
    assert (await visitor.get(photo.src)).headers["content-type"] == "image/webp"
    form = (await member.get("/people/me")).text
    assert 'name="photo_remove"' in form and f'value="{ALT}"' in form
    changed = await member.put("/api/v1/people/me", json={"name": "Ana Souza", "photo_alt": "Ana at the lab"},
                               headers={"X-CSRF-Token": await member.csrf_token()})
    assert changed.status_code == 200 and changed.json()["photo"]["alt"] == "Ana at the lab"
    assert changed.json()["photo"]["url"] == base + photo.src, "a new description keeps the same files"


async def test_a_photo_without_a_description_is_refused_and_nothing_is_saved(people_lab: RunningLab) -> None:
    member = await people_lab.login_as("member")
    refused = await upload(member, alt="  ", name="Ana Sem Descrição")
    assert refused.status_code == 422
    assert "Describe the image for people who cannot see it." in refused.text
    assert 'id="error-photo_alt"' in refused.text and 'value="Ana Sem Descrição"' in refused.text
    assert not await Profile.exists() and not await Image.exists()

    await write_profile(member, name="Ana Antes")
    assert (await upload(member, alt="", name="Ana Depois")).status_code == 422
    assert (await Profile.get(person_id=member.person.id)).name == "Ana Antes" and not await Image.exists()
    api = await member.put("/api/v1/people/me", json={"name": "Ana", "photo": "aGVsbG8=", "photo_alt": "x"},
                           headers={"X-CSRF-Token": await member.csrf_token()})
    assert api.status_code == 422 and api.headers["content-type"].startswith("application/problem+json")


async def test_a_hidden_profile_never_lists_its_photo(people_lab: RunningLab) -> None:
    member = await people_lab.login_as("member")
    await upload(member)
    profile = await write_profile(member)
    photo = await images.one(member.person, "photo")
    assert (await member.submit("/people/me/unpublish")).status_code == 303

    visitor = people_lab.client()
    for path in ("/people/", "/api/v1/people/", "/api/v1/people/popolo.json", f"/people/{profile.id}",
                 f"/api/v1/people/{profile.id}"):
        response = await visitor.get(path)
        assert photo.key.removeprefix("images/") not in response.text and ALT not in response.text, path
    mine = (await member.get("/api/v1/people/me")).json()
    assert mine["published"] is False and mine["photo"]["alt"] == ALT, "its owner still sees it"


async def test_the_photo_is_removed_on_the_form_and_with_the_account(people_lab: RunningLab) -> None:
    storage = storage_of(people_lab.app)
    member = await people_lab.login_as("member")
    await upload(member)
    first = await images.one(member.person, "photo")
    assert (await member.submit("/people/me", {**PROFILE, "photo_remove": "1"})).status_code == 303
    assert not await Image.exists() and not await storage.exists(images.files_of(first)[0])
    await upload(member)
    removed = await member.put("/api/v1/people/me", json={"name": "Ana", "photo_remove": True},
                               headers={"X-CSRF-Token": await member.csrf_token()})
    assert removed.status_code == 200 and removed.json()["photo"] is None and not await Image.exists()

    await upload(member)
    photo = await images.one(member.person, "photo")
    files = images.files_of(photo)
    assert all([await storage.exists(key) for key in files])
    assert (await member.submit("/account/delete", {"password": PASSWORD})).status_code == 303
    assert not await Image.exists() and not await Profile.exists()
    assert not any([await storage.exists(key) for key in files])
    assert (await people_lab.client().get(photo.src)).status_code == 404


async def test_a_hostile_description_is_escaped(people_lab: RunningLab) -> None:
    member = await people_lab.login_as("member")
    assert (await upload(member, alt='"><script>alert(1)</script>')).status_code == 303
    profile = await write_profile(member)
    for path in ("/people/", f"/people/{profile.id}"):
        page = (await people_lab.client().get(path)).text
        assert "<script>alert(1)" not in page and 'alt="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page, path
    listed = (await people_lab.client().get("/api/v1/people/")).json()
    assert listed["items"][0]["photo"]["alt"] == '"><script>alert(1)</script>'
