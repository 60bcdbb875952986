"""CSV import of organisations: read, check every row, report row by row, then all or nothing."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from tortoise.transactions import in_transaction

from labkit.i18n import N_, gettext
from labkit.models import Person
from labkit.web import error_messages

from labkit_mapping import rules
from labkit_mapping.exports import CSV_COLUMNS, REQUIRED_COLUMNS
from labkit_mapping.forms import ORGANISATION_FIELDS, OrganisationIn
from labkit_mapping.models import Organisation

MAX_ROWS = 5000
_TRUE = {"yes", "y", "true", "1", "sim", "s", "sí", "si", "oui", "x"}
_FALSE = {"no", "n", "false", "0", "não", "nao", "non", ""}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class RowReport:
    """What the import does with one row (``number`` is the line in the spreadsheet)."""

    number: int
    name: str
    action: str = ""  # "create", "update", "unchanged" or "error"
    messages: list[str] = field(default_factory=list)
    data: OrganisationIn | None = None
    uid: uuid.UUID | None = None
    existing: Organisation | None = None


@dataclass
class ImportReport:
    """The whole file: file-level ``errors`` (columns, encoding) and one report per row."""

    errors: list[str] = field(default_factory=list)
    rows: list[RowReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows) and all(row.action != "error" for row in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "errors": self.errors,
                "rows": [{"row": r.number, "name": r.name, "action": r.action, "messages": r.messages}
                         for r in self.rows],
                "summary": {a: self.count(a) for a in ("create", "update", "unchanged", "error")}}


def _cell(value: str | None) -> str:
    """A cell as written, without the ``'`` that safe CSV exports put before formula characters."""
    value = (value or "").strip()
    if value.startswith("'") and value[1:2] and value[1:2] in _FORMULA_STARTS:
        return value[1:]
    return value


def _row_values(raw: dict[str, str | None]) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    problems: list[str] = []
    for column in CSV_COLUMNS:
        if column == "id":
            continue
        cell = _cell(raw.get(column))
        if column == "wants_partnership":
            folded = cell.casefold()
            if folded in _TRUE:
                values[column] = True
            elif folded in _FALSE:
                values[column] = False
            else:
                problems.append(gettext("wants_partnership: write yes or no."))
            continue
        if cell == "":
            continue
        if column in ("topics", "practices"):
            values[column] = [part.strip() for part in cell.split(";") if part.strip()]
        elif column == "links":
            values[column] = cell.split()
        else:
            values[column] = cell
    return values, problems


