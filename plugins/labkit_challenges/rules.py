"""The rules of a challenge, as plain functions (no HTTP): phases, deadlines, who may score, the ranking.

Phases
------
A challenge's phase is computed from its dates and the server's clock, never stored:

``draft``        not published (only staff see it);
``announced``    published, the call has not opened yet;
``open``         ``opens_at <= now < closes_at``: teams form and submit, edit and withdraw;
``closed``       ``closes_at <= now < evaluation_starts_at``: submissions are frozen;
``evaluation``   ``now >= evaluation_starts_at`` until the results are published: jurors score;
``results``      the results are published with the jury's statement; scores are locked;
``implementation`` results published and ``now >= implementation_starts_at``: winners are taken
                 forward as projects.

Dates must be in this order: ``opens_at < closes_at <= evaluation_starts_at <=
implementation_starts_at``; a hackathon's event must end after it starts.

Ranking
-------
Each juror's scorecard for a submission scores every criterion (a scorecard is saved whole). A
submission's **score** is the weighted mean over its scorecards::

    score = sum(weight_c * mean_c) / sum(weight_c)

where ``mean_c`` is the mean of the jurors' scores on criterion ``c``. Arithmetic is exact
(fractions); the score is shown rounded to two decimals.

Ties are broken, in this order, deterministically:

1. the higher mean on the highest-weight criterion (when several criteria share the highest
   weight, their means are compared one after another, in the criteria's order);
2. more jury scorecards;
3. the earlier submission (``submitted_at``);
4. the lower submission number.

Submissions without any scorecard are listed after the ranked ones, unranked. Withdrawn
submissions are never ranked. The community vote is counted apart and never changes the ranking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from labkit.actions import Refused
from labkit.i18n import N_

PHASES = ("draft", "announced", "open", "closed", "evaluation", "results", "implementation")
PHASE_LABELS = {
    "draft": N_("Draft"),
    "announced": N_("Announced"),
    "open": N_("Open call"),
    "closed": N_("Submissions closed"),
    "evaluation": N_("Evaluation"),
    "results": N_("Results"),
    "implementation": N_("Implementation"),
}
PUBLIC_PHASES = PHASES[1:]


def refused(message: str, status: int = 409, field: str | None = None, **values: Any) -> Refused:
    """What a challenge rule answers when it says no: a :class:`~labkit.actions.Refused` whose
    problem type on the API ends in ``rule``; ``field`` names the form field it is about."""
    return Refused(message, status, kind="rule", errors={field: message} if field else None, **values)


# ---------------------------------------------------------------------------------- phases


def phase(challenge: Any, now: datetime) -> str:
    """The phase of ``challenge`` at ``now`` (see the module docstring)."""
    if not challenge.is_published:
        return "draft"
    if challenge.results_published_at is not None:
        start = challenge.implementation_starts_at
        return "implementation" if start is not None and now >= start else "results"
    if now < challenge.opens_at:
        return "announced"
    if now < challenge.closes_at:
        return "open"
    if now < challenge.evaluation_starts_at:
        return "closed"
    return "evaluation"


def timeline(challenge: Any, now: datetime) -> list[dict[str, Any]]:
    """The public phases in order with their start dates and whether each is past, current or next."""
    current = phase(challenge, now)
    starts = {
        "open": challenge.opens_at,
        "closed": challenge.closes_at,
        "evaluation": challenge.evaluation_starts_at,
        "results": challenge.results_published_at,
        "implementation": challenge.implementation_starts_at,
    }
    order = PHASES.index(current)
    return [{"phase": name, "label": PHASE_LABELS[name], "starts": starts[name],
             "state": "current" if name == current else ("past" if PHASES.index(name) < order else "future")}
            for name in ("open", "closed", "evaluation", "results", "implementation")]


def schedule_errors(values: dict[str, Any]) -> dict[str, str]:
    """Check the dates of a challenge (aware datetimes or ``None``); ``{field: N_ message}``."""
    errors: dict[str, str] = {}
    opens, closes = values.get("opens_at"), values.get("closes_at")
    evaluation, implementation = values.get("evaluation_starts_at"), values.get("implementation_starts_at")
    if opens and closes and closes <= opens:
        errors["closes_at"] = N_("The deadline must come after the opening of the call.")
    if closes and evaluation and evaluation < closes:
        errors["evaluation_starts_at"] = N_("The evaluation cannot start before the deadline.")
    if evaluation and implementation and implementation < evaluation:
        errors["implementation_starts_at"] = N_("The implementation cannot start before the evaluation.")
    event_start, event_end = values.get("event_starts_at"), values.get("event_ends_at")
    if values.get("kind") == "hackathon" and not event_start:
        errors["event_starts_at"] = N_("A hackathon needs the date of its event.")
    if event_start and event_end and event_end <= event_start:
        errors["event_ends_at"] = N_("The event must end after it starts.")
    return errors


def require_open(challenge: Any, now: datetime) -> None:
    """Refuse a change to a team's submission outside the open call (server time)."""
    current = phase(challenge, now)
    if current == "open":
        return
    if current in ("draft", "announced"):
        raise refused(N_("The call for this challenge is not open yet."))
    raise refused(N_("The deadline for submissions has passed: submissions can no longer be made or changed."))


def require_scoring_open(challenge: Any, now: datetime) -> None:
    """Refuse scoring outside the evaluation phase, and always once the results are published."""
    if challenge.results_published_at is not None:
        raise refused(N_("The results are published: the scores are locked."), status=409)
    if phase(challenge, now) != "evaluation":
        raise refused(N_("Scoring opens when the evaluation phase starts."), status=409)


