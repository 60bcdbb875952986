"""Storing a member's indicators document: validated, then each (lab, period) slice replaced.

The rules (docs/plugins/federation.md, "How figures are stored"):

- A lab reports only for itself: the document's ``lab.code`` must be the member's code, or the
  whole document is refused and nothing is stored.
- Each (lab, period) in the document is a *slice*: the rows received replace what is stored for
  that lab and period (rows absent from the new slice are removed), so a repeated or re-harvested
  document never double counts. Periods the document does not carry are left as they are.
- A hub's document (``lab.kind`` hub, from a member registered as a hub) carries its member labs'
  own rows in ``members``: they are stored under *their* codes with ``via`` = the hub. The hub's
  totals (its top-level periods) are not stored: this hub computes totals from lab-level rows.
  A lab the hub relays that is not registered here is registered **inactive** (so it is not
  expected to report and no completeness figure changes) with a note, and its figures count.
- A lab's own report always wins over a relay: relayed rows for a (lab, period) the lab reported
  directly are ignored, and listed as a conflict when they differ. A direct report replaces a
  relayed slice. Between two relays the latest replaces the slice.
- A published period received again with other figures is updated (the lab is the authority on
  its figures) and listed as a conflict, so the change is visible.
- The regions' totals (:mod:`labkit_federation.summary`) change by what the document changed, in
  the same transaction.
- Everything happens in one transaction, with the rows of every member involved locked
  (``SELECT … FOR UPDATE`` in code order on PostgreSQL), so concurrent pushes and harvests of
  the same lab are applied one after the other.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from labkit.db import insert_many
from labkit.indicator_format import Problem, Row, observations, validate, version_of

from labkit_federation import summary as summary_module
from labkit_federation import trainings
from labkit_federation.models import Member, Observation, Report

SOURCES = ("pull", "push")
_CHUNK = 500


@dataclass
class ImportSummary:
    """What storing one document did. ``errors`` non-empty means nothing was stored.

    ``imported`` rows new here, ``updated`` rows whose figure or status changed, ``ignored`` rows
    that changed nothing (already stored as sent, a hub's totals, a relay of a lab that reported
    itself), ``removed`` stored rows absent from a new slice; ``conflicts`` says in words what
    deserves a look; ``registered`` lists the labs first seen through a hub.
    """

    imported: int = 0
    updated: int = 0
    ignored: int = 0
    removed: int = 0
    conflicts: list[str] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    registered: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {"imported": self.imported, "updated": self.updated, "ignored": self.ignored, "removed": self.removed,
                "conflicts": list(self.conflicts), "errors": [problem.as_dict() for problem in self.errors],
                "registered": list(self.registered)}


def refused(*problems: Problem) -> ImportSummary:
    """A summary of a document refused for ``problems`` (nothing stored)."""
    return ImportSummary(errors=list(problems))


def document_size(document: Any) -> int:
    """The size in bytes of ``document`` written as compact JSON."""
    return len(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode())


async def ingest(member: Member, document: dict[str, Any], *, source: str, received_at: datetime,
                 today: date | None = None, max_bytes: int | None = None) -> ImportSummary:
    """Validate ``document`` sent by (or fetched from) ``member`` and store its slices.

    Idempotent: the same document twice stores nothing new the second time (every row is
    ``ignored``; each report's ``last_received_at`` moves). ``source`` is ``pull`` or ``push``;
    ``max_bytes`` refuses a larger document (callers that read bytes check before parsing).
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
    if max_bytes is not None and document_size(document) > max_bytes:
        return refused(Problem("", f"the document is larger than {max_bytes} bytes"))
    problems = validate(document, today=today)
    if problems:
        return refused(*problems)
    current = version_of(document).upgrade(document)
    lab = current["lab"]
    if lab["code"] != member.code:
        return refused(Problem("lab.code", f"the document reports for {lab['code']}, but it comes from member "
                                           f"{member.code}: a lab reports only for itself"))
    hub_document = lab["kind"] == "hub"
    if hub_document and member.kind != "hub":
        return refused(Problem("lab.kind", f"{member.code} is registered as a lab, not a hub: only a hub may "
                                           "report for other labs"))
    rows = observations(document)
    relayed_labs = {entry["lab"]["code"]: entry["lab"] for entry in current["members"]}
    slices: dict[tuple[str, str], list[Row]] = defaultdict(list)
    hub_totals = 0
    for row in rows:
        if row.via is None and hub_document:
            hub_totals += 1  # a hub's totals: recomputed here from the lab-level rows, never stored
            continue
        slices[(row.lab, row.period)].append(row)
    period_info = _period_info(current)
    for attempt in (1, 2):
        summary = ImportSummary(ignored=hub_totals)
        try:
            async with in_transaction():
                members = await _lock_members(member, relayed_labs, summary)
                if summary.errors:  # checked before anything is written
                    return summary
                await _store(members, slices, period_info, member, source, received_at, summary)
                if not hub_document:
                    await trainings.replace(member, lab)
            return summary
        except IntegrityError:
            # two hubs registered the same new lab at the same moment: the second sees it now
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _lock_members(sender: Member, relayed: dict[str, dict[str, Any]], summary: ImportSummary) -> dict[str, Member]:
    """Every member the document writes for, locked in code order; unknown relayed labs registered."""
    codes = sorted({sender.code, *relayed})
    found: dict[str, Member] = {}
    for chunk in _chunks(codes):
        for item in await Member.filter(code__in=chunk).order_by("code").select_for_update():
            found[item.code] = item
    if sender.code not in found:
        summary.errors.append(Problem("lab.code", f"member {sender.code} is not registered here"))
        return found
    hubs = [code for code in relayed if code in found and found[code].kind == "hub"]
    for code in hubs:
        summary.errors.append(Problem("members", f"{code} is registered here as a hub: a hub's document may "
                                                 "carry only the lab-level figures of labs"))
    if summary.errors:
        return found
    for code, lab in relayed.items():
        if code not in found:
            found[code] = await Member.create(
                code=code, name=(lab.get("name") or code)[:200], kind="lab", active=False, hub=sender,
                municipality=(lab.get("municipality") or "")[:200], region_path=_region_path(lab, sender),
                note=f"Registered when first relayed by the hub {sender.code}; not expected to report until activated.")
            summary.registered.append(code)
    return found


async def received_again(member: Member, received_at: datetime) -> int:
    """Record that ``member``'s document arrived again unchanged (a ``304`` or the same content):
    ``last_received_at`` of its own reports (a lab) or of the reports it relays (a hub) moves.
    Returns how many."""
    reports = Report.filter(via_id=member.id) if member.kind == "hub" else Report.filter(member_id=member.id,
                                                                                         via_id=None)
    return await reports.update(last_received_at=received_at)


def _region_path(lab: dict[str, Any], hub: Member) -> str:
    if lab.get("region_path"):
        return str(lab["region_path"])[:255]
    country, region = lab.get("country") or "", lab.get("region") or ""
    if country:
        return f"{country}/{region}" if region else country
    return hub.region_path


def _period_info(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    info = {(document["lab"]["code"], p["period"]): p for p in document["periods"]}
    for entry in document["members"]:
        info.update({(entry["lab"]["code"], p["period"]): p for p in entry["periods"]})
    return info


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def _slice_hash(rows: list[Row]) -> str:
    text = json.dumps(sorted([r.indicator, r.module, r.kind, r.value, r.suppressed, r.status] for r in rows))
    return hashlib.sha256(text.encode()).hexdigest()


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _describe(changes: list[str]) -> str:
    shown = ", ".join(changes[:4])
    return shown + (f" and {len(changes) - 4} more" if len(changes) > 4 else "")


async def _store(members: dict[str, Member], slices: dict[tuple[str, str], list[Row]],
                 period_info: dict[tuple[str, str], dict[str, Any]], sender: Member, source: str,
                 received_at: datetime, summary: ImportSummary) -> None:
    ids = sorted({members[code].id for code, _ in slices})
    periods = sorted({period for _, period in slices})
    reports: dict[tuple[int, str], Report] = {}
    stored: dict[tuple[int, str], dict[tuple[str, str, str], Observation]] = defaultdict(dict)
    for chunk in _chunks(ids):
        for report in await Report.filter(member_id__in=chunk, period__in=periods):
            reports[(report.member_id, report.period)] = report
        for obs in await Observation.filter(member_id__in=chunk, period__in=periods):
            stored[(obs.member_id, obs.period)][(obs.indicator, obs.module, obs.kind)] = obs
    created: list[dict[str, Any]] = []
    changed: list[Observation] = []
    removed: list[int] = []
    new_reports: list[dict[str, Any]] = []
    changes = summary_module.Changes()
    for (code, period), rows in sorted(slices.items()):
        target = members[code]
        via = None if code == sender.code else sender
        report = reports.get((target.id, period))
        existing = stored.get((target.id, period), {})
        if via is not None and report is not None and report.via_id is None:
            summary.ignored += len(rows)  # the lab's own report wins over any relay
            differences = _differences(existing, rows)
            if differences:
                summary.conflicts.append(
                    f"{code} {period}: {sender.code} relays figures that differ from the lab's own report "
                    f"(own → relayed: {_describe(differences)}); the lab's own report is kept")
            continue
        if via is not None and report is not None and report.via_id not in (None, sender.id):
            differences = _differences(existing, rows)
            if differences:
                summary.conflicts.append(f"{code} {period}: relayed by {sender.code} with other figures than the "
                                         f"previous relay ({_describe(differences)}); the latest relay is kept")
        if report is not None and report.status == "published":
            differences = _differences(existing, rows, values_only=True)
            if differences:
                summary.conflicts.append(f"{code} {period}: published figures changed ({_describe(differences)}); "
                                         "the new figures are stored")
        changes.replace(period, target.region_path or "", summary_module.totals_of(existing.values()),
                        summary_module.totals_of(rows))
        seen: set[tuple[str, str, str]] = set()
        for row in rows:
            key = (row.indicator, row.module, row.kind)
            seen.add(key)
            value = None if row.suppressed else row.value
            old = existing.get(key)
            if old is None:
                created.append({"member_id": target.id, "indicator": row.indicator, "period": period,
                                "frequency": row.frequency, "module": row.module, "kind": row.kind, "value": value,
                                "suppressed": row.suppressed, "status": row.status,
                                "via_id": via.id if via else None, "received_at": received_at})
                summary.imported += 1
            elif (old.value, old.suppressed, old.status, old.via_id, old.frequency) == (
                    value, row.suppressed, row.status, via.id if via else None, row.frequency):
                summary.ignored += 1
            else:
                old.value, old.suppressed, old.status, old.frequency = value, row.suppressed, row.status, row.frequency
                old.via_id, old.received_at = (via.id if via else None), received_at
                changed.append(old)
                summary.updated += 1
        gone = [obs.id for key, obs in existing.items() if key not in seen]
        removed += gone
        summary.removed += len(gone)
        fields = _report_fields(period_info[(code, period)], rows, via, source, received_at)
        if report is None:
            new_reports.append({**fields, "member_id": target.id, "period": period, "first_received_at": received_at})
        else:
            for name, value in fields.items():
                setattr(report, name, value)
            await report.save(update_fields=list(fields))
    await insert_many(Report, new_reports)
    await summary_module.apply(changes)
    if created or changed or removed or new_reports:
        await summary_module.bump()
    for chunk in _chunks(removed):
        await Observation.filter(id__in=chunk).delete()
    await insert_many(Observation, created)
    if changed:
        await Observation.bulk_update(changed, fields=["value", "suppressed", "status", "frequency", "via_id",
                                                       "received_at"], batch_size=_CHUNK)


def _differences(existing: dict[tuple[str, str, str], Observation], rows: list[Row], *,
                 values_only: bool = False) -> list[str]:
    """What differs between stored rows and a new slice, in words (``participants 55 → 57``)."""
    out = []
    new = {(r.indicator, r.module, r.kind): r for r in rows}
    for key in sorted(set(existing) | set(new)):
        old, row = existing.get(key), new.get(key)
        before = "absent" if old is None else ("suppressed" if old.suppressed else str(old.value))
        after = "absent" if row is None else ("suppressed" if row.suppressed else str(row.value))
        if before != after or (not values_only and old is not None and row is not None and old.status != row.status):
            name = key[0] if key[1:] == ("_T", "_T") else f"{key[0]}[{key[1] if key[1] != '_T' else key[2]}]"
            out.append(f"{name} {before} → {after}")
    return out


def _report_fields(info: dict[str, Any], rows: list[Row], via: Member | None, source: str,
                   received_at: datetime) -> dict[str, Any]:
    """What a (lab, period)'s report says after this document (all but its lab, period and first reception)."""
    return {"frequency": info["frequency"], "status": info["status"], "source": source,
            "via_id": via.id if via else None, "published_at": _parse_time(info.get("published_at")),
            "last_received_at": received_at, "content_hash": _slice_hash(rows)}
