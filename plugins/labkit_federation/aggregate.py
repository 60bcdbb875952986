"""Totals of a period, for the whole hub or a region, computed from the labs' own rows.

Never from a total someone sent, never along the trainer-of-trainers tree. For each indicator:

- ``sum`` (and ``last``, a stock) indicators: the sum of each lab's figure;
- ``participants`` (``distinct`` inside a lab): the **sum of each lab's distinct participants**
  (aggregation ``sum-of-distinct``) — a hub cannot recognise the same person in two labs;
- a lab's suppressed figure is left out of the total and counted in ``suppressed``, so a total
  says "N labs suppressed"; ``labs`` counts the labs whose figure is in the total.

Every lab counts, active or not (a lab first seen through a hub is inactive but its figures are
real). A region is a prefix of ``Member.region_path`` (``BR`` holds ``BR/BR-SP``).

The sums are read from the summary kept at each ingest (:mod:`labkit_federation.summary`): a few
rows per region path, whatever the number of labs.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tortoise.expressions import Q

from labkit import INDICATORS
from labkit.indicator_format import INDICATOR_FORMATS

from labkit_federation.models import RegionTotal
from labkit_federation.summary import ANY

METHODS = {"sum": "sum", "last": "sum", "distinct": "sum-of-distinct"}
"""How labs' figures of an indicator add up, by its temporal aggregation."""


def method(indicator: str) -> str:
    """``sum`` or ``sum-of-distinct`` (participants)."""
    return METHODS[INDICATOR_FORMATS[indicator].temporal_aggregation]


def region_filter(region: str, prefix: str = "member__") -> Q:
    """Members whose region path is ``region`` or lies under it (everything when empty)."""
    region = region.strip("/")
    if not region:
        return Q()
    return Q(**{f"{prefix}region_path": region}) | Q(**{f"{prefix}region_path__startswith": region + "/"})


async def _summary(period: str, region: str) -> list[RegionTotal]:
    """The summary rows of ``period`` whose region path is ``region`` or lies under it."""
    return await RegionTotal.filter(region_filter(region, prefix=""), period=period)


def _sum(rows: list[RegionTotal]) -> dict[str, dict[str, Any]]:
    out = {name: {"indicator": name, "value": None, "aggregation": method(name), "labs": 0, "suppressed": 0}
           for name in INDICATORS}
    for row in rows:
        total = out.get(row.indicator)
        if total is None:
            continue
        total["labs"] += row.labs
        total["suppressed"] += row.suppressed
        total["value"] = (total["value"] or 0) + row.value
    for total in out.values():
        if not total["labs"] and not total["suppressed"]:
            total["value"] = None  # no lab reported it (every lab suppressed: 0 known, N labs suppressed)
    return out


async def totals(period: str, region: str = "") -> list[dict[str, Any]]:
    """The four indicators of ``period`` in ``region``: ``indicator``, ``value`` (``None`` when no
    lab reported it), ``aggregation``, ``labs`` (in the total) and ``suppressed`` (left out)."""
    return list(_sum(await _summary(period, region)).values())


def _prefix(path: str, depth: int) -> str:
    parts = [part for part in path.split("/") if part]
    return "/".join(parts[:depth])


async def by_region(period: str, region: str = "", depth: int | None = None) -> list[dict[str, Any]]:
    """The totals of each region one level below ``region`` (or at ``depth`` path components).

    Each item: ``region``, ``labs`` (labs with any figure in it), ``values`` (indicator → total),
    ``suppressed`` (indicator → labs left out). A lab whose path is shorter than the level is
    grouped under its own path.
    """
    region = region.strip("/")
    if depth is None:
        depth = len([part for part in region.split("/") if part]) + 1
    groups: dict[str, list[RegionTotal]] = defaultdict(list)
    for row in await _summary(period, region):
        groups[_prefix(row.region_path, depth)].append(row)
    out = []
    for path, rows in sorted(groups.items()):
        summed = _sum(rows)
        labs = sum(row.labs for row in rows if row.indicator == ANY)
        if not labs:
            continue
        out.append({"region": path, "labs": labs,
                    "values": {name: item["value"] for name, item in summed.items()},
                    "suppressed": {name: item["suppressed"] for name, item in summed.items()}})
    return out


async def periods() -> list[str]:
    """Every period with at least one stored figure."""
    return sorted(set(await RegionTotal.filter(indicator=ANY, labs__gt=0).distinct().values_list("period", flat=True)))