def require_vote_open(challenge: Any, now: datetime) -> None:
    """The community vote runs from the deadline until the results are published."""
    if not challenge.community_vote:
        raise refused(N_("This challenge has no community vote."), status=404)
    if phase(challenge, now) not in ("closed", "evaluation"):
        raise refused(N_("The community vote is open between the deadline and the results."))


def submissions_visible(challenge: Any, now: datetime) -> bool:
    """Whether the public may read the submissions: once the call has closed."""
    return phase(challenge, now) in ("closed", "evaluation", "results", "implementation")


def hide_teams(challenge: Any) -> bool:
    """Whether team names and members are hidden (blind review, until the results are published)."""
    return bool(challenge.blind_review) and challenge.results_published_at is None


# ------------------------------------------------------------------------------ the jury


def criteria_errors(weight: int) -> str | None:
    """Weights are positive whole numbers."""
    if weight <= 0:
        return N_("A weight must be a positive number.")
    return None


def require_criteria_editable(scores_exist: bool) -> None:
    """Criteria are fixed once any score exists, so that every scorecard measures the same thing."""
    if scores_exist:
        raise refused(N_("The criteria cannot change once scoring has started."))


def require_may_score(*, assigned: bool, is_member: bool, declared_conflict: bool) -> None:
    """A juror scores only a submission assigned to them, of a team they are not in and have not declared."""
    if is_member:
        raise refused(N_("You are a member of this team: you cannot score its submission."), status=403)
    if declared_conflict:
        raise refused(N_("You declared a conflict of interest with this team: you cannot score its submission."),
                        status=403)
    if not assigned:
        raise refused(N_("This submission is not assigned to you."), status=403)


def scorecard_errors(values: dict[int, Any], criteria: Iterable[Any], scale_max: int) -> dict[str, str]:
    """Check one scorecard ``{criterion_id: value}``: every criterion, a whole number on the scale."""
    errors: dict[str, str] = {}
    for criterion in criteria:
        value = values.get(criterion.id)
        key = f"score_{criterion.id}"
        if value is None or value == "":
            errors[key] = N_("Give a score for every criterion.")
            continue
        try:
            number = int(str(value))
        except ValueError:
            errors[key] = N_("Enter a whole number.")
            continue
        if not 0 <= number <= scale_max:
            errors[key] = N_("The score must be between 0 and %(max)s.")
    return errors


# ---------------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class Entry:
    """What the ranking needs of a submission."""

    id: int
    submitted_at: datetime


@dataclass
class Ranked:
    """A submission's place in the ranking."""

    id: int
    rank: int | None
    score: Fraction | None
    scorecards: int
    criterion_means: dict[int, Fraction] = field(default_factory=dict)

    @property
    def score_display(self) -> float | None:
        return None if self.score is None else round(float(self.score), 2)


def weighted_score(criterion_means: dict[int, Fraction], weights: dict[int, int]) -> Fraction:
    """``sum(weight * mean) / sum(weight)`` over the criteria."""
    total = sum(weights.values())
    return sum((Fraction(weights[c]) * criterion_means[c] for c in weights), Fraction(0)) / total


def rank(entries: Sequence[Entry], criteria: Sequence[tuple[int, int]],
         scores: Iterable[tuple[int, int, int, int]]) -> list[Ranked]:
    """Rank submissions. ``criteria`` is ``[(criterion_id, weight)]`` in the criteria's order;
    ``scores`` yields ``(submission_id, juror_id, criterion_id, value)``. Only complete
    scorecards (every criterion scored) count. See the module docstring for the tie-break."""
    weights = dict(criteria)
    by_card: dict[tuple[int, int], dict[int, int]] = {}
    for submission_id, juror_id, criterion_id, value in scores:
        if criterion_id in weights:
            by_card.setdefault((submission_id, juror_id), {})[criterion_id] = value
    cards: dict[int, list[dict[int, int]]] = {}
    for (submission_id, _juror), card in by_card.items():
        if len(card) == len(weights):
            cards.setdefault(submission_id, []).append(card)
    top = max(weights.values(), default=0)
    top_criteria = [c for c, w in criteria if w == top]
    results: list[Ranked] = []
    for entry in entries:
        entry_cards = cards.get(entry.id, [])
        if not entry_cards or not weights:
            results.append(Ranked(entry.id, None, None, 0))
            continue
        means = {c: Fraction(sum(card[c] for card in entry_cards), len(entry_cards)) for c in weights}
        results.append(Ranked(entry.id, None, weighted_score(means, weights), len(entry_cards), means))
    submitted = {entry.id: entry.submitted_at for entry in entries}

    def key(item: Ranked) -> tuple[Any, ...]:
        return (-item.score, *(-item.criterion_means[c] for c in top_criteria), -item.scorecards,  # type: ignore[operator]
                submitted[item.id], item.id)

    scored = sorted((r for r in results if r.score is not None), key=key)
    for position, item in enumerate(scored, start=1):
        item.rank = position
    unscored = sorted((r for r in results if r.score is None), key=lambda r: (submitted[r.id], r.id))
    return scored + unscored


def tally(votes: Iterable[int]) -> dict[int, int]:
    """Community votes per submission id."""
    counts: dict[int, int] = {}
    for submission_id in votes:
        counts[submission_id] = counts.get(submission_id, 0) + 1
    return counts
