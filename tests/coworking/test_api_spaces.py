"""A space through the JSON API: the staff create and change it, with its photo, by the same
action as the space's page (``coworking.save_space``); the answer and the next read show the
photo; a member is refused with a 403 problem and bad input is a 422 problem naming the field."""

from __future__ import annotations

from labkit.models import Image
from labkit.testing import RunningLab

from labkit_coworking.models import Space
from tests.core.test_images import png
from tests.core.test_images_api import problem_fields, token_client
from tests.coworking.test_photos import jpeg

SPACE = {"name": "Fab Lab Livre", "address": "Rua Augusta, 100", "hours_0": "09:00-18:00", "is_active": "true"}
ALT = "The workshop: long tables and a laser cutter"


async def test_staff_create_a_space_with_its_photo_then_change_it_through_the_api(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=["coworking"])
    staff = await token_client(lab, "staff")
    made = await staff.post("/api/v1/coworking/spaces", data={**SPACE, "photo_alt": ALT},
                            files={"photo": ("sala.jpg", jpeg(), "image/jpeg")})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["name"] == SPACE["name"] and body["opening_hours"]["0"] == ["09:00-18:00"]
    assert body["photo"]["alt"] == ALT and [size["width"] for size in body["photo"]["sizes"]] == [160, 480, 1200]
    read = (await lab.client().get(f"/api/v1/coworking/spaces/{body['id']}")).json()
    assert read["photo"] == body["photo"]
    listed = (await lab.client().get("/api/v1/coworking/spaces")).json()["items"]
    assert [item["photo"]["alt"] for item in listed] == [ALT]

    changed = await staff.put(f"/api/v1/coworking/spaces/{body['id']}", data={**SPACE, "name": "Fab Lab Centro"},
                              files={"photo": ("sala.png", png(), "image/png")})
    assert changed.status_code == 422 and problem_fields(changed) == {"photo_alt"}, "a new photo needs its alt"
    changed = await staff.put(f"/api/v1/coworking/spaces/{body['id']}", data={**SPACE, "name": "Fab Lab Centro",
                                                                            "photo_alt": "Now a PNG"},
                              files={"photo": ("sala.png", png(), "image/png")})
    assert changed.status_code == 200, changed.text
    assert changed.json()["photo"]["alt"] == "Now a PNG" and changed.json()["photo"]["url"] != body["photo"]["url"]
    assert (await Space.get(id=body["id"])).name == "Fab Lab Centro" and await Space.all().count() == 1

    as_json = await staff.put(f"/api/v1/coworking/spaces/{body['id']}",
                              json={**SPACE, "is_active": True, "quota_hours_per_week": 4, "photo_remove": True})
    assert as_json.status_code == 200 and as_json.json()["photo"] is None and not await Image.exists()
    assert as_json.json()["quota_hours_per_week"] == 4


async def test_a_member_cannot_save_a_space_and_bad_input_names_its_field(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=["coworking"])
    member = await token_client(lab, "member")
    refused = await member.post("/api/v1/coworking/spaces", data={**SPACE, "photo_alt": ALT},
                                files={"photo": ("sala.jpg", jpeg(), "image/jpeg")})
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
    signed_out = await lab.client().post("/api/v1/coworking/spaces", json=SPACE)
    assert signed_out.status_code == 401
    space = await Space.create(name="Sala Azul", is_active=True)
    refused_edit = await member.put(f"/api/v1/coworking/spaces/{space.id}", json=SPACE)
    assert refused_edit.status_code == 403 and (await Space.get(id=space.id)).name == "Sala Azul"

    staff = await token_client(lab, "staff")
    not_image = await staff.post("/api/v1/coworking/spaces", data={**SPACE, "photo_alt": ALT},
                                 files={"photo": ("sala.jpg", b"GIF89a not really", "image/jpeg")})
    assert not_image.status_code == 422 and problem_fields(not_image) == {"photo"}
    bad_hours = await staff.post("/api/v1/coworking/spaces", json={**SPACE, "hours_0": "late"})
    assert bad_hours.status_code == 422 and problem_fields(bad_hours) == {"hours_0"}
    photo_as_text = await staff.post("/api/v1/coworking/spaces", json={**SPACE, "photo": "https://x.example/a.jpg"})
    assert photo_as_text.status_code == 422 and problem_fields(photo_as_text) == {"photo"}
    missing = await staff.put("/api/v1/coworking/spaces/999", json=SPACE)
    assert missing.status_code == 404
    assert await Space.all().count() == 1 and not await Image.exists()
