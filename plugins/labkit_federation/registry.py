"""The registry of member labs: CSV import (checked whole, then all or nothing) and export, and
each member's token (stored as its SHA-256, shown once).

The CSV has the columns of :data:`CSV_COLUMNS`; an export imports back unchanged. Errors name
the row (its line in the file) and the column: ``row 3, url: Enter a full web address…``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from tortoise.transactions import in_transaction

from labkit.csv_import import read_csv
from labkit.exports import csv_text
from labkit.i18n import gettext
from labkit.web import error_messages

from labkit_federation import summary, tree
from labkit_federation.forms import MemberIn
from labkit_federation.models import Member

CSV_COLUMNS = ("code", "name", "kind", "municipality", "region_path", "url", "latitude", "longitude", "joined_on",
               "mentor_code", "trained_on", "programme", "active")
REQUIRED_COLUMNS = ("code", "name")
MAX_ROWS = 20_000
TOKEN_PREFIX = "lkm_"
_TRUE = {"yes", "y", "true", "1", "sim", "s", "sí", "si", "oui", "x"}
_FALSE = {"no", "n", "false", "0", "não", "nao", "non"}
_FIELDS = ("name", "kind", "municipality", "region_path", "url", "latitude", "longitude", "joined_on", "trained_on",
           "programme", "active")


@dataclass
class RowResult:
    """What the import does with one row: ``create``, ``update``, ``unchanged`` or ``error``."""

    line: int
    code: str
    action: str = ""
    errors: list[str] = field(default_factory=list)
    data: MemberIn | None = None


@dataclass
class RegistryImport:
    """The whole file: file-level ``errors`` and one result per row. Saved only when :attr:`ok`."""

    errors: list[str] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    saved: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows) and all(row.action != "error" for row in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def messages(self) -> list[str]:
        """Every error, file-level first, then ``row N, column: message``."""
        return self.errors + [message for row in self.rows for message in row.errors]

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "saved": self.saved, "errors": self.messages(),
                "summary": {a: self.count(a) for a in ("create", "update", "unchanged", "error")}}


def _parse_row(raw: dict[str, str], line: int) -> RowResult:
    code = raw.get("code", "")
    result = RowResult(line=line, code=code)
    values: dict[str, Any] = {"code": code, "mentor": raw.get("mentor_code", "")}
    for column in _FIELDS:
        cell = raw.get(column, "")
        if column == "active":
            folded = cell.casefold()
            if folded and folded not in _TRUE | _FALSE:
                result.errors.append(gettext("row %(row)s, %(column)s: write yes or no.", row=line, column=column))
            values[column] = folded in _TRUE or folded == ""
        elif cell != "":
            values[column] = cell
    try:
        result.data = MemberIn(**values)
    except ValidationError as error:
        for where, message in error_messages(error).items():
            column = {"mentor": "mentor_code", "__all__": "row"}.get(where, where)
            result.errors.append(gettext("row %(row)s, %(column)s: %(problem)s", row=line, column=column,
                                         problem=message))
    return result


def _same(member: Member, data: MemberIn, mentor_code: str) -> bool:
    current = {name: getattr(member, name) for name in _FIELDS}
    wanted = {name: getattr(data, name) for name in _FIELDS}
    return current == wanted and mentor_code == (data.mentor or "")


async def check_csv(content: bytes) -> RegistryImport:
    """Read and check a registry CSV; nothing is written. Every row gets an action or its errors."""
    report = RegistryImport()
    table = read_csv(content, columns=CSV_COLUMNS, required=REQUIRED_COLUMNS, max_rows=MAX_ROWS)
    report.errors = table.errors
    if report.errors:
        return report
    for row in table.rows:
        if row.problem:
            report.rows.append(RowResult(row.line, row.cells.get("code", ""), "error", [row.problem]))
        else:
            report.rows.append(_parse_row(row.cells, row.line))
    await _check_against_registry(report)
    return report


async def _check_against_registry(report: RegistryImport) -> None:
    existing = {member.code: member for member in await Member.all().select_related("mentor")}
    in_file: dict[str, int] = {}
    for row in report.rows:
        if row.code and row.code in in_file:
            row.errors.append(gettext("row %(row)s, code: %(code)s is already on row %(other)s.", row=row.line,
                                      code=row.code, other=in_file[row.code]))
        in_file.setdefault(row.code, row.line)
    links = {code: (member.mentor.code if member.mentor else None) for code, member in existing.items()}
    for row in report.rows:
        if row.data is None:
            continue
        mentor = row.data.mentor
        if mentor and mentor not in existing and mentor not in in_file:
            row.errors.append(gettext("row %(row)s, mentor_code: there is no member %(code)s in the registry or the "
                                      "file.", row=row.line, code=mentor))
        links[row.code] = mentor or None
    try:
        tree.check_links(links)
    except tree.MentorCycle as cycle:
        for row in report.rows:
            if row.code in cycle.path and row.data is not None and row.data.mentor:
                row.errors.append(gettext("row %(row)s, mentor_code: %(problem)s", row=row.line,
                                          problem=cycle.message()))
                break
        else:
            report.errors.append(cycle.message())
    for row in report.rows:
        if row.errors:
            row.action = "error"
        elif row.code not in existing:
            row.action = "create"
        else:
            member = existing[row.code]
            assert row.data is not None
            row.action = "unchanged" if _same(member, row.data, member.mentor.code if member.mentor else "") else "update"


async def import_csv(content: bytes, *, dry_run: bool = False) -> RegistryImport:
    """Check a registry CSV and, unless ``dry_run`` or any error, save every row in one transaction."""
    report = await check_csv(content)
    if dry_run or not report.ok:
        return report
    moved = False
    async with in_transaction():
        members = {member.code: member for member in await Member.all()}
        for row in report.rows:
            assert row.data is not None
            values = {name: getattr(row.data, name) for name in _FIELDS}
            if row.action == "create":
                members[row.code] = await Member.create(code=row.code, **values)
            elif row.action == "update":
                member = members[row.code]
                moved = moved or member.region_path != values["region_path"]
                for name, value in values.items():
                    setattr(member, name, value)
                await member.save(update_fields=list(values) + ["updated_at"])
        for row in report.rows:  # mentors last: a mentor may be a row further down the file
            assert row.data is not None
            if row.action in ("create", "update"):
                member = members[row.code]
                mentor = members.get(row.data.mentor) if row.data.mentor else None
                if member.mentor_id != (mentor.id if mentor else None):
                    member.mentor = mentor
                    await member.save(update_fields=["mentor_id", "updated_at"])
        if moved:  # labs changed region: their figures count elsewhere
            await summary.rebuild()
    report.saved = True
    return report


def _export_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return value


async def export_csv() -> str:
    """The whole registry as CSV (the columns of :data:`CSV_COLUMNS`, spreadsheet safe)."""
    members = await Member.all().select_related("mentor").order_by("code")
    rows = []
    for member in members:
        values = {name: getattr(member, name) for name in CSV_COLUMNS if name not in ("mentor_code",)}
        values["mentor_code"] = member.mentor.code if member.mentor else ""
        rows.append([_export_value(values[name]) for name in CSV_COLUMNS])
    return csv_text(CSV_COLUMNS, rows)


# ------------------------------------------------------------------------------ tokens


def token_digest(token: str) -> str:
    """The SHA-256 of a member token: all the hub keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(member: Member) -> str:
    """A new token for ``member`` (any previous one stops working). Shown once, stored hashed."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    member.token_hash = token_digest(token)
    member.token_created_at = datetime.now(UTC)
    await member.save(update_fields=["token_hash", "token_created_at", "updated_at"])
    return token


async def revoke_token(member: Member) -> None:
    """Withdraw ``member``'s token: its pushes are refused until a new one is issued."""
    member.token_hash = None
    member.token_created_at = None
    await member.save(update_fields=["token_hash", "token_created_at", "updated_at"])


async def member_for_token(token: str | None) -> Member | None:
    """The member owning ``token``, or ``None`` (unknown or revoked)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return await Member.get_or_none(token_hash=token_digest(token))
