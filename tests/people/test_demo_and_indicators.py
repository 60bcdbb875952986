"""The demo's network and the network's size in the lab's indicators."""

from __future__ import annotations

from labkit import Period
from labkit.testing import RunningLab
from labkit.timezones import now

from labkit_people import demo
from labkit_people.models import Profile


async def test_the_demo_network_is_counted_as_participants_of_the_people_module(make_lab) -> None:
    from labkit_indicators.engine import Engine

    lab: RunningLab = await make_lab(plugins=["people", "indicators"])
    await demo.load()
    await demo.load()  # a second run adds nothing
    assert await Profile.filter(published=True).count() == 12

    visitor = lab.client()
    found = (await visitor.get("/api/v1/people/", params={"skill": "gis", "region": "zona-leste"})).json()
    assert [item["name"] for item in found["items"]] == ["Ana Souza"]
    assert "Ana Souza" in (await visitor.get("/people/", params={"looking": "1"})).text

    month = Period.parse(now().strftime("%Y-%m"))
    figures = await Engine.for_app(lab.app).compute(month)
    modules = {cell.member: cell.value for cell in figures.figures["participants"].breakdowns["module"]}
    assert modules["people"] == 12 and figures.value("participants") == 12

    await Profile.filter(name="Ana Souza").update(published=False)
    figures = await Engine.for_app(lab.app).compute(month)
    assert figures.value("participants") == 11, "a hidden profile leaves the network at once"
    before = Period.parse("2000")
    assert (await Engine.for_app(lab.app).compute(before)).value("participants") == 0
