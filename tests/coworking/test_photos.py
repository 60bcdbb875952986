"""A space's photo: staff add it with its description when they create the space, it shows on the
coworking page's card and the space's page, and a refused photo creates no space."""

from __future__ import annotations

import io

from PIL import Image as PILImage

from labkit.models import Image
from labkit.testing import RunningLab

from labkit_coworking.models import Space

SPACE = {"name": "Fab Lab Livre", "hours_0": "09:00-18:00", "is_active": "1"}


def jpeg(size: tuple[int, int] = (1400, 900)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (180, 90, 20)).save(buffer, "JPEG")
    return buffer.getvalue()


async def test_staff_add_a_space_with_its_photo(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=["coworking"])
    staff = await lab.login_as("staff")
    created = await staff.post("/coworking/staff/spaces/new", files={"photo": ("sala.jpg", jpeg(), "image/jpeg")},
                               data={"csrf_token": await staff.csrf_token(), **SPACE,
                                     "photo_alt": "The workshop: long tables and a laser cutter"})
    assert created.status_code == 303, created.text
    space = await Space.get(name="Fab Lab Livre")
    photo = await Image.get(owner_kind="coworking.space", owner_id=space.id, role="photo")
    assert photo.widths == [160, 480, 1200]
    visitor = lab.client()
    for path in ("/coworking/", f"/coworking/spaces/{space.id}"):
        page = (await visitor.get(path)).text
        assert 'alt="The workshop: long tables and a laser cutter"' in page and photo.url(480) in page, path
    form = (await staff.get(f"/coworking/staff/spaces/{space.id}")).text
    assert 'name="photo_remove"' in form and 'value="The workshop: long tables and a laser cutter"' in form


async def test_a_refused_photo_creates_no_space(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=["coworking"])
    staff = await lab.login_as("staff")
    refused = await staff.post("/coworking/staff/spaces/new", files={"photo": ("sala.jpg", b"GIF89a<svg/>", "image/jpeg")},
                               data={"csrf_token": await staff.csrf_token(), **SPACE, "photo_alt": "A room"})
    assert refused.status_code == 422 and "This file is not an image labkit accepts" in refused.text
    assert not await Space.exists() and not await Image.exists()
    member = await lab.login_as("member")
    forbidden = await member.post("/coworking/staff/spaces/new", files={"photo": ("sala.jpg", jpeg(), "image/jpeg")},
                                  data={"csrf_token": await member.csrf_token(), **SPACE, "photo_alt": "A room"})
    assert forbidden.status_code == 403 and not await Image.exists()
