"""Seals: the two defaults of a new lab, the team's own seals (a fixed set of icons and colours),
granted and revoked on organisations, shown on the directory, the page and the map's data,
carried in every export and the API by name, and a directory filter."""

from __future__ import annotations

import csv
import io

from labkit.auth import create_token
from labkit.testing import LabClient, RunningLab

from tests.mapping.conftest import org


async def _seal_ids() -> dict[str, int]:
    from labkit_mapping.models import Seal

    return {seal.name: seal.id for seal in await Seal.all()}


async def _two_organisations(staff: LabClient) -> tuple[int, int]:
    ids = []
    for name, website in [("Coletivo Código Aberto", "https://codigoaberto.org.br"),
                          ("Rede Dados da Quebrada", "https://dadosdaquebrada.org.br")]:
        created = await staff.submit("/mapping/propose", org(name=name, website=website))
        ids.append(int(created.headers["location"].rsplit("/", 1)[1]))
    return ids[0], ids[1]


async def test_a_new_lab_has_the_two_default_seals_translated(map_lab: RunningLab) -> None:
    listed = (await map_lab.client().get("/api/v1/mapping/seals")).json()["items"]
    assert [(s["name"], s["icon"], s["colour"]) for s in listed] == [
        ("Verified by the lab", "check", "green"), ("Partner", "handshake", "blue")]
    portuguese = await map_lab.client().get("/api/v1/mapping/seals", headers={"Accept-Language": "pt-BR"})
    assert [s["label"] for s in portuguese.json()["items"]] == ["Verificada pelo laboratório", "Parceira"]


