"""The domain rules without HTTP: phases from server time, schedule checks and the ranking arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from types import SimpleNamespace

import pytest

from labkit.actions import Refused

from labkit_challenges import rules
from labkit_challenges.rules import Entry

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def challenge(**fields):
    values = dict(is_published=True, opens_at=T0, closes_at=T0 + 10 * DAY, evaluation_starts_at=T0 + 12 * DAY,
                  implementation_starts_at=T0 + 30 * DAY, results_published_at=None, community_vote=True,
                  blind_review=False)
    values.update(fields)
    return SimpleNamespace(**values)


@pytest.mark.parametrize(("at", "expected"), [
    (T0 - DAY, "announced"), (T0, "open"), (T0 + 10 * DAY - timedelta(seconds=1), "open"),
    (T0 + 10 * DAY, "closed"), (T0 + 12 * DAY, "evaluation"), (T0 + 100 * DAY, "evaluation"),
])
def test_the_phase_follows_the_clock(at, expected) -> None:
    assert rules.phase(challenge(), at) == expected


def test_draft_results_and_implementation_phases() -> None:
    assert rules.phase(challenge(is_published=False), T0 + DAY) == "draft"
    published = challenge(results_published_at=T0 + 20 * DAY)
    assert rules.phase(published, T0 + 21 * DAY) == "results"
    assert rules.phase(published, T0 + 30 * DAY) == "implementation"
    steps = rules.timeline(published, T0 + 21 * DAY)
    assert [(s["phase"], s["state"]) for s in steps] == [
        ("open", "past"), ("closed", "past"), ("evaluation", "past"), ("results", "current"), ("implementation", "future")]


def test_deadline_is_refused_with_a_clear_message() -> None:
    rules.require_open(challenge(), T0 + DAY)
    with pytest.raises(Refused) as late:
        rules.require_open(challenge(), T0 + 10 * DAY)
    assert "deadline" in late.value.text()
    with pytest.raises(Refused, match="not open yet"):
        rules.require_open(challenge(), T0 - DAY)


def test_schedule_dates_must_follow_each_other() -> None:
    assert rules.schedule_errors(dict(opens_at=T0, closes_at=T0 + DAY, evaluation_starts_at=T0 + DAY)) == {}
    errors = rules.schedule_errors(dict(opens_at=T0, closes_at=T0, evaluation_starts_at=T0 - DAY,
                                        implementation_starts_at=T0 - 2 * DAY, kind="hackathon"))
    assert set(errors) == {"closes_at", "evaluation_starts_at", "implementation_starts_at", "event_starts_at"}
    assert rules.schedule_errors(dict(event_starts_at=T0, event_ends_at=T0)) == {
        "event_ends_at": "The event must end after it starts."}


def test_scoring_is_locked_after_results_and_votes_run_between_deadline_and_results() -> None:
    with pytest.raises(Refused, match="locked"):
        rules.require_scoring_open(challenge(results_published_at=T0), T0 + 13 * DAY)
    rules.require_scoring_open(challenge(), T0 + 13 * DAY)
    rules.require_vote_open(challenge(), T0 + 11 * DAY)
    with pytest.raises(Refused):
        rules.require_vote_open(challenge(), T0 + DAY)
    with pytest.raises(Refused):
        rules.require_vote_open(challenge(community_vote=False), T0 + 11 * DAY)


def test_may_score_rules() -> None:
    rules.require_may_score(assigned=True, is_member=False, declared_conflict=False)
    for kwargs in (dict(assigned=False, is_member=False, declared_conflict=False),
                   dict(assigned=True, is_member=True, declared_conflict=False),
                   dict(assigned=True, is_member=False, declared_conflict=True)):
        with pytest.raises(Refused) as refused:
            rules.require_may_score(**kwargs)
        assert refused.value.status == 403


CRITERIA = [(1, 3), (2, 1)]  # impact weighs 3, feasibility 1


def test_weighted_mean_is_exact() -> None:
    entries = [Entry(10, T0), Entry(11, T0 + DAY)]
    scores = [(10, 1, 1, 9), (10, 1, 2, 7), (10, 2, 1, 8), (10, 2, 2, 8), (11, 1, 1, 6), (11, 1, 2, 10)]
    ranked = rules.rank(entries, CRITERIA, scores)
    # 10: impact mean 8.5, feasibility 7.5 -> (3*8.5 + 7.5)/4 = 8.25 ; 11: (18+10)/4 = 7
    assert [(r.id, r.rank, r.score, r.scorecards) for r in ranked] == [(10, 1, Fraction(33, 4), 2), (11, 2, Fraction(7), 1)]
    assert ranked[0].score_display == 8.25


def test_ties_break_on_the_heaviest_criterion_then_scorecards_then_submission_time() -> None:
    # all three have a weighted mean of 6: (3*a + b) / 4 == 6
    entries = [Entry(1, T0 + 2 * DAY), Entry(2, T0 + DAY), Entry(3, T0), Entry(4, T0 + 3 * DAY), Entry(5, T0)]
    scores = [
        (1, 1, 1, 6), (1, 1, 2, 6),                       # impact 6
        (2, 1, 1, 7), (2, 1, 2, 3),                       # impact 7 -> wins the tie
        (3, 1, 1, 6), (3, 1, 2, 6), (3, 2, 1, 6), (3, 2, 2, 6),  # impact 6, two scorecards -> before 1
        (4, 1, 1, 6), (4, 1, 2, 6),                       # same as 1 but submitted later
        (5, 1, 1, 9),                                     # incomplete scorecard: not ranked
    ]
    ranked = rules.rank(entries, CRITERIA, scores)
    assert [(r.id, r.rank) for r in ranked] == [(2, 1), (3, 2), (1, 3), (4, 4), (5, None)]
    assert {r.score for r in ranked if r.rank} == {Fraction(6)}


def test_a_perfect_tie_falls_back_to_the_lower_number() -> None:
    entries = [Entry(8, T0), Entry(7, T0)]
    scores = [(8, 1, 1, 5), (8, 1, 2, 5), (7, 1, 1, 5), (7, 1, 2, 5)]
    assert [r.id for r in rules.rank(entries, CRITERIA, scores)] == [7, 8]


def test_equal_top_weights_are_compared_in_order() -> None:
    criteria = [(1, 2), (2, 2), (3, 1)]
    entries = [Entry(1, T0), Entry(2, T0)]
    # both weighted means are 5; equal on criterion 1, submission 2 is better on criterion 2
    scores = [(1, 1, 1, 5), (1, 1, 2, 4), (1, 1, 3, 7), (2, 1, 1, 5), (2, 1, 2, 5), (2, 1, 3, 5)]
    ranked = rules.rank(entries, criteria, scores)
    assert [r.score for r in ranked] == [Fraction(5), Fraction(5)]
    assert [r.id for r in ranked] == [2, 1]


def test_scorecard_errors_name_the_field() -> None:
    criteria = [SimpleNamespace(id=1), SimpleNamespace(id=2)]
    assert rules.scorecard_errors({1: 3, 2: "10"}, criteria, 10) == {}
    assert rules.scorecard_errors({1: -1, 2: "x"}, criteria, 10) == {
        "score_1": "The score must be between 0 and %(max)s.", "score_2": "Enter a whole number."}
