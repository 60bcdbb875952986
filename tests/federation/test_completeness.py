"""Completeness and timeliness: who was expected, who reported, on time or late, who failed and why."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from labkit import Period

from labkit_federation import completeness as comp
from labkit_federation.models import HarvestResult, HarvestRun, Member, Report

SP = ZoneInfo("America/Sao_Paulo")
Q2 = Period.parse("2025-Q2")
AFTER = datetime(2025, 12, 1, tzinfo=UTC)


async def _member(code: str, region: str = "BR/BR-SP", **extra) -> Member:
    return await Member.create(code=code, name=extra.pop("name", f"Lab {code}"), region_path=region, **extra)


async def _report(member: Member, received: datetime, period: str = "2025-Q2", **extra) -> Report:
    return await Report.create(member=member, period=period, frequency=Period.parse(period).frequency,
                               first_received_at=received, last_received_at=received, **extra)


async def _harvest(member: Member, outcome: str, when: datetime, **extra) -> HarvestResult:
    run = await HarvestRun.create(trigger="cli", started_at=when, finished_at=when)
    return await HarvestResult.create(run=run, member=member, outcome=outcome, finished_at=when, **extra)


async def test_expected_reported_on_time_late_failed_and_missing(make_lab) -> None:
    await make_lab(plugins=["federation"])
    on_time = await _member("BR-1", joined_on=date(2020, 1, 1))
    late = await _member("BR-2")
    failed = await _member("BR-3", region="BR/BR-RJ")
    missing = await _member("BR-4", region="BR/BR-RJ")
    await _member("BR-5", joined_on=date(2025, 7, 1))  # joined after the quarter: not expected
    await _member("BR-6", active=False)  # inactive: not expected
    unexpected = await _member("BR-7", joined_on=date(2025, 8, 1))  # not expected, reported anyway

    # The deadline of 2025-Q2 with 30 days is the end of 30 July in the hub's zone (São Paulo, UTC-3).
    await _report(on_time, datetime(2025, 7, 31, 2, 59, tzinfo=UTC))  # 30 July 23:59 local
    await _report(late, datetime(2025, 7, 31, 3, 0, tzinfo=UTC))  # 31 July 00:00 local
    await _report(unexpected, datetime(2025, 7, 5, tzinfo=UTC))
    old = datetime(2025, 8, 1, tzinfo=UTC)
    await _harvest(failed, "ok", old - timedelta(days=10))
    await _harvest(failed, "invalid", old, detail="schema", errors=[{"path": "periods[0]", "message": "bad"}])
    await _harvest(missing, "unchanged", old)

    report = await comp.completeness(Q2, deadline_days=30, expected_frequencies=("A", "Q"), zone="America/Sao_Paulo",
                                     now=AFTER)
    by_code = {line.code: line for line in report.lines}
    assert report.deadline == datetime(2025, 7, 31, tzinfo=SP)
    assert report.due
    assert {code: line.status for code, line in by_code.items()} == {
        "BR-1": "on_time", "BR-2": "late", "BR-3": "failed", "BR-4": "missing", "BR-7": "on_time"}
    assert not by_code["BR-7"].expected
    assert by_code["BR-2"].days_late == 1
    assert by_code["BR-3"].last_harvest.outcome == "invalid"  # the latest harvest, not the older success
    assert by_code["BR-3"].last_harvest.errors == [{"path": "periods[0]", "message": "bad"}]
    assert by_code["BR-4"].last_harvest.outcome == "unchanged"

    total = report.total
    assert (total.expected, total.reported, total.on_time, total.late, total.failed, total.missing) == (4, 2, 1, 1, 1, 1)
    assert total.completeness == 0.5 and total.timeliness == 0.25

    assert [key for key, _ in report.by_region(depth=1)] == ["BR"]
    regions = dict(report.by_region())  # the first level that splits the members: the states
    assert regions["BR/BR-SP"].expected == 2 and regions["BR/BR-SP"].completeness == 1.0
    assert regions["BR/BR-RJ"].expected == 2 and regions["BR/BR-RJ"].reported == 0

    rio = await comp.completeness(Q2, deadline_days=30, expected_frequencies=("Q",), zone="America/Sao_Paulo",
                                  region="BR/BR-RJ", now=AFTER)
    assert [line.code for line in rio.lines] == ["BR-3", "BR-4"]
    assert rio.total.failed == 1 and rio.total.completeness == 0.0
    assert [key for key, _ in rio.by_region()] == ["BR/BR-RJ"]

    # Before the deadline, a member that has not reported yet is pending, not missing.
    early = await comp.completeness(Q2, deadline_days=30, expected_frequencies=("Q",), zone="America/Sao_Paulo",
                                    now=datetime(2025, 7, 10, tzinfo=UTC))
    assert not early.due
    assert {line.code: line.status for line in early.lines}["BR-4"] == "pending"
    assert {line.code: line.status for line in early.lines}["BR-3"] == "failed"


async def test_frequency_not_expected_and_the_deadline_follows_the_hubs_zone(make_lab) -> None:
    await make_lab(plugins=["federation"])
    member = await _member("PT-1106", region="PT/PT-11")
    await _report(member, datetime(2025, 5, 3, tzinfo=UTC), period="2025-04")
    monthly = await comp.completeness(Period.parse("2025-04"), deadline_days=0, expected_frequencies=("A", "Q"),
                                      zone="Europe/Lisbon", now=AFTER)
    assert not monthly.frequency_expected
    assert monthly.total.expected == 0 and monthly.total.completeness is None
    assert [(line.code, line.expected, line.status) for line in monthly.lines] == [("PT-1106", False, "late")]
    # Lisbon is UTC+1 in summer: the first late instant of April (0 days) is 1 May 00:00 local.
    assert comp.deadline(Period.parse("2025-04"), 0, "Europe/Lisbon") == datetime(2025, 4, 30, 23, 0, tzinfo=UTC)
    assert comp.deadline(Period.parse("2025"), 30, "UTC") == datetime(2026, 1, 31, tzinfo=UTC)


async def test_a_member_hub_reports_through_the_labs_it_relays(make_lab) -> None:
    await make_lab(plugins=["federation"])
    hub = await _member("BR-SP", region="BR", kind="hub")
    relayed = await _member("BR-3509502", active=False, hub=hub)
    await _report(relayed, datetime(2025, 7, 20, tzinfo=UTC), via=hub)
    report = await comp.completeness(Q2, deadline_days=30, expected_frequencies=("Q",), zone="UTC", now=AFTER)
    lines = {line.code: line for line in report.lines}
    assert lines["BR-SP"].status == "on_time" and lines["BR-SP"].expected
    assert lines["BR-3509502"].via == "BR-SP" and not lines["BR-3509502"].expected
    assert report.total.expected == 1 and report.total.reported == 1


def test_recent_periods_are_complete_periods_newest_first() -> None:
    assert comp.recent_periods(date(2026, 2, 10), ("Q",), count=3) == ["2025-Q4", "2025-Q3", "2025-Q2"]
    assert comp.recent_periods(date(2026, 2, 10), ("A", "Q"), count=3) == ["2025-Q4", "2025", "2025-Q3"]
    assert comp.recent_periods(date(2026, 1, 5), ("M",), count=2) == ["2025-12", "2025-11"]
    assert comp.in_region("BR/BR-SP", "BR") and not comp.in_region("BR/BR-SPX", "BR/BR-SP")
