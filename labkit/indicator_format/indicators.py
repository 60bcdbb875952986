"""The four indicators as the format knows them: unit, temporal aggregation, people count.

The indicators plugin adds labels and long definitions; a hub needs only this much to write a
document from stored rows (the test suite checks both agree).
"""

from __future__ import annotations

from dataclasses import dataclass

from labkit import INDICATORS


@dataclass(frozen=True)
class IndicatorFormat:
    id: str
    unit: str
    temporal_aggregation: str
    people_count: bool


FORMATS: dict[str, IndicatorFormat] = {
    "projects": IndicatorFormat("projects", "projects", "sum", False),
    "partnerships": IndicatorFormat("partnerships", "partnerships", "sum", False),
    "participants": IndicatorFormat("participants", "people", "distinct", True),
    "products": IndicatorFormat("products", "products", "sum", False),
}
assert tuple(FORMATS) == INDICATORS

ALL = "_T"
"""The SDMX code for "all members" of a breakdown dimension (the total)."""
DIMENSIONS = ("module", "kind")
