"""A challenge's cover picture: staff give it on the challenge's form; it shows on the list's card
and the challenge's page; a refused picture saves nothing."""

from __future__ import annotations

import io

from PIL import Image as PILImage

from labkit.models import Image
from labkit.testing import RunningLab

from tests.challenges.conftest import make_challenge

FORM = {"kind": "challenge", "title": "Travessias seguras", "summary": "Perto das escolas.",
        "problem": "Como priorizar travessias?", "owner": "Secretaria de Mobilidade", "licences": ["MIT"],
        "default_licence": "MIT", "opens_at": "2026-06-01T09:00", "closes_at": "2026-06-15T18:00",
        "evaluation_starts_at": "2026-06-20T09:00", "max_team_size": "4", "scale_max": "5", "is_published": "1"}


def webp(size: tuple[int, int] = (1600, 600)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (40, 40, 160)).save(buffer, "WEBP")
    return buffer.getvalue()


async def _post(client, path: str, files: dict, **fields: str):
    return await client.post(path, data={"csrf_token": await client.csrf_token(), **FORM, **fields}, files=files)


async def test_staff_give_a_challenge_its_cover(clab: RunningLab) -> None:
    from labkit_challenges.models import Challenge

    staff = await clab.login_as("staff")
    made = await _post(staff, "/challenges/new", {"cover": ("capa.webp", webp(), "image/webp")},
                       cover_alt="Children crossing a street on a zebra crossing")
    assert made.status_code == 303, made.text
    challenge = await Challenge.get(title="Travessias seguras")
    cover = await Image.get(owner_kind="challenges.challenge", owner_id=challenge.id, role="cover")
    for path in ("/challenges/", f"/challenges/{challenge.id}"):
        page = (await clab.client().get(path)).text
        assert 'alt="Children crossing a street on a zebra crossing"' in page and cover.url(1200) in page, path
    edited = await _post(staff, f"/challenges/{challenge.id}/edit", {}, cover_alt="A zebra crossing by a school")
    assert edited.status_code == 303
    assert (await Image.get(id=cover.id)).alt == "A zebra crossing by a school"


async def test_a_refused_cover_saves_nothing(clab: RunningLab) -> None:
    from labkit_challenges.models import Challenge

    staff = await clab.login_as("staff")
    buffer = io.BytesIO()
    PILImage.new("RGB", (800, 600), (10, 10, 10)).save(buffer, "JPEG")
    truncated = buffer.getvalue()[:400]  # a download cut short
    refused = await _post(staff, "/challenges/new", {"cover": ("capa.jpg", truncated, "image/jpeg")},
                          cover_alt="A cover")
    assert refused.status_code == 422 and "The image is damaged" in refused.text
    assert not await Challenge.exists() and not await Image.exists()
    challenge = await make_challenge()
    member = await clab.login_as("member")
    forbidden = await _post(member, f"/challenges/{challenge.id}/edit", {"cover": ("capa.webp", webp(), "image/webp")},
                            cover_alt="A cover")
    assert forbidden.status_code == 403 and not await Image.exists()
