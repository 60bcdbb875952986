"""Completeness and timeliness of a period's reports: who was expected, who reported, on time or
late, and who failed and why. Plain functions over the database, no HTTP.

Definitions (the ones DHIS2 uses for its reporting rates):

- **expected**: the active members that joined on or before the period's last day, when the
  period's frequency is one of ``expected_frequencies`` (``[plugin.federation]``);
- **reported**: an expected member with a :class:`~labkit_federation.models.Report` for the period;
- **on time**: its report first arrived before the deadline, which is the end of the
  ``deadline_days``-th day after the period's last day, in the hub's time zone;
- **late**: reported after the deadline;
- **failed**: not reported, and the latest harvest of that member did not succeed (the outcome,
  detail and validation errors of that harvest say why);
- **missing**: not reported and nothing failed (the document simply has no figures for the period);
- **pending**: not reported yet, but the deadline has not passed.

``completeness rate`` = reported ÷ expected; ``timeliness rate`` = on time ÷ expected.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.functions import Max

from labkit import Period
from labkit.i18n import N_
from labkit_federation.models import HarvestResult, Member, Report

STATUSES = ("on_time", "late", "failed", "missing", "pending")
"""Every reporting status of an expected member, in the order they are shown."""
STATUS_LABELS = {
    "on_time": N_("On time"),
    "late": N_("Late"),
    "failed": N_("Failed"),
    "missing": N_("Not reported"),
    "pending": N_("Not yet due"),
}
FAILED_OUTCOMES = ("http_error", "timeout", "unreachable", "truncated", "invalid", "refused", "hub_error")
"""Harvest outcomes that explain why a member's figures did not arrive."""
OUTCOME_LABELS = {
    "ok": N_("Imported"),
    "unchanged": N_("Unchanged"),
    "http_error": N_("HTTP error"),
    "timeout": N_("Timed out"),
    "unreachable": N_("Unreachable"),
    "truncated": N_("Connection dropped"),
    "invalid": N_("Invalid document"),
    "refused": N_("Address refused"),
    "hub_error": N_("Error on the hub"),
}


@dataclass
class Failure:
    """The latest harvest of a member: what happened and why."""

    outcome: str
    http_status: int | None
    detail: str
    errors: list[Any]
    finished_at: datetime
    run_id: int


