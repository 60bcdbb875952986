"""Background maps, shared by every plugin that draws one (the ecosystem map, the federation hub).

The tiles come from ``[lab] map_tiles``; the lab's Content-Security-Policy allows their origin by
itself (:func:`image_sources`), so changing the tile server is one setting. Pages draw their maps
with the core script ``/static/labkit-map.js``, which shows the markers even when the tiles never
arrive (a machine without internet, a tile server that is down).
"""

from __future__ import annotations

import re
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from labkit.config import Settings

_SUBDOMAIN_PLACEHOLDER = re.compile(r"^\{[a-z]+\}\.")
"""Leaflet's ``{s}.`` at the start of a host: one of several subdomains (``a.``, ``b.``...)."""


@dataclass(frozen=True)
class TileLayer:
    """What a page passes to its map script (``data-tile-url``, ``data-attribution``)."""

    url: str
    """The tile URL template (``[lab] map_tiles``)."""
    attribution: str


def tile_layer(settings: Settings) -> TileLayer:
    """The lab's background tiles."""
    return TileLayer(url=settings.lab.map_tiles, attribution=settings.lab.map_attribution)


def tile_source(settings: Settings) -> str:
    """The CSP source of the tile server (``https://*.tile.example`` for ``{s}.tile.example``),
    empty for tiles that need none (``data:`` URLs)."""
    parts = urlsplit(settings.lab.map_tiles)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{_SUBDOMAIN_PLACEHOLDER.sub('*.', parts.netloc)}"


def image_sources(settings: Settings) -> list[str]:
    """Every origin the lab's pages may load images from besides the lab itself: the tile server
    and ``[security] image_sources``."""
    sources = [tile_source(settings), *settings.security.image_sources]
    return list(dict.fromkeys(source for source in sources if source))


def unreachable_tile_server(settings: Settings, timeout: float = 2.0) -> str:
    """Why the tile server cannot be reached from here within ``timeout`` seconds (a TCP
    connection to its host), or empty when it answers or the tiles need no server."""
    parts = urlsplit(settings.lab.map_tiles)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname.replace("{s}", "a")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    outcome: list[str] = []

    def connect() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            outcome.append("")
        except OSError as error:
            outcome.append(error.strerror or str(error) or type(error).__name__)

    probe = threading.Thread(target=connect, daemon=True)  # a slow name lookup must not hold the command
    probe.start()
    probe.join(timeout)
    reason = outcome[0] if outcome else f"no answer within {timeout:g} s"
    return f"{host}:{port}: {reason}" if reason else ""
