"""The booking rules as plain functions: each refuses with its reason, lengths are real time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from labkit.actions import Refused
from labkit.timezones import local_to_utc

from labkit_coworking import rules
from labkit_coworking.rules import Policy, Usage

SP = "America/Sao_Paulo"
LISBON = "Europe/Lisbon"
NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)  # a Tuesday, 09:00 in São Paulo


def at(day: date, hour: int, minute: int = 0, zone: str = SP) -> datetime:
    return local_to_utc(datetime(day.year, day.month, day.day, hour, minute), zone)


WEEKDAYS = {day: [(9 * 60, 12 * 60), (13 * 60, 18 * 60)] for day in range(5)}
THURSDAY = date(2026, 9, 3)
SATURDAY = date(2026, 9, 5)


def policy(**overrides) -> Policy:
    values = {"timezone": SP, "opening_hours": WEEKDAYS, "capacity": 4, "min_notice_minutes": 60,
              "max_length_minutes": 4 * 60, "max_days_ahead": 30, "guidelines": "Be kind."}
    values.update(overrides)
    return Policy(**values)


def reasons(refusals) -> list[str]:
    return [r.text() for r in refusals]


def test_a_booking_that_keeps_every_rule_passes() -> None:
    assert rules.check_booking(policy(), at(THURSDAY, 9), at(THURSDAY, 11), 2, True, NOW) == []


def test_end_must_follow_start() -> None:
    (refusal,) = rules.check_booking(policy(), at(THURSDAY, 11), at(THURSDAY, 10), 1, True, NOW)
    assert rules.field_of(refusal) == "end" and refusal.text() == "The end must be after the start."
    assert rules.check_order(at(THURSDAY, 10), at(THURSDAY, 10)) is not None


def test_opening_hours_are_read_on_the_local_clock() -> None:
    lunch = rules.check_opening_hours(at(THURSDAY, 11), at(THURSDAY, 14), WEEKDAYS, SP)
    assert lunch.text() == "Outside opening hours: on Thursday the space is open 09:00-12:00, 13:00-18:00."
    assert rules.check_opening_hours(at(THURSDAY, 13), at(THURSDAY, 18), WEEKDAYS, SP) is None
    assert rules.check_opening_hours(at(SATURDAY, 10), at(SATURDAY, 11), WEEKDAYS, SP).text() == "The space is closed on Saturday."
    overnight = rules.check_opening_hours(at(THURSDAY, 17), at(THURSDAY + timedelta(days=1), 9), WEEKDAYS, SP)
    assert overnight.text() == "A booking must start and end on the same day."
    all_day = {3: [(0, 1440)]}
    assert rules.check_opening_hours(at(THURSDAY, 20), at(THURSDAY + timedelta(days=1), 0), all_day, SP) is None


def test_closures_refuse_any_day_they_touch() -> None:
    closures = [(date(2026, 9, 7), date(2026, 9, 7), "Independência")]
    refusal = rules.check_closures(at(date(2026, 9, 7), 9), at(date(2026, 9, 7), 10), closures, SP)
    assert refusal.text() == "The space is closed from 2026-09-07 to 2026-09-07: Independência"
    assert rules.check_closures(at(date(2026, 9, 8), 9), at(date(2026, 9, 8), 10), closures, SP) is None
    # ending exactly at midnight does not touch the next day
    assert rules.check_closures(at(date(2026, 9, 6), 20), at(date(2026, 9, 7), 0), closures, SP) is None


def test_minimum_notice_and_the_past() -> None:
    assert rules.check_notice(NOW - timedelta(minutes=1), NOW, 0).text() == "The start is in the past."
    assert rules.check_notice(NOW + timedelta(minutes=30), NOW, 60).text() == "Book at least 1 hours in advance."
    assert rules.check_notice(NOW + timedelta(minutes=60), NOW, 60) is None


def test_how_far_ahead_counts_local_days() -> None:
    assert rules.check_ahead(at(date(2026, 10, 1), 9), NOW, 30, SP) is None
    assert rules.check_ahead(at(date(2026, 10, 2), 9), NOW, 30, SP).text() == "You can book at most 30 days ahead."


def test_attendees_and_guidelines() -> None:
    assert rules.check_attendees(5, 4).text() == "Too many attendees: this resource holds at most 4."
    assert rules.check_attendees(0, 4) is not None and rules.check_attendees(4, 4) is None
    assert rules.field_of(rules.check_guidelines(False, "Be kind.")) == "accept_guidelines"
    assert rules.check_guidelines(False, "  ") is None


def test_weekly_quota_counts_hours_already_held() -> None:
    refusal = rules.check_quota(9, at(THURSDAY, 9), at(THURSDAY, 11), 10)
    assert refusal.text() == "This would exceed your quota of 10 hours a week in this space (you already hold 9)."
    assert rules.check_quota(8, at(THURSDAY, 9), at(THURSDAY, 11), 10) is None
    assert rules.check_quota(100, at(THURSDAY, 9), at(THURSDAY, 11), 0) is None


def test_capacity_counts_the_peak_not_the_sum_of_overlapping_bookings() -> None:
    start, end = at(THURSDAY, 9), at(THURSDAY, 12)
    morning = [Usage(at(THURSDAY, 9), at(THURSDAY, 10), 3), Usage(at(THURSDAY, 11), at(THURSDAY, 12), 3)]
    assert rules.peak_usage(morning, start, end) == 3
    assert rules.check_capacity(morning, start, end, 1, 4, False) is None
    taken = rules.check_capacity(morning, start, end, 2, 4, False)
    assert taken.status == 409 and taken.text() == "The slot is taken: 1 of 4 places are free at that time."
    back_to_back = [Usage(at(THURSDAY, 8), at(THURSDAY, 9), 4)]
    assert rules.check_capacity(back_to_back, start, end, 4, 4, False) is None
    room = [Usage(at(THURSDAY, 11), at(THURSDAY, 13), 1)]
    assert rules.check_capacity(room, start, end, 1, 8, True).text() == (
        "The slot is taken: the resource is already booked at that time.")


def test_a_daylight_saving_change_inside_the_range_is_measured_in_real_hours() -> None:
    spring, autumn = date(2026, 3, 29), date(2026, 10, 25)  # Lisbon: 01:00 -> 02:00, 02:00 -> 01:00
    open_all_day = {day: [(0, 1440)] for day in range(7)}
    lisbon = policy(timezone=LISBON, opening_hours=open_all_day, max_length_minutes=3 * 60 + 30, max_days_ahead=0,
                    min_notice_minutes=0)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    # 00:00-04:00 on the spring day is 3 real hours: within 3.5 hours
    assert rules.check_booking(lisbon, at(spring, 0, zone=LISBON), at(spring, 4, zone=LISBON), 1, True, now) == []
    # 00:00-03:00 on the autumn day is 4 real hours: too long, and said so
    (refusal,) = rules.check_booking(lisbon, at(autumn, 0, zone=LISBON), at(autumn, 3, zone=LISBON), 1, True, now)
    assert refusal.text() == "A booking may last at most 3.5 hours; this one lasts 4."
    # opening hours are still read on the wall clock on those days
    evening = {6: [(18 * 60, 22 * 60)]}
    assert rules.check_opening_hours(at(spring, 18, zone=LISBON), at(spring, 22, zone=LISBON), evening, LISBON) is None
    # a time the clocks skip is refused when typed
    (occurrence,) = rules.weekly_occurrences(datetime(2026, 3, 29, 1, 30), datetime(2026, 3, 29, 3, 0), 1, LISBON)
    assert isinstance(occurrence, Refused) and "does not exist" in occurrence.text()


def test_weekly_occurrences_keep_the_wall_clock_across_a_daylight_saving_change() -> None:
    occurrences = rules.weekly_occurrences(datetime(2026, 3, 23, 9), datetime(2026, 3, 23, 11), 3, LISBON)
    assert [o[0] for o in occurrences] == [datetime(2026, 3, 23, 9, tzinfo=UTC), datetime(2026, 3, 30, 8, tzinfo=UTC),
                                           datetime(2026, 4, 6, 8, tzinfo=UTC)]


def test_open_hours_count_real_hours_and_skip_closures() -> None:
    every_day = {day: [(0, 1440)] for day in range(7)}
    assert rules.open_hours(date(2026, 3, 29), date(2026, 3, 29), every_day, [], LISBON) == 23
    assert rules.open_hours(date(2026, 10, 25), date(2026, 10, 25), every_day, [], LISBON) == 25
    week = rules.open_hours(date(2026, 8, 31), date(2026, 9, 6), WEEKDAYS, [(THURSDAY, THURSDAY, "x")], SP)
    assert week == 4 * 8


@pytest.mark.parametrize("text, message", [
    ("9-18", "Write opening hours as 09:00-18:00, several separated by commas."),
    ("18:00-09:00", "Each opening interval must close after it opens, within the day."),
    ("09:00-13:00, 12:00-18:00", "Opening intervals of one day must not overlap."),
])
def test_opening_hours_are_parsed_with_clear_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rules.parse_intervals(text)
    assert rules.parse_intervals("13:00-18:00, 09:00-12:00") == [(540, 720), (780, 1080)]
    assert rules.format_intervals(rules.parse_intervals("08:30-24:00")) == "08:30-24:00"
