"""What leaves the lab: the JSON document (validated against the shipped schema), SDMX-CSV read
by pysdmx, the Data Package validated by frictionless, access rules and privacy suppression."""

from __future__ import annotations

import io
import itertools
import json
import random
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import jsonschema
import pytest
from frictionless import validate
from pysdmx.io import read_sdmx

from labkit import Contribution, PortfolioItem, indicator_format
from labkit.auth import create_token
from labkit.testing import RunningLab

from .conftest import SETTINGS, module, write_plugins
from labkit_indicators import rules

SCHEMA = json.loads((Path(indicator_format.__file__).parent / "schemas" / "lab-indicators-1.0.schema.json").read_text())
DOCS_SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "formats" / "lab-indicators-1.0.schema.json"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
async def private_lab(make_lab, tmp_path: Path) -> RunningLab:
    """Feeders with the default suppression threshold (5)."""
    source = tmp_path / "src"
    source.mkdir()
    settings = {"lab": SETTINGS["lab"]}
    lab = await make_lab(plugins=["indicators", "ifeed_a", "ifeed_b", "ifeed_c", "ibroken", "iorgs"],
                         local_plugins=write_plugins(source), settings=settings)
    for slug in ("ifeed_a", "ifeed_b", "ifeed_c"):
        for name in ("ACTIONS", "ITEMS", "COUNTS"):
            getattr(module(lab, slug), name).clear()
    module(lab, "ibroken").BROKEN["on"] = False
    return lab


def fill(lab: RunningLab) -> None:
    a, b, c = (module(lab, s) for s in ("ifeed_a", "ifeed_b", "ifeed_c"))
    a.ACTIONS.extend([(n, at("2025-03-10T15:00")) for n in range(1, 41)])      # 40 people
    b.ACTIONS.extend([(n, at("2025-03-10T15:00")) for n in range(35, 38)])     # 3 people, all also in a
    c.COUNTS.append(Contribution("participants", 3, {"kind": "hearing"}))       # 3 people without accounts
    c.COUNTS.append(Contribution("participants", 12, {"kind": "workshop"}))
    a.ITEMS.append(PortfolioItem("projects", "p1", "Projeto", date(2025, 3, 3), kind="challenge"))
    a.ITEMS.append(PortfolioItem("products", "d1", "Dados", date(2025, 3, 5), kind="open-dataset"))


async def publish(lab: RunningLab, period: str) -> None:
    staff = await lab.person("staff")
    client = lab.client(token=await create_token(staff, "publish"))
    response = await client.post(f"/api/v1/indicators/periods/{period}/publish")
    assert response.status_code == 201, response.text


def recoverable(total: dict, cells: list[dict]) -> list[str]:
    """Suppressed cells whose value follows from the total minus the published cells."""
    hidden = [c for c in cells if c["suppressed"]]
    if total["suppressed"] or len(hidden) != 1:
        return []
    return [hidden[0]["member"]]


async def test_the_published_document_validates_and_suppresses_small_counts_of_people(private_lab: RunningLab) -> None:
    fill(private_lab)
    await publish(private_lab, "2025-03")
    anonymous = private_lab.client()
    response = await anonymous.get("/api/v1/indicators/", params={"period": "2025-03"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    document = response.json()
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)
    assert document["schema"] == "https://labkit.readthedocs.io/formats/lab-indicators/1.0" and document["version"] == "1.0"
    assert document["lab"] | {} == document["lab"] and document["lab"]["municipal_code"] == "3550308"
    assert document["lab"]["code"] == "BR-3550308" and document["lab"]["region"] == "BR-SP"
    period = document["periods"][0]
    assert (period["period"], period["frequency"], period["start"], period["end"]) == ("2025-03", "M", "2025-03-01", "2025-03-31")
    obs = {o["indicator"]: o for o in period["observations"]}
    assert obs["projects"]["value"] == 1 and obs["projects"]["status"] == "published"
    participants = obs["participants"]
    assert participants["value"] == 40 + 3 + 12
    kinds = {c["member"]: c for c in participants["breakdowns"]["kind"]}
    modules = {c["member"]: c for c in participants["breakdowns"]["module"]}
    # 3 at the hearing (< 5): withheld; and the next-smallest kind (workshop, 12) too
    assert kinds["hearing"] == {"member": "hearing", "value": None, "suppressed": True}
    assert kinds["workshop"]["suppressed"] and not kinds["registered"]["suppressed"]
    assert modules["ifeed_b"]["suppressed"] and modules["ifeed_b"]["value"] is None
    for observation in period["observations"]:
        for cells in observation["breakdowns"].values():
            assert recoverable(observation, cells) == []
    # no identity ever leaves the lab
    assert "person:" not in response.text


def test_no_suppressed_cell_can_be_recovered_by_subtraction() -> None:
    generator = random.Random(7)
    for threshold, _ in itertools.product((3, 5, 10), range(400)):
        values = [generator.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 30, 200]) for _ in range(generator.randint(1, 6))]
        total = rules.Cell("total", sum(values))
        cells = [rules.Cell(f"k{i}", v) for i, v in enumerate(values)]
        rules.suppress(total, {"kind": cells}, threshold)
        for cell in cells:
            if 0 < cell.value < threshold:
                assert cell.suppressed
        hidden = [c for c in cells if c.suppressed]
        if not total.suppressed:
            assert len(hidden) != 1, (values, threshold)
            if hidden:  # what an attacker learns is only the sum of two or more withheld cells
                assert total.value - sum(c.value for c in cells if not c.suppressed) == sum(c.value for c in hidden)
        else:
            assert all(c.suppressed for c in cells if c.value > 0)


