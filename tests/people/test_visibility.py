"""A profile is seen only while its owner publishes it: on the page, the directory, the API and
the Popolo export; finding people by skill, region and words."""

from __future__ import annotations

from labkit.testing import RunningLab

from tests.people.conftest import write_profile


async def _everywhere(lab: RunningLab, profile_id: int, name: str) -> dict[str, bool]:
    visitor = lab.client()
    return {
        "page": (await visitor.get(f"/people/{profile_id}")).status_code == 200,
        "directory": name in (await visitor.get("/people/")).text,
        "api": (await visitor.get(f"/api/v1/people/{profile_id}")).status_code == 200,
        "list": any(item["id"] == profile_id for item in (await visitor.get("/api/v1/people/")).json()["items"]),
        "popolo": any(p["id"] == f"person-{profile_id}"
                      for p in (await visitor.get("/api/v1/people/popolo.json")).json()["persons"]),
    }


async def test_nothing_is_shown_until_published_and_unpublishing_hides_at_once(people_lab: RunningLab) -> None:
    member = await people_lab.login_as("member")
    profile = await write_profile(member, publish=False, name="Rosa Privada")
    assert await _everywhere(people_lab, profile.id, "Rosa Privada") == dict.fromkeys(
        ("page", "directory", "api", "list", "popolo"), False)
    assert "Your profile is private" in (await member.get("/people/me")).text

    assert (await member.submit("/people/me/publish")).status_code == 303
    assert await _everywhere(people_lab, profile.id, "Rosa Privada") == dict.fromkeys(
        ("page", "directory", "api", "list", "popolo"), True)

    assert (await member.submit("/people/me/unpublish")).status_code == 303
    assert await _everywhere(people_lab, profile.id, "Rosa Privada") == dict.fromkeys(
        ("page", "directory", "api", "list", "popolo"), False)
    assert (await people_lab.client().get(f"/api/v1/people/{profile.id}")).json()["type"].endswith("not-found")


async def test_publishing_before_writing_a_profile_is_refused(people_lab: RunningLab) -> None:
    member = await people_lab.login_as("member")
    token_client = member
    response = await token_client.post("/api/v1/people/me/publish", json={},
                                        headers={"X-CSRF-Token": await member.csrf_token()})
    assert response.status_code == 409 and response.json()["type"].endswith("no-profile")


async def test_gis_in_zona_leste(people_lab: RunningLab) -> None:
    ana = await write_profile(await people_lab.login_as("member"), name="Ana Leste")
    await write_profile(await people_lab.login_as("member"), name="Bia Sul", region="zona-sul")
    await write_profile(await people_lab.login_as("member"), name="Caio Python", skills=["python"], tags="django",
                        bio="Programo APIs.")
    visitor = people_lab.client()

    found = (await visitor.get("/api/v1/people/", params={"skill": "gis", "region": "zona-leste"})).json()
    assert [item["name"] for item in found["items"]] == ["Ana Leste"] and found["total"] == 1
    page = (await visitor.get("/people/", params={"skill": "gis", "region": "zona-leste"})).text
    assert "Ana Leste" in page and "Bia Sul" not in page and "Caio Python" not in page
    # words find names, tags and a skill's name in any language, without accents or case
    for words in ("geoprocessamento leste", "QGIS", "ônibus", "ana"):
        names = {i["name"] for i in (await visitor.get("/api/v1/people/", params={"q": words})).json()["items"]}
        assert "Ana Leste" in names and "Caio Python" not in names, words
    tagged = (await visitor.get("/api/v1/people/", params={"tag": "mapas"})).json()
    assert tagged["total"] == 2
    assert (await visitor.get(f"/api/v1/people/{ana.id}")).json()["skills"] == [{"key": "gis", "name": "GIS"}]


async def test_popolo_lists_persons_with_what_they_published(people_lab: RunningLab) -> None:
    profile = await write_profile(await people_lab.login_as("member"), name="Ana Popolo")
    document = (await people_lab.client().get("/api/v1/people/popolo.json")).json()
    person = next(p for p in document["persons"] if p["id"] == f"person-{profile.id}")
    assert person["name"] == "Ana Popolo" and person["area"] == {"id": "zona-leste", "name": "zona-leste"}
    assert person["labkit:skills"] == ["gis"] and person["labkit:tags"] == ["qgis", "mapas"]
    assert {"url": "https://example.org/ana"} in person["links"]
    assert "email" not in str(document) and "@example.org" not in str(document)
    assert document["memberships"] == []


async def test_the_directory_speaks_the_visitors_language(people_lab: RunningLab) -> None:
    await write_profile(await people_lab.login_as("member"), name="Ana Leste")
    page = (await people_lab.client().get("/people/", params={"skill": "gis"}, headers={"Accept-Language": "pt-BR"})).text
    assert "1 pessoa" in page and "Geoprocessamento" in page and "Procurando equipe" not in page
    french = (await people_lab.client().get("/people/", headers={"Accept-Language": "fr"})).text
    assert "Seulement les personnes qui cherchent une équipe" in french and "GIS" in french
