"""A hub harvests a simulated network of labs: each fault reported for its lab alone.

The labs are real HTTP servers on loopback (tests/federation/simulated.py); the hub is a real
lab with the federation plugin and its database (SQLite, or PostgreSQL with
``LABKIT_TEST_DATABASE_URL``).
"""

from __future__ import annotations

import asyncio
import os
import pty
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise.context import TortoiseContext

from labkit import db
from labkit.config import load_settings
from labkit.indicator_format import observations
from labkit.indicator_format.http import content_hash
from labkit.models import Lease
from labkit.plugins import Plugins
from labkit.testing import RunningLab, write_lab

from labkit_federation.harvest import OUTCOMES, harvest
from labkit_federation.models import HarvestResult, HarvestRun, Member, Observation, Report
from labkit_federation.options import of
from tests.federation.simulated import SimLab, SimulatedNetwork, lab_document

HUB_OPTIONS = {"allow_private_addresses": True, "timeout_seconds": 0.5, "retries": 1, "backoff_seconds": 0.05,
               "max_document_bytes": 60_000, "concurrency": 4}


def network_of_labs() -> list[SimLab]:
    return [
        SimLab("BR-3550308"),                                   # good, 1.1, ETag
        SimLab("BR-3304557", etag=False),                       # good, 1.1, no ETag
        SimLab("PT-1106", version="1.0"),                       # good, previous version, ETag
        SimLab("PT-0808", version="1.0", etag=False),           # good, previous version, no ETag
        SimLab("BR-4106902", behaviour="flaky", failures=1),    # 500 once, then the document
        SimLab("BR-2611606", behaviour="redirect", target="/labs/BR-2611606-moved/indicators"),
        SimLab("BR-2304400", behaviour="broken"),               # always 500
        SimLab("BR-1302603", behaviour="slow", delay=1.5),      # beyond the timeout
        SimLab("BR-5300108", behaviour="not_json"),
        SimLab("BR-2927408", behaviour="wrong_version"),
        SimLab("BR-3106200", behaviour="oversized"),
        SimLab("BR-4314902", behaviour="impostor", claims="BR-3550308"),
        SimLab("BR-1501402", behaviour="vanish"),
        SimLab("BR-2111300", behaviour="gone"),
        SimLab("BR-1721000", behaviour="missing"),
        SimLab("BR-1100205", behaviour="bad_gzip"),             # 200, "gzip" that is not: that lab's outcome alone
        SimLab("BR-1100015", behaviour="gzip_bomb"),            # 1 MB of gzip inflating to 1 GiB
        SimLab("BR-1100023", behaviour="trickle"),              # 200 at once, then a byte every 0.2 s
        SimLab("BR-1100031", behaviour="bad_redirect"),         # 302 to an address that is not a URL
        SimLab("BR-1100049", behaviour="long_etag"),            # stored; its 5,000-character ETag is not
        SimLab("BR-1100056", behaviour="binary_etag"),          # stored; its ETag with a non-ASCII byte is not
    ]


EXPECTED = {
    "BR-3550308": ("ok", 1), "BR-3304557": ("ok", 1), "PT-1106": ("ok", 1), "PT-0808": ("ok", 1),
    "BR-4106902": ("ok", 2), "BR-2611606": ("ok", 1),
    "BR-2304400": ("http_error", 2), "BR-1302603": ("timeout", 2), "BR-5300108": ("invalid", 1),
    "BR-2927408": ("invalid", 1), "BR-3106200": ("invalid", 1), "BR-4314902": ("invalid", 1),
    "BR-1501402": ("truncated", 2), "BR-2111300": ("unreachable", 2), "BR-1721000": ("http_error", 1),
    "BR-1100205": ("invalid", 1), "BR-1100015": ("invalid", 1), "BR-1100023": ("timeout", 1),
    "BR-1100031": ("http_error", 1), "BR-1100049": ("ok", 1), "BR-1100056": ("ok", 1),
}
GOOD = [code for code, (outcome, _) in EXPECTED.items() if outcome == "ok"]


async def register(network: SimulatedNetwork, labs: list[SimLab]) -> None:
    for lab in labs:
        url = network.url(lab.code)
        if lab.behaviour == "redirect":  # the document moved: served at its new address as a good lab
            network.labs[lab.target.split("/")[2]] = SimLab(lab.code)
        await Member.create(code=lab.code, name=f"Lab {lab.code}", url=url, region_path=f"{lab.code[:2]}")