async def test_anonymous_visitors_read_only_published_periods(private_lab: RunningLab) -> None:
    fill(private_lab)
    anonymous = private_lab.client()
    refused = await anonymous.get("/api/v1/indicators/", params={"period": "2025-03"})
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    assert "not published" in refused.json()["detail"]
    for path in ("/api/v1/indicators/sdmx.csv", "/api/v1/indicators/datapackage.zip"):
        assert (await anonymous.get(path, params={"period": "2025-03"})).status_code == 403
    bad = await anonymous.get("/api/v1/indicators/", params={"period": "2026-13"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "period"
    assert (await anonymous.get("/api/v1/indicators/", params={"period": "2026-Q5"})).status_code == 400
    assert (await anonymous.get("/api/v1/indicators/periods")).json() == {"items": []}
    empty = (await anonymous.get("/api/v1/indicators/")).json()
    assert empty["periods"] == []

    staff = await private_lab.person("staff")
    client = private_lab.client(token=await create_token(staff, "read"))
    provisional = (await client.get("/api/v1/indicators/", params={"period": "2025-03"})).json()
    assert provisional["periods"][0]["status"] == "provisional"
    await publish(private_lab, "2025-03")
    listed = (await anonymous.get("/api/v1/indicators/periods")).json()["items"]
    assert [(i["period"], i["status"]) for i in listed] == [("2025-03", "published")]
    everything = (await anonymous.get("/api/v1/indicators/")).json()
    assert [p["period"] for p in everything["periods"]] == ["2025-03"]
    schema = (await anonymous.get("/api/v1/indicators/schema.json")).json()
    assert schema == SCHEMA


async def test_the_document_answers_conditional_requests_until_its_figures_change(private_lab: RunningLab) -> None:
    fill(private_lab)
    await publish(private_lab, "2025-03")
    anonymous = private_lab.client()
    first = await anonymous.get("/api/v1/indicators/")
    tag = first.headers["etag"]
    assert first.status_code == 200 and tag.startswith('"') and first.headers["last-modified"].endswith("GMT")
    assert (await anonymous.get("/api/v1/indicators/")).headers["etag"] == tag  # not with generated_at
    unchanged = await anonymous.get("/api/v1/indicators/", headers={"If-None-Match": f'"other", {tag}'})
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged.headers["etag"] == tag
    await publish(private_lab, "2025-02")
    changed = await anonymous.get("/api/v1/indicators/", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag and len(changed.json()["periods"]) == 2


async def test_sdmx_csv_reads_back_with_pysdmx(private_lab: RunningLab) -> None:
    fill(private_lab)
    await publish(private_lab, "2025-03")
    await publish(private_lab, "2025-Q1")
    response = await private_lab.client().get("/api/v1/indicators/sdmx.csv", params={"period": "2025-03,2025-Q1"})
    assert response.status_code == 200
    message = read_sdmx(response.text)
    (dataset,) = message.data
    assert dataset.short_urn == "Dataflow=LABKIT:LAB_INDICATORS(1.0.0)"
    frame = dataset.data
    assert list(frame.columns) == ["LAB", "INDICATOR", "FREQ", "TIME_PERIOD", "MODULE", "KIND", "OBS_VALUE", "OBS_STATUS"]
    total = frame[(frame.INDICATOR == "PARTICIPANTS") & (frame.TIME_PERIOD == "2025-Q1") & (frame.MODULE == "_T") & (frame.KIND == "_T")]
    assert total.OBS_VALUE.tolist() == ["55"] and total.FREQ.tolist() == ["Q"] and total.OBS_STATUS.tolist() == ["A"]
    hearing = frame[(frame.KIND == "hearing") & (frame.TIME_PERIOD == "2025-03")]
    assert hearing.OBS_VALUE.tolist() == [""] and hearing.OBS_STATUS.tolist() == ["C"]
    assert set(frame.LAB) == {"BR-3550308"}


async def test_data_package_validates_with_frictionless(private_lab: RunningLab, tmp_path: Path) -> None:
    fill(private_lab)
    await publish(private_lab, "2025-03")
    response = await private_lab.client().get("/api/v1/indicators/datapackage.zip", params={"period": "2025-03"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    folder = tmp_path / "package"
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(folder)
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = (folder / "observations.csv").read_text().splitlines()
    assert rows[0] == "lab,indicator,freq,time_period,module,kind,obs_value,obs_status"
    assert "BR-3550308,participants,M,2025-03,_T,hearing,,C" in rows
    # a broken package is caught by the same validation: the check is not vacuous
    (folder / "observations.csv").write_text(rows[0] + "\nBR-1,participants,M,2025-03,_T,_T,-4,A\n")
    assert not validate(str(folder / "datapackage.json")).valid


def test_the_schema_in_the_docs_is_the_shipped_one() -> None:
    assert json.loads(DOCS_SCHEMA.read_text()) == SCHEMA
