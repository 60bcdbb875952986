"""Images through the JSON API: an action that takes a picture on its page form takes it on its
API route too, as a ``multipart/form-data`` body with the same field names, the same checks and
the same permission; JSON keeps working; a browser cannot forge such a post with the session
cookie alone. Two plugins' actions: a person's photo (people) and a course's cover (training)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from openapi_spec_validator import validate

from labkit import imaging
from labkit.auth import create_token
from labkit.models import Image
from labkit.testing import LabClient, RunningLab

from labkit_people.models import Profile
from labkit_training.models import Course
from tests.core.test_images import png
from tests.coworking.test_photos import jpeg

COURSE = {"title": "Oficina de cartografia", "capacity": "12", "required_hours": "8", "published": "true"}
PROFILE = {"name": "Ana Souza", "bio": "Mapeio linhas de ônibus.", "links": ["https://example.org/ana"]}
ALT = "Hands drawing a map on a large sheet"


@pytest.fixture
async def lab(make_lab: Callable[..., Awaitable[RunningLab]]) -> RunningLab:
    """A lab with the people and training plugins."""
    return await make_lab(plugins=["people", "training"])


async def token_client(lab: RunningLab, role: str) -> LabClient:
    """A client with an API token of a new person with ``role``."""
    return lab.client(token=await create_token(await lab.person(role), "tests"))


def problem_fields(response) -> set[str]:
    """The fields a problem document names."""
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return {error["field"] for error in response.json().get("errors", [])}


async def test_a_course_cover_sent_through_the_api_is_cleaned_stored_served_and_removable(lab: RunningLab) -> None:
    staff = await token_client(lab, "staff")
    made = await staff.post("/api/v1/training/courses", data={**COURSE, "cover_alt": ALT},
                            files={"cover": ("capa.jpg", jpeg(), "image/jpeg")})
    assert made.status_code == 201, made.text
    cover = made.json()["cover"]
    assert cover["alt"] == ALT and [size["width"] for size in cover["sizes"]] == [160, 480, 1200]
    course = await Course.get(title=COURSE["title"])
    assert course.capacity == 12 and course.published
    served = await lab.client().get(cover["sizes"][0]["url"].removeprefix(lab.settings.lab.base_url.rstrip("/")))
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    assert cover["url"].startswith(lab.settings.lab.base_url.rstrip("/") + "/media/")

    replaced = await staff.put(f"/api/v1/training/courses/{course.id}", data={**COURSE, "cover_alt": "A PNG now"},
                               files={"cover": ("capa.png", png(), "image/png")})
    assert replaced.status_code == 200 and replaced.json()["cover"]["alt"] == "A PNG now"
    assert replaced.json()["cover"]["url"] != cover["url"]
    assert (await lab.client().get(cover["url"].removeprefix(lab.settings.lab.base_url.rstrip("/")))).status_code == 404
    listed = (await lab.client().get("/api/v1/training/courses")).json()["items"][0]
    assert listed["cover"] == replaced.json()["cover"]

    as_json = await staff.put(f"/api/v1/training/courses/{course.id}",
                              json={**COURSE, "capacity": 12, "published": True, "cover_remove": True})
    assert as_json.status_code == 200 and as_json.json()["cover"] is None and not await Image.exists()


async def test_a_person_sets_their_photo_through_the_api_and_removes_it_with_a_form_field(lab: RunningLab) -> None:
    member = await token_client(lab, "member")
    saved = await member.put("/api/v1/people/me", data={**PROFILE, "photo_alt": ALT},
                             files={"photo": ("me.png", png((400, 400)), "image/png")})
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["name"] == PROFILE["name"] and body["links"] == PROFILE["links"] and body["photo"]["alt"] == ALT
    assert (await Image.get(owner_kind="labkit.person", role="photo")).widths == [160, 400]
    removed = await member.put("/api/v1/people/me", data={**PROFILE, "photo_remove": "true"})
    assert removed.status_code == 200 and removed.json()["photo"] is None and not await Image.exists()
    assert await Profile.exists()


async def test_a_file_that_is_not_a_picture_or_too_large_or_without_alt_is_a_problem_naming_its_field(
        lab: RunningLab) -> None:
    staff = await token_client(lab, "staff")
    not_image = await staff.post("/api/v1/training/courses", data={**COURSE, "cover_alt": ALT},
                                 files={"cover": ("capa.jpg", b"<svg onload=alert(1)/>", "image/jpeg")})
    assert not_image.status_code == 422 and problem_fields(not_image) == {"cover"}
    too_large = await staff.post("/api/v1/training/courses", data={**COURSE, "cover_alt": ALT},
                                 files={"cover": ("capa.png", png() + bytes(imaging.MAX_BYTES), "image/png")})
    assert too_large.status_code == 413 and problem_fields(too_large) == {"cover"}
    member = await token_client(lab, "member")
    no_alt = await member.put("/api/v1/people/me", data=PROFILE, files={"photo": ("me.jpg", jpeg(), "image/jpeg")})
    assert no_alt.status_code == 422 and problem_fields(no_alt) == {"photo_alt"}
    bad_field = await staff.post("/api/v1/training/courses", data={**COURSE, "capacity": "many"})
    assert bad_field.status_code == 422 and problem_fields(bad_field) == {"capacity"}
    assert not await Course.exists() and not await Image.exists() and not await Profile.exists()


async def test_a_body_over_the_image_limit_and_a_large_json_body_are_refused_with_413(lab: RunningLab) -> None:
    staff = await token_client(lab, "staff")
    huge = await staff.post("/api/v1/training/courses", data={**COURSE, "cover_alt": ALT},
                            files={"cover": ("capa.png", bytes(imaging.MAX_BYTES + 300_000), "image/png")})
    assert huge.status_code == 413 and huge.json()["type"].endswith("too-large")
    padded = {**COURSE, "capacity": 12, "description": "x" * (lab.settings.security.max_body_bytes + 10)}
    large_json = await staff.post("/api/v1/training/courses", json=padded)
    assert large_json.status_code == 413 and large_json.json()["type"].endswith("too-large")
    assert not await Course.exists()


async def test_the_action_permission_holds_for_a_multipart_body(lab: RunningLab) -> None:
    member = await token_client(lab, "member")
    refused = await member.post("/api/v1/training/courses", data={**COURSE, "cover_alt": ALT},
                                files={"cover": ("capa.jpg", jpeg(), "image/jpeg")})
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
    signed_out = await lab.client().post("/api/v1/training/courses", data={**COURSE, "cover_alt": ALT},
                                         files={"cover": ("capa.jpg", jpeg(), "image/jpeg")})
    assert signed_out.status_code == 401
    assert not await Course.exists() and not await Image.exists()


async def test_a_cross_site_multipart_post_with_only_the_session_cookie_is_refused(lab: RunningLab) -> None:
    staff = await lab.login_as("staff")
    forged = await staff.post("/api/v1/training/courses", data={**COURSE, "cover_alt": ALT},
                              files={"cover": ("capa.jpg", jpeg(), "image/jpeg")},
                              headers={"Origin": "https://evil.example", "Referer": "https://evil.example/"})
    assert forged.status_code == 403 and "did not come from this site" in forged.json()["detail"]
    assert not await Course.exists() and not await Image.exists()

    token = await staff.csrf_token()
    with_field = await staff.post("/api/v1/training/courses", data={**COURSE, "cover_alt": ALT, "csrf_token": token},
                                  files={"cover": ("capa.jpg", jpeg(), "image/jpeg")})
    assert with_field.status_code == 201, with_field.text
    with_header = await staff.put(f"/api/v1/training/courses/{with_field.json()['id']}", headers={"X-CSRF-Token": token},
                                  data={**COURSE, "title": "Outro título", "cover_alt": ALT},
                                  files={"cover": ("capa.png", png(), "image/png")})
    assert with_header.status_code == 200 and with_header.json()["title"] == "Outro título"


async def test_a_malformed_multipart_body_is_a_problem(lab: RunningLab) -> None:
    staff = await token_client(lab, "staff")
    broken = await staff.post("/api/v1/training/courses", content=b"--x\r\nnot a part",
                              headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert broken.status_code == 400 and broken.headers["content-type"].startswith("application/problem+json")


async def test_the_openapi_document_describes_the_multipart_body_of_the_image_actions(lab: RunningLab) -> None:
    document = (await lab.client().get("/api/v1/openapi.json")).json()
    validate(document)
    for path, method, image in (("/api/v1/training/courses", "post", "cover"),
                                ("/api/v1/training/courses/{course_id}", "put", "cover"),
                                ("/api/v1/people/me", "put", "photo")):
        content = document["paths"][path][method]["requestBody"]["content"]
        json_schema, form_schema = content["application/json"]["schema"], content["multipart/form-data"]["schema"]
        assert form_schema["allOf"][0] == json_schema
        assert form_schema["allOf"][1]["properties"][image]["format"] == "binary"
        ref = json_schema["$ref"].rsplit("/", 1)[1]
        assert image not in document["components"]["schemas"][ref]["properties"]
        assert f"{image}_alt" in document["components"]["schemas"][ref]["properties"]
    sessions = document["paths"]["/api/v1/training/courses/{course_id}/sessions"]["post"]["requestBody"]["content"]
    assert list(sessions) == ["application/json"]


async def test_the_openapi_document_describes_the_image_bodies_of_spaces_challenges_and_organisations(
        make_lab: Callable[..., Awaitable[RunningLab]]) -> None:
    lab = await make_lab(plugins=["coworking", "challenges", "mapping"])
    document = (await lab.client().get("/api/v1/openapi.json")).json()
    validate(document)
    for path, method, image in (("/api/v1/coworking/spaces", "post", "photo"),
                                ("/api/v1/coworking/spaces/{space_id}", "put", "photo"),
                                ("/api/v1/challenges/", "post", "cover"),
                                ("/api/v1/challenges/{cid}", "put", "cover"),
                                ("/api/v1/mapping/organisations/{org_id}", "patch", "logo")):
        content = document["paths"][path][method]["requestBody"]["content"]
        assert content["multipart/form-data"]["schema"]["allOf"][1]["properties"][image]["format"] == "binary", path
        ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert {f"{image}_alt", f"{image}_remove"} <= set(document["components"]["schemas"][ref]["properties"]), path
