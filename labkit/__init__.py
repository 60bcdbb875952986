"""labkit: a lab-in-a-box for a city hall's public innovation lab.

The public API for plugin authors is what this module exports.
"""

from __future__ import annotations

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("labkit")
"""Decorate a plugin's module-level functions with this to implement a hook."""

from labkit import model_comments  # noqa: E402, F401  (before any model class is created)
from labkit.hooktypes import (  # noqa: E402  (after hookimpl, which the core plugin imports)
    INDICATORS,
    Contribution,
    Event,
    HomeCard,
    Models,
    NavItem,
    Permission,
    PluginInfo,
    PortfolioItem,
    Reference,
    ReferenceKind,
    Reservation,
)
from labkit.periods import Period  # noqa: E402

__all__ = [
    "INDICATORS",
    "Contribution",
    "Event",
    "HomeCard",
    "Models",
    "NavItem",
    "Permission",
    "PluginInfo",
    "Period",
    "PortfolioItem",
    "Reference",
    "ReferenceKind",
    "Reservation",
    "__version__",
    "hookimpl",
]
