"""The indicators format shared by labs and hubs: versions, validation, rows and the tabular writers."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from frictionless import validate as frictionless_validate
from pysdmx.io import read_sdmx

from labkit import Period
from labkit import indicator_format as fmt

DOCS = Path(__file__).resolve().parents[2] / "docs" / "formats"


def observation(indicator: str, value: int | None, *, modules: dict[str, int | None] | None = None,
                kinds: dict[str, int | None] | None = None, status: str = "published") -> dict:
    aggregation = fmt.INDICATOR_FORMATS[indicator]
    def cells(values: dict[str, int | None] | None) -> list[dict]:
        return [{"member": k, "value": v, "suppressed": v is None} for k, v in (values or {}).items()]
    return {"indicator": indicator, "value": value, "suppressed": value is None, "status": status,
            "unit": aggregation.unit, "temporal_aggregation": aggregation.temporal_aggregation,
            "breakdowns": {"module": cells(modules), "kind": cells(kinds)}}


def period(code: str, values: dict[str, int | None], status: str = "published") -> dict:
    p = Period.parse(code)
    return {"period": code, "frequency": p.frequency, "start": p.start.isoformat(),
            "end": date.fromordinal(p.end.toordinal() - 1).isoformat(), "status": status, "computed_at": None,
            "published_at": "2025-04-02T10:00:00Z" if status == "published" else None,
            "suppression": {"threshold": 5, "applies_to": ["participants"]}, "failures": [],
            "observations": [observation(name, values.get(name, 0),
                                         kinds={"registered": values.get(name, 0)} if name == "participants" else None)
                             for name in ("projects", "partnerships", "participants", "products")]}


def lab_document(code: str = "BR-3550308", periods: list[dict] | None = None) -> dict:
    return {"schema": "https://labkit.readthedocs.io/formats/lab-indicators/1.0", "version": "1.0",
            "generated_at": "2025-04-02T10:00:00Z",
            "lab": {"code": code, "name": "MobiLab", "municipality": "São Paulo", "municipal_code": code[3:],
                    "country": "BR", "region": "BR-SP", "timezone": "America/Sao_Paulo", "mentor_url": "",
                    "base_url": "https://mobilab.example"},
            "indicators": [],
            "periods": periods if periods is not None else [period("2025-03", {"projects": 2, "participants": 40})]}


def as_1_1(document: dict, **lab: str) -> dict:
    out = copy.deepcopy(document)
    out["schema"], out["version"] = "https://labkit.readthedocs.io/formats/lab-indicators/1.1", "1.1"
    out["lab"].update(lab)
    return out


def hub_document() -> dict:
    hub = as_1_1(lab_document("BR-SP", [period("2025-03", {"projects": 5, "participants": 60})]), kind="hub")
    hub["members"] = [
        {"lab": {"code": "BR-3550308", "name": "MobiLab", "region_path": "BR/BR-SP"},
         "periods": [period("2025-03", {"projects": 2, "participants": 40})]},
        {"lab": {"code": "BR-3509502", "name": "Campinas Lab"},
         "periods": [period("2025-03", {"projects": 3, "participants": 20})]},
    ]
    return hub


def messages(document: dict, today: date = date(2025, 6, 1)) -> list[str]:
    return [str(problem) for problem in fmt.validate(document, today=today)]


def test_both_supported_versions_validate_and_others_are_refused_by_name() -> None:
    assert fmt.validate(lab_document(), today=date(2025, 6, 1)) == []
    assert fmt.validate(as_1_1(lab_document(), kind="lab"), today=date(2025, 6, 1)) == []
    assert fmt.validate(hub_document(), today=date(2025, 6, 1)) == []
    for version in ("2.0", "0.9", "1.7"):
        document = lab_document() | {"version": version}
        assert fmt.validate(document) == [fmt.Problem(
            "version", f"version {version} is not supported by this hub; it reads 1.x")]
    assert messages(lab_document() | {"version": None}) == ["version: the document has no version; this hub reads 1.x"]
    assert messages([]) == ["the document is not a JSON object"]
    # the schema name must match the declared version
    mixed = lab_document() | {"version": "1.1"}
    assert messages(mixed) == ["schema: the schema must be 'https://labkit.readthedocs.io/formats/lab-indicators/1.1' "
                               "for this version"]
    assert list(fmt.VERSIONS) == ["1.0", "1.1", "1.2"] and fmt.CURRENT == "1.2"


def test_members_and_kind_are_1_1_only_and_members_only_in_a_hub_document() -> None:
    with_kind = lab_document()
    with_kind["lab"]["kind"] = "lab"
    assert any("unknown field" in m and "kind" in m for m in messages(with_kind))
    lab_with_members = as_1_1(lab_document(), kind="lab")
    lab_with_members["members"] = hub_document()["members"]
    assert any(m.startswith("lab.kind:") for m in messages(lab_with_members))
    selfish = hub_document()
    selfish["members"][1]["lab"]["code"] = "BR-SP"
    assert messages(selfish) == ["members[1].lab.code: BR-SP is the document's own lab: a hub's own figures are its "
                                 "top-level periods"]
    twice = hub_document()
    twice["members"][1]["lab"]["code"] = "BR-3550308"
    assert messages(twice) == ["members[1].lab.code: BR-3550308 is given twice (also members[0])"]


def test_semantic_checks_name_the_place_of_each_problem() -> None:
    document = lab_document(periods=[period("2025-03", {"projects": 2}), period("2025-Q1", {"projects": 2})])
    document["periods"][0]["observations"][0]["value"] = 2.0
    document["periods"][0]["observations"][2]["breakdowns"]["kind"][0]["value"] = True
    document["periods"][1]["frequency"] = "M"
    document["periods"][1]["end"] = "2025-03-30"
    # the schema first (true is not a count); then what a schema cannot say
    assert {m.split(":")[0] for m in messages(document)} == {"periods[0].observations[2].breakdowns.kind[0].value"}
    document["periods"][0]["observations"][2]["breakdowns"]["kind"][0]["value"] = 0
    found = messages(document)
    assert "periods[0].observations[0].value: 2.0 is not a non-negative whole number" in found
    assert "periods[1].frequency: period 2025-Q1 has frequency Q, not M" in found
    assert "periods[1].end: period 2025-Q1 ends on 2025-03-31 (its last day), not 2025-03-30" in found

    negative = lab_document()
    negative["periods"][0]["observations"][0]["value"] = -1
    assert messages(negative) == ["periods[0].observations[0].value: -1 is less than the minimum of 0"]

    huge = lab_document()
    huge["periods"][0]["observations"][0]["value"] = 2**31
    assert messages(huge) == [f"periods[0].observations[0].value: {2**31} is larger than {2**31 - 1}, the largest count"]

    nul = lab_document()
    nul["lab"]["name"] = "Mobi\x00Lab"
    assert messages(nul) == ["lab.name: the text contains a NUL character"]

    future = lab_document(periods=[period("2025-07", {}, status="provisional")])
    assert messages(future, today=date(2025, 6, 30)) == [
        "periods[0].period: period 2025-07 is in the future (it starts on 2025-07-01)"]
    assert messages(future, today=date(2025, 7, 1)) == []  # a running period is not future

    repeated = lab_document(periods=[period("2025-03", {}), period("2025-03", {})])
    assert messages(repeated) == ["periods[1].period: period 2025-03 is given twice (also periods[0])"]
    same_indicator = lab_document()
    same_indicator["periods"][0]["observations"][1] = observation("projects", 1)
    assert "periods[0].observations[1].indicator: projects is given twice (also observations[0])" in messages(same_indicator)
    wrong_aggregation = lab_document()
    wrong_aggregation["periods"][0]["observations"][2]["temporal_aggregation"] = "sum"
    assert messages(wrong_aggregation) == ["periods[0].observations[2].temporal_aggregation: participants aggregates as distinct"]
    suppressed_with_value = lab_document()
    suppressed_with_value["periods"][0]["observations"][2]["suppressed"] = True
    assert messages(suppressed_with_value) and all("periods[0].observations[2]" in m for m in messages(suppressed_with_value))


def test_problems_are_capped() -> None:
    document = lab_document(periods=[period(f"20{y:02d}", {}) for y in range(0, 25)])
    for item in document["periods"]:
        for obs in item["observations"]:
            obs["value"] = 1.0
            obs["breakdowns"]["module"] = [{"member": f"m{i}", "value": 1.0, "suppressed": False} for i in range(3)]
    found = fmt.validate(document, today=date(2030, 1, 1))
    assert len(found) == 51 and found[-1].message.startswith("and ") and found[-1].message.endswith("more problem(s) not listed")


def test_rows_of_a_hub_document_carry_each_lab_and_the_hub_they_came_through() -> None:
    rows = fmt.observations(hub_document())
    own = [r for r in rows if r.via is None]
    relayed = [r for r in rows if r.via == "BR-SP"]
    assert {r.lab for r in own} == {"BR-SP"} and {r.lab for r in relayed} == {"BR-3550308", "BR-3509502"}
    total = next(r for r in relayed if (r.lab, r.indicator, r.kind) == ("BR-3509502", "participants", "_T"))
    assert (total.value, total.frequency, total.period, total.status, total.obs_status) == (20, "M", "2025-03", "published", "A")
    cell = next(r for r in relayed if r.kind == "registered" and r.lab == "BR-3550308")
    assert (cell.module, cell.value) == ("_T", 40)
    # a 1.0 document reads as a lab's own
    assert {r.via for r in fmt.observations(lab_document())} == {None}


def test_rows_make_a_document_period_back_and_the_writers_agree() -> None:
    document = lab_document(periods=[period("2025-03", {"projects": 2, "participants": None})])
    document["periods"][0]["observations"][2]["breakdowns"]["kind"] = [
        {"member": "hearing", "value": None, "suppressed": True}, {"member": "registered", "value": 40, "suppressed": False}]
    rows = fmt.observations(document)
    entry = fmt.period_entry(Period.parse("2025-03"), "published", rows, published_at="2025-04-02T10:00:00Z")
    rebuilt = as_1_1(document, kind="lab")
    rebuilt["periods"] = [entry]
    assert fmt.validate(rebuilt, today=date(2025, 6, 1)) == []
    assert fmt.observations(rebuilt) == rows

    sdmx = fmt.sdmx_csv(rows)
    (dataset,) = read_sdmx(sdmx).data
    assert dataset.short_urn == "Dataflow=LABKIT:LAB_INDICATORS(1.0.0)"
    frame = dataset.data
    hidden = frame[(frame.INDICATOR == "PARTICIPANTS") & (frame.KIND == "_T")]
    assert hidden.OBS_VALUE.tolist() == [""] and hidden.OBS_STATUS.tolist() == ["C"]
    plain = fmt.observations_csv(rows).splitlines()
    assert plain[0] == "lab,indicator,freq,time_period,module,kind,obs_value,obs_status"
    assert "BR-3550308,participants,M,2025-03,_T,registered,40,A" in plain and len(plain) == len(rows) + 1


def test_a_hub_data_package_validates_and_says_which_rows_are_totals(tmp_path: Path) -> None:
    package = zipfile.ZipFile(io.BytesIO(fmt.datapackage_zip(hub_document())))
    package.extractall(tmp_path)
    report = frictionless_validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "note"])
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    assert "rows whose lab is BR-SP are the hub's totals" in descriptor["description"]
    labs = {line.split(",")[0] for line in (tmp_path / "observations.csv").read_text().splitlines()[1:]}
    assert labs == {"BR-SP", "BR-3550308", "BR-3509502"}
    written = fmt.write(hub_document(), "csv", tmp_path / "obs.csv")
    assert written[0].read_text() == (tmp_path / "observations.csv").read_text()
    with pytest.raises(ValueError, match="unknown format"):
        fmt.write(hub_document(), "xlsx", tmp_path / "x")


def test_the_schemas_in_the_docs_are_the_shipped_ones_and_the_indicator_table_agrees() -> None:
    for version in fmt.VERSIONS:
        assert json.loads((DOCS / f"lab-indicators-{version}.schema.json").read_text()) == fmt.schema(version)
    from labkit_indicators import rules

    for name, definition in rules.DEFINITIONS.items():
        known = fmt.INDICATOR_FORMATS[name]
        assert (known.unit, known.temporal_aggregation, known.people_count) == (
            definition.unit, definition.temporal_aggregation, definition.people)


def _mutations(value: object, path: tuple = ()) -> list[tuple[tuple, object]]:
    """Every (path, replacement) that breaks one place of a document in a typical way."""
    out: list[tuple[tuple, object]] = []
    bad = [None, "", "x\n", -1, 1.5, True, [], {}, "2025-13-40", "2025-04-02T25:00:00Z", "BR\n", "2025-Q5"]
    if isinstance(value, dict):
        for key, item in value.items():
            out += [((*path, key), replacement) for replacement in bad]
            out.append(((*path, key), "__drop__"))
            out += _mutations(item, (*path, key))
        out.append(((*path, "unexpected_field"), 1))
    elif isinstance(value, list) and value:
        out += _mutations(value[0], (*path, 0))
    return out


def _apply(document: dict, path: tuple, replacement: object) -> dict:
    out = copy.deepcopy(document)
    target = out
    for step in path[:-1]:
        target = target[step]
    if replacement == "__drop__":
        del target[path[-1]]
    else:
        target[path[-1]] = replacement
    return out


@pytest.mark.parametrize("document", [lab_document(), hub_document()], ids=["lab 1.0", "hub 1.1"])
def test_the_fast_schema_check_never_lets_through_what_jsonschema_refuses(document: dict) -> None:
    """validate() trusts jsonschema-rs when it finds a document valid: for thousands of broken
    variants of a document, whatever jsonschema refuses, jsonschema-rs refuses too."""
    from labkit.indicator_format.validation import _fast_validator, _validator

    version = document["version"]
    checked = 0
    for path, replacement in _mutations(document):
        variant = _apply(document, path, replacement)
        if any(_validator(version).iter_errors(variant)):
            assert not _fast_validator(version).is_valid(variant), (path, replacement)
            checked += 1
    assert checked > 300


def test_checking_a_lab_document_takes_well_under_a_millisecond_or_so() -> None:
    """A national hub checks thousands of documents per harvest: the pure-Python schema check alone
    took 11-15 ms per document; the fast check keeps the whole of validate() near 0.5 ms."""
    import time

    from tests.federation.simulated import lab_document as simulated

    documents = [simulated(f"BR-{3500000 + n}") for n in range(40)]
    times = []
    for document in documents:
        started = time.perf_counter()
        assert fmt.validate(document) == []
        times.append(time.perf_counter() - started)
    assert sorted(times)[len(times) // 2] < 0.004, f"median {sorted(times)[len(times) // 2] * 1000:.1f} ms"


def test_trainings_given_are_1_2_only_and_name_no_person() -> None:
    training = {"trainee": "BR-1302603", "course": "Curso de 18 horas", "date": "2025-03-20"}
    with_trainings = lab_document()
    with_trainings["lab"]["trainings"] = [training]
    assert any("unknown field" in m and "trainings" in m for m in messages(with_trainings))  # not in 1.0
    current = copy.deepcopy(with_trainings)
    current["schema"], current["version"] = fmt.VERSIONS["1.2"].url, "1.2"
    assert messages(current) == []
    assert fmt.version_of(current).upgrade(current)["lab"]["trainings"] == [training]
    assert fmt.version_of(lab_document()).upgrade(lab_document())["lab"]["trainings"] == []
    current["lab"]["trainings"][0]["participants"] = ["Maria da Silva"]
    assert any(m.startswith("lab.trainings[0]") for m in messages(current))
