"""The hub's read-only JSON API under /api/v1/federation/: public aggregates, staff-only harvests."""

from __future__ import annotations

from labkit.testing import RunningLab

from labkit_federation import demo
from labkit_federation.api import CompletenessOut
from labkit_federation.models import HarvestRun, Member

PLUGINS = ["federation"]


async def test_completeness_members_and_member_detail(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=PLUGINS)
    await demo.create(lab.settings)
    await Member.filter(code="BR-3550308").update(token_hash="f" * 64)
    client = lab.client()

    members = await client.get("/api/v1/federation/members?per_page=5")
    assert members.status_code == 200
    data = members.json()
    assert data["total"] == 12 and data["pages"] == 3 and len(data["items"]) == 5
    assert all("token" not in key for item in data["items"] for key in item)
    assert "f" * 64 not in members.text
    rj = (await client.get("/api/v1/federation/members?region=BR/BR-RJ")).json()
    assert sorted(item["code"] for item in rj["items"]) == ["BR-3303302", "BR-3304557"]
    assert rj["items"][0]["mentor"] in ("BR-3304557", "BR-3550308")

    detail = (await client.get("/api/v1/federation/members/BR-2611606")).json()
    assert detail["trainees"] == ["BR-2304400", "BR-1501402"]  # by training date
    assert detail["series"] and set(detail["series"][0]["values"]) == {"projects", "partnerships", "participants", "products"}
    assert detail["reports"][0]["source"] == "pull"
    assert (await client.get("/api/v1/federation/members/NOPE")).status_code == 404
    belem = (await client.get("/api/v1/federation/members/BR-1501402")).json()
    first = belem["series"][0]
    assert first["values"]["participants"] is None and first["suppressed"]["participants"] is True

    periods = sorted({entry["period"] for entry in detail["series"] if "Q" in entry["period"]})
    latest = periods[-1]
    report = (await client.get(f"/api/v1/federation/completeness?period={latest}")).json()
    assert report["period"] == latest and report["due"] is True
    assert CompletenessOut.model_validate(report).total.expected == 12  # the documented shape
    assert report["total"]["expected"] == 12
    statuses = {line["code"]: line["status"] for line in report["members"]}
    assert statuses["BR-1302603"] == "failed" and statuses["BR-2927408"] == "late"
    manaus = next(line for line in report["members"] if line["code"] == "BR-1302603")
    assert manaus["last_harvest"]["outcome"] == "timeout" and manaus["latitude"] == -3.119
    assert {row["region"] for row in report["regions"]} == {"BR/BR-SP", "BR/BR-RJ", "BR/BR-PE", "BR/BR-PR", "BR/BR-MG",
                                                          "BR/BR-CE", "BR/BR-BA", "BR/BR-RS", "BR/BR-PA", "BR/BR-AM"}
    rio = (await client.get(f"/api/v1/federation/completeness?period={latest}&region=BR/BR-RJ&status=on_time")).json()
    assert sorted(line["code"] for line in rio["members"]) == ["BR-3303302", "BR-3304557"]
    assert rio["total"]["expected"] == 2 and rio["total"]["completeness"] == 1.0
    late = (await client.get(f"/api/v1/federation/completeness?period={latest}&status=late")).json()
    assert [line["code"] for line in late["members"]] == ["BR-2927408"] and late["members"][0]["days_late"] > 0

    for bad in ("/api/v1/federation/completeness", "/api/v1/federation/completeness?period=2026-13",
                f"/api/v1/federation/completeness?period={latest}&status=lost",
                "/api/v1/federation/members?per_page=1000", "/api/v1/federation/totals?level=x"):
        response = await client.get(bad)
        assert response.status_code == 400, bad
        assert response.headers["content-type"] == "application/problem+json"


async def test_harvests_are_for_staff_only(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=PLUGINS)
    await demo.create(lab.settings)
    run = await HarvestRun.first()
    assert (await lab.client().get("/api/v1/federation/harvests")).status_code == 401
    member = await lab.login_as("member")
    assert (await member.get(f"/api/v1/federation/harvests/{run.id}")).status_code == 403
    staff = await lab.login_as("staff")
    runs = (await staff.get("/api/v1/federation/harvests")).json()
    assert runs["items"][0]["trigger"] == "schedule" and runs["items"][0]["counts"]["timeout"] == 1
    invalid = (await staff.get(f"/api/v1/federation/harvests/{run.id}?outcome=invalid")).json()
    assert [result["member"] for result in invalid["results"]] == ["BR-1501402"]
    assert invalid["results"][0]["errors"][0]["path"] == "periods[0].observations[2].value"
    everything = (await staff.get(f"/api/v1/federation/harvests/{run.id}?per_page=100")).json()
    assert everything["total"] == 9  # the three labs that push are not harvested
    assert (await staff.get("/api/v1/federation/harvests/424242")).status_code == 404


async def test_the_openapi_document_describes_the_read_only_api(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=PLUGINS)
    document = (await lab.client().get("/api/v1/openapi.json")).json()
    paths = document["paths"]
    for path in ("/api/v1/federation/totals", "/api/v1/federation/completeness", "/api/v1/federation/tree",
                 "/api/v1/federation/members", "/api/v1/federation/members/{code}", "/api/v1/federation/harvests"):
        assert "get" in paths[path], path
    assert paths["/api/v1/federation/harvests"]["get"]["x-labkit-permission"] == "federation.manage"
    assert "security" not in paths["/api/v1/federation/members"]["get"]
