"""``labkit indicators show|export|publish`` on a real lab folder; errors are one line, exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from labkit.testing import write_lab

from labkit_indicators import exports


def labkit(lab: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LABKIT_")}
    return subprocess.run([sys.executable, "-m", "labkit", "--lab", str(lab), *args], capture_output=True, text=True,
                          env=environ, timeout=120)


def one_line_error(result: subprocess.CompletedProcess[str], text: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("labkit: error: ") and text in lines[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.fixture(scope="module")
def lab_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "lab"
    write_lab(folder, ["indicators"], {"lab": {"municipal_code": "3550308", "country": "BR", "region": "BR-SP"}})
    assert labkit(folder, "migrate").returncode == 0
    import sqlite3

    with sqlite3.connect(folder / "data" / "lab.sqlite3") as db:
        db.execute("INSERT INTO indicators_project (title, description, status, origin, starts_on, partner_organisations,"
                   " sdgs, links, created_at, updated_at) VALUES ('Guia', '', 'delivered', 'own', '2025-03-02', '[]', '[]',"
                   " '[]', '2025-03-02 00:00:00+00:00', '2025-03-02 00:00:00+00:00')")
        db.execute("INSERT INTO indicators_manual_entry (period, indicator, value, module, kind, reason, created_at,"
                   " updated_at) VALUES ('2025-03', 'participants', 35, 'indicators', 'workshop', 'oficina',"
                   " '2025-03-02 00:00:00+00:00', '2025-03-02 00:00:00+00:00')")
    return folder


def test_show_export_and_publish(lab_dir: Path, tmp_path: Path) -> None:
    shown = labkit(lab_dir, "indicators", "show", "2025")
    assert shown.returncode == 0, shown.stderr
    assert "2025  provisional" in shown.stdout and "participants" in shown.stdout
    assert [line.split()[:2] for line in shown.stdout.splitlines() if line.startswith(("projects", "participants"))] == [
        ["projects", "1"], ["participants", "35"]]

    out = tmp_path / "doc.json"
    assert labkit(lab_dir, "indicators", "export", "2025,2025-03", "--format", "json", "--output", str(out)).returncode == 0
    document = json.loads(out.read_text())
    jsonschema.validate(document, exports.schema())
    assert [p["period"] for p in document["periods"]] == ["2025", "2025-03"]
    package = tmp_path / "pkg"
    assert labkit(lab_dir, "indicators", "export", "2025", "--format", "datapackage", "--output", str(package)).returncode == 0
    assert sorted(p.name for p in package.iterdir()) == ["datapackage.json", "observations.csv"]

    published = labkit(lab_dir, "indicators", "publish", "2025")
    assert published.returncode == 0 and "published 2025" in published.stdout
    one_line_error(labkit(lab_dir, "indicators", "publish", "2025"), "already published")
    one_line_error(labkit(lab_dir, "indicators", "publish", "2999"), "has not ended")
    one_line_error(labkit(lab_dir, "indicators", "show", "2026-13"), "not a period")
