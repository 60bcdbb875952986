"""A real labkit lab with the indicators plugin and its demo data, harvested by a real hub over HTTP.

The lab runs as ``labkit serve`` in its own process (SQLite); the hub is served by ``make_lab``
(SQLite, or PostgreSQL with ``LABKIT_TEST_DATABASE_URL``). What the hub stores must be exactly
what the lab publishes at ``/api/v1/indicators/``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from labkit.indicator_format import observations, validate
from labkit.testing import RunningLab
from labkit.testing_server import LabServer

from labkit_federation.harvest import harvest
from labkit_federation.models import HarvestResult, Member, Observation, Report
from labkit_federation.options import of
from tests.demo_labs import demo_lab


async def test_a_real_lab_is_harvested_by_a_real_hub(make_lab: Callable[..., Awaitable[RunningLab]],
                                                    tmp_path: Path) -> None:
    await demo_lab(tmp_path / "mobilab", ["indicators"])
    server = await asyncio.to_thread(LabServer.start, tmp_path / "mobilab")
    try:
        hub = await make_lab(plugins=["federation"], name="hub",
                             settings={"plugin.federation": {"allow_private_addresses": True}})
        url = server.url + "/api/v1/indicators/"
        async with httpx.AsyncClient() as client:
            document = (await client.get(url)).json()
        assert validate(document) == []
        assert document["lab"]["code"] == "BR-3550308" and document["periods"], document["periods"]
        await Member.create(code="BR-3550308", name="MobiLab", url=url, region_path="BR/BR-SP")

        run = await harvest(of(hub.app), trigger="cli")
        result = await HarvestResult.get(run=run)
        assert result.outcome == "ok", result.detail
        assert result.summary["errors"] == [] and result.summary["imported"] > 0
        stored = set(await Observation.filter(member__code="BR-3550308").values_list(
            "indicator", "period", "module", "kind", "value", "suppressed", "status"))
        published = {(r.indicator, r.period, r.module, r.kind, r.value, r.suppressed, r.status)
                     for r in observations(document)}
        assert stored == published and len(stored) >= 4 * len(document["periods"])
        assert {r.period for r in await Report.filter(member__code="BR-3550308")} == {p["period"] for p in document["periods"]}
        participants = next(o for o in document["periods"][0]["observations"] if o["indicator"] == "participants")
        assert participants["value"] is None or participants["value"] >= 0

        # the lab tags its figures: the hub sends the tag it stored and the lab answers 304
        assert (await Member.get(code="BR-3550308")).etag.startswith('"')
        second = await harvest(of(hub.app), trigger="cli")
        again = await HarvestResult.get(run=second)
        assert (again.outcome, again.detail, again.http_status) == ("unchanged", "not modified (ETag)", 304)
        assert await Observation.filter(member__code="BR-3550308").count() == len(stored)
    finally:
        await asyncio.to_thread(server.stop)
