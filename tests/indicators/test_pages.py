"""Staff pages: manual entries with their audit trail, the portfolio, targets, dashboard, report."""

from __future__ import annotations

from datetime import date

from labkit import PortfolioItem
from labkit.auth import create_token
from labkit.testing import RunningLab

from .conftest import module
from labkit_indicators.models import EntryAudit, ManualEntry, Milestone, Partnership, Product, Project, Target


async def test_manual_entries_refuse_bad_input_and_keep_an_audit_trail(fed_lab: RunningLab) -> None:
    staff = await fed_lab.login_as("staff")
    good = {"period": "2026-03", "indicator": "participants", "value": "35", "module": "indicators",
            "kind": "workshop", "reason": "Oficina no CEU: lista de presença"}
    for bad, field, message in [
        ({"value": "-3"}, "value", "at least 0"),
        ({"value": "3.5"}, "value", "whole number"),
        ({"value": "lots"}, "value", "whole number"),
        ({"period": "2026-13"}, "period", "not a period"),
        ({"period": "2026-Q5"}, "period", "not a period"),
        ({"reason": ""}, "reason", "required"),
    ]:
        response = await staff.submit("/indicators/entries/", {**good, **bad})
        assert response.status_code == 422, bad
        assert message in response.text and f'id="error-{field}"' in response.text, bad
        assert 'value="Oficina no CEU' not in response.text or field != "reason"
    assert await ManualEntry.all().count() == 0

    created = await staff.submit("/indicators/entries/", good)
    assert created.status_code == 303
    entry = await ManualEntry.get()
    assert (entry.value, entry.period, entry.created_by_id) == (35, "2026-03", staff.person.id)
    edited = await staff.submit(f"/indicators/entries/{entry.id}", {**good, "value": "38"})
    assert edited.status_code == 303
    withdrawn = await staff.submit(f"/indicators/entries/{entry.id}/withdraw", {"reason": "counted twice"})
    assert withdrawn.status_code == 303
    audit = await EntryAudit.filter(entry=entry).order_by("id")
    assert [a.action for a in audit] == ["created", "updated", "deleted"]
    assert audit[1].changes == {"value": [35, 38]} and audit[1].actor_id == staff.person.id
    page = await staff.get(f"/indicators/entries/{entry.id}")
    assert "counted twice" in page.text and staff.person.name in page.text

    member = await fed_lab.login_as("member")
    assert (await member.submit("/indicators/entries/", good)).status_code == 403
    assert (await fed_lab.client().get("/indicators/entries/")).status_code in (302, 303, 401)


async def test_manual_entries_api_answers_problems_and_counts(fed_lab: RunningLab) -> None:
    staff = await fed_lab.person("staff")
    api = fed_lab.client(token=await create_token(staff, "entries"))
    body = {"period": "2026-04", "indicator": "participants", "value": 35, "kind": "workshop",
            "reason": "Workshop with people without accounts"}
    for bad in ({"value": -1}, {"value": 2.5}, {"period": "2026-Q5"}, {"indicator": "votes"}):
        response = await api.post("/api/v1/indicators/entries", json={**body, **bad})
        assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json", bad
    assert await ManualEntry.all().count() == 0
    created = await api.post("/api/v1/indicators/entries", json=body)
    assert created.status_code == 201 and created.json()["audit"][0]["action"] == "created"
    figures = (await api.get("/api/v1/indicators/", params={"period": "2026-Q2"})).json()
    participants = next(o for o in figures["periods"][0]["observations"] if o["indicator"] == "participants")
    assert participants["value"] == 35
    assert {c["member"]: c["value"] for c in participants["breakdowns"]["kind"]} == {"workshop": 35}
    member = await fed_lab.person("member")
    other = fed_lab.client(token=await create_token(member, "x"))
    assert (await other.post("/api/v1/indicators/entries", json=body)).status_code == 403


