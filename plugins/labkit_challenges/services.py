"""What pages and the API do to the database, with the rules of :mod:`labkit_challenges.rules`
enforced inside transactions. Every function raises :class:`~labkit_challenges.rules.RuleError`
for an action the rules refuse; nothing is half-saved.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from labkit import uploads
from labkit.auth import participant_id
from labkit.hooktypes import PortfolioItem
from labkit.i18n import N_, gettext
from labkit.models import Person
from labkit.periods import Period
from labkit.timezones import now as utc_now

from labkit_challenges import rules
from labkit_challenges.forms import ChallengeIn, CriterionIn, ScorecardIn, SubmissionIn
from labkit_challenges.models import (
    Assignment,
    Attachment,
    Challenge,
    Conflict,
    Criterion,
    Juror,
    Score,
    Submission,
    Team,
    TeamMember,
    Vote,
)
from labkit_challenges.rules import RuleError

UPLOAD_AREA = "challenges"
ALLOWED_TYPES = ("pdf", "png", "jpg", "gif", "webp", "zip", "odt", "ods", "odp", "txt")
MAX_ATTACHMENT_BYTES = 1_500_000
MAX_ATTACHMENTS = 5
INVITE_MAX_AGE = 30 * 24 * 3600


def now() -> datetime:
    """The server's clock (UTC): every phase rule is decided by it, never by the visitor's."""
    return utc_now()


def limits(settings: Any) -> tuple[tuple[str, ...], int, int]:
    """Allowed attachment types, the size limit per file and the number of files, from
    ``[plugin.challenges]`` (``attachment_types``, ``max_attachment_bytes``, ``max_attachments``)."""
    own = settings.for_plugin("challenges")
    types = tuple(t for t in own.get("attachment_types", ALLOWED_TYPES) if t in uploads.FILE_TYPES)
    return types, int(own.get("max_attachment_bytes", MAX_ATTACHMENT_BYTES)), int(own.get("max_attachments", MAX_ATTACHMENTS))


async def _locked_challenge(challenge_id: int) -> Challenge:
    """Re-read a challenge inside a transaction, locking its row on PostgreSQL."""
    return await Challenge.select_for_update().get(id=challenge_id)


# ------------------------------------------------------------------------------ challenges


def challenge_values(data: ChallengeIn) -> dict[str, Any]:
    values = data.model_dump()
    if values["default_licence"] not in values["licences"]:
        values["default_licence"] = values["licences"][0]
    return values


def challenge_errors(data: ChallengeIn) -> dict[str, str]:
    """The schedule's errors (``N_`` messages by field)."""
    return rules.schedule_errors(data.model_dump())


async def create_challenge(data: ChallengeIn, person: Person) -> Challenge:
    return await Challenge.create(**challenge_values(data), created_by=person)


async def update_challenge(challenge: Challenge, data: ChallengeIn) -> Challenge:
    values = challenge_values(data)
    if challenge.results_published_at is not None and values["scale_max"] != challenge.scale_max:
        raise RuleError(N_("The scale cannot change once the results are published."), field="scale_max")
    if values["scale_max"] != challenge.scale_max and await Score.filter(submission__challenge=challenge).exists():
        raise RuleError(N_("The scale cannot change once scoring has started."), field="scale_max")
    challenge.update_from_dict(values)
    await challenge.save()
    return challenge


# ----------------------------------------------------------------------------------- teams


def _invites(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="labkit.challenges.invite")


def invite_token(secret_key: str, team: Team) -> str:
    """A signed invitation to ``team``; it dies when the team renews its link."""
    return _invites(secret_key).dumps([team.id, team.invite_nonce])


async def team_from_token(secret_key: str, token: str) -> Team | None:
    try:
        team_id, nonce = _invites(secret_key).loads(token, max_age=INVITE_MAX_AGE)
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        return None
    team = await Team.get_or_none(id=team_id).select_related("challenge")
    if team is None or not secrets.compare_digest(str(nonce), team.invite_nonce):
        return None
    return team


async def membership(challenge_id: int, person_id: int | None) -> TeamMember | None:
    if person_id is None:
        return None
    return await TeamMember.get_or_none(challenge_id=challenge_id, person_id=person_id).select_related("team")


def _require_teams_open(challenge: Challenge) -> None:
    if rules.phase(challenge, now()) not in ("announced", "open"):
        raise RuleError(N_("Teams can only be formed or changed before the deadline."))


