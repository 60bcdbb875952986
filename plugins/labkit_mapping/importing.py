"""CSV import of organisations: read, check every row, report row by row, then all or nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from tortoise.transactions import in_transaction

from labkit.csv_import import read_csv
from labkit.i18n import N_, gettext
from labkit.models import Person
from labkit.text import fold
from labkit.web import error_messages

from labkit_mapping import rules
from labkit_mapping.exports import CSV_COLUMNS, EXPORT_COLUMNS, REQUIRED_COLUMNS
from labkit_mapping.forms import ORGANISATION_FIELDS, OrganisationIn
from labkit_mapping.models import Organisation

MAX_ROWS = 5000
_TRUE = {"yes", "y", "true", "1", "sim", "s", "sí", "si", "oui", "x"}
_FALSE = {"no", "n", "false", "0", "não", "nao", "non", ""}


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


def _row_values(raw: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    problems: list[str] = []
    for column in CSV_COLUMNS:
        if column == "id":
            continue
        cell = raw.get(column, "")
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


async def check(content: bytes) -> ImportReport:
    """Read and check a CSV file; nothing is written. Every row gets an action or its errors."""
    report = ImportReport()
    table = read_csv(content, columns=EXPORT_COLUMNS, required=REQUIRED_COLUMNS, max_rows=MAX_ROWS)
    report.errors = table.errors
    if report.errors:
        return report
    existing_by_uid = {str(o.uid): o for o in await Organisation.all()}
    seen_uids: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    seen_domains: dict[str, int] = {}
    for row in table.rows:
        if row.problem:
            report.rows.append(RowReport(row.line, row.cells.get("name", "")[:200], "error", [row.problem]))
        else:
            await _check_row(report, row.cells, row.line, existing_by_uid, seen_uids, seen_names, seen_domains)
    return report


async def _check_row(report: ImportReport, raw: dict[str, str], number: int,
                     existing_by_uid: dict[str, Organisation], seen_uids: dict[str, int],
                     seen_names: dict[str, int], seen_domains: dict[str, int]) -> None:
    values, problems = _row_values(raw)
    row = RowReport(number, str(values.get("name", ""))[:200])
    report.rows.append(row)
    uid_text = raw.get("id", "")
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
        folded, domain = fold(row.data.name), rules.website_domain(row.data.website)
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
