"""An organisation's logo through the JSON API: ``PATCH /api/v1/mapping/organisations/{id}`` takes
a ``multipart/form-data`` body with ``logo``, ``logo_alt`` and ``logo_remove`` besides JSON, and
runs the edit page's action (``mapping.update_organisation``): the team or a confirmed member of
the organisation sets and removes the logo; anyone else gets a 403 problem and bad input a 422
problem naming the field."""

from __future__ import annotations

from labkit.auth import create_token
from labkit.models import Image
from labkit.testing import LabClient, RunningLab

from labkit_mapping.models import Membership, Organisation
from tests.core.test_images_api import problem_fields
from tests.mapping.test_logos import ALT, _organisation, png


async def _token_client(lab: RunningLab, role: str) -> tuple[LabClient, int]:
    person = await lab.person(role)
    return lab.client(token=await create_token(person, "tests")), person.id


async def test_a_member_of_the_organisation_sets_and_removes_its_logo_through_the_api(map_lab: RunningLab) -> None:
    org_id = await _organisation(map_lab)
    member, person_id = await _token_client(map_lab, "member")
    await Membership.create(organisation_id=org_id, person_id=person_id, role="admin", status="confirmed")
    path = f"/api/v1/mapping/organisations/{org_id}"
    saved = await member.patch(path, data={"logo_alt": ALT, "description": "Ensina software livre.",
                                           "topics": ["educação", "dados abertos"]},
                               files={"logo": ("logo.png", png(), "image/png")})
    assert saved.status_code == 200, saved.text
    assert saved.json()["logo"]["alt"] == ALT and [s["width"] for s in saved.json()["logo"]["sizes"]] == [160, 480, 600]
    assert saved.json()["description"] == "Ensina software livre." and saved.json()["name"] == "Coletivo Código Aberto"
    assert saved.json()["topics"] == ["educação", "dados abertos"]
    read = (await map_lab.client().get(path)).json()
    assert read["logo"] == saved.json()["logo"]
    served = await map_lab.client().get(read["logo"]["url"].removeprefix("http://lab.test"))
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"

    renamed = await member.patch(path, json={"logo_alt": "The Coletivo's key"})
    assert renamed.status_code == 200 and renamed.json()["logo"]["alt"] == "The Coletivo's key"
    removed = await member.patch(path, data={"logo_remove": "true"})
    assert removed.status_code == 200 and removed.json()["logo"] is None and not await Image.exists()
    assert (await map_lab.client().get(path)).json()["logo"] is None


async def test_only_who_edits_the_organisation_may_change_its_logo_and_bad_input_names_its_field(
        map_lab: RunningLab) -> None:
    org_id = await _organisation(map_lab)
    path = f"/api/v1/mapping/organisations/{org_id}"
    outsider, _ = await _token_client(map_lab, "member")
    refused = await outsider.patch(path, data={"logo_alt": ALT}, files={"logo": ("logo.png", png(), "image/png")})
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
    signed_out = await map_lab.client().patch(path, data={"logo_alt": ALT}, files={"logo": ("logo.png", png(), "image/png")})
    assert signed_out.status_code == 401
    assert not await Image.exists()

    staff, _ = await _token_client(map_lab, "staff")
    no_alt = await staff.patch(path, files={"logo": ("logo.png", png(), "image/png")})
    assert no_alt.status_code == 422 and problem_fields(no_alt) == {"logo_alt"}
    not_image = await staff.patch(path, data={"logo_alt": ALT}, files={"logo": ("logo.png", b"%PDF-1.4", "image/png")})
    assert not_image.status_code == 422 and problem_fields(not_image) == {"logo"}
    bad_year = await staff.patch(path, data={"founding_year": "long ago"})
    assert bad_year.status_code == 422 and problem_fields(bad_year) == {"founding_year"}
    unknown = await staff.patch(path, json={"colour": "green"})
    assert unknown.status_code == 422 and problem_fields(unknown) == {"colour"}
    assert not await Image.exists() and (await Organisation.get(id=org_id)).founding_year == 2015

    by_team = await staff.patch(path, data={"logo_alt": ALT, "status": "archived"},
                                files={"logo": ("logo.png", png(), "image/png")})
    assert by_team.status_code == 200 and by_team.json()["logo"]["alt"] == ALT and by_team.json()["status"] == "archived"