async def create_team(challenge: Challenge, person: Person, name: str) -> Team:
    _require_teams_open(challenge)
    if await TeamMember.exists(challenge=challenge, person=person):
        raise RuleError(N_("You are already in a team for this challenge."))
    if await Team.exists(challenge=challenge, name=name):
        raise RuleError(N_("A team with this name already exists."), field="name")
    try:
        async with in_transaction():
            team = await Team.create(challenge=challenge, name=name, invite_nonce=secrets.token_hex(8))
            await TeamMember.create(team=team, challenge=challenge, person=person, role="lead",
                                    conduct_accepted_at=now())
    except IntegrityError:
        raise RuleError(N_("You are already in a team for this challenge, or the name is taken.")) from None
    return team


async def join_team(team: Team, person: Person) -> TeamMember:
    challenge = team.challenge
    _require_teams_open(challenge)
    if await TeamMember.exists(challenge=challenge, person=person):
        raise RuleError(N_("You are already in a team for this challenge."))
    try:
        async with in_transaction():
            locked = await Team.select_for_update().get(id=team.id)
            if await TeamMember.filter(team_id=locked.id).count() >= challenge.max_team_size:
                raise RuleError(N_("This team is full (%(size)s people at most)."), size=challenge.max_team_size)
            return await TeamMember.create(team_id=locked.id, challenge=challenge, person=person, role="member",
                                           conduct_accepted_at=now())
    except IntegrityError:
        raise RuleError(N_("You are already in a team for this challenge.")) from None


async def leave_team(member: TeamMember) -> None:
    """Leave a team. The earliest member left becomes lead; an empty team without a submission goes."""
    team = member.team
    challenge = await Challenge.get(id=member.challenge_id)
    _require_teams_open(challenge)
    async with in_transaction():
        await Team.select_for_update().get(id=team.id)
        await member.delete()
        rest = await TeamMember.filter(team_id=team.id).order_by("joined_at", "id")
        if not rest:
            if not await Submission.exists(team_id=team.id):
                await Team.filter(id=team.id).delete()
        elif not any(m.role == "lead" for m in rest):
            rest[0].role = "lead"
            await rest[0].save(update_fields=["role"])


async def set_role(lead: TeamMember, member: TeamMember, role: str) -> None:
    if lead.role != "lead":
        raise RuleError(N_("Only a team lead can change roles."), status=403)
    if member.team_id != lead.team_id:
        raise RuleError(N_("This person is not in your team."), status=404)
    async with in_transaction():
        await Team.select_for_update().get(id=lead.team_id)
        if role == "member" and await TeamMember.filter(team_id=lead.team_id, role="lead").count() <= 1 \
                and member.role == "lead":
            raise RuleError(N_("A team needs at least one lead."))
        member.role = role
        await member.save(update_fields=["role"])


async def remove_member(lead: TeamMember, member: TeamMember) -> None:
    if lead.role != "lead":
        raise RuleError(N_("Only a team lead can remove members."), status=403)
    if member.team_id != lead.team_id:
        raise RuleError(N_("This person is not in your team."), status=404)
    if member.id == lead.id:
        raise RuleError(N_("To leave your team, use the Leave button."))
    await leave_team(member)


async def renew_invite(lead: TeamMember) -> None:
    if lead.role != "lead":
        raise RuleError(N_("Only a team lead can renew the invitation link."), status=403)
    await Team.filter(id=lead.team_id).update(invite_nonce=secrets.token_hex(8))


# ----------------------------------------------------------------------------- submissions


@dataclass
class CheckedFile:
    data: bytes
    file_type: uploads.FileType
    name: str


async def check_files(settings: Any, files: list[Any], existing: int) -> list[CheckedFile]:
    """Read and check every uploaded file before anything is saved."""
    types, max_bytes, max_files = limits(settings)
    files = [f for f in files if getattr(f, "filename", "")]
    if existing + len(files) > max_files:
        raise RuleError(N_("A submission may have at most %(count)s attachments."), status=422,
                        field="attachments", count=max_files)
    checked = []
    for upload in files:
        try:
            data, file_type, name = await uploads.check(upload, allowed=types, max_bytes=max_bytes)
        except uploads.UploadError as error:
            raise RuleError(error.message, status=422, field="attachments", **error.values) from None
        checked.append(CheckedFile(data, file_type, name))
    return checked


