"""The lab's Content-Security-Policy follows its map tiles; `labkit check` only warns about a tile
server it cannot reach."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from labkit.config import load_settings
from labkit.maps import image_sources, tile_layer, unreachable_tile_server
from labkit.testing import RunningLab, write_lab
from labkit.testing_server import free_port

from tests.scaffold.conftest import labkit


def settings(tmp_path: Path, lab: dict | None = None, security: dict | None = None):
    write_lab(tmp_path, ["mapping"], {"lab": lab or {}, "security": security or {}})
    return load_settings(tmp_path, {})


def test_the_default_tile_server_is_allowed_without_a_second_setting(tmp_path: Path) -> None:
    lab = settings(tmp_path)
    assert image_sources(lab) == ["https://tile.openstreetmap.org"]
    assert tile_layer(lab).url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert tile_layer(lab).attribution == "© OpenStreetMap contributors"


def test_extra_sources_stay_and_subdomain_placeholders_become_a_wildcard(tmp_path: Path) -> None:
    lab = settings(tmp_path, {"map_tiles": "https://{s}.tiles.example:8443/{z}/{x}/{y}.png"},
                   {"image_sources": ["https://photos.example", "https://*.tiles.example:8443"]})
    assert image_sources(lab) == ["https://*.tiles.example:8443", "https://photos.example"]


def test_data_urls_need_no_allowance(tmp_path: Path) -> None:
    tile = "data:image/png;base64,iVBORw0KGgo="
    lab = settings(tmp_path, {"map_tiles": tile})
    assert tile_layer(lab).url == tile and image_sources(lab) == []
    assert unreachable_tile_server(lab) == ""


async def test_pages_send_a_csp_that_allows_the_tile_server(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=["mapping"], settings={
        "lab": {"map_tiles": "https://tiles.city.example/{z}/{x}/{y}.png"},
        "security": {"image_sources": ["https://photos.example"]}})
    page = await lab.client().get("/mapping/map")
    csp = page.headers["content-security-policy"]
    assert "img-src 'self' data: https://tiles.city.example https://photos.example;" in csp
    assert 'data-tile-url="https://tiles.city.example/{z}/{x}/{y}.png"' in page.text


def test_a_listening_tile_server_is_reachable_and_a_closed_port_is_named(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        assert unreachable_tile_server(settings(tmp_path, {"map_tiles": f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"})) == ""
    closed = free_port()
    reason = unreachable_tile_server(settings(tmp_path, {"map_tiles": f"http://127.0.0.1:{closed}/{{z}}/{{x}}/{{y}}.png"}))
    assert reason.startswith(f"127.0.0.1:{closed}: ") and "refused" in reason.lower()


def test_check_only_warns_quickly_about_an_unreachable_tile_server(tmp_path: Path) -> None:
    closed = free_port()
    write_lab(tmp_path / "lab", ["mapping"], {"lab": {"map_tiles": f"http://127.0.0.1:{closed}/{{z}}/{{x}}/{{y}}.png"}})
    assert labkit("--lab", str(tmp_path / "lab"), "migrate", cwd=tmp_path).returncode == 0
    started = time.monotonic()
    checked = labkit("--lab", str(tmp_path / "lab"), "check", cwd=tmp_path)
    assert checked.returncode == 0 and "all checks passed" in checked.stdout, checked.stderr
    warning = [line for line in checked.stderr.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and f"127.0.0.1:{closed}" in warning[0] and "markers" in warning[0]
    assert time.monotonic() - started < 20, "the check waited too long for the tile server"


def test_an_unresolvable_tile_host_is_a_warning_within_the_timeout(tmp_path: Path) -> None:
    lab = settings(tmp_path, {"map_tiles": "https://tiles.invalid/{z}/{x}/{y}.png"})
    started = time.monotonic()
    assert unreachable_tile_server(lab, timeout=1.0).startswith("tiles.invalid:443: ")
    assert time.monotonic() - started < 1.5