async def stored(code: str) -> set[tuple[Any, ...]]:
    rows = await Observation.filter(member__code=code).values_list("indicator", "period", "module", "kind", "value",
                                                                     "suppressed", "status")
    return set(rows)


def published(document: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {(r.indicator, r.period, r.module, r.kind, r.value, r.suppressed, r.status) for r in observations(document)}


async def outcomes(run: HarvestRun) -> dict[str, HarvestResult]:
    return {r.member.code: r for r in await HarvestResult.filter(run=run).prefetch_related("member")}


@pytest.fixture
async def hub(make_lab: Callable[..., Awaitable[RunningLab]]) -> RunningLab:
    return await make_lab(plugins=["federation"], settings={"plugin.federation": HUB_OPTIONS}, name="hub")


async def test_each_fault_is_reported_for_its_lab_alone_and_a_second_harvest_changes_nothing(hub: RunningLab) -> None:
    labs = network_of_labs()
    async with SimulatedNetwork(labs, max_bytes=HUB_OPTIONS["max_document_bytes"]) as network:
        await register(network, labs)
        await Member.create(code="BR-9999999", name="Inactive lab", url=network.url("BR-3550308"), active=False)
        await Member.create(code="BR-8888888", name="Lab without URL", url="")
        seen: list[tuple[str, str]] = []
        run = await harvest(of(hub.app), trigger="cli", progress=lambda member, outcome: seen.append((member.code, outcome)))

        results = await outcomes(run)
        assert {code: (r.outcome, r.attempts) for code, r in results.items()} == EXPECTED
        assert sorted(seen) == sorted((code, outcome) for code, (outcome, _) in EXPECTED.items())
        assert run.finished_at is not None and run.trigger == "cli"
        assert run.counts == {"ok": 8, "unchanged": 0, "http_error": 3, "timeout": 2, "unreachable": 1,
                              "invalid": 6, "refused": 0, "truncated": 1}
        assert network.peak <= HUB_OPTIONS["concurrency"]

        # the reasons, for that lab alone
        assert results["BR-2304400"].http_status == 500 and results["BR-2304400"].detail == "HTTP 500 Internal Server Error"
        assert results["BR-1721000"].http_status == 404
        assert results["BR-1302603"].detail == "no complete answer within 0.5 s"
        assert results["BR-1302603"].duration_ms >= 1000  # two attempts of 0.5 s, and the backoff between
        assert results["BR-5300108"].errors[0]["message"].startswith("not JSON")
        assert results["BR-2927408"].errors[0]["path"] == "version"
        assert "version 3.0 is not supported" in results["BR-2927408"].detail
        assert results["BR-3106200"].detail.startswith("document larger than 60000 bytes")
        assert results["BR-1100015"].detail == "document larger than 60000 bytes"  # inflated only that far
        assert results["BR-1100023"].duration_ms < 1000  # a trickle holds its slot once, not once per retry
        assert results["BR-1100031"].detail == "a redirect to an invalid URL"
        assert results["BR-4314902"].errors == [{"path": "lab.code", "message": results["BR-4314902"].errors[0]["message"]}]
        assert "reports for BR-3550308" in results["BR-4314902"].detail
        assert results["BR-1501402"].outcome == "truncated" and results["BR-1501402"].http_status == 200
        assert results["BR-2111300"].detail.startswith("cannot connect to 127.0.0.1")
        assert results["BR-3550308"].summary["imported"] > 0 and results["BR-3550308"].summary["errors"] == []

        # every good lab's figures are stored exactly as published; nothing for the failing ones
        for code in GOOD:
            lab = network.labs[code]
            assert await stored(code) == published(lab.document()), code
        for code in set(EXPECTED) - set(GOOD):
            assert await stored(code) == set(), code
        assert await Report.filter(member__code="BR-3550308").count() == 3
        assert not await HarvestResult.filter(member__code__in=["BR-9999999", "BR-8888888"]).exists()
        etag_member = await Member.get(code="BR-3550308")
        assert etag_member.etag == network.labs["BR-3550308"].entity_tag()
        assert etag_member.content_hash == content_hash(network.labs["BR-3550308"].document())
        assert [m.etag for m in await Member.filter(code__in=["BR-1100049", "BR-1100056"])] == ["", ""]

        before = sorted(await Observation.all().values_list("member__code", "indicator", "period", "module", "kind",
                                                            "value", "status", "id"))
        reports_before = sorted(await Report.all().values_list("member__code", "period", "first_received_at",
                                                               "last_received_at"))
        second = await harvest(of(hub.app), trigger="cli")
        again = await outcomes(second)
        expected_again = {code: ("unchanged" if outcome == "ok" else outcome) for code, (outcome, _) in EXPECTED.items()}
        assert {code: r.outcome for code, r in again.items()} == expected_again
        assert again["BR-3550308"].detail == "not modified (ETag)"
        assert again["PT-0808"].detail == "same content"  # no ETag, a new generated_at, the same figures
        assert network.labs["BR-3550308"].not_modified == 1 and network.labs["PT-1106"].not_modified == 1
        assert second.counts["unchanged"] == 8 and second.counts["ok"] == 0
        after = sorted(await Observation.all().values_list("member__code", "indicator", "period", "module", "kind",
                                                           "value", "status", "id"))
        assert after == before  # not one row written again
        reports_after = sorted(await Report.all().values_list("member__code", "period", "first_received_at",
                                                              "last_received_at"))
        assert [r[:3] for r in reports_after] == [r[:3] for r in reports_before]
        # an unchanged document (304 or the same content) still arrived: the reports say when
        assert all(a[3] > b[3] for a, b in zip(reports_after, reports_before)) and reports_after

        # a lab publishes new figures: only that lab is imported again
        network.labs["BR-3304557"].salt = "revised"
        third = await harvest(of(hub.app), trigger="cli", codes=["BR-3304557", "BR-3550308"])
        assert {code: r.outcome for code, r in (await outcomes(third)).items()} == {"BR-3304557": "ok",
                                                                                  "BR-3550308": "unchanged"}
        assert (await outcomes(third))["BR-3304557"].summary["updated"] > 0
        assert await stored("BR-3304557") == published(network.labs["BR-3304557"].document())
        assert await HarvestRun.all().count() == 3


async def test_private_addresses_are_refused_in_a_harvest(hub: RunningLab) -> None:
    shut = of(hub.app).model_copy(update={"allow_private_addresses": False})
    async with SimulatedNetwork([SimLab("BR-3550308")]) as network:
        port = network.base_url.rsplit(":", 1)[1]
        urls = {
            "BR-0000001": network.url("BR-3550308"),
            "BR-0000002": f"http://localhost:{port}/labs/BR-3550308/indicators",
            "BR-0000003": "http://10.0.0.7/api/v1/indicators/",
            "BR-0000004": "http://169.254.169.254/latest/meta-data/",
            "BR-0000005": f"http://[::1]:{port}/labs/BR-3550308/indicators",
            "BR-0000006": "file:///etc/passwd",
        }
        for code, url in urls.items():
            await Member.create(code=code, name=code, url=url)
        run = await harvest(shut, trigger="cli")
        assert network.hits["BR-3550308"] == 0  # the lab on loopback was never reached
    results = await outcomes(run)
    assert {code: (r.outcome, r.attempts) for code, r in results.items()} == {code: ("refused", 1) for code in urls}
    assert "localhost resolves to" in results["BR-0000002"].detail
    assert "169.254.169.254 is a link-local address" in results["BR-0000004"].detail
    assert "only http and https" in results["BR-0000006"].detail
    assert run.counts["refused"] == 6
    assert await Observation.all().count() == 0


async def test_many_labs_concurrently_within_the_bound(hub: RunningLab) -> None:
    labs = [SimLab(f"BR-{3500000 + i:07d}", etag=i % 2 == 0, version="1.0" if i % 3 == 0 else "1.1") for i in range(24)]
    async with SimulatedNetwork(labs, latency=0.05) as network:
        await Member.bulk_create([Member(code=lab.code, name=lab.code, url=network.url(lab.code)) for lab in labs])
        run = await harvest(of(hub.app), trigger="cli")
        assert run.counts["ok"] == 24
        assert 2 <= network.peak <= HUB_OPTIONS["concurrency"]
        assert await Observation.filter(member__code=labs[7].code).count() == len(published(labs[7].document()))
        second = await harvest(of(hub.app), trigger="schedule")
        assert second.counts["unchanged"] == 24 and second.trigger == "schedule"


async def test_nothing_to_harvest(hub: RunningLab) -> None:
    run = await harvest(of(hub.app), trigger="cli")
    assert run.counts == {outcome: 0 for outcome in OUTCOMES}
    assert run.finished_at is not None


def test_the_content_hash_ignores_generated_at_only() -> None:
    document = lab_document("BR-3550308")
    assert content_hash(document) == content_hash({**document, "generated_at": "2030-01-01T00:00:00Z"})
    assert content_hash(document) != content_hash(lab_document("BR-3550308", salt="other"))


# ------------------------------------------------------------------------ command line


async def labkit(folder: Path, *args: str, tty: bool = False) -> tuple[int, str, str]:
    """Run ``labkit --lab folder args`` as a process (on a pseudo-terminal when ``tty``)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LABKIT_")}
    command = [sys.executable, "-m", "labkit", "--lab", str(folder), *args]
    if not tty:
        process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE,
                                                       stderr=asyncio.subprocess.PIPE, env=environ)
        out, err = await asyncio.wait_for(process.communicate(), 120)
        return process.returncode or 0, out.decode(), err.decode()
    leader, follower = pty.openpty()
    process = await asyncio.create_subprocess_exec(*command, stdout=follower, stderr=asyncio.subprocess.PIPE,
                                                   env={**environ, "COLUMNS": "100"})
    os.close(follower)
    _, err = await asyncio.wait_for(process.communicate(), 120)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.returncode or 0, b"".join(chunks).decode(errors="replace"), err.decode()


async def test_the_command_line_harvest(tmp_path: Path) -> None:
    folder = tmp_path / "hub"
    write_lab(folder, ["federation"], {"plugin.federation": {**HUB_OPTIONS, "retries": 0}})
    settings = load_settings(folder, {})
    plugins = Plugins(settings)
    await db.migrate(settings, plugins)
    labs = [SimLab("BR-3550308"), SimLab("BR-2304400", behaviour="broken"), SimLab("BR-1721000", behaviour="missing")]
    async with SimulatedNetwork(labs) as network:
        async with TortoiseContext() as context:
            await context.init(config=db.tortoise_config(settings, plugins))
            for lab in labs:
                await Member.create(code=lab.code, name=lab.code, url=network.url(lab.code))
            await Member.create(code="BR-0000000", name="Closed lab", url=network.url("BR-3550308"), active=False)

        code, out, err = await labkit(folder, "federation", "harvest")
        assert code == 0, err
        lines = out.strip().splitlines()
        assert lines[0].startswith("harvest 1: 3 members in ")
        assert lines[1] == "  ok 1, unchanged 0, http_error 2, timeout 0, unreachable 0, invalid 0, refused 0"
        assert lines[2:] == ["failed BR-1721000: http_error 404: HTTP 404 Not Found",
                             "failed BR-2304400: http_error 500: HTTP 500 Internal Server Error"]
        assert err == ""

        code, out, err = await labkit(folder, "federation", "harvest", "--fail-on-errors", "--concurrency", "2", tty=True)
        assert code == 1, err
        assert "Harvesting" in out and "3/3" in out  # click's progress bar on a terminal
        assert "ok 0, unchanged 1, http_error 2" in out

        # a harvest holding the lease (the schedule, or "harvest now" in the server): the command waits its turn
        async with TortoiseContext() as context:
            await context.init(config=db.tortoise_config(settings, plugins))
            await Lease.create(name="harvest", holder="server-worker", expires_at=datetime.now(UTC) + timedelta(minutes=5))
        code, out, err = await labkit(folder, "federation", "harvest")
        assert code == 2 and err.startswith("labkit: error: a harvest is already running"), err
        assert len(err.strip().splitlines()) == 1 and out == ""
        async with TortoiseContext() as context:
            await context.init(config=db.tortoise_config(settings, plugins))
            assert await HarvestRun.all().count() == 2  # nothing ran beside it
            await Lease.all().delete()

        code, out, err = await labkit(folder, "federation", "harvest", "--processes", "2")
        assert code == 0 and out.startswith("harvest 3: 3 members in ") and "of them by this process" not in out
        assert err.strip() == "labkit: note: a SQLite hub harvests in one process (--processes needs PostgreSQL)"

        for args, message in ((["--member", "XX-1"], "there is no member 'XX-1' in the registry"),
                              (["--member", "BR-0000000"], "member BR-0000000 is inactive")):
            code, out, err = await labkit(folder, "federation", "harvest", *args)
            assert code == 2 and err.startswith(f"labkit: error: {message}"), err
            assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert network.hits["BR-2304400"] == 3  # three harvests, no retry (retries = 0)