async def save_submission(settings: Any, challenge: Challenge, member: TeamMember, data: SubmissionIn,
                          files: list[Any] | None = None) -> Submission:
    """Create or update the team's submission (before the deadline, by a member of the team).

    The returned submission's ``created_now`` says whether this call created it: a team mate's
    concurrent first submission makes this call an update, whatever the caller saw before."""
    rules.require_open(challenge, now())
    if data.licence not in challenge.licences:
        raise RuleError(N_("Choose one of the licences this challenge accepts."), status=422, field="licence")
    existing = await Submission.get_or_none(team_id=member.team_id)
    count = await Attachment.filter(submission=existing).count() if existing else 0
    checked = await check_files(settings, files or [], count)
    values = {"title": data.title, "summary": data.summary, "description": data.description,
              "licence": data.licence, **data.urls()}
    written: list[str] = []
    try:
        async with in_transaction():
            locked = await _locked_challenge(challenge.id)
            rules.require_open(locked, now())
            if existing is None:
                submission = await Submission.create(challenge=challenge, team_id=member.team_id,
                                                     submitted_at=now(), **values)
            else:
                submission = await Submission.select_for_update().get(id=existing.id)
                submission.update_from_dict({**values, "status": "submitted", "withdrawn_at": None})
                await submission.save()
            for item in checked:
                stored = uploads.save_bytes(settings.lab_dir, UPLOAD_AREA, item.data, item.file_type, item.name)
                written.append(stored.stored_name)
                await Attachment.create(submission=submission, uploaded_by_id=member.person_id, **vars(stored))
    except IntegrityError:
        for name in written:
            uploads.delete(settings.lab_dir, UPLOAD_AREA, name)
        raise RuleError(N_("Your team has already submitted: reload the page to edit the submission.")) from None
    except BaseException:
        for name in written:
            uploads.delete(settings.lab_dir, UPLOAD_AREA, name)
        raise
    submission.created_now = existing is None  # type: ignore[attr-defined]
    return submission


async def withdraw(challenge: Challenge, submission: Submission) -> None:
    rules.require_open(challenge, now())
    submission.status = "withdrawn"
    submission.withdrawn_at = now()
    await submission.save(update_fields=["status", "withdrawn_at", "updated_at"])


async def delete_attachment(settings: Any, challenge: Challenge, attachment: Attachment) -> None:
    rules.require_open(challenge, now())
    await attachment.delete()
    uploads.delete(settings.lab_dir, UPLOAD_AREA, attachment.stored_name)


def attachment_path(settings: Any, attachment: Attachment) -> Path:
    return uploads.path_of(settings.lab_dir, UPLOAD_AREA, attachment.stored_name)


# -------------------------------------------------------------------------------- the jury


async def scores_exist(challenge: Challenge) -> bool:
    return await Score.filter(criterion__challenge_id=challenge.id).exists()


async def add_criterion(challenge: Challenge, data: CriterionIn) -> Criterion:
    async with in_transaction():
        await _locked_challenge(challenge.id)
        rules.require_criteria_editable(await scores_exist(challenge))
        if await Criterion.exists(challenge=challenge, name=data.name):
            raise RuleError(N_("A criterion with this name already exists."), status=422, field="name")
        position = await Criterion.filter(challenge=challenge).count()
        return await Criterion.create(challenge=challenge, position=position, **data.model_dump())


async def update_criterion(challenge: Challenge, criterion: Criterion, data: CriterionIn) -> None:
    async with in_transaction():
        await _locked_challenge(challenge.id)
        rules.require_criteria_editable(await scores_exist(challenge))
        if await Criterion.filter(challenge=challenge, name=data.name).exclude(id=criterion.id).exists():
            raise RuleError(N_("A criterion with this name already exists."), status=422, field="name")
        criterion.update_from_dict(data.model_dump())
        await criterion.save()


async def delete_criterion(challenge: Challenge, criterion: Criterion) -> None:
    async with in_transaction():
        await _locked_challenge(challenge.id)
        rules.require_criteria_editable(await scores_exist(challenge))
        await criterion.delete()


async def add_juror(challenge: Challenge, email: str) -> Juror:
    person = await Person.get_or_none(email=email.strip().lower(), is_active=True)
    if person is None:
        person = await Person.get_or_none(email=email.strip(), is_active=True)
    if person is None:
        raise RuleError(N_("No active account has this e-mail address."), status=422, field="email")
    if await Juror.exists(challenge=challenge, person=person):
        raise RuleError(N_("This person is already on the jury."), status=422, field="email")
    try:
        return await Juror.create(challenge=challenge, person=person)
    except IntegrityError:
        raise RuleError(N_("This person is already on the jury."), status=422, field="email") from None


async def remove_juror(challenge: Challenge, juror: Juror) -> None:
    if await Score.exists(juror=juror):
        raise RuleError(N_("This juror has already scored: they cannot be removed."))
    await juror.delete()


