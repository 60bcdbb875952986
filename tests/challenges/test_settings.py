"""``[plugin.challenges]`` in lab.toml: typed, checked when the lab starts, and obeyed by submissions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from labkit.testing import RunningLab, write_lab

from tests.challenges.conftest import make_challenge, make_team

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SOLUTION = {"title": "Travessia Segura", "summary": "Mapa de calor de sinistros perto das escolas.", "licence": "MIT"}


def labkit_check(lab: Path) -> subprocess.CompletedProcess[str]:
    """``labkit check`` on ``lab``, as a real process with none of this test run's LABKIT_ variables."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LABKIT_")}
    return subprocess.run([sys.executable, "-m", "labkit", "--lab", str(lab), "check"],
                          capture_output=True, text=True, env=environ, timeout=120, check=False)


@pytest.mark.parametrize(("table", "expected"), [
    ({"max_attachmentz": 3}, ("[plugin.challenges] max_attachmentz: unknown setting (known: attachment_types, "
                              "max_attachment_bytes, max_attachments)")),
    ({"max_attachments": "many"}, "[plugin.challenges] max_attachments"),
    ({"attachment_types": ["pdf", "exe"]}, "unknown file type 'exe'"),
])
def test_a_mistyped_or_bad_setting_stops_labkit_check_with_one_line(tmp_path: Path, table: dict, expected: str) -> None:
    write_lab(tmp_path / "lab", ["challenges"], {"plugin.challenges": table})
    result = labkit_check(tmp_path / "lab")
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0
    assert len(lines) == 1 and lines[0].startswith("labkit: error: ") and expected in lines[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout


async def test_the_attachment_limits_come_from_lab_toml(make_lab) -> None:
    from labkit_challenges.models import Attachment

    lab: RunningLab = await make_lab(plugins=["challenges"], settings={
        "plugin.challenges": {"max_attachments": 1, "attachment_types": ["pdf"]}})
    challenge = await make_challenge("open")
    member = await lab.login_as("member")
    await make_team(challenge, member.person)
    url = f"/challenges/{challenge.id}/submission"
    form = await member.get(url)
    assert 'accept=".pdf"' in form.text
    two = await member.submit(url, SOLUTION, files=[("attachments", ("a.pdf", PDF, "application/pdf")),
                                                    ("attachments", ("b.pdf", PDF, "application/pdf"))])
    assert two.status_code == 422 and "A submission may have at most 1 attachments." in two.text
    assert await Attachment.all().count() == 0
    one = await member.submit(url, SOLUTION, files={"attachments": ("a.pdf", PDF, "application/pdf")})
    assert one.status_code == 303 and await Attachment.all().count() == 1
