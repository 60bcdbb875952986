"""Open-data downloads: CSV (safe to open in a spreadsheet) and JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from starlette.responses import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet run a cell as a formula."""

NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
"""A plain number (``-23.5``, ``+4``, ``1e-3``): a spreadsheet reads it as a value, never a formula."""


def spreadsheet_safe(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (CSV injection) by prefixing ``'``;
    numbers, written as numbers or as text (``"-23.5"``), stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV with a header row; ``None`` becomes an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else spreadsheet_safe(cell) for cell in row])
    return buffer.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download (UTF-8)."""
    return Response(csv_text(header, rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def json_response(filename: str, data: Any) -> Response:
    """A JSON download (UTF-8, readable indentation, dates as ISO strings)."""
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
