"""The jury's side of a challenge in the database: criteria, jurors, assignments, conflicts of
interest, scorecards and the published results, with the rules of :mod:`labkit_challenges.rules`
enforced inside transactions (a refusal is a :class:`~labkit.actions.Refused`; nothing is half-saved).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from labkit.actions import Refused
from labkit.i18n import N_, gettext
from labkit.models import Person

from labkit_challenges import rules
from labkit_challenges.forms import CriterionIn, ScorecardIn
from labkit_challenges.models import (
    Assignment,
    Challenge,
    Conflict,
    Criterion,
    Juror,
    Score,
    Submission,
    TeamMember,
    Vote,
)
from labkit_challenges.rules import refused
from labkit_challenges.services import locked_challenge, now

# -------------------------------------------------------------------------------- the jury


async def scores_exist(challenge: Challenge) -> bool:
    """Whether any juror has scored in the challenge (the criteria are then fixed)."""
    return await Score.filter(criterion__challenge_id=challenge.id).exists()


async def add_criterion(challenge: Challenge, data: CriterionIn) -> Criterion:
    """Add a criterion at the end of the list (until scoring starts)."""
    async with in_transaction():
        await locked_challenge(challenge.id)
        rules.require_criteria_editable(await scores_exist(challenge))
        if await Criterion.exists(challenge=challenge, name=data.name):
            raise refused(N_("A criterion with this name already exists."), status=422, field="name")
        position = await Criterion.filter(challenge=challenge).count()
        return await Criterion.create(challenge=challenge, position=position, **data.model_dump(include=set(CriterionIn.model_fields)))


async def update_criterion(challenge: Challenge, criterion: Criterion, data: CriterionIn) -> None:
    """Change a criterion (until scoring starts)."""
    async with in_transaction():
        await locked_challenge(challenge.id)
        rules.require_criteria_editable(await scores_exist(challenge))
        if await Criterion.filter(challenge=challenge, name=data.name).exclude(id=criterion.id).exists():
            raise refused(N_("A criterion with this name already exists."), status=422, field="name")
        criterion.update_from_dict(data.model_dump(include=set(CriterionIn.model_fields)))
        await criterion.save()


async def delete_criterion(challenge: Challenge, criterion: Criterion) -> None:
    """Remove a criterion (until scoring starts)."""
    async with in_transaction():
        await locked_challenge(challenge.id)
        rules.require_criteria_editable(await scores_exist(challenge))
        await criterion.delete()


async def add_juror(challenge: Challenge, email: str) -> Juror:
    """Put the active account with this e-mail on the jury."""
    person = await Person.get_or_none(email=email.strip().lower(), is_active=True)
    if person is None:
        person = await Person.get_or_none(email=email.strip(), is_active=True)
    if person is None:
        raise refused(N_("No active account has this e-mail address."), status=422, field="email")
    if await Juror.exists(challenge=challenge, person=person):
        raise refused(N_("This person is already on the jury."), status=422, field="email")
    try:
        return await Juror.create(challenge=challenge, person=person)
    except IntegrityError:
        raise refused(N_("This person is already on the jury."), status=422, field="email") from None


async def remove_juror(challenge: Challenge, juror: Juror) -> None:
    """Take a juror off the jury, unless they have scored."""
    if await Score.exists(juror=juror):
        raise refused(N_("This juror has already scored: they cannot be removed."))
    await juror.delete()


async def conflict_reason(juror: Juror, submission: Submission) -> str | None:
    """Why ``juror`` may not score ``submission`` (``None`` when nothing stands in the way)."""
    if await TeamMember.exists(team_id=submission.team_id, person_id=juror.person_id):
        return N_("member of the team")
    if await Conflict.exists(juror=juror, team_id=submission.team_id):
        return N_("declared conflict of interest")
    return None


async def assign(juror: Juror, submission: Submission) -> Assignment:
    """Give ``juror`` ``submission`` to score, unless they are in its team or declared a conflict."""
    if submission.challenge_id != juror.challenge_id:
        raise refused(N_("This submission belongs to another challenge."), status=404)
    if submission.status != "submitted":
        raise refused(N_("A withdrawn submission cannot be assigned."))
    reason = await conflict_reason(juror, submission)
    if reason is not None:
        raise refused(N_("This juror cannot score this submission (%(reason)s)."), reason=gettext(reason))
    assignment, _created = await Assignment.get_or_create(juror=juror, submission=submission)
    return assignment


async def assign_all(challenge: Challenge) -> int:
    """Assign every submission to every juror who has no conflict with its team; return how many were new."""
    made = 0
    for juror in await Juror.filter(challenge=challenge):
        for submission in await Submission.filter(challenge=challenge, status="submitted"):
            if await conflict_reason(juror, submission) is None:
                _assignment, created = await Assignment.get_or_create(juror=juror, submission=submission)
                made += int(created)
    return made


async def unassign(juror: Juror, submission: Submission) -> None:
    """Take back an assignment the juror has not scored."""
    if await Score.exists(juror=juror, submission=submission):
        raise refused(N_("This juror has already scored this submission."))
    await Assignment.filter(juror=juror, submission=submission).delete()


async def declare_conflict(challenge: Challenge, juror: Juror, submission: Submission, reason: str) -> Conflict:
    """Record a conflict of interest: the juror's assignment and any scores for that team go."""
    if challenge.results_published_at is not None:
        raise refused(N_("The results are published: the scores are locked."))
    async with in_transaction():
        await locked_challenge(challenge.id)
        conflict, _ = await Conflict.get_or_create(juror=juror, team_id=submission.team_id,
                                                   defaults={"reason": reason})
        team_submissions = await Submission.filter(team_id=submission.team_id).values_list("id", flat=True)
        await Score.filter(juror=juror, submission_id__in=list(team_submissions)).delete()
        await Assignment.filter(juror=juror, submission_id__in=list(team_submissions)).delete()
    return conflict


