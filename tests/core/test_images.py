"""Images: checked by content, cleaned of metadata, resized, kept under keys labkit makes, served
with long cache headers, replaced and removed with their files (the lab's logo is the example)."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest
from PIL import Image as PILImage

from labkit import images, imaging
from labkit.models import Image
from labkit.storage import LocalStorage
from labkit.testing import PASSWORD, RunningLab
from labkit.uploads import UploadError

GPS_TAG, ORIENTATION_TAG = 0x8825, 0x0112


def jpeg_with_gps(size: tuple[int, int] = (1600, 800), orientation: int = 1) -> bytes:
    """A photo as a phone writes it: EXIF with a GPS position, an orientation and a comment."""
    exif = PILImage.Exif()
    exif[ORIENTATION_TAG] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[GPS_TAG] = {1: "S", 2: (23.0, 33.0, 1.5), 3: "W", 4: (46.0, 38.0, 2.0)}
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (30, 120, 200)).save(buffer, "JPEG", exif=exif.tobytes(), comment=b"secret note")
    return buffer.getvalue()


def png(size: tuple[int, int] = (300, 120)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGBA", size, (200, 40, 40, 128)).save(buffer, "PNG")
    return buffer.getvalue()


def stored_keys(lab: RunningLab) -> list[str]:
    root = lab.settings.lab_dir / "uploads" / "images"
    return sorted(p.relative_to(root.parent).as_posix() for p in root.rglob("*.webp")) if root.is_dir() else []


async def upload_logo(client, data: bytes, filename: str = "logo.png", alt: str = "Logo of the lab", **extra):
    files = {"logo": (filename, data, "application/octet-stream")}
    return await client.post("/admin/logo", data={"csrf_token": await client.csrf_token(), "logo_alt": alt, **extra},
                             files=files)


# ----------------------------------------------------------------------------- processing


def test_metadata_is_stripped_and_the_orientation_applied() -> None:
    original = jpeg_with_gps(orientation=6)  # "turn 90°": a portrait photo stored sideways
    assert b"PhoneMaker" in original and b"secret note" in original
    renditions = imaging.process(original)
    assert [(r.width, r.height) for r in renditions] == [(160, 320), (480, 960), (800, 1600)]
    for rendition in renditions:
        assert b"PhoneMaker" not in rendition.data and b"secret note" not in rendition.data
        assert b"EXIF" not in rendition.data and b"XMP" not in rendition.data and b"ICCP" not in rendition.data
        with PILImage.open(io.BytesIO(rendition.data)) as clean:
            assert clean.format == "WEBP"
            assert not clean.getexif() and "exif" not in clean.info and "icc_profile" not in clean.info


@pytest.mark.parametrize(("width", "made"), [(2000, [160, 480, 1200]), (300, [160, 300]), (90, [90])])
def test_sizes_are_made_and_never_upscaled(width: int, made: list[int]) -> None:
    assert [r.width for r in imaging.process(png((width, 50)))] == made


def test_a_very_tall_picture_is_made_narrow_enough_for_webp() -> None:
    made = imaging.process(png((100, 20_000)))
    assert [(r.width, r.height) for r in made] == [(81, 16200)]


@pytest.mark.parametrize("data", [
    b"<html><script>alert(1)</script></html>",
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>',
    b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>",  # a PNG's signature, then a page
    b"GIF89a/*<script>alert(1)</script>*/",                            # a GIF/JavaScript polyglot
    b"%PDF-1.4 not a picture",
    b"",
])
def test_what_is_not_a_picture_is_refused(data: bytes) -> None:
    with pytest.raises(UploadError):
        imaging.process(data)


def test_a_picture_with_a_page_appended_comes_out_without_it() -> None:
    renditions = imaging.process(png() + b"<html><script>alert(1)</script></html>")
    assert all(b"script" not in r.data for r in renditions)


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    buffer = io.BytesIO()
    PILImage.new("1", (30_000, 30_000)).save(buffer, "PNG")  # 900 million pixels in about 100 KB
    started = time.monotonic()
    with pytest.raises(UploadError, match="million pixels"):
        imaging.process(buffer.getvalue())
    assert time.monotonic() - started < 2


# ------------------------------------------------------------------------------- the web


async def test_the_lab_logo_is_cleaned_served_and_shown_in_the_header(make_lab) -> None:
    lab = await make_lab(plugins=[])
    admin = await lab.login_as("admin")
    response = await upload_logo(admin, jpeg_with_gps(), filename="../../etc/passwd.jpg", alt='Our "logo" <b>')
    assert response.status_code == 303, response.text
    image = await Image.get(owner_kind="labkit.lab", owner_id=0, role="logo")
    assert image.widths == [160, 480, 1200] and image.alt == 'Our "logo" <b>'
    assert stored_keys(lab) == sorted(f"{image.key}/{w}.webp" for w in image.widths)
    assert "passwd" not in image.key
    served = await lab.client().get(image.url(480))
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/webp"
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert b"PhoneMaker" not in served.content and b"EXIF" not in served.content
    with PILImage.open(io.BytesIO(served.content)) as clean:
        assert clean.size == (480, 240) and not clean.getexif()
    home = (await lab.client().get("/")).text
    assert f'src="{image.url(160)}"' in home
    form = (await admin.get("/admin/logo")).text
    assert 'alt="Our &#34;logo&#34; &lt;b&gt;"' in form and "<b>" not in form.split("Our", 1)[1][:40]


async def test_a_large_photo_fits_the_form_and_a_larger_body_is_refused(make_lab) -> None:
    lab = await make_lab(plugins=[])
    admin = await lab.login_as("admin")
    buffer = io.BytesIO()
    PILImage.frombytes("RGB", (1000, 1000), os.urandom(3_000_000)).save(buffer, "PNG")  # noise: ~3 MB
    assert buffer.tell() > lab.settings.security.max_body_bytes
    assert (await upload_logo(admin, buffer.getvalue())).status_code == 303
    too_large = await upload_logo(admin, b"\x89PNG" + bytes(10_000_100))
    assert too_large.status_code == 422 and "The file is too large" in too_large.text
    assert (await upload_logo(admin, bytes(11_000_000))).status_code == 413
    assert (await Image.get(role="logo")).widths == [160, 480, 1000]


async def test_a_png_named_jpg_is_taken_by_its_content(make_lab) -> None:
    lab = await make_lab(plugins=[])
    admin = await lab.login_as("admin")
    assert (await upload_logo(admin, png(), filename="logo.jpg")).status_code == 303
    assert (await Image.get(role="logo")).widths == [160, 300]


@pytest.mark.parametrize("data", [b"<html><body>hi</body></html>", b'<svg xmlns="http://www.w3.org/2000/svg"/>'])
async def test_a_page_or_drawing_is_refused_with_the_form_again(make_lab, data: bytes) -> None:
    lab = await make_lab(plugins=[])
    admin = await lab.login_as("admin")
    response = await upload_logo(admin, data, filename="logo.png")
    assert response.status_code == 422
    assert "This file is not an image labkit accepts" in response.text
    assert 'id="error-logo"' in response.text
    assert not await Image.exists() and stored_keys(lab) == []


async def test_a_bomb_through_the_form_is_refused_quickly(make_lab) -> None:
    lab = await make_lab(plugins=[])
    admin = await lab.login_as("admin")
    buffer = io.BytesIO()
    PILImage.new("1", (30_000, 30_000)).save(buffer, "PNG")
    started = time.monotonic()
    response = await upload_logo(admin, buffer.getvalue())
    assert response.status_code == 422 and "million pixels" in response.text
    assert time.monotonic() - started < 5


async def test_a_new_image_needs_its_description(make_lab) -> None:
    lab = await make_lab(plugins=[])
    admin = await lab.login_as("admin")
    response = await upload_logo(admin, png(), alt="   ")
    assert response.status_code == 422
    assert 'id="error-logo_alt"' in response.text and "Describe the image" in response.text
    assert not await Image.exists()
    too_long = await upload_logo(admin, png(), alt="x" * 251)
    assert too_long.status_code == 422 and not await Image.exists()


async def test_only_who_may_change_the_owner_may_change_its_image(make_lab) -> None:
    lab = await make_lab(plugins=[])
    member, staff = await lab.login_as("member"), await lab.login_as("staff")
    assert (await upload_logo(member, png())).status_code == 403
    assert (await upload_logo(staff, png())).status_code == 403
    anonymous = lab.client()
    refused = await upload_logo(anonymous, png())
    assert refused.status_code == 303 and "/account/login" in refused.headers["location"]
    no_csrf = await anonymous.post("/admin/logo", data={"logo_alt": "x"}, files={"logo": ("a.png", png())})
    assert no_csrf.status_code == 403
    assert not await Image.exists()


async def test_replacing_deletes_the_old_files_and_removing_deletes_all(make_lab) -> None:
    lab = await make_lab(plugins=[])
    admin = await lab.login_as("admin")
    await upload_logo(admin, png())
    first = await Image.get(role="logo")
    await upload_logo(admin, jpeg_with_gps(), alt="The new logo")
    second = await Image.get(role="logo")
    assert second.key != first.key and await Image.all().count() == 1
    assert stored_keys(lab) == sorted(f"{second.key}/{w}.webp" for w in second.widths)
    assert (await lab.client().get(first.url(160))).status_code == 404
    described = await admin.submit("/admin/logo", {"logo_alt": "Only a new description"})
    assert described.status_code == 303
    assert (await Image.get(role="logo")).alt == "Only a new description" and stored_keys(lab)
    removed = await admin.submit("/admin/logo", {"logo_remove": "1", "logo_alt": ""})
    assert removed.status_code == 303 and not await Image.exists() and stored_keys(lab) == []
    assert 'src="/static/logo.svg"' in (await lab.client().get("/")).text


async def test_deleting_the_owner_removes_its_images(make_lab) -> None:
    lab = await make_lab(plugins=[])
    person = await lab.person("member")
    other = await lab.person("member")
    for owner in (person, other):
        await images.store(lab.app, owner, "photo", images.Prepared(imaging.process(png()), "A portrait"), owner.id)
    mine = await images.one(person, "photo")
    assert mine is not None and mine.owner_kind == "labkit.person"
    client = await lab.login_as(person=person)
    exported = json.loads((await client.get("/account/export")).text)
    assert exported["images_uploaded"] == [{"of": "labkit.person", "id": person.id, "role": "photo",
                                            "alt": "A portrait", "uploaded_at": mine.created_at.isoformat()}]
    deleted = await client.submit("/account/delete", {"password": PASSWORD})
    assert deleted.status_code == 303
    assert await images.one(person, "photo") is None and await images.one(other, "photo") is not None
    assert all(not key.startswith(mine.key) for key in stored_keys(lab)) and stored_keys(lab)
    assert await images.remove_all(lab.app, "labkit.person", [other.id]) == 1
    assert stored_keys(lab) == []


async def test_a_page_of_cards_reads_its_images_at_once(make_lab) -> None:
    lab = await make_lab(plugins=[])
    people = [await lab.person("member") for _ in range(3)]
    await images.store(lab.app, people[0], "photo", images.Prepared(imaging.process(png()), "First"), None)
    await images.store(lab.app, people[2], "photo", images.Prepared(imaging.process(png()), "Third"), None)
    found = await images.of("labkit.person", [p.id for p in people], "photo")
    assert {owner: image.alt for owner, image in found.items()} == {people[0].id: "First", people[2].id: "Third"}
    described = images.as_json(found[people[0].id], "https://lab.example.org/")
    assert described["alt"] == "First" and described["url"].startswith("https://lab.example.org/media/")
    assert [size["width"] for size in described["sizes"]] == [160, 300]


async def test_an_unknown_or_malformed_address_is_not_found(make_lab) -> None:
    lab = await make_lab(plugins=[])
    client = lab.client()
    for path in ("/media/" + "0" * 32 + "/160.webp", "/media/../../lab.toml/160.webp", "/media/ABC/160.webp",
                 "/media/" + "a" * 32 + "/0.webp"):
        assert (await client.get(path)).status_code == 404, path


async def test_a_storage_that_fails_keeps_nothing_and_says_so(make_lab, tmp_path: Path) -> None:
    lab = await make_lab(plugins=[])
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the upload folder should be")
    lab.app.state.storage = LocalStorage(blocked)
    admin = await lab.login_as("admin")
    response = await upload_logo(admin, png())
    assert response.status_code == 422
    assert "The image could not be stored" in response.text
    assert not await Image.exists()


async def test_two_uploads_at_once_leave_one_image_and_its_files_only(make_lab) -> None:
    import asyncio

    lab = await make_lab(plugins=[])
    person = await lab.person("member")
    first, second = (images.Prepared(imaging.process(png(size)), alt) for size, alt in (((300, 100), "A"), ((200, 100), "B")))
    await asyncio.gather(images.store(lab.app, person, "photo", first, None),
                         images.store(lab.app, person, "photo", second, None))
    kept = await Image.get(owner_kind="labkit.person", owner_id=person.id, role="photo")
    assert await Image.all().count() == 1
    assert stored_keys(lab) == sorted(images.files_of(kept))
