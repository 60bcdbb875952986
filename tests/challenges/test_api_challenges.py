"""A challenge through the JSON API: the staff create and change it, with its cover, by the same
actions as the challenge's form (``challenges.create``, ``challenges.update``); the answer and the
next read show the cover; a member is refused with a 403 problem and bad input is a 422 problem
naming the field."""

from __future__ import annotations

from labkit.models import Image
from labkit.testing import RunningLab

from tests.challenges.conftest import make_challenge
from tests.challenges.test_covers import FORM, webp
from tests.core.test_images import png
from tests.core.test_images_api import problem_fields, token_client

ALT = "Children crossing a street on a zebra crossing"


async def test_staff_create_a_challenge_with_its_cover_then_change_it_through_the_api(clab: RunningLab) -> None:
    from labkit_challenges.models import Challenge

    staff = await token_client(clab, "staff")
    made = await staff.post("/api/v1/challenges/", data={**FORM, "licences": ["MIT", "CC-BY-4.0"], "cover_alt": ALT},
                            files={"cover": ("capa.webp", webp(), "image/webp")})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["title"] == FORM["title"] and body["licences"] == ["MIT", "CC-BY-4.0"]
    assert body["cover"]["alt"] == ALT and [size["width"] for size in body["cover"]["sizes"]] == [160, 480, 1200]
    read = (await clab.client().get(f"/api/v1/challenges/{body['id']}")).json()
    assert read["cover"] == body["cover"]
    assert [item["cover"]["alt"] for item in (await clab.client().get("/api/v1/challenges/")).json()["items"]] == [ALT]

    changed = await staff.put(f"/api/v1/challenges/{body['id']}", data={**FORM, "title": "Travessias", "cover_alt": "A PNG"},
                              files={"cover": ("capa.png", png(), "image/png")})
    assert changed.status_code == 200, changed.text
    assert changed.json()["title"] == "Travessias" and changed.json()["cover"]["alt"] == "A PNG"
    assert changed.json()["cover"]["url"] != body["cover"]["url"] and await Challenge.all().count() == 1

    as_json = await staff.put(f"/api/v1/challenges/{body['id']}", json={**FORM, "is_published": True,
                                                                       "cover_remove": True})
    assert as_json.status_code == 200 and as_json.json()["cover"] is None and not await Image.exists()


async def test_a_member_cannot_describe_a_challenge_and_bad_input_names_its_field(clab: RunningLab) -> None:
    from labkit_challenges.models import Challenge

    member = await token_client(clab, "member")
    refused = await member.post("/api/v1/challenges/", data={**FORM, "cover_alt": ALT},
                                files={"cover": ("capa.webp", webp(), "image/webp")})
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
    assert (await clab.client().post("/api/v1/challenges/", json=FORM)).status_code == 401
    challenge = await make_challenge()
    refused_edit = await member.put(f"/api/v1/challenges/{challenge.id}", json={**FORM, "title": "Mine now"})
    assert refused_edit.status_code == 403 and (await Challenge.get(id=challenge.id)).title == challenge.title

    staff = await token_client(clab, "staff")
    no_alt = await staff.put(f"/api/v1/challenges/{challenge.id}", data=FORM,
                             files={"cover": ("capa.webp", webp(), "image/webp")})
    assert no_alt.status_code == 422 and problem_fields(no_alt) == {"cover_alt"}
    short = await staff.post("/api/v1/challenges/", json={**FORM, "summary": "short"})
    assert short.status_code == 422 and problem_fields(short) == {"summary"}
    backwards = await staff.post("/api/v1/challenges/", data={**FORM, "closes_at": "2026-05-01T09:00"})
    assert backwards.status_code == 422 and "closes_at" in problem_fields(backwards)
    assert await Challenge.all().count() == 1 and not await Image.exists()