async def conflict_reason(juror: Juror, submission: Submission) -> str | None:
    """Why ``juror`` may not score ``submission`` (``None`` when nothing stands in the way)."""
    if await TeamMember.exists(team_id=submission.team_id, person_id=juror.person_id):
        return N_("member of the team")
    if await Conflict.exists(juror=juror, team_id=submission.team_id):
        return N_("declared conflict of interest")
    return None


async def assign(juror: Juror, submission: Submission) -> Assignment:
    if submission.challenge_id != juror.challenge_id:
        raise RuleError(N_("This submission belongs to another challenge."), status=404)
    if submission.status != "submitted":
        raise RuleError(N_("A withdrawn submission cannot be assigned."))
    reason = await conflict_reason(juror, submission)
    if reason is not None:
        raise RuleError(N_("This juror cannot score this submission (%(reason)s)."), reason=gettext(reason))
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
    if await Score.exists(juror=juror, submission=submission):
        raise RuleError(N_("This juror has already scored this submission."))
    await Assignment.filter(juror=juror, submission=submission).delete()


async def declare_conflict(challenge: Challenge, juror: Juror, submission: Submission, reason: str) -> Conflict:
    """Record a conflict of interest: the juror's assignment and any scores for that team go."""
    if challenge.results_published_at is not None:
        raise RuleError(N_("The results are published: the scores are locked."))
    async with in_transaction():
        await _locked_challenge(challenge.id)
        conflict, _ = await Conflict.get_or_create(juror=juror, team_id=submission.team_id,
                                                   defaults={"reason": reason})
        team_submissions = await Submission.filter(team_id=submission.team_id).values_list("id", flat=True)
        await Score.filter(juror=juror, submission_id__in=list(team_submissions)).delete()
        await Assignment.filter(juror=juror, submission_id__in=list(team_submissions)).delete()
    return conflict


async def save_scorecard(challenge: Challenge, juror: Juror, submission: Submission, data: ScorecardIn) -> None:
    """Save a juror's whole scorecard, checking the phase, the lock, assignment and conflicts."""
    if submission.challenge_id != challenge.id or submission.status != "submitted":
        raise RuleError(N_("This submission cannot be scored."), status=404)
    criteria = await Criterion.filter(challenge=challenge)
    if not criteria:
        raise RuleError(N_("This challenge has no evaluation criteria yet."))
    values = {item.criterion: item.value for item in data.scores}
    comments = {item.criterion: item.comment for item in data.scores}
    unknown = set(values) - {c.id for c in criteria}
    if unknown:
        raise RuleError(N_("A score names a criterion of another challenge."), status=422)
    errors = rules.scorecard_errors(values, criteria, challenge.scale_max)
    if errors:
        field, message = next(iter(errors.items()))
        raise RuleError(message, status=422, field=field, max=challenge.scale_max)
    async with in_transaction():
        locked = await _locked_challenge(challenge.id)
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
        locked = await _locked_challenge(challenge.id)
        if locked.results_published_at is not None:
            raise RuleError(N_("The results are already published."))
        if rules.phase(locked, now()) != "evaluation":
            raise RuleError(N_("Results can be published during the evaluation phase."))
        valid = set(await Submission.filter(challenge=locked, status="submitted").values_list("id", flat=True))
        if not set(winners) <= valid:
            raise RuleError(N_("Winners must be submissions of this challenge."), status=422, field="winners")
        await Submission.filter(challenge=locked).update(is_winner=False)
        if winners:
            await Submission.filter(id__in=winners).update(is_winner=True)
        locked.jury_statement = statement
        locked.results_published_at = now()
        await locked.save(update_fields=["jury_statement", "results_published_at", "updated_at"])
    return locked


async def take_forward(challenge: Challenge, submission: Submission, on: date | None) -> Submission:
    if challenge.results_published_at is None:
        raise RuleError(N_("Winners are taken forward after the results are published."))
    if not submission.is_winner:
        raise RuleError(N_("Only a winning submission can be taken forward as a project."))
    submission.taken_forward_on = on or now().astimezone(UTC).date()
    await submission.save(update_fields=["taken_forward_on", "updated_at"])
    return submission


async def vote(challenge: Challenge, submission: Submission, person: Person) -> Vote:
    rules.require_vote_open(challenge, now())
    if submission.challenge_id != challenge.id or submission.status != "submitted":
        raise RuleError(N_("This submission cannot receive votes."), status=404)
    if await TeamMember.exists(team_id=submission.team_id, person=person):
        raise RuleError(N_("You cannot vote for your own team."), status=403)
    if await Vote.exists(challenge=challenge, person=person):
        raise RuleError(N_("You have already voted in this challenge."))
    try:
        return await Vote.create(challenge=challenge, submission=submission, person=person)
    except IntegrityError:
        raise RuleError(N_("You have already voted in this challenge.")) from None


