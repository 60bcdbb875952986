"""``[plugin.participation]`` is checked: a mistyped key or a bad value stops ``labkit check`` with
one line naming it; the environment overrides a limit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from labkit.testing import write_lab


def check(lab: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LABKIT_")} | (env or {})
    return subprocess.run([sys.executable, "-m", "labkit", "--lab", str(lab), "check"], capture_output=True,
                          text=True, env=environ, timeout=120)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0 and len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_a_mistyped_key_stops_labkit_check(tmp_path: Path) -> None:
    write_lab(tmp_path, ["participation"], {"plugin.participation": {"proposals_per_hours": 3}})
    line = one_line(check(tmp_path))
    assert "[plugin.participation] proposals_per_hours: unknown setting" in line
    assert "comments_per_10_minutes, proposals_per_hour" in line


def test_a_negative_limit_stops_labkit_check(tmp_path: Path) -> None:
    write_lab(tmp_path, ["participation"], {"plugin.participation": {"comments_per_10_minutes": -1}})
    assert "[plugin.participation] comments_per_10_minutes" in one_line(check(tmp_path))
    bad_env = check(tmp_path, {"LABKIT_PLUGIN_PARTICIPATION_COMMENTS_PER_10_MINUTES": "2"})
    assert "comments_per_10_minutes" not in bad_env.stderr  # the environment's value wins over lab.toml's
