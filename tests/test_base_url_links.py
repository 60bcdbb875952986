"""Links that leave the lab (invitation e-mails, a team's invitation link) use [lab] base_url, the
address people open, not the address the server happens to listen on."""

from __future__ import annotations

import logging
import re

import pytest

from labkit.testing import RunningLab

from tests.challenges.conftest import make_challenge, make_team

BASE_URL = "http://lab.city.example:8080"


async def test_an_invitation_e_mail_links_to_base_url(make_lab, caplog: pytest.LogCaptureFixture) -> None:
    lab: RunningLab = await make_lab(plugins=[], settings={"lab": {"base_url": BASE_URL + "/"}})
    admin = await lab.login_as("admin")
    with caplog.at_level(logging.INFO, logger="labkit.mail"):
        done = await admin.submit("/admin/people/new", {"name": "Rui", "email": "rui@example.org", "role": "member"})
        await lab.deliver_mail()
    assert done.status_code == 303
    links = re.findall(r"\S+/account/reset/\S+", caplog.text)
    assert len(links) == 1 and links[0].startswith(BASE_URL + "/account/reset/"), caplog.text
    path = links[0].removeprefix(BASE_URL)
    assert (await lab.client().get(path)).status_code == 200, "the link's path opens the lab's form"


async def test_a_teams_invitation_link_uses_base_url(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=["challenges"], settings={"lab": {"base_url": BASE_URL}})
    lead = await lab.login_as("member")
    challenge = await make_challenge("open")
    await make_team(challenge, lead.person)
    page = await lead.get(f"/challenges/{challenge.id}/team")
    link = re.search(r'id="invite-link"[^>]*value="([^"]+)"', page.text).group(1)
    assert link.startswith(BASE_URL + "/challenges/join/"), link
    mate = await lab.login_as("member")
    assert (await mate.get(link.removeprefix(BASE_URL))).status_code == 200
