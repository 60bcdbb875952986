"""The directory, its filters and pagination, the JSON API, the open-data exports (CSV, JSON,
GeoJSON, Popolo), the network, the figures, and what the plugin offers the other plugins."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from labkit.auth import create_token, participant_id
from labkit.periods import Period
from labkit.references import resolve, search
from labkit.testing import RunningLab
from labkit.text import fold


async def _seed(actor=None) -> dict[str, int]:
    """Five organisations of different kinds, one proposed, one archived."""
    from labkit_mapping import rules
    from labkit_mapping.forms import OrganisationIn

    specs = [
        ("Coletivo Código Aberto", "collective", ["educação", "software livre"], ["free-software"], "centro", True, (-23.55, -46.63)),
        ("Mobi Rotas Tecnologia", "startup", ["mobilidade urbana"], ["open-data", "free-software"], "zona-oeste", False, (-23.56, -46.69)),
        ("Instituto Dados Abertos", "ngo", ["transparência", "dados abertos"], ["open-data"], "centro", True, None),
        ("Laboratório de Cidades", "university", ["mobilidade urbana", "sensores"], ["open-science"], "zona-oeste", True, (-23.57, -46.70)),
        ("Juventude Hacker Leste", "youth_group", ["robótica"], ["open-hardware"], "zona-leste", False, (-23.54, -46.45)),
    ]
    ids = {}
    for name, kind, topics, practices, region, partner, point in specs:
        data = OrganisationIn(name=name, kind=kind, topics=topics, practices=practices, region=region,
                              wants_partnership=partner, latitude=point[0] if point else None,
                              longitude=point[1] if point else None, contact_email="contato@example.org",
                              website=f"https://{fold(name).replace(' ', '')}.example.org")
        ids[name] = (await rules.create_organisation(data, actor, source="staff")).id
    hidden = await rules.propose_new(OrganisationIn(name="Grupo Ainda Proposto", kind="other"), None)
    ids["Grupo Ainda Proposto"] = hidden.organisation_id
    archived = await rules.create_organisation(OrganisationIn(name="Antigo Telecentro", kind="other"), None,
                                               source="staff", status="archived")
    ids["Antigo Telecentro"] = archived.id
    return ids


def _names(payload: dict) -> list[str]:
    return [item["name"] for item in payload["items"]]


async def test_filters_and_search_in_the_api_and_the_page(map_lab: RunningLab) -> None:
    await _seed()
    client = map_lab.client()

    async def names(query: str) -> list[str]:
        return _names((await client.get("/api/v1/mapping/organisations?" + query)).json())

    assert len(await names("")) == 5, "proposed and archived organisations are not listed"
    assert await names("kind=startup") == ["Mobi Rotas Tecnologia"]
    assert await names("topic=mobilidade urbana") == ["Laboratório de Cidades", "Mobi Rotas Tecnologia"]
    assert await names("practice=open-data") == ["Instituto Dados Abertos", "Mobi Rotas Tecnologia"]
    assert await names("region=zona-oeste&partner=1") == ["Laboratório de Cidades"]
    assert await names("q=codigo") == ["Coletivo Código Aberto"], "search ignores accents"
    assert await names("q=LABORATÓRIO cidades") == ["Laboratório de Cidades"]
    assert await names("kind=company") == []

    page = await client.get("/mapping/?topic=mobilidade+urbana")
    assert "Laboratório de Cidades" in page.text and "Coletivo Código Aberto" not in page.text
    assert "2 organisations" in page.text
    partners = await client.get("/mapping/partners")
    assert "Instituto Dados Abertos" in partners.text and "Mobi Rotas" not in partners.text


async def test_pagination_counts_the_whole_and_rejects_bad_pages(map_lab: RunningLab) -> None:
    await _seed()
    client = map_lab.client()
    first = (await client.get("/api/v1/mapping/organisations?per_page=2")).json()
    third = (await client.get("/api/v1/mapping/organisations?per_page=2&page=3")).json()
    assert (first["total"], first["pages"], len(first["items"])) == (5, 3, 2)
    assert len(third["items"]) == 1
    assert not set(_names(first)) & set(_names(third))
    bad = await client.get("/api/v1/mapping/organisations?per_page=1000")
    assert bad.status_code == 400 and bad.headers["content-type"] == "application/problem+json"
    html = await client.get("/mapping/?page=2&kind=")
    assert html.status_code == 200


async def test_hidden_organisations_are_not_found_by_visitors(map_lab: RunningLab) -> None:
    ids = await _seed()
    client = map_lab.client()
    for name in ("Grupo Ainda Proposto", "Antigo Telecentro"):
        assert (await client.get(f"/mapping/organisations/{ids[name]}")).status_code == 404
        assert (await client.get(f"/api/v1/mapping/organisations/{ids[name]}")).status_code == 404
    token = await create_token(await map_lab.person("staff"), "script")
    staff_view = await map_lab.client(token=token).get("/api/v1/mapping/organisations?status=proposed")
    assert _names(staff_view.json()) == ["Grupo Ainda Proposto"]


async def test_the_api_creates_and_updates_with_a_staff_token_only(map_lab: RunningLab) -> None:
    from labkit_mapping.models import Change

    member_token = await create_token(await map_lab.person("member"), "member")
    staff = await map_lab.person("staff")
    api = map_lab.client(token=await create_token(staff, "staff"))
    body = {"name": "Rede Ocupa", "kind": "collective", "topics": ["Redes Comunitárias"], "latitude": -23.5, "longitude": -46.6,
            "website": "https://ocupa.example.org", "practices": ["open-standards", "free-software"]}
    forbidden = await map_lab.client(token=member_token).post("/api/v1/mapping/organisations", json=body)
    assert forbidden.status_code == 403
    created = await api.post("/api/v1/mapping/organisations", json=body)
    assert created.status_code == 201
    item = created.json()
    assert item["topics"] == ["redes comunitárias"] and item["practices"] == ["free-software", "open-standards"]
    assert item["status"] == "published" and item["url"] == f"http://lab.test/mapping/organisations/{item['id']}"

    duplicate = await api.post("/api/v1/mapping/organisations", json={**body, "name": "Outra Rede"})
    assert duplicate.status_code == 409
    assert duplicate.json()["errors"][0]["field"] == "website"
    assert f"/mapping/organisations/{item['id']}" in duplicate.json()["errors"][0]["message"]

    patched = await api.patch(f"/api/v1/mapping/organisations/{item['id']}", json={"founding_year": 2012, "wants_partnership": True})
    assert patched.status_code == 200
    assert patched.json()["founding_year"] == 2012 and patched.json()["name"] == "Rede Ocupa"
    invalid = await api.patch(f"/api/v1/mapping/organisations/{item['id']}", json={"longitude": 200})
    assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == "longitude"
    archived = await api.patch(f"/api/v1/mapping/organisations/{item['id']}", json={"status": "archived"})
    assert archived.json()["status"] == "archived"
    assert (await map_lab.client().get(f"/api/v1/mapping/organisations/{item['id']}")).status_code == 404
    assert [c.action for c in await Change.all().order_by("id")] == ["created", "updated", "status"]


async def test_the_openapi_document_describes_the_mapping_api(map_lab: RunningLab) -> None:
    document = (await map_lab.client().get("/api/v1/openapi.json")).json()
    paths = document["paths"]
    assert set(paths["/api/v1/mapping/organisations"]) == {"get", "post"}
    assert set(paths["/api/v1/mapping/organisations/{org_id}"]) == {"get", "patch"}
    assert paths["/api/v1/mapping/organisations"]["post"]["x-labkit-permission"] == "mapping.edit"
    assert {p["name"] for p in paths["/api/v1/mapping/organisations"]["get"]["parameters"]} >= {"kind", "topic", "practice", "region", "partner", "page"}
    assert "OrganisationCreate" in document["components"]["schemas"]
    assert "/api/v1/mapping/stats" in paths and "/api/v1/mapping/organisations.geojson" in paths


async def test_exports_hold_published_organisations_in_open_formats(map_lab: RunningLab) -> None:
    from labkit_mapping import rules
    from labkit_mapping.models import Organisation

    ids = await _seed()
    source = await Organisation.get(id=ids["Mobi Rotas Tecnologia"])
    target = await Organisation.get(id=ids["Laboratório de Cidades"])
    await rules.add_relationship(source, target, "spin_off_of", "", None)
    await rules.add_relationship(await Organisation.get(id=ids["Coletivo Código Aberto"]), target, "member_of", "", None)
    client = map_lab.client()

    rows = list(csv.DictReader(io.StringIO((await client.get("/mapping/export.csv")).text)))
    assert len(rows) == 5 and "Grupo Ainda Proposto" not in {r["name"] for r in rows}
    mobi = next(r for r in rows if r["name"] == "Mobi Rotas Tecnologia")
    assert mobi["practices"] == "open-data; free-software" or mobi["practices"] == "free-software; open-data"
    assert mobi["latitude"] == "-23.56", "a negative number is a number, not a formula to neutralise"

    popolo = (await client.get("/mapping/export.popolo.json")).json()
    assert len(popolo["organizations"]) == 5
    lab_org = next(o for o in popolo["organizations"] if o["name"] == "Laboratório de Cidades")
    assert lab_org["classification"] == "university"
    assert {"type": "email", "value": "contato@example.org"} in lab_org["contact_details"]
    assert lab_org["area"] == {"id": "zona-oeste", "name": "zona-oeste"}
    assert any(link["note"] == "website" for link in lab_org["links"])
    assert popolo["memberships"][0]["organization_id"] == lab_org["id"]
    assert popolo["labkit:relationships"][0]["kind"] == "spin_off_of"

    geo = await client.get("/mapping/export.geojson")
    assert geo.headers["content-type"].startswith("application/geo+json")
    features = geo.json()["features"]
    assert len(features) == 4, "the organisation without coordinates has no point"
    point = next(f for f in features if f["properties"]["name"] == "Mobi Rotas Tecnologia")
    assert point["geometry"] == {"type": "Point", "coordinates": [-46.69, -23.56]}

    data = (await client.get("/mapping/export.json?kind=ngo")).json()
    assert [o["name"] for o in data["organisations"]] == ["Instituto Dados Abertos"]

    network = (await client.get("/api/v1/mapping/relationships")).json()["items"]
    assert {(r["source"], r["kind"], r["target"]) for r in network} == {
        ("Mobi Rotas Tecnologia", "spin_off_of", "Laboratório de Cidades"),
        ("Coletivo Código Aberto", "member_of", "Laboratório de Cidades")}
    assert "Mobi Rotas Tecnologia" in (await client.get("/mapping/network")).text


async def test_the_team_records_relationships_once_and_never_to_itself(map_lab: RunningLab) -> None:
    ids = await _seed()
    staff = await map_lab.login_as("staff")
    url = f"/mapping/organisations/{ids['Coletivo Código Aberto']}/relationships"
    assert (await staff.submit(url, {"kind": "partner_of"})).status_code == 303
    again = await staff.submit(url, {"kind": "partner_of"}, follow_redirects=True)
    assert "This relationship is already recorded." in again.text
    itself = await staff.submit(url, {"kind": "supports", "target_id": str(ids["Coletivo Código Aberto"])}, follow_redirects=True)
    assert "An organisation cannot be related to itself." in itself.text
    hidden = await staff.submit(url, {"kind": "supports", "target_id": str(ids["Antigo Telecentro"])}, follow_redirects=True)
    assert "Choose a published organisation." in hidden.text
    network = (await map_lab.client().get("/api/v1/mapping/relationships")).json()["items"]
    assert [(r["source"], r["kind"], r["target"]) for r in network] == [("Coletivo Código Aberto", "partner_of", "lab")]
    member = await map_lab.login_as("member")
    assert (await member.submit(url, {"kind": "supports"})).status_code == 403


async def test_figures_by_kind_on_the_stats_api_page_and_home(map_lab: RunningLab) -> None:
    await _seed()
    client = map_lab.client()
    stats = (await client.get("/api/v1/mapping/stats")).json()
    assert stats["total"] == 5 and stats["wants_partnership"] == 3
    assert stats["by_kind"]["startup"] == 1 and stats["by_kind"]["other"] == 0
    assert stats["by_practice"]["open-data"] == 2 and stats["by_region"]["zona-oeste"] == 2
    home = await client.get("/", headers={"Accept-Language": "en"})
    assert "5 organisations mapped" in home.text and "Startup: 1" in home.text
    assert "University or research centre" in (await client.get("/mapping/stats")).text


async def test_other_plugins_point_at_published_organisations_through_references(map_lab: RunningLab) -> None:
    ids = await _seed()
    app = map_lab.app
    reference = await resolve(app, "organisation", ids["Instituto Dados Abertos"])
    assert reference is not None and reference.label == "Instituto Dados Abertos"
    assert reference.url == f"/mapping/organisations/{ids['Instituto Dados Abertos']}"
    assert await resolve(app, "organisation", ids["Grupo Ainda Proposto"]) is None
    assert await resolve(app, "organisation", "not-a-number") is None
    assert [r.label for r in await search(app, "organisation", "dados")] == ["Instituto Dados Abertos"]
    picker = (await map_lab.client().get("/api/v1/references/organisation?q=cidades")).json()
    assert [item["label"] for item in picker["items"]] == ["Laboratório de Cidades"]


async def test_proposers_count_as_participants_and_get_their_data(map_lab: RunningLab) -> None:
    from .conftest import org
    from labkit_mapping.models import Proposal

    member = await map_lab.login_as("member")
    await member.submit("/mapping/propose", org(proposer_email="eu@example.org"))
    await map_lab.client().submit("/mapping/propose", org(name="Anônimo Coletivo", website="https://anon.example.org"))
    now = datetime.now(UTC)
    period = Period.parse(f"{now.year}")
    results = dict(map_lab.plugins.results("labkit_participants", period=period))
    assert await results["mapping"] == [participant_id(member.person.id)]
    last_year = dict(map_lab.plugins.results("labkit_participants", period=Period.parse(str(now.year - 1))))
    assert await last_year["mapping"] == []
    mine = await dict(map_lab.plugins.results("labkit_personal_data", person_id=member.person.id))["mapping"]
    assert mine["map_proposals"][0]["organisation"] == "Coletivo Código Aberto"
    assert mine["map_proposals"][0]["contact_email"] == "eu@example.org"
    await dict(map_lab.plugins.results("labkit_erase_person", person_id=member.person.id))["mapping"]
    assert (await Proposal.get(proposer_id=member.person.id)).contact_email == ""
    # organisations mapped are not one of the four indicators: the plugin reports none (see the docs)
    assert "labkit_indicators" not in map_lab.plugins.loaded["mapping"].hooks


async def test_pages_speak_the_visitor_language(map_lab: RunningLab) -> None:
    from labkit.i18n import translations

    await _seed()
    client = map_lab.client()
    for tag in ("pt-BR", "es", "fr"):
        page = await client.get("/mapping/?kind=university", headers={"Accept-Language": tag})
        heading = translations(tag).gettext("Ecosystem directory")
        kind = translations(tag).gettext("University or research centre")
        assert heading != "Ecosystem directory" and heading in page.text
        assert kind in page.text
    form = await client.submit("/mapping/propose", {"name": "X", "kind": "ngo", "latitude": "99", "longitude": "0"},
                               headers={"Accept-Language": "pt-BR"})
    assert "A latitude deve estar entre -90 e 90 graus." in form.text
