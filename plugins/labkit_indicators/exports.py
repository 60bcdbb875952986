"""The published formats of a lab: its figures as the versioned JSON document, and from that
document the tabular formats (SDMX-CSV, a Frictionless Data Package), written by the core
:mod:`labkit.indicator_format` that a federation hub shares.

All carry the same observations; suppressed cells have no value. Only aggregates are written
here, never an identity (see docs/formats/indicators.md).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from labkit import INDICATORS, indicator_format
from labkit.config import Settings
from labkit.indicator_format.versions import VERSIONS

from labkit_indicators import rules
from labkit_indicators.engine import Engine, Figure, PeriodFigures

ALL = indicator_format.ALL
"""The SDMX code for "all members" of a breakdown dimension (the total)."""
_iso = indicator_format.iso


def schema() -> dict[str, Any]:
    """The JSON Schema of the document this lab writes (lab-indicators 1.0, shipped in the core).

    A lab's own document needs nothing of 1.1 (members, lab.kind are for hubs), so it is written
    as 1.0: every 1.x hub reads it, including hubs that do not read 1.1 yet. Only a lab that gave
    trainings to other labs' teams writes 1.2 (``lab.trainings``), whose schema the hubs serve.
    """
    return indicator_format.schema(rules.FORMAT_VERSION)


def lab_code(settings: Settings) -> str:
    """The lab's code in the LAB dimension: ``<country>-<municipal code>`` (or a slug of its name)."""
    lab = settings.lab
    if lab.municipal_code:
        return f"{lab.country}-{lab.municipal_code}"
    slug = "".join(ch if ch.isalnum() else "_" for ch in lab.name.upper()).strip("_")
    return f"{lab.country}-{slug or 'LAB'}"[:64]


def _cell(cell: rules.Cell) -> dict[str, Any]:
    return {"member": cell.member, "value": None if cell.suppressed else cell.value, "suppressed": cell.suppressed}


def _observation(figure: Figure, period: PeriodFigures) -> dict[str, Any]:
    definition = rules.DEFINITIONS[figure.indicator]
    return {
        "indicator": figure.indicator,
        "value": None if figure.total.suppressed else figure.total.value,
        "suppressed": figure.total.suppressed,
        "status": period.status,
        "unit": definition.unit,
        "temporal_aggregation": definition.temporal_aggregation,
        "breakdowns": {dimension: [_cell(cell) for cell in figure.breakdowns.get(dimension, [])]
                       for dimension in rules.DIMENSIONS},
    }


async def trainings_given(engine: Engine) -> list[dict[str, str]]:
    """The trainings the lab gave to other labs' teams: every portfolio item naming a trainee lab,
    as ``lab.trainings`` publishes them (the trainee's code, the course, the day it ended)."""
    items = [item for _module, item in await engine.portfolio() if item.trainee_lab]
    return sorted(({"trainee": item.trainee_lab[:64], "course": item.title[:200], "date": item.started.isoformat()}
                   for item in items), key=lambda entry: (entry["date"], entry["trainee"], entry["course"]))


def document(settings: Settings, periods: list[PeriodFigures],
             trainings: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The versioned JSON document of ``periods`` (see the schema): 1.0, or 1.2 with ``trainings``."""
    lab = settings.lab
    version = rules.TRAININGS_VERSION if trainings else rules.FORMAT_VERSION
    return {
        "schema": VERSIONS[version].url,
        "version": version,
        "generated_at": _iso(datetime.now(UTC)),
        "lab": {
            "code": lab_code(settings),
            "name": lab.name,
            "municipality": lab.municipality,
            "municipal_code": lab.municipal_code,
            "country": lab.country,
            "region": lab.region,
            "timezone": lab.timezone,
            "mentor_url": lab.mentor_url,
            "base_url": lab.base_url,
        } | ({"trainings": trainings} if trainings else {}),
        "indicators": [
            {"id": d.id, "label": d.label, "unit": d.unit, "temporal_aggregation": d.temporal_aggregation,
             "people_count": d.people, "definition": d.description}
            for d in rules.DEFINITIONS.values()
        ],
        "periods": [
            {
                "period": item.period.code,
                "frequency": item.period.frequency,
                "start": item.period.start.isoformat(),
                "end": (item.period.end - timedelta(days=1)).isoformat(),
                "status": item.status,
                "computed_at": _iso(item.computed_at),
                "published_at": _iso(item.published_at),
                "suppression": {"threshold": item.threshold, "applies_to": [
                    name for name in INDICATORS if rules.DEFINITIONS[name].people]},
                "failures": list(item.failures),
                "observations": [_observation(item.figures[name], item) for name in INDICATORS],
            }
            for item in periods
        ],
    }


def rows(settings: Settings, periods: list[PeriodFigures]) -> list[indicator_format.Row]:
    """Flat observations: one per period, indicator and breakdown cell (``_T`` for "all")."""
    return indicator_format.observations(document(settings, periods))


def sdmx_csv(settings: Settings, periods: list[PeriodFigures]) -> str:
    """SDMX-CSV 2.0 for the dataflow ``LABKIT:LAB_INDICATORS(1.0.0)``."""
    return indicator_format.sdmx_csv(rows(settings, periods))


def datapackage_files(settings: Settings, periods: list[PeriodFigures]) -> dict[str, str]:
    """The files of the Data Package: ``datapackage.json`` and ``observations.csv``."""
    return indicator_format.datapackage_files(document(settings, periods))


def datapackage_zip(settings: Settings, periods: list[PeriodFigures]) -> bytes:
    """The Data Package as one zip file."""
    return indicator_format.datapackage_zip(document(settings, periods))


def write(settings: Settings, periods: list[PeriodFigures], format: str, output: Path) -> list[Path]:
    """Write an export to ``output`` (a folder for ``datapackage`` unless it ends in ``.zip``)."""
    return indicator_format.write(document(settings, periods), format, output)
