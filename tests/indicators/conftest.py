"""Small local plugins that feed the indicators, and a lab running them beside ``indicators``."""

from __future__ import annotations

from pathlib import Path

import pytest

from labkit.testing import RunningLab

FEEDER = '''
"""A module that engaged people at given times, and knows projects and counts."""
from labkit import PluginInfo, hookimpl, auth
from labkit.i18n import current_zone

ACTIONS = []      # (person_id, aware datetime)
ITEMS = []        # PortfolioItem
COUNTS = []       # Contribution (ignores the period: tests set what they need)

@hookimpl
def labkit_plugin_info():
    return PluginInfo(title="Feeder {n}")

@hookimpl
def labkit_participants(period):
    start, end = period.bounds(current_zone.get())
    return [auth.participant_id(pid) for pid, when in ACTIONS if start <= when < end]

@hookimpl
async def labkit_portfolio():
    return list(ITEMS)

@hookimpl
def labkit_indicators(period):
    return [c for c in COUNTS if c.breakdown.get("period", period.code) == period.code]
'''

BROKEN = '''
from labkit import PluginInfo, hookimpl

BROKEN = {"on": True}

@hookimpl
def labkit_plugin_info():
    return PluginInfo(title="Broken")

@hookimpl
def labkit_participants(period):
    if BROKEN["on"]:
        raise RuntimeError("database of the broken module is down")
    return []
'''

ORGS = '''
from labkit import PluginInfo, Reference, ReferenceKind, hookimpl

ORGS = {"1": "SPTrans", "2": "Universidade de São Paulo", "3": "Casa do Hacker"}

async def search(query, limit):
    return [Reference("organisation", k, v, f"/orgs/{k}") for k, v in ORGS.items() if query.lower() in v.lower()][:limit]

async def get(key):
    return Reference("organisation", key, ORGS[key], f"/orgs/{key}") if key in ORGS else None

@hookimpl
def labkit_plugin_info():
    return PluginInfo(title="Organisations")

@hookimpl
def labkit_references():
    return [ReferenceKind("organisation", "Organisations", search, get)]
'''

SETTINGS = {"lab": {"name": "Laboratório de Teste", "municipal_code": "3550308", "country": "BR", "region": "BR-SP",
                    "timezone": "America/Sao_Paulo", "mentor_url": "https://mentor.example/",
                    "base_url": "https://lab.example"},
            "security": {"https_only": False},  # served over plain HTTP on loopback: cookies without Secure
            "plugin.indicators": {"suppression_threshold": 1}}
"""The feeders' lab publishes every count (threshold 1) so tests read exact values; the privacy
tests use the default threshold."""


def write_plugins(folder: Path) -> list[Path]:
    paths = []
    for name in ("ifeed_a", "ifeed_b", "ifeed_c"):
        path = folder / f"{name}.py"
        path.write_text(FEEDER.replace("{n}", name[-1].upper()))
        paths.append(path)
    for name, text in (("ibroken", BROKEN), ("iorgs", ORGS)):
        path = folder / f"{name}.py"
        path.write_text(text)
        paths.append(path)
    return paths


def module(lab: RunningLab, slug: str):
    return lab.plugins.loaded[slug].module


@pytest.fixture
async def fed_lab(make_lab, tmp_path: Path) -> RunningLab:
    """``indicators`` with three feeders, a broken module (switched off by default) and organisations."""
    source = tmp_path / "src"
    source.mkdir()
    lab = await make_lab(plugins=["indicators", "ifeed_a", "ifeed_b", "ifeed_c", "ibroken", "iorgs"],
                         local_plugins=write_plugins(source), settings=SETTINGS)
    for slug in ("ifeed_a", "ifeed_b", "ifeed_c"):
        for name in ("ACTIONS", "ITEMS", "COUNTS"):
            getattr(module(lab, slug), name).clear()
    module(lab, "ibroken").BROKEN["on"] = False
    return lab
