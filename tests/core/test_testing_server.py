"""labkit.testing_server: a lab served by a real ``labkit serve --workers N`` process, then stopped."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from labkit.testing import write_lab
from labkit.testing_server import LabServer, free_port, migrate


def test_a_lab_served_by_two_workers_answers_and_stops(tmp_path: Path) -> None:
    folder = tmp_path / "lab"
    write_lab(folder, [], {"database": {"url": f"sqlite://{tmp_path / 'lab.sqlite3'}"}})
    migrate(folder)
    with LabServer.start(folder, workers=2) as server:
        workers = server.worker_pids()
        assert len(workers) == 2 and server.process.pid not in workers
        assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}
    assert server.process.poll() is not None
    assert "Application startup complete" in server.log()
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url + "/healthz")


def test_an_unmigrated_lab_fails_to_start_with_the_reason(tmp_path: Path) -> None:
    folder = tmp_path / "lab"
    write_lab(folder, [], {"database": {"url": f"sqlite://{tmp_path / 'lab.sqlite3'}"}})
    with pytest.raises(RuntimeError, match="migration"):
        LabServer.start(folder, port=free_port(), timeout=30)
