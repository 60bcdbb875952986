"""Background maps, shared by every plugin that draws one (the ecosystem map, the federation hub).

The tiles come from ``[lab] map_tiles``. Browsers load them only when their origin is allowed by the
Content-Security-Policy (``[security] image_sources``); otherwise the map is drawn without a
background and the lab's team is told which host to allow, rather than every visitor getting
blocked requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from labkit.config import Settings


@dataclass(frozen=True)
class TileLayer:
    """What a page passes to its map script (``data-tile-url``, ``data-attribution``)."""

    url: str
    """The tile URL template, empty when the CSP would block it."""
    attribution: str
    blocked_host: str
    """The tile server's host when ``[security] image_sources`` does not allow it, else empty."""


def tile_layer(settings: Settings) -> TileLayer:
    """The lab's background tiles, checked against its Content-Security-Policy."""
    url = settings.lab.map_tiles
    host = urlsplit(url).netloc
    allowed = not host or any(host in source for source in settings.security.image_sources)  # data: has no host
    return TileLayer(url=url if allowed else "", attribution=settings.lab.map_attribution,
                     blocked_host="" if allowed else host)