async def test_portfolio_records_with_organisations_journeys_and_other_modules_items(fed_lab: RunningLab) -> None:
    staff = await fed_lab.login_as("staff")
    teammate = await fed_lab.person("member", email="ana@example.org", name="Ana Souza")
    form = {"title": "Ônibus em Tempo Real", "description": "Painel **aberto**", "status": "in-progress",
            "origin": "challenge", "starts_on": "2026-02-10", "organisations": ["1", "3"],
            "other_organisations": "Coletivo Periferia", "links": "Repositório | https://example.org/repo",
            "team": "ana@example.org", "sdgs": ["11", "9"]}
    bad = await staff.submit("/indicators/portfolio/projects/new", {**form, "ends_on": "2026-01-01",
                                                                     "team": "nobody@example.org"})
    assert bad.status_code == 422 and await Project.all().count() == 0
    unknown = await staff.submit("/indicators/portfolio/projects/new", {**form, "team": "nobody@example.org"})
    assert unknown.status_code == 422 and "nobody@example.org" in unknown.text
    created = await staff.submit("/indicators/portfolio/projects/new", form)
    assert created.status_code == 303
    project = await Project.get()
    assert project.sdgs == [9, 11] and [o["name"] for o in project.partner_organisations] == [
        "SPTrans", "Casa do Hacker", "Coletivo Periferia"]
    milestone = await staff.submit(f"/indicators/portfolio/projects/{project.id}/milestones",
                                   {"happened_on": "2026-05-01", "stage": "prototype", "text": "Primeiro protótipo"})
    assert milestone.status_code == 303 and await Milestone.filter(project=project).count() == 2
    partnership = await staff.submit("/indicators/portfolio/partnerships/new", {
        "organisation_ref": "2", "partner_kind": "university", "agreement_type": "memorandum",
        "starts_on": "2026-03-01", "projects": [str(project.id)]})
    assert partnership.status_code == 303
    assert (await Partnership.get()).organisation_name == "Universidade de São Paulo"
    nameless = await staff.submit("/indicators/portfolio/partnerships/new", {
        "partner_kind": "ngo", "agreement_type": "grant", "starts_on": "2026-03-01"})
    assert nameless.status_code == 422 and "organisation" in nameless.text
    product = await staff.submit("/indicators/portfolio/products/new", {
        "title": "Painel", "product_type": "service", "licence": "AGPL-3.0", "url": "javascript:alert(1)",
        "project_id": str(project.id), "delivered_on": "2026-06-01"})
    assert product.status_code == 422 and await Product.all().count() == 0

    module(fed_lab, "ifeed_a").ITEMS.append(PortfolioItem(
        "projects", "winner:7", "Hortas Urbanas", date(2026, 4, 1), kind="challenge",
        milestones=((date(2026, 4, 1), "Vencedor do desafio"), (date(2026, 6, 1), "Piloto na Mooca"))))
    anonymous = fed_lab.client()
    listing = await anonymous.get("/indicators/portfolio/")
    assert listing.status_code == 200 and "Ônibus em Tempo Real" in listing.text and "Hortas Urbanas" in listing.text
    external = await anonymous.get("/indicators/portfolio/external/ifeed_a/winner:7")
    assert external.status_code == 200 and "Piloto na Mooca" in external.text
    detail = await anonymous.get(f"/indicators/portfolio/projects/{project.id}")
    assert "Primeiro protótipo" in detail.text and "<strong>aberto</strong>" in detail.text
    assert 'href="/orgs/1"' in detail.text and "Ana Souza" not in detail.text  # the team is for staff only
    assert "Ana Souza" in (await staff.get(f"/indicators/portfolio/projects/{project.id}")).text
    assert (await anonymous.get("/indicators/portfolio/projects/new")).status_code in (302, 303, 401)

    # the project, the partnership and the portfolio item count in their periods; the team participates
    api = fed_lab.client(token=await create_token(await fed_lab.person("staff"), "t"))
    q = (await api.get("/api/v1/indicators/", params={"period": "2026"})).json()["periods"][0]
    values = {o["indicator"]: o["value"] for o in q["observations"]}
    assert values["projects"] == 2 and values["partnerships"] == 1 and values["participants"] == 1
    assert teammate.id


async def test_dashboard_targets_charts_and_report(fed_lab: RunningLab) -> None:
    staff = await fed_lab.login_as("staff")
    module(fed_lab, "ifeed_a").ITEMS.append(PortfolioItem("projects", "x", "Projeto X", date(2025, 5, 1),
                                                           milestones=((date(2025, 5, 1), "Início"),)))
    bad = await staff.submit("/indicators/targets", {"year": "2025", "projects": "-1"})
    assert bad.status_code == 422 and await Target.all().count() == 0
    saved = await staff.submit("/indicators/targets", {"year": "2025", "projects": "4", "participants": "300"})
    assert saved.status_code == 303 and await Target.all().count() == 2
    page = await staff.get("/indicators/?year=2025")
    assert page.status_code == 200 and "<progress" in page.text and "25%" in page.text
    assert 'data-src="/indicators/data/2025.json"' in page.text and "<script>" not in page.text
    data = (await staff.get("/indicators/data/2025.json")).json()
    assert data["indicators"]["projects"]["total"][4] == 1 and data["labels"][0] == "2025-01"
    svg = await staff.get("/indicators/charts/2025/projects.svg", params={"download": "1"})
    assert svg.headers["content-type"].startswith("image/svg+xml") and "attachment" in svg.headers["content-disposition"]
    assert svg.text.startswith("<svg") and "05: 1" in svg.text
    report = await staff.get("/indicators/report/2025")
    assert report.status_code == 200 and "Projeto X" in report.text and "print.css" in report.text

    anonymous = fed_lab.client()
    before = await anonymous.get("/")  # the home card before anything is published
    assert before.status_code == 200 and "Our numbers" in before.text
    public = await anonymous.get("/indicators/?year=2025")
    assert public.status_code == 200 and "not published yet" in public.text
    assert (await anonymous.get("/indicators/report/2025")).status_code == 404
    assert (await anonymous.get("/indicators/data/2025.json")).json()["indicators"]["projects"]["total"][4] is None
    publish = await staff.submit("/indicators/periods", {"period": "2025"})
    assert publish.status_code == 303
    assert (await anonymous.get("/indicators/report/2025")).status_code == 200
    home = await anonymous.get("/")
    assert "Our numbers" in home.text and "2025" in home.text
    refused = await staff.submit("/indicators/periods", {"period": "2025-13"})
    assert refused.status_code == 422 and "not a period" in refused.text
