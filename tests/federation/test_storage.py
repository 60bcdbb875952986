"""Storing documents: slices replace, repeats never double count, a lab reports only for itself,
relays through a hub never win over a lab's own report."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, date, datetime, timedelta

import pytest

from labkit.testing import RunningLab

from .documents import document
from labkit_federation.models import Member, Observation, Report
from labkit_federation.storage import ingest

T0 = datetime(2025, 7, 3, 9, 0, tzinfo=UTC)
TODAY = date(2025, 8, 1)


@pytest.fixture
async def hub(make_lab) -> RunningLab:
    return await make_lab(plugins=["federation"])


async def stored(code: str, period: str | None = None) -> dict[tuple[str, str, str, str], int | None]:
    query = Observation.filter(member__code=code)
    if period:
        query = query.filter(period=period)
    return {(o.period, o.indicator, o.module, o.kind): o.value for o in await query}


async def test_a_repeated_document_changes_nothing_and_a_new_slice_replaces_the_old(hub: RunningLab) -> None:
    lab = await Member.create(code="BR-3550308", name="MobiLab", region_path="BR/BR-SP")
    doc = document("BR-3550308", {"2025-Q1": {"projects": 3, "participants": 40, "participants:registered": 40},
                                  "2025-Q2": {"projects": 1}})
    first = await ingest(lab, doc, source="pull", received_at=T0, today=TODAY)
    assert first.ok and (first.imported, first.updated, first.ignored, first.removed) == (9, 0, 0, 0)
    assert first.as_dict()["conflicts"] == [] and first.as_dict()["errors"] == []
    again = await ingest(lab, doc, source="pull", received_at=T0 + timedelta(days=1), today=TODAY)
    assert (again.imported, again.updated, again.ignored, again.removed) == (0, 0, 9, 0)
    assert await Observation.filter(member=lab).count() == 9
    report = await Report.get(member=lab, period="2025-Q1")
    assert report.first_received_at == T0 and report.last_received_at == T0 + timedelta(days=1)
    assert (report.status, report.source, report.frequency) == ("published", "pull", "Q")

    # the lab sends Q1 again, provisional this time, without the kind cell and with another figure
    newer = document("BR-3550308", {"2025-Q1": {"projects": 4, "participants": 40}}, status="provisional")
    summary = await ingest(lab, newer, source="push", received_at=T0 + timedelta(days=2), today=TODAY)
    assert (summary.imported, summary.updated, summary.ignored, summary.removed) == (0, 4, 0, 1)
    assert summary.conflicts == ["BR-3550308 2025-Q1: published figures changed (participants[registered] 40 → absent, "
                                 "projects 3 → 4); the new figures are stored"]
    q1 = await stored("BR-3550308", "2025-Q1")
    assert q1[("2025-Q1", "projects", "_T", "_T")] == 4 and ("2025-Q1", "participants", "_T", "registered") not in q1
    assert (await stored("BR-3550308", "2025-Q2"))[("2025-Q2", "projects", "_T", "_T")] == 1  # untouched
    report = await Report.get(member=lab, period="2025-Q1")
    assert (report.status, report.source, report.first_received_at) == ("provisional", "push", T0)


async def test_a_document_that_changes_one_period_rewrites_that_period_only(hub: RunningLab) -> None:
    lab = await Member.create(code="BR-3550308", name="MobiLab", region_path="BR/BR-SP")
    q1 = {"projects": 3, "participants": 40, "participants:registered": 40}
    first = await ingest(lab, document("BR-3550308", {"2025-Q1": q1, "2025-Q2": {"projects": 1}}),
                         source="pull", received_at=T0, today=TODAY)
    q1_rows = await Observation.filter(member=lab, period="2025-Q1").values_list("id", "value")
    summary = await ingest(lab, document("BR-3550308", {"2025-Q1": q1, "2025-Q2": {"projects": 2}}),
                           source="pull", received_at=T0 + timedelta(days=1), today=TODAY)
    assert (summary.imported, summary.updated, summary.removed) == (0, 1, 0)
    assert summary.ignored == first.imported - 1
    assert summary.conflicts == ["BR-3550308 2025-Q2: published figures changed (projects 1 → 2); "
                                 "the new figures are stored"]
    assert await Observation.filter(member=lab, period="2025-Q1").values_list("id", "value") == q1_rows
    assert (await stored("BR-3550308", "2025-Q2"))[("2025-Q2", "projects", "_T", "_T")] == 2
    reports = {r.period: r for r in await Report.filter(member=lab)}
    assert {period: r.last_received_at for period, r in reports.items()} == {
        "2025-Q1": T0 + timedelta(days=1), "2025-Q2": T0 + timedelta(days=1)}


async def test_a_lab_reports_only_for_itself_and_bad_documents_store_nothing(hub: RunningLab) -> None:
    lab = await Member.create(code="BR-3550308", name="MobiLab")
    impostor = await ingest(lab, document("BR-3509502", {"2025-Q1": {"projects": 1}}), source="pull",
                            received_at=T0, today=TODAY)
    assert [str(p) for p in impostor.errors] == [
        "lab.code: the document reports for BR-3509502, but it comes from member BR-3550308: a lab reports only for itself"]
    hubby = await ingest(lab, document("BR-3550308", {}, kind="hub", members={"BR-3509502": {"2025-Q1": {"projects": 1}}}),
                         source="push", received_at=T0, today=TODAY)
    assert [p.path for p in hubby.errors] == ["lab.kind"]
    future = await ingest(lab, document("BR-3550308", {"2025-Q4": {"projects": 1}}, status="provisional"),
                          source="pull", received_at=T0, today=TODAY)
    assert [str(p) for p in future.errors] == ["periods[0].period: period 2025-Q4 is in the future (it starts on 2025-10-01)"]
    negative = document("BR-3550308", {"2025-Q1": {"projects": 1}})
    negative["periods"][0]["observations"][0]["value"] = -2
    assert [p.path for p in (await ingest(lab, negative, source="pull", received_at=T0, today=TODAY)).errors] == [
        "periods[0].observations[0].value"]
    big = document("BR-3550308", {"2025-Q1": {"projects": 1}})
    too_big = await ingest(lab, big, source="pull", received_at=T0, today=TODAY, max_bytes=1000)
    assert [str(p) for p in too_big.errors] == ["the document is larger than 1000 bytes"]
    wrong = document("BR-3550308", {"2025-Q1": {"projects": 1}}) | {"version": "2.0"}
    assert [str(p) for p in (await ingest(lab, wrong, source="pull", received_at=T0)).errors] == [
        "version: version 2.0 is not supported by this hub; it reads 1.x"]
    assert await Observation.all().count() == 0 and await Report.all().count() == 0
    assert await Member.all().count() == 1
    # the previous major's documents are read
    old = await ingest(lab, document("BR-3550308", {"2025-Q1": {"projects": 1}}, version="1.0"), source="pull",
                       received_at=T0, today=TODAY)
    assert old.ok and old.imported == 4


async def test_a_hub_relays_its_labs_and_a_labs_own_report_always_wins(hub: RunningLab) -> None:
    state = await Member.create(code="BR-SP", name="Rede SP", kind="hub", region_path="BR")
    direct = await Member.create(code="BR-3550308", name="MobiLab", region_path="BR/BR-SP")
    await ingest(direct, document("BR-3550308", {"2025-Q1": {"projects": 3}}), source="push", received_at=T0,
                 today=TODAY)
    relay = document("BR-SP", {"2025-Q1": {"projects": 99}}, kind="hub", members={
        "BR-3550308": {"2025-Q1": {"projects": 5}, "2025-Q2": {"projects": 2}},
        "BR-3509502": {"2025-Q1": {"projects": 7}},
    })
    summary = await ingest(state, relay, source="pull", received_at=T0 + timedelta(hours=1), today=TODAY)
    assert summary.ok, summary.errors
    assert summary.registered == ["BR-3509502"]
    assert summary.conflicts == ["BR-3550308 2025-Q1: BR-SP relays figures that differ from the lab's own report "
                                 "(own → relayed: projects 3 → 5); the lab's own report is kept"]
    # hub totals (4 rows) and the relayed Q1 of a lab that reported itself (4 rows) are ignored
    assert (summary.imported, summary.ignored) == (8, 8)
    assert (await stored("BR-3550308"))[("2025-Q1", "projects", "_T", "_T")] == 3
    assert (await stored("BR-3550308"))[("2025-Q2", "projects", "_T", "_T")] == 2
    assert await stored("BR-SP") == {}  # a hub's totals are never stored
    campinas = await Member.get(code="BR-3509502")
    assert (campinas.active, campinas.kind, campinas.hub_id, campinas.region_path) == (False, "lab", state.id, "BR")
    assert "BR-SP" in campinas.note
    relayed = await Observation.get(member=campinas, indicator="projects", module="_T", kind="_T")
    assert (relayed.value, relayed.via_id) == (7, state.id)
    assert (await Report.get(member=campinas, period="2025-Q1")).via_id == state.id
    # when the lab later reports Q2 itself, its own report replaces the relayed slice
    own = await ingest(direct, document("BR-3550308", {"2025-Q2": {"projects": 2}}), source="push",
                       received_at=T0 + timedelta(hours=2), today=TODAY)
    assert (own.updated, own.conflicts) == (4, [])
    q2 = await Observation.filter(member=direct, period="2025-Q2")
    assert {o.via_id for o in q2} == {None} and len(q2) == 4
    report = await Report.get(member=direct, period="2025-Q2")
    assert (report.via_id, report.source, report.first_received_at) == (None, "push", T0 + timedelta(hours=1))
    # a lab registered as a hub cannot be relayed as a lab
    await Member.create(code="BR-RJ", name="Rede RJ", kind="hub")
    refused = await ingest(state, document("BR-SP", {}, kind="hub", members={"BR-RJ": {"2025-Q1": {"projects": 1}}}),
                           source="pull", received_at=T0, today=TODAY)
    assert [p.path for p in refused.errors] == ["members"] and await stored("BR-RJ") == {}


@pytest.mark.skipif(not os.environ.get("LABKIT_TEST_DATABASE_URL"), reason="concurrency needs PostgreSQL")
async def test_concurrent_documents_of_the_same_lab_leave_one_consistent_slice(hub: RunningLab) -> None:
    lab = await Member.create(code="BR-3550308", name="MobiLab")
    docs = [document("BR-3550308", {"2025-Q1": {"projects": n, f"projects:k{n}": n}}) for n in range(1, 9)]
    results = await asyncio.gather(*(ingest(lab, d, source="push", received_at=T0, today=TODAY) for d in docs))
    assert all(r.ok for r in results)
    rows = await stored("BR-3550308")
    totals = [v for (p, i, m, k), v in rows.items() if i == "projects" and k == "_T"]
    kinds = [k for (p, i, m, k) in rows if i == "projects" and k != "_T"]
    assert len(totals) == 1 and kinds == [f"k{totals[0]}"]  # exactly one document's slice, whole
    assert await Report.filter(member=lab).count() == 1
    assert sum(r.imported for r in results) - sum(r.removed for r in results) == len(rows)


async def test_an_unchanged_document_moves_last_received_at_of_what_it_carries(hub: RunningLab) -> None:
    from labkit_federation.storage import received_again

    lab = await Member.create(code="BR-3550308", name="MobiLab", region_path="BR/BR-SP")
    state = await Member.create(code="BR-SP", name="State hub", kind="hub", region_path="BR/BR-SP")
    assert (await ingest(lab, document("BR-3550308", {"2025-Q1": {"projects": 2}}), source="pull",
                         received_at=T0, today=TODAY)).ok
    assert (await ingest(state, document("BR-SP", {}, kind="hub", members={"BR-3509502": {"2025-Q1": {"projects": 1}}}),
                         source="pull", received_at=T0, today=TODAY)).ok
    later = T0 + timedelta(days=1)
    assert await received_again([state], later) == 1  # the relayed lab's report, not the lab's own
    assert (await Report.get(member__code="BR-3509502")).last_received_at == later
    assert (await Report.get(member=lab)).last_received_at == T0
    assert await received_again([lab], later) == 1
    assert (await Report.get(member=lab)).last_received_at == later
