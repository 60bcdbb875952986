"""The hub's publications: totals computed from lab-level rows (suppressed labs left out and
counted), by region, and the same formats as a lab (JSON 1.1, SDMX-CSV, Data Package, CSV)."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from frictionless import validate as frictionless_validate
from pysdmx.io import read_sdmx

from labkit import indicator_format
from labkit.testing import RunningLab

from .documents import document
from labkit_federation import aggregate
from labkit_federation.models import Member
from labkit_federation.storage import ingest

T0 = datetime(2025, 7, 3, 9, 0, tzinfo=UTC)
TODAY = date(2025, 8, 1)
LABS = {  # code: (region_path, figures of 2025-Q1)
    "BR-3550308": ("BR/BR-SP", {"projects": 3, "participants": 40, "participants@coworking": 12}),
    "BR-3509502": ("BR/BR-SP", {"projects": 2, "participants": None}),
    "BR-3304557": ("BR/BR-RJ", {"projects": 5, "participants": 7}),
    "PT-1106": ("PT/PT-11", {"projects": 1, "participants": 9}),
}


@pytest.fixture
async def hub(make_lab) -> RunningLab:
    lab = await make_lab(plugins=["federation"], settings={
        "lab": {"name": "Rede Nacional", "country": "BR"}, "plugin.federation": {"hub_code": "BR-NET"}})
    for code, (region, figures) in LABS.items():
        member = await Member.create(code=code, name=f"Lab {code}", region_path=region)
        summary = await ingest(member, document(code, {"2025-Q1": figures, "2025": {"projects": 1}}), source="pull",
                               received_at=T0, today=TODAY)
        assert summary.ok, summary.errors
    return lab


async def test_totals_add_labs_and_say_how_many_were_suppressed(hub: RunningLab) -> None:
    totals = {t["indicator"]: t for t in await aggregate.totals("2025-Q1")}
    assert totals["projects"] == {"indicator": "projects", "value": 11, "aggregation": "sum", "labs": 4, "suppressed": 0}
    assert totals["participants"] == {"indicator": "participants", "value": 56, "aggregation": "sum-of-distinct",
                                      "labs": 3, "suppressed": 1}
    brazil = {t["indicator"]: t["value"] for t in await aggregate.totals("2025-Q1", region="BR")}
    assert brazil["projects"] == 10 and brazil["participants"] == 47
    assert {t["indicator"]: t["value"] for t in await aggregate.totals("2025-Q1", region="BR/BR-SP")}["projects"] == 5
    assert (await aggregate.totals("2025-Q1", region="BR/BR-S"))[0]["value"] is None  # a prefix is whole codes
    assert (await aggregate.totals("2030"))[0] == {"indicator": "projects", "value": None, "aggregation": "sum",
                                                   "labs": 0, "suppressed": 0}
    states = await aggregate.by_region("2025-Q1", region="BR")
    assert [(r["region"], r["labs"], r["values"]["projects"], r["suppressed"]["participants"]) for r in states] == [
        ("BR/BR-RJ", 1, 5, 0), ("BR/BR-SP", 2, 5, 1)]
    nations = await aggregate.by_region("2025-Q1")
    assert [(r["region"], r["values"]["projects"]) for r in nations] == [("BR", 10), ("PT", 1)]


async def test_the_hub_publishes_the_same_formats_as_a_lab(hub: RunningLab, tmp_path: Path) -> None:
    client = hub.client()
    response = await client.get("/api/v1/federation/indicators", params={"period": "2025-Q1"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    doc = response.json()
    assert indicator_format.validate(doc) == []
    assert (doc["version"], doc["lab"]["code"], doc["lab"]["kind"]) == ("1.1", "BR-NET", "hub")
    (period,) = doc["periods"]
    participants = next(o for o in period["observations"] if o["indicator"] == "participants")
    assert participants["value"] == 56 and participants["coverage"] == {"labs": 3, "suppressed_labs": 1,
                                                                        "method": "sum-of-distinct"}
    assert period["status"] == "published" and period["published_at"] == "2025-07-02T12:00:00Z"
    assert [m["lab"]["code"] for m in doc["members"]] == ["BR-3304557", "BR-3509502", "BR-3550308", "PT-1106"]
    # the members' rows are exactly what was stored: a parent hub reading them gets each lab's figures
    relayed = {(r.lab, r.indicator, r.module, r.kind): r for r in indicator_format.observations(doc) if r.via}
    assert relayed[("BR-3509502", "participants", "_T", "_T")].suppressed
    assert relayed[("BR-3550308", "participants", "coworking", "_T")].value == 12
    everything = (await client.get("/api/v1/federation/indicators")).json()
    assert [p["period"] for p in everything["periods"]] == ["2025", "2025-Q1"]
    assert (await client.get("/api/v1/federation/indicators", params={"period": "2025-13"})).status_code == 400

    sdmx = await client.get("/api/v1/federation/indicators/sdmx.csv", params={"period": "2025-Q1"})
    (dataset,) = read_sdmx(sdmx.text).data
    frame = dataset.data
    total = frame[(frame.LAB == "BR-NET") & (frame.INDICATOR == "PROJECTS")]
    assert total.OBS_VALUE.tolist() == ["11"] and set(frame.LAB) == {"BR-NET", *LABS}

    package = await client.get("/api/v1/federation/indicators/datapackage.zip", params={"period": "2025-Q1"})
    zipfile.ZipFile(io.BytesIO(package.content)).extractall(tmp_path)
    report = frictionless_validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "note"])
    plain = await client.get("/api/v1/federation/indicators/observations.csv", params={"period": "2025-Q1"})
    assert plain.text == (tmp_path / "observations.csv").read_text()
    assert "BR-3509502,participants,Q,2025-Q1,_T,_T,,C" in plain.text.splitlines()
    schema = (await client.get("/api/v1/federation/indicators/schema.json")).json()
    assert schema == indicator_format.schema("1.1")


async def test_the_publication_answers_conditional_requests_until_a_figure_changes(hub: RunningLab) -> None:
    client = hub.client()
    first = await client.get("/api/v1/federation/indicators")
    tag = first.headers["etag"]
    assert first.status_code == 200 and tag.startswith('"') and "W/" not in tag and first.headers["last-modified"]
    again = await client.get("/api/v1/federation/indicators")
    assert again.headers["etag"] == tag  # generated_at moved, the figures did not
    unchanged = await client.get("/api/v1/federation/indicators", headers={"If-None-Match": tag})
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged.headers["etag"] == tag
    member = await Member.get(code="PT-1106")
    await ingest(member, document("PT-1106", {"2025-Q1": {"projects": 2, "participants": 9}}), source="push",
                 received_at=T0, today=TODAY)
    changed = await client.get("/api/v1/federation/indicators", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag


async def test_the_json_publication_written_lab_by_lab_is_the_whole_document(hub: RunningLab) -> None:
    import json

    from labkit.indicator_format.http import VOLATILE_KEYS

    from labkit_federation import publish
    from labkit_federation.options import of
    from labkit_federation.storage import ingest_many

    # more labs than are read at once, and one without rows in between (it is left out)
    codes = [f"BR-{3100000 + n}" for n in range(publish.MEMBERS_AT_ONCE + 30)]
    members = [await Member.create(code=code, name=f"Lab {code}", region_path="BR/BR-MG") for code in codes]
    await Member.create(code="BR-3100100x", name="Silent lab", region_path="BR/BR-MG")
    outcomes = await ingest_many([(m, document(m.code, {"2025-Q1": {"projects": n}})) for n, m in enumerate(members)],
                                 source="pull", received_at=T0, today=TODAY)
    assert all(outcome.ok for outcome in outcomes)
    client = hub.client()
    response = await client.get("/api/v1/federation/indicators")
    assert response.status_code == 200
    streamed = response.json()
    whole = await publish.document(hub.settings, of(hub.app), None)
    stable = {k: v for k, v in whole.items() if k not in VOLATILE_KEYS}
    assert {k: v for k, v in streamed.items() if k not in VOLATILE_KEYS} == json.loads(json.dumps(stable))
    assert [m["lab"]["code"] for m in streamed["members"]] == sorted([*LABS, *codes])
    again = await client.get("/api/v1/federation/indicators", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    # one figure changes: the tag changes
    await ingest_many([(members[0], document(members[0].code, {"2025-Q1": {"projects": 99}}))], source="pull",
                      received_at=T0, today=TODAY)
    changed = await client.get("/api/v1/federation/indicators", headers={"If-None-Match": response.headers["etag"]})
    assert changed.status_code == 200 and changed.headers["etag"] != response.headers["etag"]
