"""Storing many documents together (storage.ingest_many, what a harvest's writers call): each
member's outcome stays its own — an invalid document, or one the database refuses, never costs
the others their figures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from tortoise.connection import get_connection

from labkit.testing import RunningLab

from .documents import document
from labkit_federation.models import Member, Observation, Report
from labkit_federation.storage import ImportSummary, ingest_many

T0 = datetime(2025, 7, 3, 9, 0, tzinfo=UTC)
TODAY = date(2025, 8, 1)


@pytest.fixture
async def hub(make_lab) -> RunningLab:
    return await make_lab(plugins=["federation"])


async def labs(count: int) -> list[Member]:
    return [await Member.create(code=f"BR-{3500000 + n}", name=f"Lab {n}", region_path="BR/BR-SP")
            for n in range(count)]


async def test_one_invalid_document_is_refused_with_its_path_and_the_others_are_stored(hub: RunningLab) -> None:
    members = await labs(4)
    documents = [document(m.code, {"2025-Q1": {"projects": n + 1, "participants": 10}}) for n, m in enumerate(members)]
    documents[2]["periods"][0]["observations"][0]["value"] = -1
    outcomes = await ingest_many(list(zip(members, documents)), source="pull", received_at=T0, today=TODAY)
    assert all(isinstance(outcome, ImportSummary) for outcome in outcomes)
    assert [outcome.ok for outcome in outcomes] == [True, True, False, True]
    assert [str(p) for p in outcomes[2].errors] == [
        "periods[0].observations[0].value: -1 is less than the minimum of 0"]
    assert [outcome.imported for outcome in outcomes] == [4, 4, 0, 4]
    stored = {(o.member_id, o.indicator): o.value
              for o in await Observation.filter(module="_T", kind="_T", indicator__in=["projects"])}
    assert stored == {(members[0].id, "projects"): 1, (members[1].id, "projects"): 2, (members[3].id, "projects"): 4}
    assert await Report.filter(member=members[2]).count() == 0


async def test_a_document_the_database_refuses_fails_alone(hub: RunningLab) -> None:
    members = await labs(3)
    refused = members[1]
    # a real refusal by the database (a trigger), for one member's rows only
    connection = get_connection("default")
    if connection.capabilities.dialect == "postgres":
        await connection.execute_script(
            "CREATE FUNCTION refuse_one() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.member_id = {refused.id} THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; "
            "END $$ LANGUAGE plpgsql; CREATE TRIGGER refuse_one BEFORE INSERT ON federation_observation "
            "FOR EACH ROW EXECUTE FUNCTION refuse_one();")
    else:
        await connection.execute_script(
            f"CREATE TRIGGER refuse_one BEFORE INSERT ON federation_observation WHEN NEW.member_id = {refused.id} "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;")
    items = [(m, document(m.code, {"2025-Q1": {"projects": 5}})) for m in members]
    outcomes = await ingest_many(items, source="pull", received_at=T0, today=TODAY)
    assert isinstance(outcomes[1], Exception) and "refused by the test" in str(outcomes[1])
    assert [isinstance(o, ImportSummary) and o.ok for o in (outcomes[0], outcomes[2])] == [True, True]
    assert sorted(await Observation.all().values_list("member_id", flat=True)) == sorted(
        [members[0].id] * 4 + [members[2].id] * 4)
    assert await Report.filter(member=refused).count() == 0  # its transaction rolled back whole


async def test_documents_of_the_same_lab_in_one_batch_are_applied_in_order(hub: RunningLab) -> None:
    lab, other = await labs(2)
    state = await Member.create(code="BR-SP", name="State hub", kind="hub", region_path="BR/BR-SP")
    items = [(lab, document(lab.code, {"2025-Q1": {"projects": 1}})),
             (other, document(other.code, {"2025-Q1": {"projects": 7}})),
             (state, document("BR-SP", {}, kind="hub", members={lab.code: {"2025-Q2": {"projects": 9}}})),
             (lab, document(lab.code, {"2025-Q1": {"projects": 2}}))]
    outcomes = await ingest_many(items, source="pull", received_at=T0, today=TODAY)
    assert all(isinstance(o, ImportSummary) and o.ok for o in outcomes)
    figures = dict(((p, m), v) for p, m, v in await Observation.filter(indicator="projects", module="_T", kind="_T")
                   .values_list("period", "member_id", "value"))
    assert figures == {("2025-Q1", lab.id): 2, ("2025-Q1", other.id): 7, ("2025-Q2", lab.id): 9}
    assert (outcomes[3].updated, outcomes[3].conflicts) == (1, [
        f"{lab.code} 2025-Q1: published figures changed (projects 1 → 2); the new figures are stored"])
