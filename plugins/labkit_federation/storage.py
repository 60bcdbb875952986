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
- A stored slice always has its :class:`~labkit_federation.models.Report` (the lab's report for
  that period), written with it: a slice without a report has no rows, so a first harvest reads
  no observation at all.
- The regions' totals (:mod:`labkit_federation.summary`) change by what the document changed, in
  the same transaction.
- Everything happens in one transaction, with the rows of every member involved locked
  (``SELECT … FOR UPDATE`` in code order on PostgreSQL), so concurrent pushes and harvests of
  the same lab are applied one after the other.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from labkit.bulk import insert_many, insert_records, update_records
from labkit.indicator_format import Problem, Row, slices, validate, version_of
from labkit.indicator_format.http import dumps

from labkit_federation import summary as summary_module
from labkit_federation import trainings
from labkit_federation.models import Member, Observation, Report

log = logging.getLogger("labkit.federation.storage")

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
    return len(dumps(document))


async def ingest(member: Member, document: dict[str, Any], *, source: str, received_at: datetime,
                 today: date | None = None, max_bytes: int | None = None) -> ImportSummary:
    """Validate ``document`` sent by (or fetched from) ``member`` and store its slices.

    Idempotent: the same document twice stores nothing new the second time (every row is
    ``ignored``; each report's ``last_received_at`` moves). ``source`` is ``pull`` or ``push``;
    ``max_bytes`` refuses a larger document (callers that read bytes check before parsing).
    A failure of the database is raised.
    """
    outcome = (await ingest_many([(member, document)], source=source, received_at=received_at, today=today,
                                 max_bytes=max_bytes))[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


async def ingest_many(items: Sequence[tuple[Member, dict[str, Any]]], *, source: str, received_at: datetime,
                      today: date | None = None, max_bytes: int | None = None) -> list[ImportSummary | Exception]:
    """:func:`ingest` each ``(member, document)`` of ``items``, writing the valid ones together.

    Every document is checked first (CPU only); the valid ones are then stored in **one**
    transaction with one multi-row statement per table (PostgreSQL: ``COPY`` for the new rows),
    which is what makes a harvest's database work cheap. Each member's outcome stays its own:

    - an invalid document is refused (its summary's ``errors`` name each JSON path) and does not
      touch the others, which are stored;
    - documents writing for the same lab (a lab sent twice, hubs relaying the same lab) are
      stored in successive transactions, in the order given;
    - if the shared transaction fails, each document is stored again alone; a document whose own
      transaction (or whose checking) fails gets the exception as its outcome instead of a summary.

    Returns one outcome per item, in order. The harvest's writers and the push call this.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
    outcomes: list[ImportSummary | Exception] = []
    ready: list[tuple[int, _Document]] = []
    for index, (member, document) in enumerate(items):
        try:
            prepared = _prepare(member, document, today, max_bytes)
        except Exception as error:  # a document the checks choke on (RecursionError): its own outcome
            outcomes.append(error)
            continue
        outcomes.append(prepared if isinstance(prepared, ImportSummary) else ImportSummary())
        if isinstance(prepared, _Document):
            ready.append((index, prepared))
    for group in _rounds(ready):
        if len(group) > 1:
            try:
                for (index, _), summary in zip(group, await _write([doc for _, doc in group], source, received_at)):
                    outcomes[index] = summary
                continue
            except Exception:  # one member's row the database refuses: find which, alone
                log.warning("ingest: a batch of %d documents failed; storing them one by one", len(group),
                            exc_info=True)
        for index, doc in group:
            try:
                outcomes[index] = (await _write([doc], source, received_at))[0]
            except Exception as error:
                outcomes[index] = error
    return outcomes


@dataclass
class _Document:
    """A valid document, ready to store: who sent it and its slices."""

    member: Member
    slices: dict[tuple[str, str], list[Row]]
    """(lab code, period) → the rows received."""
    relayed: dict[str, dict[str, Any]]
    """A hub's member labs: code → the document's ``lab`` object."""
    periods: dict[tuple[str, str], dict[str, Any]]
    """(lab code, period) → the document's period entry (status, frequency, published_at)."""
    hub_totals: int
    """Rows of a hub's own totals, never stored."""
    trainings: list[dict[str, Any]] | None = None
    """A lab's ``lab.trainings`` (format 1.2): the trainings it gave to other labs (``None`` for a hub)."""

    @property
    def codes(self) -> set[str]:
        return {self.member.code, *self.relayed}


def _prepare(member: Member, document: dict[str, Any], today: date | None,
             max_bytes: int | None) -> _Document | ImportSummary:
    """``document`` checked and cut into slices, or the summary that refuses it."""
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
    by_slice = {key: rows for key, rows in slices(current).items() if rows}
    hub_totals = 0
    if hub_document:  # a hub's totals: recomputed here from the lab-level rows, never stored
        hub_totals = sum(len(by_slice.pop(key)) for key in [key for key in by_slice if key[0] == member.code])
    return _Document(member, by_slice, {entry["lab"]["code"]: entry["lab"] for entry in current["members"]},
                     _period_info(current), hub_totals, None if hub_document else lab["trainings"])


def _rounds(ready: list[tuple[int, _Document]]) -> list[list[tuple[int, _Document]]]:
    """``ready`` in groups where no two documents write for the same lab; a document that shares a
    lab with an earlier one goes to a later group, so each lab's documents keep their order."""
    rounds = []
    while ready:
        group: list[tuple[int, _Document]] = []
        later: list[tuple[int, _Document]] = []
        taken: set[str] = set()
        postponed: set[str] = set()
        for index, doc in ready:
            if doc.codes & (taken | postponed):
                later.append((index, doc))
                postponed |= doc.codes
            else:
                group.append((index, doc))
                taken |= doc.codes
        rounds.append(group)
        ready = later
    return rounds


async def _write(documents: list[_Document], source: str, received_at: datetime) -> list[ImportSummary]:
    """Store ``documents`` (no two for the same lab) in one transaction."""
    for attempt in (1, 2):
        summaries = [ImportSummary(ignored=doc.hub_totals) for doc in documents]
        try:
            async with in_transaction():
                members = await _lock_members(documents, summaries)
                writes = _Writes()
                await _plan(members, [(d, s) for d, s in zip(documents, summaries) if not s.errors], source,
                            received_at, writes)
                await writes.flush()
                await trainings.replace([(doc.member, doc.trainings) for doc, summary in zip(documents, summaries)
                                         if doc.trainings is not None and not summary.errors])
                await writes.count()
            return summaries
        except IntegrityError:
            # two hubs registered the same new lab at the same moment: the second sees it now
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _lock_members(documents: list[_Document], summaries: list[ImportSummary]) -> dict[str, Member]:
    """Every member the documents write for, locked in code order; unknown relayed labs registered.
    A document whose sender is not registered, or that relays a hub, gets its errors."""
    codes = sorted(set().union(*(doc.codes for doc in documents)))
    found: dict[str, Member] = {}
    for chunk in _chunks(codes):
        for item in await Member.filter(code__in=chunk).order_by("code").select_for_update():
            found[item.code] = item
    for doc, summary in zip(documents, summaries):
        sender = doc.member
        if sender.code not in found:
            summary.errors.append(Problem("lab.code", f"member {sender.code} is not registered here"))
            continue
        for code in doc.relayed:
            if code in found and found[code].kind == "hub":
                summary.errors.append(Problem("members", f"{code} is registered here as a hub: a hub's document "
                                                         "may carry only the lab-level figures of labs"))
        if summary.errors:
            continue
        for code, lab in doc.relayed.items():
            if code not in found:
                found[code] = await Member.create(
                    code=code, name=(lab.get("name") or code)[:200], kind="lab", active=False, hub=sender,
                    municipality=(lab.get("municipality") or "")[:200], region_path=_region_path(lab, sender),
                    note=f"Registered when first relayed by the hub {sender.code}; not expected to report until "
                         "activated.")
                summary.registered.append(code)
    return found


async def received_again(members: Sequence[Member], received_at: datetime) -> int:
    """Record that each of ``members``' documents arrived again unchanged (a ``304`` or the same
    content): ``last_received_at`` of a lab's own reports, or of the reports a hub relays, moves
    (at most two statements however many members). Returns how many reports."""
    labs = [member.id for member in members if member.kind != "hub"]
    hubs = [member.id for member in members if member.kind == "hub"]
    moved = 0
    for chunk in _chunks(labs):
        moved += await Report.filter(member_id__in=chunk, via_id=None).update(last_received_at=received_at)
    for chunk in _chunks(hubs):
        moved += await Report.filter(via_id__in=chunk).update(last_received_at=received_at)
    return moved


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


_FIGURES = itemgetter(*(Row._fields.index(name) for name in ("indicator", "module", "kind", "value", "suppressed",
                                                               "status")))


def _slice_hash(rows: list[Row]) -> str:
    """A SHA-256 of a slice's figures, in any order: its report keeps it (see :func:`_same`)."""
    return hashlib.sha256(dumps(sorted(map(_FIGURES, rows)))).hexdigest()


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _describe(changes: list[str]) -> str:
    shown = ", ".join(changes[:4])
    return shown + (f" and {len(changes) - 4} more" if len(changes) > 4 else "")


OBSERVATION_COLUMNS = ("member_id", "indicator", "period", "frequency", "module", "kind", "value", "suppressed",
                       "status", "via_id")
"""The columns of a new observation, in the order :class:`_Writes` gathers their values."""
CHANGED_COLUMNS = ("value", "suppressed", "status", "frequency", "via_id")
"""What a stored observation's new figure changes."""


@dataclass
class _Writes:
    """Everything a transaction writes, gathered from its documents and written at the end."""

    created: list[tuple[Any, ...]] = field(default_factory=list)
    """New observations, values in :data:`OBSERVATION_COLUMNS` order."""
    changed: list[Observation] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    new_reports: list[dict[str, Any]] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    changes: summary_module.Changes = field(default_factory=summary_module.Changes)

    async def flush(self) -> None:
        """Write the rows: one statement per table and kind of change (chunked)."""
        await insert_many(Report, self.new_reports)
        await update_records(Report, REPORT_FIELDS, [(report.id, *(getattr(report, name) for name in REPORT_FIELDS))
                                                     for report in self.reports])
        for chunk in _chunks(self.removed):
            await Observation.filter(id__in=chunk).delete()
        await insert_records(Observation, OBSERVATION_COLUMNS, self.created)
        await update_records(Observation, CHANGED_COLUMNS, [(obs.id, *(getattr(obs, name) for name in CHANGED_COLUMNS))
                                                            for obs in self.changed])

    async def count(self) -> None:
        """Change the regions' totals and the revision by what the rows changed. Called last in the
        transaction: every ingest updates these same few rows, so their locks are taken only just
        before the commit and concurrent writers wait for each other only that long."""
        await summary_module.apply(self.changes)
        if self.created or self.changed or self.removed or self.new_reports:
            await summary_module.bump()


async def _plan(members: dict[str, Member], documents: list[tuple[_Document, ImportSummary]], source: str,
                received_at: datetime, writes: _Writes) -> None:
    """What storing ``documents`` changes, added to ``writes`` and to each document's summary."""
    ids = sorted({members[code].id for doc, _ in documents for code, _ in doc.slices})
    periods = sorted({period for doc, _ in documents for _, period in doc.slices})
    reports: dict[tuple[int, str], Report] = {}
    stored: dict[tuple[int, str], dict[tuple[str, str, str], Observation]] = defaultdict(dict)
    for chunk in _chunks(ids):
        for found in await Report.filter(member_id__in=chunk, period__in=periods):
            reports[(found.member_id, found.period)] = found
    planned = [(doc, summary, members[code], period, rows, None if code == doc.member.code else doc.member,
                _slice_hash(rows)) for doc, summary in documents for (code, period), rows in sorted(doc.slices.items())]
    # a slice's rows are stored with its report, which keeps their hash: only the slices whose report
    # has other figures are looked up (none in a first harvest, whatever the planner would make of a
    # table grown since its statistics; one period of a lab that changed one)
    looked_up = sorted({(target.id, period) for _, _, target, period, _, via, digest in planned
                        if (report := reports.get((target.id, period))) and not _same(report, via, digest)})
    looked_up_periods = sorted({period for _, period in looked_up})
    for chunk in _chunks(sorted({member_id for member_id, _ in looked_up})):
        for obs in await Observation.filter(member_id__in=chunk, period__in=looked_up_periods):
            stored[(obs.member_id, obs.period)][(obs.indicator, obs.module, obs.kind)] = obs
    for doc, summary, target, period, rows, via, digest in planned:
        _plan_slice(target, period, rows, doc.periods[(target.code, period)], via, digest,
                    reports.get((target.id, period)), stored.get((target.id, period), {}), source, received_at,
                    summary, writes)


def _same(report: Report, via: Member | None, digest: str) -> bool:
    """Whether a stored slice already holds these figures (``digest``), from the same relay or none."""
    return report.content_hash == digest and report.via_id == (via.id if via else None)


def _plan_slice(target: Member, period: str, rows: list[Row], info: dict[str, Any], via: Member | None, digest: str,
                report: Report | None, existing: dict[tuple[str, str, str], Observation], source: str,
                received_at: datetime, summary: ImportSummary, writes: _Writes) -> None:
    """One (lab, period) slice: ``rows`` (relayed by ``via``, or the lab's own; their hash
    ``digest``) replace ``existing``, which is only looked up when the report is not :func:`_same`."""
    code = target.code
    if report is not None and _same(report, via, digest):  # the same figures again: only the report moves
        summary.ignored += len(rows)
        _update_report(report, _report_fields(info, via, digest, source, received_at), writes)
        return
    if via is not None and report is not None and report.via_id is None:
        summary.ignored += len(rows)  # the lab's own report wins over any relay
        differences = _differences(existing, rows)
        if differences:
            summary.conflicts.append(
                f"{code} {period}: {via.code} relays figures that differ from the lab's own report "
                f"(own → relayed: {_describe(differences)}); the lab's own report is kept")
        return
    if via is not None and report is not None and report.via_id not in (None, via.id):
        differences = _differences(existing, rows)
        if differences:
            summary.conflicts.append(f"{code} {period}: relayed by {via.code} with other figures than the "
                                     f"previous relay ({_describe(differences)}); the latest relay is kept")
    if report is not None and report.status == "published":
        differences = _differences(existing, rows, values_only=True)
        if differences:
            summary.conflicts.append(f"{code} {period}: published figures changed ({_describe(differences)}); "
                                     "the new figures are stored")
    writes.changes.replace(period, target.region_path or "", summary_module.totals_of(existing.values()),
                           summary_module.totals_of(rows))
    _plan_rows(target.id, period, rows, existing, via.id if via else None, summary, writes)
    fields = _report_fields(info, via, digest, source, received_at)
    if report is None:
        writes.new_reports.append({**fields, "member_id": target.id, "period": period,
                                   "first_received_at": received_at})
    else:
        _update_report(report, fields, writes)


def _update_report(report: Report, fields: dict[str, Any], writes: _Writes) -> None:
    for name, value in fields.items():
        setattr(report, name, value)
    writes.reports.append(report)


def _plan_rows(member_id: int, period: str, rows: list[Row], existing: dict[tuple[str, str, str], Observation],
               via_id: int | None, summary: ImportSummary, writes: _Writes) -> None:
    """The observations of one slice: each row created, updated or left alone; the stored ones the
    slice no longer has removed."""
    if not existing:  # a new slice (every slice of a first harvest): nothing to compare
        writes.created += [(member_id, row.indicator, period, row.frequency, row.module, row.kind,
                            None if row.suppressed else row.value, row.suppressed, row.status, via_id)
                           for row in rows]
        summary.imported += len(rows)
        return
    seen: set[tuple[str, str, str]] = set()
    for row in rows:
        key = (row.indicator, row.module, row.kind)
        seen.add(key)
        value = None if row.suppressed else row.value
        old = existing.get(key)
        if old is None:
            writes.created.append((member_id, row.indicator, period, row.frequency, row.module, row.kind, value,
                                   row.suppressed, row.status, via_id))
            summary.imported += 1
        elif (old.value, old.suppressed, old.status, old.via_id, old.frequency) == (
                value, row.suppressed, row.status, via_id, row.frequency):
            summary.ignored += 1
        else:
            old.value, old.suppressed, old.status, old.frequency = value, row.suppressed, row.status, row.frequency
            old.via_id = via_id
            writes.changed.append(old)
            summary.updated += 1
    gone = [obs.id for key, obs in existing.items() if key not in seen]
    writes.removed += gone
    summary.removed += len(gone)


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


REPORT_FIELDS = ("frequency", "status", "source", "via_id", "published_at", "last_received_at", "content_hash")
"""What :func:`_report_fields` sets: a stored report's columns that change with each document."""


def _report_fields(info: dict[str, Any], via: Member | None, digest: str, source: str,
                   received_at: datetime) -> dict[str, Any]:
    """What a (lab, period)'s report says after this document (all but its lab, period and first
    reception); ``digest`` is its rows' :func:`_slice_hash`."""
    return {"frequency": info["frequency"], "status": info["status"], "source": source,
            "via_id": via.id if via else None, "published_at": _parse_time(info.get("published_at")),
            "last_received_at": received_at, "content_hash": digest}