# ------------------------------------------------------------------------ indicators, data


async def team_ids(team_id: int) -> tuple[int, ...]:
    return tuple(await TeamMember.filter(team_id=team_id).order_by("id").values_list("person_id", flat=True))


async def portfolio() -> list[PortfolioItem]:
    """Winners of published challenges as projects, their prototypes as products."""
    items: list[PortfolioItem] = []
    winners = await Submission.filter(is_winner=True, status="submitted", challenge__results_published_at__isnull=False,
                                      challenge__is_published=True).select_related("challenge").order_by("id")
    for submission in winners:
        challenge = submission.challenge
        published = challenge.results_published_at.date()  # type: ignore[union-attr]
        started = submission.taken_forward_on or published
        milestones = [(submission.submitted_at.date(), f"Submitted to {challenge.title}"),
                      (published, f"Winner of {challenge.title}")]
        if submission.taken_forward_on:
            milestones.append((submission.taken_forward_on, "Taken forward to implementation"))
        team = await team_ids(submission.team_id)
        items.append(PortfolioItem(indicator="projects", key=f"submission:{submission.id}", kind="challenge",
                                   title=submission.title, started=started, description=submission.summary,
                                   url=f"/challenges/{challenge.id}/submissions/{submission.id}",
                                   milestones=tuple(milestones), team=team))
        if submission.prototype_url:
            items.append(PortfolioItem(indicator="products", key=f"prototype:{submission.id}", kind="prototype",
                                       title=submission.title, started=started, url=submission.prototype_url,
                                       description=submission.summary, team=team))
    return items


async def participants(period: Period, timezone: str) -> list[str]:
    """Team members of submissions made in ``period`` and the community's voters in it."""
    start, end = period.bounds(timezone)
    teams = await Submission.filter(submitted_at__gte=start, submitted_at__lt=end, status="submitted",
                                    challenge__is_published=True).values_list("team_id", flat=True)
    people = set(await TeamMember.filter(team_id__in=list(teams)).values_list("person_id", flat=True)) if teams else set()
    people |= set(await Vote.filter(created_at__gte=start, created_at__lt=end).values_list("person_id", flat=True))
    return [participant_id(person_id) for person_id in sorted(people)]


async def personal_data(person_id: int) -> dict[str, Any]:
    memberships = await TeamMember.filter(person_id=person_id).select_related("team", "challenge")
    teams = []
    for m in memberships:
        submission = await Submission.get_or_none(team_id=m.team_id)
        teams.append({"challenge": m.challenge.title, "team": m.team.name, "role": m.role,
                      "joined_at": m.joined_at.isoformat(), "code_of_conduct_accepted_at": m.conduct_accepted_at.isoformat(),
                      "submission": submission.title if submission else None})
    juries = await Juror.filter(person_id=person_id).select_related("challenge")
    scores = await Score.filter(juror__person_id=person_id).select_related("submission", "criterion")
    conflicts = await Conflict.filter(juror__person_id=person_id).select_related("team")
    votes = await Vote.filter(person_id=person_id).select_related("challenge", "submission")
    return {
        "teams": teams,
        "juries": [j.challenge.title for j in juries],
        "scores_given": [{"submission": s.submission.title, "criterion": s.criterion.name, "value": s.value,
                          "comment": s.comment} for s in scores],
        "conflicts_declared": [{"team": c.team.name, "reason": c.reason} for c in conflicts],
        "votes": [{"challenge": v.challenge.title, "submission": v.submission.title,
                   "at": v.created_at.isoformat()} for v in votes],
    }


async def erase_person(person_id: int) -> None:
    """Submissions, scores and votes stay for the record (the account is anonymised by the core);
    memberships of teams that never submitted are removed, and a conflict's free-text reason is
    cleared."""
    for member in await TeamMember.filter(person_id=person_id):
        if not await Submission.exists(team_id=member.team_id):
            await member.delete()
            if not await TeamMember.exists(team_id=member.team_id):
                await Team.filter(id=member.team_id).delete()
    juries = await Juror.filter(person_id=person_id).values_list("id", flat=True)
    if juries:
        await Conflict.filter(juror_id__in=list(juries)).update(reason="")


def aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


UPLOAD_MESSAGES = (
    N_("Files of this type are not accepted. Accepted types: %(types)s."),
    N_("The file is empty."),
    N_("The content of the file does not match its type (%(type)s)."),
    N_("The file is too large: the limit is %(limit)s."),
)
"""labkit.uploads' messages, also carried in this plugin's catalogs so they are translated here."""
