"""Hypothesis on what labkit reads from outside: the mapping CSV import, the indicators document
(the format of labkit.indicator_format and its JSON Schema) and, when the federation plugin is
installed, the documents a hub receives.

Properties, for each reader:

- arbitrary bytes, CSV or JSON never crash it: the answer is always a validation report or error;
- a valid document round-trips: written, read back (and stored, for the importers), it gives
  the same records or observations;
- an invalid one is refused as a whole, with an error that names the place (row and column of
  the CSV, JSON path of the document).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from labkit import Period
from labkit.indicator_format import ALL, INDICATOR_FORMATS, Row, observations, period_entry, validate
from labkit.indicator_format.versions import BASE_URL, CURRENT
from labkit.testing import RunningLab

from tests.proof.fuzz_support import fuzz_settings, on_loop

DEFAULT_EXAMPLES = 25

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
    max_leaves=30,
)
"""Arbitrary JSON values."""

# ---------------------------------------------------------------------- indicators documents

INDICATORS = sorted(INDICATOR_FORMATS) if isinstance(INDICATOR_FORMATS, dict) else \
    ["partnerships", "participants", "products", "projects"]
PERIODS = ["2023", "2024", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2024-01", "2024-07", "2024-12"]
COUNT = st.one_of(st.none(), st.integers(0, 50), st.integers(0, 2**31 - 1))
"""A figure: ``None`` is a suppressed one."""
FIGURES = st.dictionaries(st.sampled_from(PERIODS),
                          st.fixed_dictionaries({name: COUNT for name in INDICATORS}), min_size=1, max_size=4)


def indicators_document(code: str, figures: dict[str, dict[str, int | None]]) -> dict[str, Any]:
    """A lab's document holding ``figures`` (``{period: {indicator: value}}``), made with the format's writer."""
    entries = []
    for code_of_period, values in figures.items():
        period = Period.parse(code_of_period)
        rows = [Row(code, name, period.frequency, code_of_period, ALL, ALL, value, value is None, "published")
                for name, value in values.items()]
        entries.append(period_entry(period, "published", rows, published_at="2025-07-02T12:00:00Z"))
    return {"schema": BASE_URL + CURRENT, "version": CURRENT, "generated_at": "2025-07-02T12:00:00Z",
            "lab": {"code": code, "name": f"Lab {code}", "municipality": "", "municipal_code": code.split("-")[-1],
                    "country": code[:2], "region": "", "timezone": "UTC", "mentor_url": "",
                    "base_url": "https://lab.example", "kind": "lab"},
            "indicators": [], "periods": entries}


def _totals(rows: list[Row]) -> dict[tuple[str, str], tuple[int | None, bool]]:
    return {(row.period, row.indicator): (row.value, row.suppressed)
            for row in rows if row.module == ALL and row.kind == ALL}


BAD_VALUES = [-1, "12", 1.5, True, [], {}, 10**30]


def test_the_indicators_reader_never_crashes_and_names_the_place() -> None:
    @fuzz_settings(DEFAULT_EXAMPLES * 4)
    @given(anything=st.one_of(JSON, st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
    def arbitrary(anything: Any) -> None:
        problems = validate(anything)
        assert isinstance(problems, list)
        if not isinstance(anything, dict):
            assert problems, f"{anything!r} accepted as a document"
        for problem in problems:
            assert isinstance(problem.path, str) and problem.message, problem

    @fuzz_settings(DEFAULT_EXAMPLES * 2)
    @given(data=st.binary(max_size=2000))
    def arbitrary_bytes(data: bytes) -> None:
        try:
            document = json.loads(data)
        except ValueError:  # JSONDecodeError and UnicodeDecodeError: a clear error, the reader's first
            return
        assert isinstance(validate(document), list)

    @fuzz_settings(DEFAULT_EXAMPLES * 2)
    @given(figures=FIGURES)
    def round_trip(figures: dict[str, dict[str, int | None]]) -> None:
        document = indicators_document("BR-3550308", figures)
        assert validate(document) == [], validate(document)
        back = json.loads(json.dumps(document, ensure_ascii=False))
        assert observations(back) == observations(document)
        expected = {(period, name): (value, value is None) for period, values in figures.items()
                    for name, value in values.items()}
        assert _totals(observations(back)) == expected

    @fuzz_settings(DEFAULT_EXAMPLES * 2)
    @given(figures=FIGURES, data=st.data())
    def invalid_named(figures: dict[str, dict[str, int | None]], data: st.DataObject) -> None:
        document = indicators_document("BR-3550308", figures)
        p = data.draw(st.integers(0, len(document["periods"]) - 1), label="period")
        o = data.draw(st.integers(0, len(document["periods"][p]["observations"]) - 1), label="observation")
        bad = data.draw(st.sampled_from(BAD_VALUES), label="value")
        document["periods"][p]["observations"][o]["value"] = bad
        document["periods"][p]["observations"][o]["suppressed"] = False
        problems = validate(document)
        place = f"periods[{p}].observations[{o}]"
        assert problems, f"value {bad!r} at {place} accepted"
        assert any(problem.path.startswith(place) for problem in problems), \
            f"value {bad!r} at {place}: the problems do not name it: {[str(x) for x in problems]}"

    for check in (arbitrary, arbitrary_bytes, round_trip, invalid_named):
        check()


# ------------------------------------------------------------------------------ mapping CSV

NAME = st.text(st.characters(categories=("L", "N", "Zs"), include_characters="&-.,'()/", exclude_characters="\x00"),
               min_size=2, max_size=40).map(str.strip).filter(lambda name: len(name) >= 2)
BREAKS = {"kind": "not-a-kind", "latitude": "999", "longitude": "east", "founding_year": "last year",
          "wants_partnership": "maybe", "id": "not-a-uuid", "contact_email": "x@", "website": "not a web address"}
"""A cell value that makes a row invalid, by column."""


def csv_bytes(rows: list[dict[str, str]], columns: tuple[str, ...]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


async def test_the_mapping_csv_import_is_all_or_nothing_under_fuzzing(
        make_lab: Callable[..., Awaitable[RunningLab]]) -> None:
    from labkit_mapping import importing
    from labkit_mapping.exports import CSV_COLUMNS
    from labkit_mapping.forms import OrganisationIn
    from labkit_mapping.models import Change, Organisation

    lab = await make_lab()
    actor = await lab.person("admin")
    loop = asyncio.get_running_loop()

    async def count() -> int:
        return await Organisation.all().count()

    async def check_and_run(content: bytes) -> tuple[importing.ImportReport, str | None, int, int]:
        """Dry run, then the real import; the report, the refusal and the counts before and after."""
        before = await count()
        report = await importing.check(content)
        assert await count() == before, "the dry run wrote something"
        try:
            await importing.run(report, actor)
            refusal = None
        except ValueError as error:
            refusal = str(error)
        return report, refusal, before, await count()

    async def forget_imports() -> None:
        ids = await Organisation.filter(source="import").values_list("id", flat=True)
        await Change.filter(organisation_id__in=ids).delete()
        await Organisation.filter(id__in=ids).delete()

    def valid_row(name: str, n: int) -> dict[str, str]:
        return {"name": name, "kind": "collective", "description": f"Linha {n}", "website": f"https://org-{n}.example",
                "latitude": "-23.5", "longitude": "-46.6", "founding_year": "2010", "wants_partnership": "yes",
                "topics": "dados; bairro"}

    @fuzz_settings(DEFAULT_EXAMPLES)
    @given(content=st.one_of(
        st.binary(max_size=1000),
        st.text(max_size=600).map(lambda text: ("name,kind\n" + text).encode("utf-8", "surrogatepass")),
        st.lists(st.lists(st.text(max_size=15), max_size=6), max_size=6).map(
            lambda cells: "\n".join(",".join(row) for row in [list(CSV_COLUMNS[:4]), *cells]).encode("utf-8", "replace")),
    ))
    def arbitrary(content: bytes) -> None:
        report, refusal, before, after = on_loop(loop, check_and_run(content))
        if report.ok:  # a well-formed file after all: imported whole
            assert refusal is None and after == before + report.count("create")
            on_loop(loop, forget_imports())
            return
        assert refusal is not None and after == before, "a refused file imported something"
        messages = report.errors + [m for row in report.rows for m in row.messages]
        assert messages, "refused without a reason"
        for row in report.rows:
            if row.action == "error":
                assert row.number >= 2 and row.messages, row

    @fuzz_settings(DEFAULT_EXAMPLES)
    @given(names=st.lists(NAME, min_size=1, max_size=5, unique_by=lambda name: name.casefold()), data=st.data())
    def one_bad_row(names: list[str], data: st.DataObject) -> None:
        tag = uuid.uuid4().hex
        rows = [valid_row(f"{tag}{i} {name}", i) for i, name in enumerate(names)]
        bad = data.draw(st.integers(0, len(rows) - 1), label="bad row")
        column = data.draw(st.sampled_from(sorted(BREAKS)), label="column")
        rows[bad][column] = BREAKS[column]
        report, refusal, before, after = on_loop(loop, check_and_run(csv_bytes(rows, CSV_COLUMNS)))
        assert not report.ok and refusal is not None and after == before, "one bad row, yet something was imported"
        errors = [row for row in report.rows if row.action == "error"]
        assert [row.number for row in errors] == [bad + 2], f"{column}: rows in error {[(r.number, r.messages) for r in errors]}"
        assert any(message.startswith(f"{column}:") for message in errors[0].messages), \
            f"the error does not name the column {column}: {errors[0].messages}"

    @fuzz_settings(DEFAULT_EXAMPLES)
    @given(names=st.lists(NAME, min_size=1, max_size=5, unique_by=lambda name: name.casefold()))
    def valid_file(names: list[str]) -> None:
        tag = uuid.uuid4().hex
        rows = [valid_row(f"{tag}{i} {name}", i) for i, name in enumerate(names)]
        for row in rows:
            try:
                OrganisationIn.model_validate({"name": row["name"], "kind": "collective"})
            except ValueError:
                assume(False)
        try:
            report, refusal, before, after = on_loop(loop, check_and_run(csv_bytes(rows, CSV_COLUMNS)))
            assert report.ok and refusal is None, [(r.number, r.messages) for r in report.rows] + report.errors
            assert after == before + len(rows)
            stored = on_loop(loop, Organisation.filter(source="import").values_list("name", flat=True))
            assert sorted(stored) == sorted(row["name"] for row in rows)
        finally:
            on_loop(loop, forget_imports())

    for check in (arbitrary, one_bad_row, valid_file):
        await asyncio.to_thread(check)


# -------------------------------------------------------------------------- federation push


async def test_a_hub_refuses_any_bad_document_and_stores_a_good_one_exactly(
        make_lab: Callable[..., Awaitable[RunningLab]]) -> None:
    pytest.importorskip("labkit_federation", reason="the federation plugin (a hub's document import) is not installed")
    from labkit_federation import registry
    from labkit_federation.models import Member, Observation

    lab = await make_lab()
    code = "BR-3550308"
    member = await Member.create(code=code, name="Lab BR-3550308", kind="lab", region_path="BR/BR-SP")
    token = await registry.issue_token(member)
    client = lab.client()
    loop = asyncio.get_running_loop()

    def push(body: bytes) -> tuple[int, dict[str, Any]]:
        headers = {"Content-Type": "application/json", "X-Labkit-Member-Token": token,
                   "Idempotency-Key": uuid.uuid4().hex}
        response = on_loop(loop, client.post("/api/v1/federation/reports", content=body, headers=headers))
        assert response.status_code < 500, f"{body[:300]!r} answered {response.status_code}: {response.text[:500]}"
        return response.status_code, response.json()

    @fuzz_settings(DEFAULT_EXAMPLES)
    @given(body=st.one_of(st.binary(max_size=500), JSON.map(lambda value: json.dumps(value).encode())))
    def arbitrary(body: bytes) -> None:
        status, answer = push(body)
        assert status in (400, 403, 422), f"{body[:300]!r} answered {status}: {answer}"
        assert answer["detail"], answer

    @fuzz_settings(DEFAULT_EXAMPLES)
    @given(figures=FIGURES, data=st.data())
    def invalid_named(figures: dict[str, dict[str, int | None]], data: st.DataObject) -> None:
        document = indicators_document(code, figures)
        p = data.draw(st.integers(0, len(document["periods"]) - 1), label="period")
        o = data.draw(st.integers(0, len(document["periods"][p]["observations"]) - 1), label="observation")
        bad = data.draw(st.sampled_from(BAD_VALUES), label="value")
        document["periods"][p]["observations"][o].update(value=bad, suppressed=False)
        before = on_loop(loop, Observation.filter(member=member).count())
        status, answer = push(json.dumps(document).encode())
        place = f"periods[{p}].observations[{o}]"
        assert status == 422, f"value {bad!r} at {place} answered {status}: {answer}"
        assert any(error["field"].startswith(place) for error in answer.get("errors", [])), answer
        assert on_loop(loop, Observation.filter(member=member).count()) == before, "a refused document stored rows"

    @fuzz_settings(DEFAULT_EXAMPLES)
    @given(figures=FIGURES)
    def round_trip(figures: dict[str, dict[str, int | None]]) -> None:
        status, answer = push(json.dumps(indicators_document(code, figures)).encode())
        assert status == 200, answer
        stored = on_loop(loop, Observation.filter(member=member, period__in=list(figures), module=ALL, kind=ALL)
                         .values_list("period", "indicator", "value", "suppressed"))
        expected = {(period, name): (value, value is None) for period, values in figures.items()
                    for name, value in values.items()}
        assert {(p, i): (v, s) for p, i, v, s in stored} == expected

    for check in (arbitrary, invalid_named, round_trip):
        await asyncio.to_thread(check)