def decode(content: bytes) -> str:
    """The file as text; a :class:`ValueError` with a precise message when it is not UTF-8."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise ValueError(gettext(
            "The file is not UTF-8 text (byte 0x%(byte)02x on line %(line)s). Save it as \"CSV UTF-8\" and try again.",
            byte=content[error.start], line=line)) from None


async def check(content: bytes) -> ImportReport:
    """Read and check a CSV file; nothing is written. Every row gets an action or its errors."""
    report = ImportReport()
    try:
        text = decode(content)
    except ValueError as error:
        report.errors.append(str(error))
        return report
    if "\x00" in text:
        report.errors.append(gettext("The file is not a CSV text file."))
        return report
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    try:
        header = [name.strip() for name in (reader.fieldnames or [])]
    except csv.Error as error:
        report.errors.append(gettext("The file could not be read as CSV: %(error)s", error=str(error)))
        return report
    if not header:
        report.errors.append(gettext("The file is empty."))
        return report
    reader.fieldnames = header
    unknown = [name for name in header if name not in CSV_COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if unknown:
        report.errors.append(gettext("Unknown columns: %(columns)s. The columns are: %(expected)s.",
                                     columns=", ".join(unknown), expected=", ".join(CSV_COLUMNS)))
    if missing:
        report.errors.append(gettext("Missing required columns: %(columns)s.", columns=", ".join(missing)))
    if repeated:
        report.errors.append(gettext("Columns given twice: %(columns)s.", columns=", ".join(repeated)))
    if report.errors:
        return report
    existing_by_uid = {str(o.uid): o for o in await Organisation.all()}
    seen_uids: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    seen_domains: dict[str, int] = {}
    try:
        for raw in reader:
            number = reader.line_num
            if len(report.rows) >= MAX_ROWS:
                report.errors.append(gettext("The file has more than %(max)s rows: split it.", max=MAX_ROWS))
                return report
            if None in raw:
                row = RowReport(number, (raw.get("name") or "")[:200], "error",
                                [gettext("This row has more cells than the header has columns.")])
                report.rows.append(row)
                continue
            if not any((value or "").strip() for value in raw.values()):
                continue
            await _check_row(report, raw, number, existing_by_uid, seen_uids, seen_names, seen_domains)
    except csv.Error as error:
        report.errors.append(gettext("Line %(line)s could not be read as CSV: %(error)s",
                                     line=reader.line_num, error=str(error)))
    if not report.rows and not report.errors:
        report.errors.append(gettext("The file has a header but no rows."))
    return report


async def _check_row(report: ImportReport, raw: dict[str, str | None], number: int,
                     existing_by_uid: dict[str, Organisation], seen_uids: dict[str, int],
                     seen_names: dict[str, int], seen_domains: dict[str, int]) -> None:
    values, problems = _row_values(raw)
    row = RowReport(number, str(values.get("name", ""))[:200])
    report.rows.append(row)
    uid_text = _cell(raw.get("id"))
    if uid_text:
        try:
            row.uid = uuid.UUID(uid_text)
        except ValueError:
            problems.append(gettext("id: leave it empty for a new organisation, or copy the id of an export."))
        else:
            if str(row.uid) in seen_uids:
                problems.append(gettext("id: the same id is already on row %(row)s.", row=seen_uids[str(row.uid)]))
            seen_uids[str(row.uid)] = number
            row.existing = existing_by_uid.get(str(row.uid))
    try:
        row.data = OrganisationIn.model_validate(values)
    except ValidationError as error:
        problems.extend(f"{name}: {message}" if name != "__all__" else message
                        for name, message in error_messages(error).items())
    if row.data is not None:
        folded, domain = rules.fold(row.data.name), rules.website_domain(row.data.website)
        if folded in seen_names:
            problems.append(gettext("name: the same organisation is already on row %(row)s.", row=seen_names[folded]))
        if domain and domain in seen_domains:
            problems.append(gettext("website: the same website is already on row %(row)s.", row=seen_domains[domain]))
        seen_names.setdefault(folded, number)
        if domain:
            seen_domains.setdefault(domain, number)
        if row.existing is None:
            for duplicate in await rules.find_duplicates(row.data.name, row.data.website):
                problems.append(gettext(
                    "looks like \"%(name)s\" (id %(uid)s), already in the directory: put its id in the id column to update it.",
                    name=duplicate.organisation.name, uid=duplicate.organisation.uid))
        else:
            for duplicate in await rules.find_duplicates(row.data.name, row.data.website, row.existing.id):
                problems.append(gettext("looks like \"%(name)s\" (id %(uid)s), already in the directory.",
                                        name=duplicate.organisation.name, uid=duplicate.organisation.uid))
    if problems:
        row.action, row.messages = "error", problems
    elif row.existing is None:
        row.action = "create"
    else:
        changes = rules.diff(rules.as_input(row.existing), row.data.model_dump(include=set(ORGANISATION_FIELDS)))
        row.action = "update" if changes else "unchanged"
        row.messages = [gettext("changes: %(fields)s", fields=", ".join(changes))] if changes else []


async def run(report: ImportReport, actor: Person | None) -> None:
    """Write a checked, valid report in one transaction: every row or none."""
    if not report.ok:
        raise ValueError(N_("Nothing was imported: correct the rows with errors and try again."))
    async with in_transaction():
        for row in report.rows:
            assert row.data is not None
            if row.action == "create":
                org = Organisation(source="import", status="published", created_by=actor)
                if row.uid is not None:
                    org.uid = row.uid
                values = row.data.model_dump(include=set(ORGANISATION_FIELDS))
                rules.store(org, values)
                org.published_at = datetime.now(UTC)
                await org.save()
                await rules.record(org, "imported", actor, rules.diff({}, values))
            elif row.action == "update":
                assert row.existing is not None
                await rules.update_organisation(row.existing, row.data, actor, action="imported")