@dataclass
class MemberStatus:
    """One member's line in a completeness report."""

    code: str
    name: str
    kind: str
    region_path: str
    municipality: str
    latitude: float | None
    longitude: float | None
    expected: bool
    status: str
    """One of :data:`STATUSES` for an expected member; ``on_time``/``late`` for an unexpected reporter."""
    received_at: datetime | None = None
    source: str = ""
    via: str = ""
    days_late: int = 0
    last_harvest: Failure | None = None

    @property
    def reported(self) -> bool:
        return self.status in ("on_time", "late")

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values (built by hand: ``asdict`` is slow for thousands of members)."""
        harvest = self.last_harvest
        return {
            "code": self.code, "name": self.name, "kind": self.kind, "region_path": self.region_path,
            "municipality": self.municipality, "latitude": self.latitude, "longitude": self.longitude,
            "expected": self.expected, "reported": self.reported, "status": self.status,
            "received_at": self.received_at.isoformat() if self.received_at else None, "source": self.source,
            "via": self.via, "days_late": self.days_late,
            "last_harvest": None if harvest is None else {
                "outcome": harvest.outcome, "http_status": harvest.http_status, "detail": harvest.detail,
                "errors": harvest.errors, "finished_at": harvest.finished_at.isoformat(), "run_id": harvest.run_id},
        }


@dataclass
class Tally:
    """Counts and rates of a set of members (the whole hub or one region)."""

    expected: int = 0
    reported: int = 0
    on_time: int = 0
    late: int = 0
    failed: int = 0
    missing: int = 0
    pending: int = 0

    def add(self, line: MemberStatus) -> None:
        if not line.expected:
            return
        self.expected += 1
        setattr(self, line.status, getattr(self, line.status) + 1)
        if line.reported:
            self.reported += 1

    @property
    def completeness(self) -> float | None:
        """Reported ÷ expected (``None`` when nobody was expected)."""
        return self.reported / self.expected if self.expected else None

    @property
    def timeliness(self) -> float | None:
        """On time ÷ expected (``None`` when nobody was expected)."""
        return self.on_time / self.expected if self.expected else None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "completeness": self.completeness, "timeliness": self.timeliness}


@dataclass
class Completeness:
    """The completeness report of one period (optionally limited to a region)."""

    period: Period
    region: str
    deadline: datetime
    """The first instant that is late, in the hub's time zone."""
    due: bool
    """``True`` once the deadline has passed."""
    frequency_expected: bool
    lines: list[MemberStatus] = field(default_factory=list)
    total: Tally = field(default_factory=Tally)

    def by_region(self, depth: int | None = None) -> list[tuple[str, Tally]]:
        """Tallies per region at ``depth`` components of the region path; by default the first level
        below :attr:`region` that splits the members into more than one region."""
        if depth is not None:
            return self._group(depth)
        level = len(self.region.split("/")) + 1 if self.region else 1
        deepest = max((len(line.region_path.split("/")) for line in self.lines if line.region_path), default=0)
        groups = self._group(level)
        while len(groups) == 1 and level < deepest:
            level += 1
            groups = self._group(level)
        return groups

    def _group(self, level: int) -> list[tuple[str, Tally]]:
        groups: dict[str, Tally] = {}
        for line in self.lines:
            parts = line.region_path.split("/") if line.region_path else []
            key = "/".join(parts[:level]) if len(parts) >= level else (line.region_path or "")
            groups.setdefault(key, Tally()).add(line)
        return sorted(groups.items())

    def status_counts(self) -> Counter[str]:
        return Counter(line.status for line in self.lines if line.expected)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.code,
            "region": self.region,
            "deadline": self.deadline.isoformat(),
            "due": self.due,
            "frequency_expected": self.frequency_expected,
            "total": self.total.as_dict(),
            "regions": [{"region": key, **tally.as_dict()} for key, tally in self.by_region()],
            "members": [line.as_dict() for line in self.lines],
        }


def in_region(path: str, region: str) -> bool:
    """Whether ``path`` (a member's region path) lies in ``region`` (a prefix of whole components)."""
    return not region or path == region or path.startswith(region.rstrip("/") + "/")


def deadline(period: Period, deadline_days: int, zone: str) -> datetime:
    """The first late instant: midnight after the ``deadline_days``-th day past the period's end."""
    day = period.end + timedelta(days=deadline_days)
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone))


def is_expected(member: Member, period: Period) -> bool:
    """An active member that had joined by the period's last day (no join date: always)."""
    return member.active and (member.joined_on is None or member.joined_on < period.end)


async def latest_harvests(member_ids: list[int] | None = None) -> dict[int, Failure]:
    """The latest harvest result of each member (all members, or those of ``member_ids``)."""
    query = HarvestResult.all()
    if member_ids is not None:
        if not member_ids:
            return {}
        if len(member_ids) <= 500:
            query = query.filter(member_id__in=member_ids)
    rows = await query.annotate(last=Max("id")).group_by("member_id").values_list("member_id", "last")
    wanted = set(member_ids) if member_ids is not None else None
    last_ids = [last for member_id, last in rows if wanted is None or member_id in wanted]
    found: dict[int, Failure] = {}
    for start in range(0, len(last_ids), 500):
        for result in await HarvestResult.filter(id__in=last_ids[start:start + 500]):
            found[result.member_id] = Failure(outcome=result.outcome, http_status=result.http_status,
                                              detail=result.detail, errors=list(result.errors or []),
                                              finished_at=result.finished_at, run_id=result.run_id)
    return found


_MEMBER_FIELDS = ("id", "code", "name", "kind", "region_path", "municipality", "latitude", "longitude", "active",
                  "joined_on")
_REPORT_FIELDS = ("member_id", "first_received_at", "source", "via_id")


def _relayed_reports(reports: Any) -> dict[int, dict[str, Any]]:
    """For each hub, the earliest report it relayed (a hub reports through its labs' figures)."""
    earliest: dict[int, dict[str, Any]] = {}
    for report in reports:
        via = report["via_id"]
        if via is not None and via != report["member_id"]:
            known = earliest.get(via)
            if known is None or report["first_received_at"] < known["first_received_at"]:
                earliest[via] = report
    return earliest