async def test_the_team_defines_grants_and_revokes_seals_everywhere(map_lab: RunningLab) -> None:
    from labkit_mapping.models import Change, SealGrant

    staff = await map_lab.login_as("staff")
    member = await map_lab.login_as("member")
    assert (await member.get("/mapping/seals")).status_code == 403
    bad = await staff.submit("/mapping/seals", {"name": "Selo <b>", "icon": "skull", "colour": "red"})
    assert bad.status_code == 422 and "HTML tags are not allowed" in bad.text
    added = await staff.submit("/mapping/seals", {"name": "Ponto de Cultura 100%", "description": "Rede cultural.",
                                                   "icon": "star", "colour": "purple"})
    assert added.status_code == 303
    duplicate = await staff.submit("/mapping/seals", {"name": "Ponto de Cultura 100%", "icon": "star", "colour": "red"})
    assert duplicate.status_code == 422 and "Another seal has this name" in duplicate.text
    seal_ids = await _seal_ids()
    coletivo, rede = await _two_organisations(staff)

    assert (await member.submit(f"/mapping/organisations/{coletivo}/seals", {"seal_id": seal_ids["Partner"]})).status_code == 403
    for seal in ("Verified by the lab", "Ponto de Cultura 100%"):
        granted = await staff.submit(f"/mapping/organisations/{coletivo}/seals", {"seal_id": seal_ids[seal]})
        assert granted.status_code == 303
    grant = await SealGrant.get(seal_id=seal_ids["Verified by the lab"])
    assert (grant.organisation_id, grant.granted_by_id) == (coletivo, staff.person.id)
    again = await staff.submit(f"/mapping/organisations/{coletivo}/seals", {"seal_id": seal_ids["Verified by the lab"]})
    assert again.status_code == 303 and await SealGrant.filter(organisation_id=coletivo).count() == 2

    visitor = map_lab.client()
    directory = await visitor.get("/mapping/")
    card = directory.text.split("Coletivo Código Aberto</a>")[1].split("</li>")[0]
    assert "Verified by the lab" in card and "Ponto de Cultura 100%" in card and 'seal-icon-star' in card
    page = await visitor.get(f"/mapping/organisations/{coletivo}")
    assert "Verified by the lab" in page.text and "seal granted" in page.text
    filtered = await visitor.get(f"/mapping/?seal={seal_ids['Verified by the lab']}")
    assert "Coletivo Código Aberto" in filtered.text and "Rede Dados da Quebrada" not in filtered.text
    api = await visitor.get(f"/api/v1/mapping/organisations?seal={seal_ids['Ponto de Cultura 100%']}")
    assert [(o["id"], o["seals"]) for o in api.json()["items"]] == [
        (coletivo, ["Verified by the lab", "Ponto de Cultura 100%"])]

    rows = {row["name"]: row["seals"] for row in csv.DictReader(io.StringIO((await visitor.get("/mapping/export.csv")).text))}
    assert rows == {"Coletivo Código Aberto": "Verified by the lab; Ponto de Cultura 100%", "Rede Dados da Quebrada": ""}
    as_json = {o["name"]: o["seals"] for o in (await visitor.get("/mapping/export.json")).json()["organisations"]}
    assert as_json["Coletivo Código Aberto"] == ["Verified by the lab", "Ponto de Cultura 100%"]
    features = {f["properties"]["name"]: f["properties"] for f in (await visitor.get("/mapping/export.geojson")).json()["features"]}
    assert features["Rede Dados da Quebrada"]["seals"] == []
    popup = (await visitor.get("/api/v1/mapping/organisations.geojson", headers={"Accept-Language": "pt-BR"})).json()
    labels = {f["properties"]["name"]: f["properties"]["seal_labels"] for f in popup["features"]}
    assert labels["Coletivo Código Aberto"] == ["Verificada pelo laboratório", "Ponto de Cultura 100%"]
    popolo = {o["name"]: o["labkit:seals"] for o in (await visitor.get("/mapping/export.popolo.json")).json()["organizations"]}
    assert popolo["Coletivo Código Aberto"] == ["Verified by the lab", "Ponto de Cultura 100%"]

    retired = await staff.submit(f"/mapping/seals/{seal_ids['Ponto de Cultura 100%']}/edit",
                                 {"name": "Ponto de Cultura 100%", "icon": "star", "colour": "purple", "retired": "true"})
    assert retired.status_code == 303
    assert "seal-icon-star" not in (await visitor.get(f"/mapping/organisations/{coletivo}")).text, "a retired seal is not shown"
    await staff.submit(f"/mapping/organisations/{coletivo}/seals/{seal_ids['Verified by the lab']}/delete")
    assert (await visitor.get(f"/api/v1/mapping/organisations/{coletivo}")).json()["seals"] == []
    assert [c.action for c in await Change.filter(organisation_id=coletivo, action__startswith="seal")] == [
        "seal_granted", "seal_granted", "seal_revoked"]


async def test_the_api_manages_seals_with_the_permission_only(map_lab: RunningLab) -> None:
    staff = map_lab.client(token=await create_token(await map_lab.person("staff"), "script"))
    member = map_lab.client(token=await create_token(await map_lab.person("member"), "script"))
    body = {"name": "Economia Solidária", "icon": "heart", "colour": "orange"}
    assert (await member.post("/api/v1/mapping/seals", json=body)).status_code == 403
    wrong = await staff.post("/api/v1/mapping/seals", json={**body, "colour": "#ff0000"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "colour"
    created = await staff.post("/api/v1/mapping/seals", json=body)
    assert created.status_code == 201
    seal_id = created.json()["id"]
    organisation = (await staff.post("/api/v1/mapping/organisations", json={"name": "Coletivo X", "kind": "ngo"})).json()
    granted = await staff.post(f"/api/v1/mapping/organisations/{organisation['id']}/seals", json={"seal_id": seal_id})
    assert granted.status_code == 201 and granted.json()["seal"] == "Economia Solidária"
    assert (await staff.post(f"/api/v1/mapping/organisations/{organisation['id']}/seals",
                             json={"seal_id": seal_id})).status_code == 409
    assert (await staff.delete(f"/api/v1/mapping/organisations/{organisation['id']}/seals/{seal_id}")).status_code == 200
    assert (await staff.delete(f"/api/v1/mapping/organisations/{organisation['id']}/seals/{seal_id}")).status_code == 404
