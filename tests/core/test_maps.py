"""The lab's map tiles are drawn only where its Content-Security-Policy lets browsers load them."""

from __future__ import annotations

from pathlib import Path

from labkit.config import load_settings
from labkit.maps import tile_layer
from labkit.testing import write_lab


def settings(tmp_path: Path, lab: dict | None = None, security: dict | None = None):
    write_lab(tmp_path, ["mapping"], {"lab": lab or {}, "security": security or {}})
    return load_settings(tmp_path, {})


def test_tiles_of_a_server_the_csp_does_not_allow_are_withheld_and_the_host_named(tmp_path: Path) -> None:
    layer = tile_layer(settings(tmp_path))
    assert layer.url == "" and layer.blocked_host == "tile.openstreetmap.org"
    assert layer.attribution == "© OpenStreetMap contributors"


def test_tiles_are_drawn_once_their_origin_is_allowed(tmp_path: Path) -> None:
    layer = tile_layer(settings(tmp_path, {"map_tiles": "https://tiles.example/{z}/{x}/{y}.png",
                                           "map_attribution": "Tiles of the city"},
                                {"image_sources": ["https://tiles.example"]}))
    assert layer.url == "https://tiles.example/{z}/{x}/{y}.png" and layer.blocked_host == ""
    assert layer.attribution == "Tiles of the city"


def test_data_urls_need_no_allowance(tmp_path: Path) -> None:
    tile = "data:image/png;base64,iVBORw0KGgo="
    assert tile_layer(settings(tmp_path, {"map_tiles": tile})).url == tile
