"""Open data and the API: no personal data leaves, formulas are neutralised, the API describes itself,
and the demo consultations load in Portuguese."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from labkit.auth import create_token
from labkit.i18n import translations
from labkit.testing import RunningLab
from labkit.timezones import now

from .conftest import proposal_of


async def test_exports_hold_counts_and_no_personal_data(plab: RunningLab, make_process) -> None:
    from labkit_participation.models import Meeting, Support

    process = await make_process("support")
    author = await plab.person("member", email="maria.private@example.org", name="Maria Secreta")
    proposal = await proposal_of(process, author, title="=HYPERLINK(\"http://evil\")", category="Menu")
    await proposal_of(process, author, title="Spam here", hidden_at=now(), hidden_reason="Spam")
    for _ in range(2):
        await Support.create(proposal_id=proposal.id, process_id=process.id, person_id=(await plab.person("member")).id)
    start = now() - timedelta(days=1)
    await Meeting.create(process_id=process.id, title="Hearing", starts_at=start, ends_at=start + timedelta(hours=2),
                         place="City hall", attendance_count=33, minutes="Minutes text")
    draft = await make_process("support", published=False)
    await proposal_of(draft, author, title="Draft proposal")
    client = plab.client()
    csv_response = await client.get("/participation/data/proposals.csv")
    assert csv_response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(csv_response.text)))
    assert len(rows) == 1
    assert rows[0]["title"].startswith("'=HYPERLINK")  # CSV injection neutralised
    assert rows[0]["supports"] == "2" and rows[0]["category"] == "Menu"
    as_json = (await client.get("/participation/data/proposals.json")).json()
    assert as_json["items"][0]["supports"] == 2
    hearings = (await client.get("/participation/data/hearings.json")).json()["items"]
    assert [(h["title"], h["attendance_count"], h["minutes"]) for h in hearings] == [("Hearing", 33, "Minutes text")]
    assert "hearings.csv" in (await client.get("/participation/data")).text
    for path in ("proposals.csv", "proposals.json", "hearings.csv", "hearings.json", "survey-results.csv",
                 "survey-results.json"):
        body = (await client.get(f"/participation/data/{path}")).text
        assert "Maria Secreta" not in body and "maria.private" not in body and "Spam here" not in body
        assert "Draft proposal" not in body
    only = list(csv.DictReader(io.StringIO((await client.get(f"/participation/data/proposals.csv?process={draft.id}")).text)))
    assert only == []


async def test_the_api_lists_with_counts_and_describes_itself(plab: RunningLab, make_process) -> None:
    process = await make_process("proposals")
    member = await plab.person("member", name="Ana")
    api = plab.client(token=await create_token(member, "t"))
    created = await api.post(f"/api/v1/participation/processes/{process.id}/proposals",
                             json={"title": "Shade in the square", "body": "Plant trees around the playground."})
    assert created.status_code == 201 and created.json()["author"] == "Ana"
    bad = await api.post(f"/api/v1/participation/processes/{process.id}/proposals", json={"title": "x"})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"title", "body"}
    listed = (await plab.client().get(f"/api/v1/participation/processes/{process.id}/proposals")).json()
    assert listed["total"] == 1 and listed["items"][0]["supports"] == 0
    process_json = (await plab.client().get(f"/api/v1/participation/processes/{process.id}")).json()
    assert process_json["phase"] == "proposals" and [p["phase"] for p in process_json["phases"]] == [
        "information", "proposals", "support", "results"]
    assert (await plab.client().get("/api/v1/participation/processes/999999")).status_code == 404
    document = (await plab.client().get("/api/v1/openapi.json")).json()
    support = document["paths"]["/api/v1/participation/proposals/{proposal_id}/support"]
    assert set(support) == {"post", "delete"} and support["post"]["x-labkit-permission"] == "participation.support"
    assert "SurveyResponseIn" in document["components"]["schemas"]
    staff_api = plab.client(token=await create_token(await plab.person("staff"), "t"))
    made = await staff_api.post("/api/v1/participation/processes", json={
        "title": "Via API", "information_starts_at": "2031-01-01T00:00:00-03:00",
        "proposals_starts_at": "2031-01-02T00:00", "support_starts_at": "2031-01-01T00:00",
        "results_starts_at": "2031-02-01T00:00"})
    assert made.status_code == 422 and made.json()["errors"][0]["field"] == "support_starts_at"
    assert (await api.post("/api/v1/participation/processes", json={})).status_code == 403


async def test_demo_data_creates_two_portuguese_consultations(plab: RunningLab) -> None:
    from labkit_participation.models import Meeting, Process, Proposal, Support, Survey, SurveyResponse

    await plab.person("admin")
    results = dict(plab.plugins.results("labkit_demo_data", settings=plab.settings))
    await results["participation"]
    await dict(plab.plugins.results("labkit_demo_data", settings=plab.settings))["participation"]  # twice is safe
    titles = sorted(await Process.all().values_list("title", flat=True))
    assert len(titles) == 2 and titles[0].startswith("Merenda escolar") and titles[1].startswith("Praça")
    assert await Proposal.all().count() == 7 and await Support.all().count() > 0
    assert await Meeting.all().count() == 2 and await Survey.all().count() == 1
    assert await SurveyResponse.all().count() == 4
    page = await plab.client().get("/participation/", headers={"Accept-Language": "pt-BR"})
    assert "Merenda escolar" in page.text and translations("pt-BR").gettext("Open now") in page.text
    for process in await Process.all():
        assert (await plab.client().get(f"/participation/processes/{process.id}")).status_code == 200
        assert (await plab.client().get(f"/participation/processes/{process.id}/results")).status_code == 200
    for proposal in await Proposal.all():
        assert (await plab.client().get(f"/participation/proposals/{proposal.id}")).status_code == 200
    staff = await plab.login_as("staff")
    for meeting in await Meeting.all():
        assert (await staff.get(f"/participation/meetings/{meeting.id}")).status_code == 200
    assert (await staff.get(f"/participation/surveys/{(await Survey.first()).id}")).status_code == 200
    assert (await staff.get("/participation/moderation")).status_code == 200


async def test_the_catalogs_translate_the_pages(plab: RunningLab) -> None:
    for tag in ("pt-BR", "es", "fr"):
        assert translations(tag).gettext("Send a proposal") != "Send a proposal", tag
        assert translations(tag).gettext("Hidden by moderation: %(reason)s") != "Hidden by moderation: %(reason)s"


async def test_personal_data_export_and_erasure(plab: RunningLab, make_process) -> None:
    from labkit_participation.models import Follow, Proposal

    process = await make_process("proposals")
    member = await plab.login_as("member")
    proposal = await proposal_of(process, member.person, latitude=-23.5, longitude=-46.6)
    api = plab.client(token=await create_token(member.person, "t"))
    assert (await api.post(f"/api/v1/participation/processes/{process.id}/follow")).status_code == 200
    exported = (await member.get("/account/export")).text
    assert "Fresh fruit every day" in exported and "followed_processes" in exported
    erase = dict(plab.plugins.results("labkit_erase_person", person_id=member.person.id))["participation"]
    await erase
    await proposal.refresh_from_db()
    assert proposal.title == "Fresh fruit every day" and proposal.latitude is None
    assert not await Follow.filter(person_id=member.person.id).exists()
    assert await Proposal.filter(author_id=member.person.id).count() == 1
