"""Reading a CSV file that a person uploads (a directory of organisations, a registry of labs).

The file is checked as a whole before any row is looked at: UTF-8 text, a known dialect (comma,
semicolon or tab, as spreadsheets save them), a header with every required column, no unknown or
repeated column, not too many rows. Each message says what to do, so a plugin's importer only
checks the cells of its rows (see :func:`read_csv`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from labkit.exports import FORMULA_STARTS
from labkit.i18n import gettext


@dataclass
class CsvRow:
    """A data row: its line in the file and its cells (stripped, empty string when absent)."""

    line: int
    cells: dict[str, str]
    """Cells by column, stripped and without a safe export's formula guard (empty when absent)."""
    problem: str = ""
    """Set when the row cannot be read (more cells than the header has columns)."""


@dataclass
class CsvTable:
    """The rows of a file, or the reasons the file as a whole cannot be imported."""

    header: list[str] = field(default_factory=list)
    rows: list[CsvRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _cell(value: str | None) -> str:
    """A cell as written: stripped, without the ``'`` a safe export puts before formula characters
    (see :mod:`labkit.exports`), so that an export imports back unchanged."""
    value = (value or "").strip()
    if value.startswith("'") and value[1:2] and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise ValueError(gettext(
            "The file is not UTF-8 text (byte 0x%(byte)02x on line %(line)s). Save it as \"CSV UTF-8\" and try again.",
            byte=content[error.start], line=line)) from None


def _header_errors(header: list[str], columns: Sequence[str], required: Sequence[str]) -> list[str]:
    errors = []
    unknown = [name for name in header if name not in columns]
    missing = [name for name in required if name not in header]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if unknown:
        errors.append(gettext("Unknown columns: %(columns)s. The columns are: %(expected)s.",
                              columns=", ".join(unknown), expected=", ".join(columns)))
    if missing:
        errors.append(gettext("Missing required columns: %(columns)s.", columns=", ".join(missing)))
    if repeated:
        errors.append(gettext("Columns given twice: %(columns)s.", columns=", ".join(repeated)))
    return errors


def read_csv(content: bytes, *, columns: Sequence[str], required: Sequence[str], max_rows: int) -> CsvTable:
    """Read an uploaded CSV file whose header may hold ``columns`` and must hold ``required``.

    Blank rows are skipped. When ``errors`` is not empty the file cannot be imported at all and
    ``rows`` must be ignored; otherwise every row is in ``rows`` with its line number, for the
    caller to check cell by cell and report as "row N, column: …".
    """
    table = CsvTable()
    try:
        text = _decode(content)
    except ValueError as error:
        table.errors.append(str(error))
        return table
    if "\x00" in text:
        table.errors.append(gettext("The file is not a CSV text file."))
        return table
    first_line = text.splitlines()[0] if text else ""
    try:
        dialect: Any = csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    try:
        table.header = [name.strip() for name in (reader.fieldnames or [])]
    except csv.Error as error:
        table.errors.append(gettext("The file could not be read as CSV: %(error)s", error=str(error)))
        return table
    if not table.header:
        table.errors.append(gettext("The file is empty."))
        return table
    reader.fieldnames = table.header
    table.errors = _header_errors(table.header, columns, required)
    if table.errors:
        return table
    try:
        for raw in reader:
            if len(table.rows) >= max_rows:
                table.errors.append(gettext("The file has more than %(max)s rows: split it.", max=max_rows))
                return table
            cells = {name: _cell(value) for name, value in raw.items() if isinstance(name, str)}
            if None in raw:
                table.rows.append(CsvRow(reader.line_num, cells, gettext(
                    "This row has more cells than the header has columns.")))
            elif any(cells.values()):
                table.rows.append(CsvRow(reader.line_num, cells))
    except csv.Error as error:
        table.errors.append(gettext("Line %(line)s could not be read as CSV: %(error)s",
                                    line=reader.line_num, error=str(error)))
        return table
    if not table.rows:
        table.errors.append(gettext("The file has a header but no rows."))
    return table
