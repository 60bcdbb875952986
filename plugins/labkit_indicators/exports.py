"""The published formats: the JSON document, SDMX-CSV and a Frictionless Data Package.

All three carry the same observations; suppressed cells have no value. Only aggregates are
written here, never an identity (see docs/formats/indicators.md).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from labkit import INDICATORS
from labkit.config import Settings

from labkit_indicators import rules
from labkit_indicators.engine import Figure, PeriodFigures

SCHEMA_PATH = Path(__file__).parent / "schema" / "lab-indicators-1.0.schema.json"
SDMX_COLUMNS = ["STRUCTURE", "STRUCTURE_ID", "ACTION", "LAB", "INDICATOR", "FREQ", "TIME_PERIOD",
                "MODULE", "KIND", "OBS_VALUE", "OBS_STATUS"]
ALL = "_T"
"""The SDMX code for "all members" of a breakdown dimension (the total)."""


def schema() -> dict[str, Any]:
    """The JSON Schema of the document (shipped in the package)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


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


def document(settings: Settings, periods: list[PeriodFigures]) -> dict[str, Any]:
    """The versioned JSON document of ``periods`` (see the schema)."""
    lab = settings.lab
    return {
        "schema": rules.SCHEMA_URL,
        "version": rules.FORMAT_VERSION,
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
        },
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


def rows(settings: Settings, periods: list[PeriodFigures]) -> list[dict[str, Any]]:
    """Flat observations: one per period, indicator and breakdown cell (``_T`` for "all")."""
    code = lab_code(settings)
    out: list[dict[str, Any]] = []
    for item in periods:
        obs_status = "A" if item.published else "P"
        for name in INDICATORS:
            figure = item.figures[name]
            cells = [(ALL, ALL, figure.total)]
            cells += [(cell.member, ALL, cell) for cell in figure.breakdowns.get("module", [])]
            cells += [(ALL, cell.member, cell) for cell in figure.breakdowns.get("kind", [])]
            for module, kind, cell in cells:
                out.append({
                    "lab": code, "indicator": name.upper(), "freq": item.period.frequency,
                    "time_period": item.period.code, "module": module, "kind": kind,
                    "obs_value": None if cell.suppressed else cell.value,
                    "obs_status": "C" if cell.suppressed else obs_status,
                })
    return out


def sdmx_csv(settings: Settings, periods: list[PeriodFigures]) -> str:
    """SDMX-CSV 2.0 for the dataflow ``LABKIT:LAB_INDICATORS(1.0.0)``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SDMX_COLUMNS)
    for row in rows(settings, periods):
        writer.writerow(["dataflow", rules.DATAFLOW, "I", row["lab"], row["indicator"], row["freq"],
                         row["time_period"], row["module"], row["kind"],
                         "" if row["obs_value"] is None else row["obs_value"], row["obs_status"]])
    return buffer.getvalue()


def _datapackage_csv(settings: Settings, periods: list[PeriodFigures]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["lab", "indicator", "freq", "time_period", "module", "kind", "obs_value", "obs_status"])
    for row in rows(settings, periods):
        writer.writerow([row["lab"], row["indicator"].lower(), row["freq"], row["time_period"], row["module"],
                         row["kind"], "" if row["obs_value"] is None else row["obs_value"], row["obs_status"]])
    return buffer.getvalue()


def datapackage_descriptor(settings: Settings) -> dict[str, Any]:
    """The ``datapackage.json`` (Frictionless Data Package v1) of the export."""
    lab = settings.lab
    return {
        "name": "lab-indicators",
        "title": f"{lab.name}: lab indicators",
        "description": "Projects, partnerships, participants and products of a public innovation lab, per "
                       "period, with breakdowns by module and kind. Counts of people below the suppression "
                       "threshold are withheld (obs_status C, empty obs_value).",
        "version": "1.0.0",
        "created": _iso(datetime.now(UTC)),
        "profile": "tabular-data-package",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                      "title": "Creative Commons Attribution 4.0"}],
        "homepage": lab.base_url,
        "resources": [{
            "name": "observations",
            "path": "observations.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {
                "fields": [
                    {"name": "lab", "type": "string", "description": "The lab: country and official municipal code.",
                     "constraints": {"required": True}},
                    {"name": "indicator", "type": "string", "constraints": {"required": True, "enum": list(INDICATORS)}},
                    {"name": "freq", "type": "string", "description": "A annual, Q quarterly, M monthly.",
                     "constraints": {"required": True, "enum": ["A", "Q", "M"]}},
                    {"name": "time_period", "type": "string", "constraints": {
                        "required": True, "pattern": r"[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4])?"}},
                    {"name": "module", "type": "string", "description": "The module (plugin slug), _T for all.",
                     "constraints": {"required": True}},
                    {"name": "kind", "type": "string", "description": "The kind (origin, partner kind, product type), _T for all.",
                     "constraints": {"required": True}},
                    {"name": "obs_value", "type": "integer", "description": "Empty when suppressed.",
                     "constraints": {"minimum": 0}},
                    {"name": "obs_status", "type": "string", "description": "A published, P provisional, C confidential (suppressed).",
                     "constraints": {"required": True, "enum": ["A", "P", "C"]}},
                ],
                "missingValues": [""],
                "primaryKey": ["lab", "indicator", "time_period", "module", "kind"],
            },
        }],
    }


def datapackage_files(settings: Settings, periods: list[PeriodFigures]) -> dict[str, str]:
    """The files of the Data Package: ``datapackage.json`` and ``observations.csv``."""
    return {
        "datapackage.json": json.dumps(datapackage_descriptor(settings), ensure_ascii=False, indent=2),
        "observations.csv": _datapackage_csv(settings, periods),
    }


def datapackage_zip(settings: Settings, periods: list[PeriodFigures]) -> bytes:
    """The Data Package as one zip file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in datapackage_files(settings, periods).items():
            archive.writestr(name, text)
    return buffer.getvalue()


def write(settings: Settings, periods: list[PeriodFigures], format: str, output: Path) -> list[Path]:
    """Write an export to ``output`` (a folder for ``datapackage`` unless it ends in ``.zip``)."""
    if format == "json":
        output.write_text(json.dumps(document(settings, periods), ensure_ascii=False, indent=2), encoding="utf-8")
        return [output]
    if format == "sdmx":
        output.write_text(sdmx_csv(settings, periods), encoding="utf-8")
        return [output]
    if output.suffix == ".zip":
        output.write_bytes(datapackage_zip(settings, periods))
        return [output]
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in datapackage_files(settings, periods).items():
        (output / name).write_text(text, encoding="utf-8")
        written.append(output / name)
    return written
