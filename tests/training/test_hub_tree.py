"""A training given to another lab's team reaches the hub's trainer-of-trainers tree: the lab
publishes it in its indicators document (format 1.2, ``lab.trainings``: the trainee lab's code,
the course and its day, no person), a real hub harvests the document over HTTP and shows it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from labkit.indicator_format import validate
from labkit.testing import RunningLab
from labkit.testing_server import LabServer

from labkit_federation import tree
from labkit_federation.harvest import harvest
from labkit_federation.models import HarvestResult, Member
from labkit_federation.options import of
from tests.demo_labs import demo_lab


async def test_the_hub_tree_shows_a_training_given_to_another_lab(make_lab: Callable[..., Awaitable[RunningLab]],
                                                                  tmp_path: Path) -> None:
    await demo_lab(tmp_path / "mobilab", ["training", "indicators"])
    server = await asyncio.to_thread(LabServer.start, tmp_path / "mobilab")
    try:
        hub = await make_lab(plugins=["federation"], name="hub",
                             settings={"plugin.federation": {"allow_private_addresses": True}})
        url = server.url + "/api/v1/indicators/"
        async with httpx.AsyncClient() as client:
            document = (await client.get(url)).json()
        assert validate(document) == [] and document["version"] == "1.2"
        (training,) = document["lab"]["trainings"]
        assert set(training) == {"trainee", "course", "date"}  # no person, no count
        assert training["trainee"] == "BR-1302603" and training["course"].startswith("Curso de 18 horas")
        await Member.create(code="BR-3550308", name="MobiLab", url=url, region_path="BR/BR-SP")
        await Member.create(code="BR-1302603", name="Lab Manaus", region_path="BR/BR-AM")

        run = await harvest(of(hub.app), trigger="cli")
        result = await HarvestResult.get(run=run)
        assert result.outcome == "ok", result.detail

        built = await tree.build()
        (root,) = built.roots
        assert root.code == "BR-3550308"
        (trainee,) = root.trainees
        assert trainee.code == "BR-1302603" and trainee.programme == training["course"]
        assert trainee.trainings == [{"course": training["course"], "date": training["date"]}]
        page = await hub.client().get("/federation/tree")
        assert "Lab Manaus" in page.text and training["course"] in page.text
        api = (await hub.client().get("/api/v1/federation/tree")).json()
        assert api["roots"][0]["trainees"][0]["trainings"][0]["course"] == training["course"]
    finally:
        await asyncio.to_thread(server.stop)
