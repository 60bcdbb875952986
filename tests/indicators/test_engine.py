"""The engine: one person counts once, the lab's time zone draws the periods, a failing module is
named, recomputing is idempotent and a published period never moves."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from labkit import Contribution, Period, PortfolioItem
from labkit.auth import create_token
from labkit.testing import RunningLab

from .conftest import module
from labkit_indicators.engine import Engine, PublishError
from labkit_indicators.models import ManualEntry, PeriodState, Snapshot


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def staff_api(lab: RunningLab):
    person = await lab.person("staff")
    return lab.client(token=await create_token(person, "test")), person


async def test_a_person_active_in_three_modules_counts_once(fed_lab: RunningLab) -> None:
    a, b, c = (module(fed_lab, s) for s in ("ifeed_a", "ifeed_b", "ifeed_c"))
    a.ACTIONS.extend([(1, at("2026-03-10T15:00")), (2, at("2026-03-11T15:00")), (3, at("2026-05-02T15:00"))])
    b.ACTIONS.extend([(1, at("2026-03-12T15:00")), (4, at("2026-03-12T16:00"))])
    c.ACTIONS.extend([(1, at("2026-03-20T15:00")), (1, at("2026-05-20T15:00"))])
    c.COUNTS.append(Contribution("participants", 7, {"kind": "hearing", "period": "2026-03"}))
    client, _ = await staff_api(fed_lab)

    march = (await client.get("/api/v1/indicators/", params={"period": "2026-03"})).json()
    obs = {o["indicator"]: o for o in march["periods"][0]["observations"]}
    participants = obs["participants"]
    # people 1, 2, 4 (person 1 is in all three modules) + 7 people without accounts at a hearing
    assert participants["value"] == 3 + 7, participants["breakdowns"]
    modules = {cell["member"]: cell["value"] for cell in participants["breakdowns"]["module"]}
    assert modules == {"ifeed_a": 2, "ifeed_b": 2, "ifeed_c": 1 + 7}
    kinds = {cell["member"]: cell for cell in participants["breakdowns"]["kind"]}
    assert kinds["hearing"]["value"] == 7 and participants["temporal_aggregation"] == "distinct"

    # the year is the distinct union over the year (1, 2, 3, 4), not the sum of the months
    engine = Engine.for_app(fed_lab.app)
    year = await engine.compute(Period.parse("2026"))
    may = await engine.compute(Period.parse("2026-05"))
    assert may.value("participants") == 2  # people 3 and 1
    assert [(c.member, c.value) for c in year.figures["participants"].breakdowns["kind"]] == [("registered", 4)]
    assert year.value("participants") == 4  # the hearing count was reported for March only by the test plugin


async def test_portfolio_items_count_once_in_the_period_of_their_start(fed_lab: RunningLab) -> None:
    a, b = module(fed_lab, "ifeed_a"), module(fed_lab, "ifeed_b")
    item = PortfolioItem("projects", "winner:1", "Ônibus", date(2026, 2, 27), kind="challenge")
    a.ITEMS.extend([item, item, PortfolioItem("products", "proto:1", "Protótipo", date(2026, 3, 1), kind="prototype")])
    b.ITEMS.append(PortfolioItem("projects", "winner:1", "Same key, other module", date(2026, 2, 3), kind="residency"))
    b.COUNTS.append(Contribution("partnerships", 2, {"kind": "university"}))
    engine = Engine.for_app(fed_lab.app)
    february = await engine.compute(Period.parse("2026-02"))
    assert february.value("projects") == 2  # (ifeed_a, winner:1) once + (ifeed_b, winner:1)
    assert {c.member: c.value for c in february.figures["projects"].breakdowns["kind"]} == {"challenge": 1, "residency": 1}
    assert february.value("products") == 0 and february.value("partnerships") == 2
    q1 = await engine.compute(Period.parse("2026-Q1"))
    assert q1.value("projects") == 2 and q1.value("products") == 1


async def test_period_boundaries_follow_the_lab_time_zone(fed_lab: RunningLab) -> None:
    a = module(fed_lab, "ifeed_a")
    # 01:30 UTC on 1 April is still 31 March, 22:30, in São Paulo
    a.ACTIONS.extend([(10, at("2026-04-01T01:30")), (11, at("2026-04-01T03:30"))])
    engine = Engine.for_app(fed_lab.app)
    assert (await engine.compute(Period.parse("2026-03"))).value("participants") == 1
    assert (await engine.compute(Period.parse("2026-04"))).value("participants") == 1
    # a quarter boundary likewise, and a year: 2027-01-01T02:00Z is 31 December 2026 in São Paulo
    a.ACTIONS.append((12, at("2027-01-01T02:00")))
    assert (await engine.compute(Period.parse("2026-Q4"))).value("participants") == 1
    assert (await engine.compute(Period.parse("2027"))).value("participants") == 0


async def test_a_failing_module_is_named_and_the_others_still_count(fed_lab: RunningLab) -> None:
    module(fed_lab, "ibroken").BROKEN["on"] = True
    module(fed_lab, "ifeed_a").ACTIONS.extend([(n, at("2026-06-10T12:00")) for n in range(1, 9)])
    client, _ = await staff_api(fed_lab)
    response = await client.get("/api/v1/indicators/", params={"period": "2026-06"})
    assert response.status_code == 200
    period = response.json()["periods"][0]
    assert period["failures"] == [{"module": "ibroken", "hook": "labkit_participants",
                                   "error": "RuntimeError: database of the broken module is down"}]
    assert {o["indicator"]: o["value"] for o in period["observations"]}["participants"] == 8
    refused = await client.post("/api/v1/indicators/periods/2026-06/publish")
    assert refused.status_code == 409 and "ibroken" in refused.json()["detail"]
    assert await PeriodState.filter(period="2026-06", status="published").count() == 0


async def test_recomputing_is_idempotent_and_published_periods_never_move(fed_lab: RunningLab) -> None:
    a = module(fed_lab, "ifeed_a")
    a.ACTIONS.extend([(n, at("2026-02-10T12:00")) for n in range(1, 13)])
    a.ITEMS.append(PortfolioItem("projects", "p1", "Projeto", date(2026, 2, 1), kind="own"))
    engine = Engine.for_app(fed_lab.app)
    period = Period.parse("2026-02")
    first = await engine.figures(period)
    rows = sorted(await Snapshot.filter(period="2026-02").values_list("indicator", "dimension", "member", "value"))
    again = await engine.figures(period)
    assert sorted(await Snapshot.filter(period="2026-02").values_list("indicator", "dimension", "member", "value")) == rows
    assert first.value("participants") == again.value("participants") == 12
    assert await PeriodState.filter(period="2026-02").count() == 1

    a.ACTIONS.append((99, at("2026-02-11T12:00")))  # provisional figures follow the data
    assert (await engine.figures(period)).value("participants") == 13

    client, staff = await staff_api(fed_lab)
    published = await client.post("/api/v1/indicators/periods/2026-02/publish")
    assert published.status_code == 201
    document = published.json()["periods"][0]
    assert document["status"] == "published" and document["published_at"]

    # the data changes afterwards: more people, another project, a manual entry
    a.ACTIONS.extend([(n, at("2026-02-20T12:00")) for n in range(100, 120)])
    a.ITEMS.append(PortfolioItem("projects", "p2", "Outro", date(2026, 2, 15)))
    await ManualEntry.create(period="2026-02", indicator="participants", value=40, reason="late sheet")
    anonymous = fed_lab.client()
    later = (await anonymous.get("/api/v1/indicators/", params={"period": "2026-02"})).json()["periods"][0]
    assert later["observations"] == document["observations"]
    assert later["published_at"] == document["published_at"]
    assert (await engine.figures(period)).value("participants") == 13
    with pytest.raises(PublishError):
        await engine.publish(period, staff.id)
    again = await client.post("/api/v1/indicators/periods/2026-02/publish")
    assert again.status_code == 409
    # the year holding it is still provisional and does see the new data
    assert (await engine.compute(Period.parse("2026"))).value("participants") == 13 + 20 + 40


async def test_only_ended_periods_can_be_published(fed_lab: RunningLab) -> None:
    engine = Engine.for_app(fed_lab.app)
    today = engine.today()
    with pytest.raises(PublishError, match="has not ended"):
        await engine.publish(Period.parse(str(today.year)), None)
    with pytest.raises(PublishError, match="has not ended"):
        await engine.publish(Period.parse(str(today.year + 3)), None)
