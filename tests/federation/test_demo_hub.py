"""The demo hub harvests demo labs that answer: their documents are served by the hub itself, so a
harvest of the demo network succeeds instead of reporting every member unreachable."""

from __future__ import annotations

from labkit.testing import RunningLab

from labkit_federation import demo
from labkit_federation.harvest import harvest
from labkit_federation.models import HarvestResult, Member

DEMO_HUB = {"plugin.federation": {"hub_code": "BR", "demo_members": True, "allow_private_addresses": True,
                                  "retries": 0}}


def at_own_address(lab: RunningLab):
    """The lab's settings with base_url at the address it is really served on (as demo.sh does)."""
    return lab.settings.model_copy(update={"lab": lab.settings.lab.model_copy(update={"base_url": lab.url})})


async def test_a_harvest_of_the_demo_network_succeeds_for_every_harvested_lab(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=["federation"], settings=DEMO_HUB)
    settings = at_own_address(lab)
    await demo.create(settings)
    harvested = await Member.exclude(url="").count()
    assert harvested == len(demo.LABS) - len(demo.PUSHERS)

    run = await harvest(lab.plugins.settings_of("federation"), trigger="manual")
    outcomes = [r.outcome for r in await HarvestResult.filter(run=run)]
    assert len(outcomes) == harvested and set(outcomes) <= {"ok", "unchanged"}, outcomes

    staff = await lab.login_as("staff")
    page = await staff.get(f"/federation/harvests/{run.id}")
    assert page.status_code == 200 and "Unreachable" not in page.text


async def test_without_demo_members_the_address_is_not_found(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=["federation"])
    await demo.create(at_own_address(lab))
    answer = await lab.client().get("/federation/demo-labs/BR-3550308/indicators")
    assert answer.status_code == 404
