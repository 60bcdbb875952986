"""Hub of hubs: a state hub (its own ``labkit serve`` process) is a member of a national hub. A lab
reporting both directly and through the state hub is counted once; national totals equal the sum
of the distinct labs; a second harvest and a replayed push change nothing."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
from tortoise.context import TortoiseContext

from labkit import db, indicator_format
from labkit.config import load_settings
from labkit.plugins import Plugins
from labkit.testing import write_lab
from labkit.testing_server import LabServer

from .documents import document
from labkit_federation import aggregate, registry
from labkit_federation.harvest import harvest
from labkit_federation.models import HarvestResult, Member, Observation, Report
from labkit_federation.options import of
from labkit_federation.storage import ingest

STATE_LABS = {  # what the state hub gathered for 2025-Q1
    "BR-3550308": {"projects": 3, "participants": 40},   # São Paulo: also reports directly to the nation
    "BR-3509502": {"projects": 2, "participants": None},  # Campinas: suppressed
    "BR-3548708": {"projects": 4, "participants": 12},   # Santos
}
DIRECT = {"2025-Q1": {"projects": 3, "participants": 41}, "2025-Q2": {"projects": 1, "participants": 8}}


async def state_hub(folder: Path) -> None:
    """A migrated state hub (code BR-SP) holding three labs' figures."""
    write_lab(folder, ["federation"], {"lab": {"name": "Rede Paulista", "country": "BR", "region": "BR-SP"},
                                       "plugin.federation": {"hub_code": "BR-SP"}})
    settings = load_settings(folder, {})
    plugins = Plugins(settings)
    await db.migrate(settings, plugins)
    async with TortoiseContext() as context:
        await context.init(config=db.tortoise_config(settings, plugins))
        for code, figures in STATE_LABS.items():
            member = await Member.create(code=code, name=f"Lab {code}", region_path="BR/BR-SP")
            summary = await ingest(member, document(code, {"2025-Q1": figures}), source="push",
                                   received_at=datetime(2025, 7, 2, tzinfo=UTC))
            assert summary.ok, summary.errors


async def test_a_lab_reporting_directly_and_through_its_state_hub_counts_once(make_lab, tmp_path: Path) -> None:
    await state_hub(tmp_path / "state")
    server = await asyncio.to_thread(LabServer.start, tmp_path / "state")
    try:
        nation = await make_lab(plugins=["federation"], name="nation", settings={
            "lab": {"name": "Rede Nacional", "country": "BR"},
            "plugin.federation": {"hub_code": "BR", "allow_private_addresses": True, "retries": 0}})
        state_url = server.url + "/api/v1/federation/indicators"
        published = httpx.get(state_url, timeout=30).json()
        assert indicator_format.validate(published) == [] and published["lab"]["kind"] == "hub"
        await Member.create(code="BR-SP", name="Rede Paulista", kind="hub", region_path="BR", url=state_url)
        saopaulo = await Member.create(code="BR-3550308", name="MobiLab", region_path="BR/BR-SP")
        token = await registry.issue_token(saopaulo)

        # São Paulo pushes its own report first
        client = nation.client()
        body = json.dumps(document("BR-3550308", DIRECT)).encode()
        headers = {"X-Labkit-Member-Token": token, "Idempotency-Key": "sp-1", "Content-Type": "application/json"}
        pushed = await client.post("/api/v1/federation/reports", content=body, headers=headers)
        assert pushed.status_code == 200 and pushed.json()["imported"] == 8

        # then the national hub harvests the state hub over HTTP
        run = await harvest(of(nation.app), trigger="cli")
        result = await HarvestResult.get(run=run, member__code="BR-SP")
        assert result.outcome == "ok", (result.detail, result.errors)
        assert result.summary["registered"] == ["BR-3509502", "BR-3548708"]
        assert result.summary["conflicts"] == ["BR-3550308 2025-Q1: BR-SP relays figures that differ from the lab's "
                                               "own report (own → relayed: participants 41 → 40); the lab's own report is kept"]

        # counted once: São Paulo's own figures, the two other labs through the state hub
        totals = {t["indicator"]: t for t in await aggregate.totals("2025-Q1")}
        assert totals["projects"]["value"] == 3 + 2 + 4 and totals["projects"]["labs"] == 3
        assert totals["participants"]["value"] == 41 + 12 and totals["participants"]["suppressed"] == 1
        state = {r["region"]: r for r in await aggregate.by_region("2025-Q1", region="BR")}
        assert state["BR/BR-SP"]["values"]["projects"] == 9 and state["BR/BR-SP"]["labs"] == 3
        assert await Observation.filter(member__code="BR-SP").count() == 0  # no hub total is ever stored
        relayed = await Report.get(member__code="BR-3548708", period="2025-Q1").prefetch_related("via")
        assert relayed.via.code == "BR-SP" and (await Member.get(code="BR-3548708")).active is False
        assert (await Report.get(member=saopaulo, period="2025-Q1")).via_id is None

        # nothing changes on a second harvest nor on a replayed push
        before = sorted(await Observation.all().values_list("member_id", "indicator", "period", "module", "kind", "value"))
        await harvest(of(nation.app), trigger="cli")
        replay = await client.post("/api/v1/federation/reports", content=body, headers=headers)
        assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
        after = sorted(await Observation.all().values_list("member_id", "indicator", "period", "module", "kind", "value"))
        assert after == before

        # the national hub publishes in turn: an international network would read the same lab rows
        national = (await client.get("/api/v1/federation/indicators", params={"period": "2025-Q1"})).json()
        assert indicator_format.validate(national) == [] and national["lab"]["code"] == "BR"
        assert sorted(m["lab"]["code"] for m in national["members"]) == sorted(STATE_LABS)
        top = next(o for o in national["periods"][0]["observations"] if o["indicator"] == "projects")
        assert top["value"] == 9
        lab_rows = [r for r in indicator_format.observations(national)
                    if r.via and r.indicator == "projects" and r.module == r.kind == "_T"]
        assert sum(r.value for r in lab_rows) == top["value"]  # national total = the sum of the distinct labs
    finally:
        await asyncio.to_thread(server.stop)
