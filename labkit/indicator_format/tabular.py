"""The tabular formats, written from rows: SDMX-CSV, plain CSV and a Frictionless Data Package.

A lab (figures → document → rows) and a hub (stored rows → document → rows) write them with the
same functions, so both publish exactly the same columns.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from labkit import INDICATORS
from labkit.indicator_format.rows import Row, observations

DATAFLOW = "LABKIT:LAB_INDICATORS(1.0.0)"
SDMX_COLUMNS = ["STRUCTURE", "STRUCTURE_ID", "ACTION", "LAB", "INDICATOR", "FREQ", "TIME_PERIOD",
                "MODULE", "KIND", "OBS_VALUE", "OBS_STATUS"]
CSV_COLUMNS = ["lab", "indicator", "freq", "time_period", "module", "kind", "obs_value", "obs_status"]
SDMX_MEDIA_TYPE = "application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8"
FORMATS = ("json", "sdmx", "csv", "datapackage")


def iso(value: datetime | None) -> str | None:
    """An aware datetime as ``2026-01-15T10:00:00Z`` (``None`` stays ``None``)."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _value(row: Row) -> str | int:
    return "" if row.suppressed or row.value is None else row.value


def sdmx_csv(rows: Iterable[Row]) -> str:
    """SDMX-CSV 2.0 for the dataflow ``LABKIT:LAB_INDICATORS(1.0.0)``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SDMX_COLUMNS)
    for row in rows:
        writer.writerow(["dataflow", DATAFLOW, "I", row.lab, row.indicator.upper(), row.frequency, row.period,
                         row.module, row.kind, _value(row), row.obs_status])
    return buffer.getvalue()


def observations_csv(rows: Iterable[Row]) -> str:
    """Plain CSV with the columns of :data:`CSV_COLUMNS` (the Data Package's ``observations.csv``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([row.lab, row.indicator, row.frequency, row.period, row.module, row.kind, _value(row),
                         row.obs_status])
    return buffer.getvalue()


def datapackage_descriptor(document: dict[str, Any]) -> dict[str, Any]:
    """The ``datapackage.json`` (Frictionless Data Package v1) of a document's export."""
    lab = document["lab"]
    hub = lab.get("kind") == "hub"
    description = ("Projects, partnerships, participants and products of a public innovation lab, per "
                   "period, with breakdowns by module and kind. Counts of people below the suppression "
                   "threshold are withheld (obs_status C, empty obs_value).")
    if hub:
        description += (f" Published by the hub {lab['code']}: rows whose lab is {lab['code']} are the hub's totals "
                        "(the sum of its labs' rows, suppressed figures left out; participants are the sum of each "
                        "lab's distinct participants); the other rows are each member lab's own figures. Do not add "
                        "the totals to the labs' rows.")
    return {
        "name": "lab-indicators",
        "title": f"{lab['name']}: lab indicators" + (" of its member labs" if hub else ""),
        "description": description,
        "version": "1.0.0",
        "created": iso(datetime.now(UTC)),
        "profile": "tabular-data-package",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                      "title": "Creative Commons Attribution 4.0"}],
        "homepage": lab.get("base_url", ""),
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


def datapackage_files(document: dict[str, Any]) -> dict[str, str]:
    """The files of the Data Package: ``datapackage.json`` and ``observations.csv``."""
    return {
        "datapackage.json": json.dumps(datapackage_descriptor(document), ensure_ascii=False, indent=2),
        "observations.csv": observations_csv(observations(document)),
    }


def datapackage_zip(document: dict[str, Any]) -> bytes:
    """The Data Package as one zip file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in datapackage_files(document).items():
            archive.writestr(name, text)
    return buffer.getvalue()


def write(document: dict[str, Any], format: str, output: Path) -> list[Path]:
    """Write ``document`` as ``format`` (json, sdmx, csv or datapackage) to ``output``.

    A Data Package is written as a folder unless ``output`` ends in ``.zip``.
    """
    if format == "json":
        output.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        return [output]
    if format == "sdmx":
        output.write_text(sdmx_csv(observations(document)), encoding="utf-8")
        return [output]
    if format == "csv":
        output.write_text(observations_csv(observations(document)), encoding="utf-8")
        return [output]
    if format != "datapackage":
        raise ValueError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
    if output.suffix == ".zip":
        output.write_bytes(datapackage_zip(document))
        return [output]
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in datapackage_files(document).items():
        (output / name).write_text(text, encoding="utf-8")
        written.append(output / name)
    return written
