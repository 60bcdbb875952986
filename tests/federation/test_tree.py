"""The trainer-of-trainers tree: built, ordered, exported, never summed, and never a loop."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from labkit.testing import RunningLab

from labkit_federation import tree
from labkit_federation.models import Member


def test_cycle_in_finds_loops_of_any_length() -> None:
    assert tree.cycle_in({"a": None, "b": "a", "c": "b"}) is None
    assert tree.cycle_in({"a": "a"}) == ["a", "a"]
    assert tree.cycle_in({"a": "c", "b": "a", "c": "b", "d": None}) in (["a", "c", "b", "a"], ["c", "b", "a", "c"],
                                                                         ["b", "a", "c", "b"])
    assert tree.cycle_in({"x": "unknown"}) is None  # a mentor outside the mapping ends the walk
    with pytest.raises(tree.MentorCycle) as caught:
        tree.check_links({"a": "b", "b": "a"})
    assert caught.value.path[0] == caught.value.path[-1]


async def _network() -> dict[str, Member]:
    """SP trained Rio (2017) and Campinas (2018); Rio trained Niterói; Recife trained nobody yet."""
    sp = await Member.create(code="BR-3550308", name="MobiLab SP", municipality="São Paulo")
    rio = await Member.create(code="BR-3304557", name="LAB.Rio", mentor=sp, trained_on=date(2017, 5, 10), programme="P1")
    campinas = await Member.create(code="BR-3509502", name="=Lab Campinas", mentor=sp, trained_on=date(2018, 3, 12))
    niteroi = await Member.create(code="BR-3303302", name="Niterói Lab", mentor=rio, trained_on=date(2019, 6, 17),
                                  programme="Residência", active=False)
    recife = await Member.create(code="BR-2611606", name="Recife")
    return {"sp": sp, "rio": rio, "campinas": campinas, "niteroi": niteroi, "recife": recife}


async def test_build_orders_children_by_date_and_counts_generations(make_lab) -> None:
    await make_lab(plugins=["federation"])
    labs = await _network()
    built = await tree.build()
    assert [root.code for root in built.roots] == ["BR-3550308"]
    assert built.alone == 1 and built.looped == []
    sp = built.roots[0]
    assert [child.code for child in sp.trainees] == ["BR-3304557", "BR-3509502"]  # 2017 before 2018
    assert sp.trainees[0].trainees[0].code == "BR-3303302"
    assert [node.generation for node in built.nodes] == [0, 1, 2, 1]
    assert built.generations == 2 and built.links == 3

    data = built.as_dict()
    assert data["roots"][0]["trainees"][0]["trainees"][0] == {
        "code": "BR-3303302", "name": "Niterói Lab", "municipality": "", "region_path": "", "active": False,
        "trained_on": "2019-06-17", "programme": "Residência", "generation": 2, "trainings": [], "trainees": []}
    assert "value" not in str(data) and "total" not in str(data)  # never summed along

    assert built.rows() == [
        ("BR-3550308", "MobiLab SP", "BR-3304557", "LAB.Rio", "2017-05-10", "P1", 1),
        ("BR-3304557", "LAB.Rio", "BR-3303302", "Niterói Lab", "2019-06-17", "Residência", 2),
        ("BR-3550308", "MobiLab SP", "BR-3509502", "=Lab Campinas", "2018-03-12", "", 1),
    ]
    branch = await tree.build("BR-3304557")
    assert [node.code for node in branch.nodes] == ["BR-3304557", "BR-3303302"]
    assert await tree.lineage(labs["niteroi"]) == [{"code": "BR-3304557", "name": "LAB.Rio"},
                                                    {"code": "BR-3550308", "name": "MobiLab SP"}]


async def test_check_mentor_refuses_a_loop_at_any_depth(make_lab) -> None:
    await make_lab(plugins=["federation"])
    await _network()
    with pytest.raises(tree.MentorCycle):
        await tree.check_mentor("BR-3550308", "BR-3303302")  # SP's grand-trainee cannot become its mentor
    with pytest.raises(tree.MentorCycle):
        await tree.check_mentor("BR-3550308", "BR-3550308")
    await tree.check_mentor("BR-2611606", "BR-3303302")  # Recife may be trained by Niterói
    await tree.check_mentor("BR-3304557", None)


async def test_a_loop_stored_behind_the_rules_back_does_not_hang_the_tree(make_lab) -> None:
    await make_lab(plugins=["federation"])
    a = await Member.create(code="A", name="A")
    b = await Member.create(code="B", name="B", mentor=a)
    await Member.filter(id=a.id).update(mentor_id=b.id)
    built = await tree.build()
    assert built.roots == [] and built.looped == ["A", "B"]
    assert await tree.lineage(b) == [{"code": "A", "name": "A"}]


async def test_tree_page_downloads_and_api(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=["federation"])
    await _network()
    client = lab.client()
    page = await client.get("/federation/tree")
    assert page.status_code == 200
    html = page.text
    assert "<details open>" in html and html.index("LAB.Rio") < html.index("Niterói Lab") < html.index("=Lab Campinas")
    assert "never summed along its branches" in html
    assert "Recife" not in html  # outside the tree (it trained nobody and nobody trained it)

    download = await client.get("/federation/tree.csv")
    assert download.headers["content-disposition"] == 'attachment; filename="trainer-tree.csv"'
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == list(tree.CSV_HEADER)
    assert rows[3] == ["BR-3550308", "MobiLab SP", "BR-3509502", "'=Lab Campinas", "2018-03-12", "", "1"]  # CSV injection safe

    nested = (await client.get("/federation/tree.json")).json()
    api = (await client.get("/api/v1/federation/tree")).json()
    assert nested == api
    assert api["generations"] == 2 and api["roots"][0]["trainees"][1]["code"] == "BR-3509502"


async def test_the_member_form_refuses_a_mentor_that_closes_a_loop(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=["federation"])
    await _network()
    staff = await lab.login_as("staff")
    response = await staff.submit("/federation/registry/BR-3550308/edit", {
        "code": "BR-3550308", "name": "MobiLab SP", "kind": "lab", "mentor": "BR-3303302", "active": "on"})
    assert response.status_code == 422
    assert "loop in the tree" in response.text and "BR-3550308 → BR-3303302 → BR-3304557 → BR-3550308" in response.text
    assert (await Member.get(code="BR-3550308")).mentor_id is None
    fine = await staff.submit("/federation/registry/BR-2611606/edit", {
        "code": "BR-2611606", "name": "Recife", "kind": "lab", "mentor": "BR-3303302", "trained_on": "2024-02-01",
        "programme": "Rede", "active": "on"})
    assert fine.status_code == 303
    recife = await Member.get(code="BR-2611606").prefetch_related("mentor")
    assert recife.mentor.code == "BR-3303302" and recife.trained_on == date(2024, 2, 1)