async def save_scorecard(challenge: Challenge, juror: Juror, submission: Submission, data: ScorecardIn) -> None:
    """Save a juror's whole scorecard, checking the phase, the lock, assignment and conflicts."""
    if submission.challenge_id != challenge.id or submission.status != "submitted":
        raise refused(N_("This submission cannot be scored."), status=404)
    criteria = await Criterion.filter(challenge=challenge)
    if not criteria:
        raise refused(N_("This challenge has no evaluation criteria yet."))
    values = {item.criterion: item.value for item in data.scores}
    comments = {item.criterion: item.comment for item in data.scores}
    unknown = set(values) - {c.id for c in criteria}
    if unknown:
        raise refused(N_("A score names a criterion of another challenge."), status=422)
    errors = rules.scorecard_errors(values, criteria, challenge.scale_max)
    if errors:
        raise Refused(next(iter(errors.values())), 422, kind="rule", errors=errors, max=challenge.scale_max)
    async with in_transaction():
        locked = await locked_challenge(challenge.id)
        rules.require_scoring_open(locked, now())
        rules.require_may_score(
            assigned=await Assignment.exists(juror=juror, submission=submission),
            is_member=await TeamMember.exists(team_id=submission.team_id, person_id=juror.person_id),
            declared_conflict=await Conflict.exists(juror=juror, team_id=submission.team_id),
        )
        for criterion in criteria:
            score = await Score.get_or_none(juror=juror, submission=submission, criterion=criterion)
            if score is None:
                await Score.create(juror=juror, submission=submission, criterion=criterion,
                                   value=int(values[criterion.id]), comment=comments.get(criterion.id, ""))
            else:
                score.value, score.comment = int(values[criterion.id]), comments.get(criterion.id, "")
                await score.save()


# -------------------------------------------------------------------------------- results


@dataclass
class Standing:
    """A submission with its place in the jury's ranking and its community votes."""

    submission: Submission
    ranked: rules.Ranked
    votes: int


async def standings(challenge: Challenge) -> list[Standing]:
    """The jury's ranking of the challenge's submissions (see :mod:`rules`), with community votes."""
    submissions = await Submission.filter(challenge=challenge, status="submitted").select_related("team")
    criteria = await Criterion.filter(challenge=challenge)
    scores = await Score.filter(submission__challenge_id=challenge.id).values_list(
        "submission_id", "juror_id", "criterion_id", "value")
    ranked = rules.rank([rules.Entry(s.id, s.submitted_at) for s in submissions],
                        [(c.id, c.weight) for c in criteria], scores)
    votes = rules.tally(await Vote.filter(challenge=challenge).values_list("submission_id", flat=True))
    by_id = {s.id: s for s in submissions}
    return [Standing(by_id[r.id], r, votes.get(r.id, 0)) for r in ranked]


async def publish_results(challenge: Challenge, statement: str, winners: list[int]) -> Challenge:
    """Publish the ranking with the jury's statement and the winners; the scores lock."""
    async with in_transaction():
        locked = await locked_challenge(challenge.id)
        if locked.results_published_at is not None:
            raise refused(N_("The results are already published."))
        if rules.phase(locked, now()) != "evaluation":
            raise refused(N_("Results can be published during the evaluation phase."))
        valid = set(await Submission.filter(challenge=locked, status="submitted").values_list("id", flat=True))
        if not set(winners) <= valid:
            raise refused(N_("Winners must be submissions of this challenge."), status=422, field="winners")
        await Submission.filter(challenge=locked).update(is_winner=False)
        if winners:
            await Submission.filter(id__in=winners).update(is_winner=True)
        locked.jury_statement = statement
        locked.results_published_at = now()
        await locked.save(update_fields=["jury_statement", "results_published_at", "updated_at"])
    return locked


async def take_forward(challenge: Challenge, submission: Submission, on: date | None) -> Submission:
    """Take a winner forward as a project of the lab, from ``on`` (today by default)."""
    if challenge.results_published_at is None:
        raise refused(N_("Winners are taken forward after the results are published."))
    if not submission.is_winner:
        raise refused(N_("Only a winning submission can be taken forward as a project."))
    submission.taken_forward_on = on or now().astimezone(UTC).date()
    await submission.save(update_fields=["taken_forward_on", "updated_at"])
    return submission
