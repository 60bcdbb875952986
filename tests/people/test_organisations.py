"""A profile shows the organisations that confirmed the person as a member (the mapping plugin's
memberships), only when the person chose to show them and only organisations that are public."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from labkit.testing import RunningLab

from .conftest import write_profile
from labkit_people.models import Topic
from tests.mapping.conftest import org


async def test_confirmed_organisations_appear_on_the_profile_and_in_popolo(
        make_lab: Callable[..., Awaitable[RunningLab]]) -> None:
    from labkit_mapping.models import Membership, Organisation

    lab = await make_lab(plugins=["people", "mapping"])
    await Topic.create(key="gis", names={"en": "GIS"})
    staff, member = await lab.login_as("staff"), await lab.login_as()
    for name in ("Coletivo Ponte", "Startup Sombra", "Grupo Oculto"):
        slug = name.lower().replace(" ", "")
        created = await staff.submit("/mapping/propose", org(name=name, website=f"https://{slug}.example.org"))
        assert created.status_code == 303, created.text[:300]
    confirmed, pending, hidden = [await Organisation.get(name=name)
                                  for name in ("Coletivo Ponte", "Startup Sombra", "Grupo Oculto")]
    await Organisation.filter(id=hidden.id).update(status="archived")
    await Membership.create(organisation=confirmed, person_id=member.person.id, status="confirmed", proof="staff")
    await Membership.create(organisation=pending, person_id=member.person.id, status="pending")
    await Membership.create(organisation=hidden, person_id=member.person.id, status="confirmed", proof="staff")

    profile = await write_profile(member, skills=["gis"], interests=[])
    page = (await lab.client().get(f"/people/{profile.id}")).text
    assert "Coletivo Ponte" not in page  # not shown until the person chooses to

    await write_profile(member, skills=["gis"], interests=[], show_organisations="on")
    page = (await lab.client().get(f"/people/{profile.id}")).text
    assert "Coletivo Ponte" in page and "Startup Sombra" not in page and "Grupo Oculto" not in page
    popolo = (await lab.client().get("/api/v1/people/popolo.json")).json()
    assert [m["organization"]["name"] for m in popolo["memberships"]] == ["Coletivo Ponte"]
    assert [m["person_id"] for m in popolo["memberships"]] == [f"person-{profile.id}"]
