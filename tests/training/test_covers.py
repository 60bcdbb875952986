"""A course's cover: staff add it with its description on the course form; it shows in the list
of courses, on the course's page and in the JSON API; a refused picture saves no course; members
cannot set one; a draft's cover stays with staff."""

from __future__ import annotations

from labkit import images
from labkit.models import Image
from labkit.testing import LabClient

from .conftest import api_client
from labkit_training.models import Course
from tests.coworking.test_photos import jpeg

COURSE = {"title": "Formação imersiva de 5 dias", "capacity": "12", "required_hours": "32", "published": "true",
          "enrolment_open": "true"}
ALT = "People around a table with sticky notes on the wall"


async def send(client: LabClient, path: str, data: bytes, **values: str):
    """The course form sent with a cover, as the browser does (multipart)."""
    return await client.post(path, files={"cover": ("capa.jpg", data, "image/jpeg")},
                             data={"csrf_token": await client.csrf_token(), **COURSE, **values})


async def test_staff_add_a_cover_seen_in_the_list_the_page_and_the_api(tlab) -> None:
    staff = await tlab.login_as("staff")
    made = await send(staff, "/training/staff/courses/new", jpeg(), cover_alt=ALT)
    assert made.status_code == 303, made.text
    course = await Course.get(title=COURSE["title"])
    cover = await Image.get(owner_kind="training.course", owner_id=course.id, role="cover")
    assert cover.widths == [160, 480, 1200] and cover.alt == ALT

    visitor = tlab.client()
    for path in ("/training/", f"/training/courses/{course.id}"):
        page = (await visitor.get(path)).text
        assert f'alt="{ALT}"' in page and cover.url(160) in page, path
    base = tlab.settings.lab.base_url.rstrip("/")
    listed = (await visitor.get("/api/v1/training/courses")).json()["items"][0]
    assert listed["cover"] == images.as_json(cover, base)
    form = (await staff.get(f"/training/staff/courses/{course.id}")).text
    assert 'name="cover_remove"' in form and f'value="{ALT}"' in form

    token_staff = await api_client(tlab, "staff")
    changed = await token_staff.put(f"/api/v1/training/courses/{course.id}",
                                    json={**COURSE, "capacity": 12, "published": True, "cover_alt": "A workshop"})
    assert changed.status_code == 200 and changed.json()["cover"]["alt"] == "A workshop"
    removed = await staff.submit(f"/training/staff/courses/{course.id}", {**COURSE, "cover_remove": "true"})
    assert removed.status_code == 303 and not await Image.exists()
    assert (await visitor.get("/api/v1/training/courses")).json()["items"][0]["cover"] is None


async def test_a_refused_cover_saves_no_course_and_members_cannot_set_one(tlab) -> None:
    staff = await tlab.login_as("staff")
    no_alt = await send(staff, "/training/staff/courses/new", jpeg(), cover_alt=" ")
    assert no_alt.status_code == 422 and "Describe the image for people who cannot see it." in no_alt.text
    assert 'id="error-cover_alt"' in no_alt.text and f'value="{COURSE["title"]}"' in no_alt.text
    not_image = await send(staff, "/training/staff/courses/new", b"GIF89a<svg/>", cover_alt=ALT)
    assert not_image.status_code == 422 and "This file is not an image labkit accepts" in not_image.text
    assert not await Course.exists() and not await Image.exists()

    member = await tlab.login_as("member")
    assert (await send(member, "/training/staff/courses/new", jpeg(), cover_alt=ALT)).status_code == 403
    api = await (await api_client(tlab, "staff")).post("/api/v1/training/courses", json={
        **COURSE, "capacity": 12, "cover": "aGVsbG8=", "cover_alt": ALT})
    assert api.status_code == 422 and api.headers["content-type"].startswith("application/problem+json")
    assert not await Course.exists() and not await Image.exists()


async def test_a_drafts_cover_is_shown_to_staff_only(tlab) -> None:
    staff = await tlab.login_as("staff")
    assert (await send(staff, "/training/staff/courses/new", jpeg(), cover_alt=ALT, published="")).status_code == 303
    course = await Course.get(title=COURSE["title"])
    assert not course.published
    visitor = tlab.client()
    assert ALT not in (await visitor.get("/training/")).text
    assert (await visitor.get(f"/training/courses/{course.id}")).status_code == 404
    assert (await visitor.get("/api/v1/training/courses")).json()["items"] == []
    assert f'alt="{ALT}"' in (await staff.get("/training/")).text


async def test_the_demo_courses_have_covers(tlab) -> None:
    from labkit_training import demo

    await demo.load(tlab.settings)
    covers = await images.of(Course, await Course.all().values_list("id", flat=True), "cover")
    assert len(covers) == 2 and all(cover.alt.startswith("Capa com as iniciais de") for cover in covers.values())
    listed = (await tlab.client().get("/api/v1/training/courses")).json()["items"]
    assert all(item["cover"]["sizes"][0]["width"] == 160 for item in listed)