def _expected(member: dict[str, Any], period: Period) -> bool:
    return bool(member["active"]) and (member["joined_on"] is None or member["joined_on"] < period.end)


async def completeness(period: Period, *, deadline_days: int, expected_frequencies: tuple[str, ...] | list[str],
                       zone: str, region: str = "", now: datetime | None = None) -> Completeness:
    """Who was expected to report for ``period``, who did, on time or late, and who failed and why.

    ``zone`` is the hub's time zone (``[lab] timezone``); ``region`` limits the report to the
    members whose region path starts with it (``BR/BR-SP``). Reads plain rows (no model objects):
    a national hub has thousands of members.
    """
    from labkit_federation.series import in_region_filter

    now = now or datetime.now(UTC)
    first_late = deadline(period, deadline_days, zone)
    result = Completeness(period=period, region=region.strip("/"), deadline=first_late, due=now >= first_late,
                          frequency_expected=period.frequency in tuple(expected_frequencies))
    members = await Member.filter(in_region_filter(result.region)).order_by("region_path", "name", "code") \
        .values(*_MEMBER_FIELDS)
    report_rows = await Report.filter(period=period.code).values(*_REPORT_FIELDS)
    reports = {row["member_id"]: row for row in report_rows}
    relayed = _relayed_reports(report_rows)
    via_ids = {row["via_id"] for row in report_rows if row["via_id"] is not None}
    via_codes = dict(await Member.filter(id__in=list(via_ids)).values_list("id", "code")) if via_ids else {}
    missing_ids = [m["id"] for m in members
                   if m["id"] not in reports and result.frequency_expected and _expected(m, period)]
    harvests = await latest_harvests(missing_ids)
    for member in members:
        expected = result.frequency_expected and _expected(member, period)
        report = reports.get(member["id"]) or (relayed.get(member["id"]) if member["kind"] == "hub" else None)
        if not expected and report is None:
            continue
        line = MemberStatus(code=member["code"], name=member["name"], kind=member["kind"],
                            region_path=member["region_path"], municipality=member["municipality"],
                            latitude=member["latitude"], longitude=member["longitude"], expected=expected,
                            status="missing")
        if report is not None:
            received = report["first_received_at"]
            line.received_at = received
            line.source = report["source"]
            if report["via_id"] is not None and report["via_id"] != member["id"]:
                line.via = via_codes.get(report["via_id"], "")
            if received < first_late:
                line.status = "on_time"
            else:
                line.status = "late"
                line.days_late = (received - first_late).days + 1
        else:
            failure = harvests.get(member["id"])
            line.last_harvest = failure
            if failure is not None and failure.outcome in FAILED_OUTCOMES:
                line.status = "failed"
            elif not result.due:
                line.status = "pending"
        result.lines.append(line)
        result.total.add(line)
    return result


async def for_app(app: Any, period: Period, *, region: str = "", now: datetime | None = None) -> Completeness:
    """:func:`completeness` with the ``[plugin.federation]`` options and the time zone of the hub ``app``."""
    from labkit_federation.options import of

    opts = of(app)
    return await completeness(period, deadline_days=opts.deadline_days, expected_frequencies=opts.expected_frequencies,
                              zone=app.state.settings.lab.timezone, region=region, now=now)


def recent_periods(today: date, frequencies: tuple[str, ...] | list[str], count: int = 8) -> list[str]:
    """The latest ``count`` complete periods of the expected frequencies, newest first."""
    from labkit_federation.series import period_sort

    codes: list[str] = []
    if "A" in frequencies:
        codes += [str(today.year - n) for n in range(1, count + 1)]
    if "Q" in frequencies:
        year, quarter = today.year, (today.month - 1) // 3 + 1
        for _ in range(count):
            quarter -= 1
            if quarter == 0:
                year, quarter = year - 1, 4
            codes.append(f"{year}-Q{quarter}")
    if "M" in frequencies:
        year, month = today.year, today.month
        for _ in range(count):
            month -= 1
            if month == 0:
                year, month = year - 1, 12
            codes.append(f"{year}-{month:02d}")
    return sorted(codes, key=period_sort, reverse=True)[:count]
