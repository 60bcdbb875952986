"""The hub's pages over real HTTP: completeness and the map's data, the directory, a lab's page,
and the staff pages (registry, tokens, CSV import and export, harvest now)."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import re
import socket
from datetime import UTC, datetime, timedelta

from labkit.models import Lease
from labkit.testing import RunningLab

from labkit_federation import demo
from labkit_federation.models import HarvestResult, HarvestRun, Member

PLUGINS = ["federation"]


def _latest_quarter(html: str) -> str:
    match = re.search(r'<option value="(\d{4}-Q\d)" selected>', html)
    assert match, "no period selected"
    return match.group(1)


async def test_completeness_page_shows_who_reported_who_failed_and_why(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=PLUGINS)
    await demo.create(lab.settings)
    client = lab.client()
    page = await client.get("/federation/completeness")
    assert page.status_code == 200
    html = page.text
    quarter = _latest_quarter(html)
    # The demo's latest quarter: Manaus timed out, Belém sent an invalid document, Salvador was late.
    assert "Lab Manaus" in html and "Timed out" in html
    assert "Invalid document" in html and "periods[0].observations[2].value" in html
    assert re.search(r"Lab Salvador.*?Late.*?days late", html, re.S)
    assert 'id="federation-map"' in html and f'data-src="/api/v1/federation/completeness?period={quarter}' in html
    legend = html[html.index('id="map-legend"'):]
    assert all(word in legend for word in ("On time", "Late", "Failed", "Not reported", "Not yet due"))
    assert "✓" in legend and "✗" in legend  # a symbol for each status, not colour alone

    failed = await client.get(f"/federation/completeness?period={quarter}&status=failed")
    rows = re.findall(r'<th scope="row"><a href="/federation/labs/([^"]+)"', failed.text)
    assert sorted(rows) == ["BR-1302603", "BR-1501402"]

    rio = await client.get(f"/federation/completeness?period={quarter}&region=BR/BR-RJ")
    rows = re.findall(r'<th scope="row"><a href="/federation/labs/([^"]+)"', rio.text)
    assert sorted(rows) == ["BR-3303302", "BR-3304557"]

    download = await client.get(f"/federation/completeness.csv?period={quarter}")
    lines = list(csv.DictReader(io.StringIO(download.text)))
    statuses = {line["lab_code"]: line["status"] for line in lines}
    assert statuses["BR-1302603"] == "failed" and statuses["BR-2927408"] == "late"
    assert statuses["BR-3550308"] == "on_time"
    by_code = {line["lab_code"]: line for line in lines}
    assert by_code["BR-1302603"]["last_outcome"] == "timeout"

    assert (await client.get("/federation/completeness?period=2025-Q5")).status_code == 400
    assert (await client.get("/federation/completeness?region=<script>")).status_code == 400


async def test_the_page_speaks_the_visitors_language(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=PLUGINS, settings={"lab": {"languages": ["pt-BR", "en"],
                                                                        "default_language": "pt-BR"}})
    await demo.create(lab.settings)
    client = lab.client()
    html = (await client.get("/federation/completeness", headers={"Accept-Language": "pt-BR"})).text
    assert "Completude e pontualidade" in html and "Não reportou" in html
    tree = (await client.get("/federation/tree", headers={"Accept-Language": "pt-BR"})).text
    assert "Árvore de formação de formadores" in tree


async def test_directory_searches_filters_and_pages(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=PLUGINS)
    await demo.create(lab.settings)
    await Member.bulk_create([Member(code=f"PT-{n:04d}", name=f"Laboratório {n:02d}", region_path="PT/PT-11")
                              for n in range(60)])
    client = lab.client()
    first = await client.get("/federation/labs/")
    assert "72 member labs" in first.text and 'rel="next"' in first.text
    second = await client.get("/federation/labs/?page=2")
    assert 'rel="prev"' in second.text
    found = await client.get("/federation/labs/?q=janeiro")  # the municipality of LAB.Rio
    assert set(re.findall(r'href="/federation/labs/([A-Z][^"]+)"', found.text)) == {"BR-3304557"}
    by_code = await client.get("/federation/labs/?q=PT-005")
    assert "10 member labs" in by_code.text and 'rel="next"' not in by_code.text
    sp = await client.get("/federation/labs/?region=BR/BR-SP")
    assert set(re.findall(r'href="/federation/labs/(BR-[^"]+)"', sp.text)) == {"BR-3550308", "BR-3509502"}


async def test_a_labs_page_has_its_series_reports_harvests_mentor_and_trainees(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=PLUGINS)
    await demo.create(lab.settings)
    client = lab.client()
    page = await client.get("/federation/labs/BR-2611606")
    html = page.text
    assert page.status_code == 200
    assert "Laboratório de Inovação do Recife" in html
    assert "data-fed-chart" in html and "Figures of Laboratório de Inovação do Recife per period" in html
    assert "Latest reports received" in html and "Latest harvests of this lab" in html
    trained = html[html.index("Labs it trained"):]
    assert trained.index("Laboratório de Inovação de Fortaleza") < trained.index("Lab Belém")  # by date
    manaus = (await client.get("/federation/labs/BR-1302603")).text
    assert "Laboratório de Inovação de Fortaleza" in manaus and "Lineage:" in manaus and "Timed out" in manaus
    assert "Issue a push token" not in manaus  # staff only
    missing = await client.get("/federation/labs/XX-0000")
    assert missing.status_code == 404


async def test_staff_pages_need_the_manage_permission(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=PLUGINS)
    anonymous = lab.client()
    # An empty hub: every public page answers and says what is missing.
    assert "No lab has reported yet." in (await anonymous.get("/federation/")).text
    assert "No lab matches these filters." in (await anonymous.get("/federation/completeness")).text
    assert "No member lab has a mentor yet." in (await anonymous.get("/federation/tree")).text
    assert "No member lab matches this search." in (await anonymous.get("/federation/labs/")).text
    assert (await anonymous.get("/api/v1/federation/totals")).status_code == 404
    response = await anonymous.get("/federation/registry")
    assert response.status_code == 303 and response.headers["location"].startswith("/account/login")
    member = await lab.login_as("member")
    for url in ("/federation/registry", "/federation/registry/new", "/federation/harvests",
                "/federation/registry/export.csv"):
        assert (await member.get(url)).status_code == 403, url
    assert (await member.submit("/federation/harvests/run")).status_code == 403
    assert await HarvestRun.all().count() == 0
    staff = await lab.login_as("staff")
    assert (await staff.get("/federation/registry")).status_code == 200
    no_csrf = await staff.post("/federation/registry/new", data={"code": "BR-1", "name": "X"})
    assert no_csrf.status_code == 403 and not await Member.exists()


async def test_adding_a_member_validates_and_keeps_what_was_typed(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=PLUGINS)
    staff = await lab.login_as("staff")
    bad = await staff.submit("/federation/registry/new", {
        "code": "BR 3550308", "name": "MobiLab SP", "url": "ftp://mobilab.example", "latitude": "-23.55",
        "region_path": "BR//SP!", "mentor": "BR-0000000", "active": "on"})
    assert bad.status_code == 422
    html = bad.text
    assert 'value="MobiLab SP"' in html and 'value="-23.55"' in html
    assert "Use letters, digits, dots, dashes or underscores" in html
    assert "starting with http:// or https://" in html
    assert "Write the region codes from the nation down" in html
    assert not await Member.exists()

    half = await staff.submit("/federation/registry/new", {"code": "BR-3550308", "name": "MobiLab SP",
                                                             "latitude": "-23.55", "active": "on"})
    assert half.status_code == 422 and "Give both the latitude and the longitude" in half.text
    unknown_mentor = await staff.submit("/federation/registry/new", {"code": "BR-3550308", "name": "MobiLab SP",
                                                                       "mentor": "BR-0000000", "active": "on"})
    assert unknown_mentor.status_code == 422 and "There is no member lab with this code." in unknown_mentor.text

    good = await staff.submit("/federation/registry/new", {
        "code": "BR-3550308", "name": "MobiLab SP", "kind": "lab", "municipality": "São Paulo",
        "region_path": "BR/BR-SP", "url": "https://mobilab.example/api/v1/indicators/", "latitude": "-23.5505",
        "longitude": "-46.6333", "joined_on": "2016-03-01", "active": "on"})
    assert good.status_code == 303 and good.headers["location"] == "/federation/labs/BR-3550308"
    member = await Member.get(code="BR-3550308")
    assert member.region_path == "BR/BR-SP" and member.latitude == -23.5505 and member.active
    duplicate = await staff.submit("/federation/registry/new", {"code": "BR-3550308", "name": "Again", "active": "on"})
    assert duplicate.status_code == 422 and "Another member already has this code." in duplicate.text
    edit = await staff.submit("/federation/registry/BR-3550308/edit", {"code": "BR-3550308", "name": "MobiLab São Paulo"})
    assert edit.status_code == 303
    member = await Member.get(code="BR-3550308")
    assert member.name == "MobiLab São Paulo" and not member.active  # the unticked box means inactive


async def test_a_token_is_shown_once_stored_hashed_and_revocable(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=PLUGINS)
    await Member.create(code="BR-3550308", name="MobiLab SP")
    staff = await lab.login_as("staff")
    issued = await staff.submit("/federation/registry/BR-3550308/token")
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    token = re.search(r'id="token" type="text" readonly value="([^"]+)"', issued.text).group(1)
    member = await Member.get(code="BR-3550308")
    assert member.token_hash == hashlib.sha256(token.encode()).hexdigest()
    page = (await staff.get("/federation/labs/BR-3550308")).text
    assert token not in page and "Revoke the push token" in page
    registry = (await staff.get("/federation/registry")).text + (await staff.get("/federation/registry/export.csv")).text
    assert token not in registry and member.token_hash not in registry
    revoked = await staff.submit("/federation/registry/BR-3550308/token/revoke")
    assert revoked.status_code == 303
    assert (await Member.get(code="BR-3550308")).token_hash is None


async def test_registry_csv_dry_run_import_and_export(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=PLUGINS)
    staff = await lab.login_as("staff")
    text = ("code,name,kind,municipality,region_path,url,latitude,longitude,joined_on,mentor_code,trained_on,programme,active\n"
            "BR-3550308,MobiLab SP,lab,São Paulo,BR/BR-SP,https://mobilab.example/api/v1/indicators/,-23.5505,-46.6333,2016-03-01,,,,yes\n"
            "BR-3304557,LAB.Rio,lab,Rio de Janeiro,BR/BR-RJ,,,,2017-06-01,BR-3550308,2017-05-10,Programa 2017,yes\n")
    files = {"file": ("registry.csv", text.encode(), "text/csv")}
    dry = await staff.submit("/federation/registry/import", {"dry_run": "on"}, files=files)
    assert dry.status_code == 200 and "Dry run: nothing was saved" in dry.text and "2 to add" in dry.text
    assert not await Member.exists()

    broken = text + "BR-3550308,Twice,lab,,,,,,,,,,yes\n"
    refused = await staff.submit("/federation/registry/import", {}, files={"file": ("r.csv", broken.encode(), "text/csv")})
    assert refused.status_code == 422 and "nothing was saved" in refused.text and "row 4" in refused.text
    assert not await Member.exists()
    nothing = await staff.submit("/federation/registry/import", {})
    assert nothing.status_code == 422 and "Choose a CSV file." in nothing.text

    done = await staff.submit("/federation/registry/import", {}, files=files)
    assert done.status_code == 303
    rio = await Member.get(code="BR-3304557").prefetch_related("mentor")
    assert rio.mentor.code == "BR-3550308" and rio.programme == "Programa 2017"
    exported = await staff.get("/federation/registry/export.csv")
    assert exported.headers["content-disposition"] == 'attachment; filename="registry.csv"'
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["code"] for row in rows] == ["BR-3304557", "BR-3550308"] and rows[0]["mentor_code"] == "BR-3550308"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_harvest_now_runs_in_the_background_and_reports_per_lab(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=PLUGINS, settings={"plugin.federation": {
        "allow_private_addresses": True, "retries": 0, "timeout_seconds": 2}})
    await Member.create(code="BR-3550308", name="MobiLab SP", url=f"http://127.0.0.1:{_closed_port()}/api/v1/indicators/")
    staff = await lab.login_as("staff")
    started = await staff.submit("/federation/harvests/run")
    assert started.status_code == 303 and started.headers["location"] == "/federation/harvests"
    for _ in range(100):
        run = await HarvestRun.filter(trigger="manual").first()
        if run is not None and run.finished_at is not None:
            break
        await asyncio.sleep(0.05)
    assert run is not None and run.finished_at is not None
    result = await HarvestResult.get(run=run).prefetch_related("member")
    assert result.member.code == "BR-3550308" and result.outcome == "unreachable"
    listing = await staff.get("/federation/harvests")
    assert "Started by staff" in listing.text
    report = await staff.get(f"/federation/harvests/{run.id}?outcome=unreachable")
    assert report.status_code == 200 and "MobiLab SP" in report.text and "Unreachable" in report.text
    other = await staff.get(f"/federation/harvests/{run.id}?outcome=ok")
    assert "MobiLab SP" not in other.text and "No lab in this list." in other.text
    assert (await staff.get("/federation/harvests/999999")).status_code == 404

    # While another worker (or the schedule) holds the harvest lease, the button starts nothing.
    await Lease.create(name="harvest", holder="another-worker", expires_at=datetime.now(UTC) + timedelta(minutes=5))
    refused = await staff.submit("/federation/harvests/run")
    assert refused.status_code == 303
    assert "already running" in (await staff.get("/federation/harvests")).text
    assert await HarvestRun.filter(trigger="manual").count() == 1


async def test_overview_totals_drill_down_and_series(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=PLUGINS)
    await demo.create(lab.settings)
    client = lab.client()
    empty_period = await client.get("/federation/?period=1999-Q1")
    assert empty_period.status_code == 200
    page = await client.get("/federation/")
    html = page.text
    quarter = _latest_quarter(html)
    assert f"National totals, {quarter}" in html
    api = (await client.get(f"/api/v1/federation/totals?period={quarter}")).json()
    projects = next(row for row in api["totals"] if row["indicator"] == "projects")
    assert projects["labs"] == 10 and projects["aggregation"] == "sum"
    lab_rows = [row for row in (await client.get("/api/v1/federation/members?per_page=100")).json()["items"]]
    assert len(lab_rows) == 12
    # The national total is the sum of the states' totals, each the sum of its labs' own figures.
    states = {row["region"]: row for row in api["regions"]}
    assert sum(row["values"]["projects"] for row in states.values()) == projects["value"]
    assert 'region=BR/BR-SP">BR-SP</a>' in html.replace("%2F", "/")
    sp = await client.get(f"/federation/?period={quarter}&region=BR/BR-SP")
    assert f"Totals of BR/BR-SP, {quarter}" in sp.text and "MobiLab SP" in sp.text and "Lab Campinas" in sp.text
    participants = next(row for row in (await client.get(f"/api/v1/federation/totals?period={quarter}&region=BR/BR-SP"))
                        .json()["totals"] if row["indicator"] == "participants")
    assert participants["aggregation"] == "sum-of-distinct"
    series = re.findall(r'<tr><th scope="row"><a href="/federation/\?period=(\d{4}-Q\d)">', html)
    assert len(series) == 6 and series[-1] == quarter
    table = html[html.index("Totals per period"):]
    first_cells = re.findall(r'(\d{4}-Q\d)</a></th>\s*<td class="number">([\d,]+)</td>', table)
    assert dict(first_cells)[quarter] == f"{projects['value']:,}"
    assert len({value for _, value in first_cells}) > 1  # each period its own figures
    assert 'data-fed-chart' in html and "/api/v1/federation/totals" in html
    assert (await client.get("/federation/?period=2026-Q9")).status_code == 400


async def test_every_link_of_the_public_pages_leads_somewhere(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=PLUGINS)
    await demo.create(lab.settings)
    client = lab.client()
    seen: set[str] = set()
    for url in ("/federation/", "/federation/completeness", "/federation/tree", "/federation/labs/",
                "/federation/labs/BR-3550308", "/"):
        html = (await client.get(url)).text
        # Headings in order: one h1, and no level skipped on the way down.
        levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]
        assert levels.count(1) == 1, url
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), (url, levels)
        # Every input, select and textarea has a label.
        for field_id in re.findall(r'<(?:input|select|textarea)[^>]*\sid="([^"]+)"', html):
            assert f'for="{field_id}"' in html, (url, field_id)
        for href in re.findall(r'href="(/[^"#]*)"', html):
            href = href.replace("&amp;", "&")
            if href in seen or href.startswith("/static/"):
                continue
            seen.add(href)
            response = await client.get(href)
            assert response.status_code == 200, (url, href, response.status_code)
    assert "/api/v1/federation/indicators/sdmx.csv" in seen and "/federation/tree.csv" in seen
