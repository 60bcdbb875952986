"""Challenges, teams, submissions and votes in the database, with the rules of
:mod:`labkit_challenges.rules` enforced inside transactions. Every function raises a
:class:`~labkit.actions.Refused` for what the rules refuse; nothing is half-saved. The jury's side
is in :mod:`labkit_challenges.jury`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from labkit import uploads
from labkit.i18n import N_
from labkit.models import Person
from labkit.timezones import now as utc_now

from labkit_challenges import rules
from labkit_challenges.forms import ChallengeIn, SubmissionIn
from labkit_challenges.models import (
    Attachment,
    Challenge,
    Score,
    Submission,
    Team,
    TeamMember,
    Vote,
)
from labkit_challenges.rules import refused
from labkit_challenges.settings import ChallengesSettings

UPLOAD_AREA = "challenges"
INVITE_MAX_AGE = 30 * 24 * 3600


def now() -> datetime:
    """The server's clock (UTC): every phase rule is decided by it, never by the visitor's."""
    return utc_now()


async def locked_challenge(challenge_id: int) -> Challenge:
    """Re-read a challenge inside a transaction, locking its row on PostgreSQL."""
    return await Challenge.select_for_update().get(id=challenge_id)


# ------------------------------------------------------------------------------ challenges


def challenge_values(data: ChallengeIn) -> dict[str, Any]:
    """A challenge's fields from the form (the default licence is one of those accepted)."""
    values = data.model_dump(include=set(ChallengeIn.model_fields))
    if values["default_licence"] not in values["licences"]:
        values["default_licence"] = values["licences"][0]
    return values


def challenge_errors(data: ChallengeIn) -> dict[str, str]:
    """The schedule's errors (``N_`` messages by field)."""
    return rules.schedule_errors(data.model_dump())


async def create_challenge(data: ChallengeIn, person: Person) -> Challenge:
    """Save a new challenge described by ``person``."""
    return await Challenge.create(**challenge_values(data), created_by=person)


async def update_challenge(challenge: Challenge, data: ChallengeIn) -> Challenge:
    """Save a challenge's changes (its scale is fixed once scoring has started)."""
    values = challenge_values(data)
    if challenge.results_published_at is not None and values["scale_max"] != challenge.scale_max:
        raise refused(N_("The scale cannot change once the results are published."), field="scale_max")
    if values["scale_max"] != challenge.scale_max and await Score.filter(submission__challenge=challenge).exists():
        raise refused(N_("The scale cannot change once scoring has started."), field="scale_max")
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
    """The team of a signed invitation (``None`` when forged, expired or renewed)."""
    try:
        team_id, nonce = _invites(secret_key).loads(token, max_age=INVITE_MAX_AGE)
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        return None
    team = await Team.get_or_none(id=team_id).select_related("challenge")
    if team is None or not secrets.compare_digest(str(nonce), team.invite_nonce):
        return None
    return team


async def membership(challenge_id: int, person_id: int | None) -> TeamMember | None:
    """The person's membership of a team in the challenge, if any."""
    if person_id is None:
        return None
    return await TeamMember.get_or_none(challenge_id=challenge_id, person_id=person_id).select_related("team")


def require_teams_open(challenge: Challenge) -> None:
    """Refuse a change of team once the deadline has passed."""
    if rules.phase(challenge, now()) not in ("announced", "open"):
        raise refused(N_("Teams can only be formed or changed before the deadline."))


async def create_team(challenge: Challenge, person: Person, name: str) -> Team:
    """Form a team with ``person`` as its lead (before the deadline, one team per person)."""
    require_teams_open(challenge)
    if await TeamMember.exists(challenge=challenge, person=person):
        raise refused(N_("You are already in a team for this challenge."))
    if await Team.exists(challenge=challenge, name=name):
        raise refused(N_("A team with this name already exists."), field="name")
    try:
        async with in_transaction():
            team = await Team.create(challenge=challenge, name=name, invite_nonce=secrets.token_hex(8))
            await TeamMember.create(team=team, challenge=challenge, person=person, role="lead",
                                    conduct_accepted_at=now())
    except IntegrityError:
        raise refused(N_("You are already in a team for this challenge, or the name is taken.")) from None
    return team


async def join_team(team: Team, person: Person) -> TeamMember:
    """Add ``person`` to ``team`` (before the deadline, while the team has room)."""
    challenge = team.challenge
    require_teams_open(challenge)
    if await TeamMember.exists(challenge=challenge, person=person):
        raise refused(N_("You are already in a team for this challenge."))
    try:
        async with in_transaction():
            locked = await Team.select_for_update().get(id=team.id)
            if await TeamMember.filter(team_id=locked.id).count() >= challenge.max_team_size:
                raise refused(N_("This team is full (%(size)s people at most)."), size=challenge.max_team_size)
            return await TeamMember.create(team_id=locked.id, challenge=challenge, person=person, role="member",
                                           conduct_accepted_at=now())
    except IntegrityError:
        raise refused(N_("You are already in a team for this challenge.")) from None


async def leave_team(member: TeamMember) -> None:
    """Leave a team. The earliest member left becomes lead; an empty team without a submission goes."""
    team = member.team
    challenge = await Challenge.get(id=member.challenge_id)
    require_teams_open(challenge)
    async with in_transaction():
        await Team.select_for_update().get(id=team.id)
        await member.delete()
        if not await _lead_from_the_rest(team.id, member.person_id) and not await Submission.exists(team_id=team.id):
            await Team.filter(id=team.id).delete()


async def erase_member(member: TeamMember) -> None:
    """A deleted account's place in a team: the earliest other member becomes lead if it led.

    A team that never submitted simply loses the membership (and goes with its last member). A
    team that submitted keeps it for the record, as a mere member; left with nobody else, it is
    closed: its invitation link stops working, so no stranger can take over the submission.
    """
    async with in_transaction():
        await Team.select_for_update().get(id=member.team_id)
        submitted = await Submission.exists(team_id=member.team_id)
        if submitted:
            await TeamMember.filter(id=member.id).update(role="member")
        else:
            await member.delete()
        if await _lead_from_the_rest(member.team_id, member.person_id):
            return
        if submitted:
            await Team.filter(id=member.team_id).update(invite_nonce=secrets.token_hex(8))
        else:
            await Team.filter(id=member.team_id).delete()


async def _lead_from_the_rest(team_id: int, leaving_person_id: int) -> bool:
    """Make the earliest member but the one leaving lead when no other lead is left; whether
    anyone is left (the caller holds the team's lock)."""
    rest = await TeamMember.filter(team_id=team_id).exclude(person_id=leaving_person_id).order_by("joined_at", "id")
    if rest and not any(m.role == "lead" for m in rest):
        rest[0].role = "lead"
        await rest[0].save(update_fields=["role"])
    return bool(rest)


async def set_role(lead: TeamMember, member: TeamMember, role: str) -> None:
    """A lead changes a member's role (a team keeps at least one lead)."""
    if lead.role != "lead":
        raise refused(N_("Only a team lead can change roles."), status=403)
    if member.team_id != lead.team_id:
        raise refused(N_("This person is not in your team."), status=404)
    async with in_transaction():
        await Team.select_for_update().get(id=lead.team_id)
        if role == "member" and await TeamMember.filter(team_id=lead.team_id, role="lead").count() <= 1 \
                and member.role == "lead":
            raise refused(N_("A team needs at least one lead."))
        member.role = role
        await member.save(update_fields=["role"])


async def remove_member(lead: TeamMember, member: TeamMember) -> None:
    """A lead removes another member from the team."""
    if lead.role != "lead":
        raise refused(N_("Only a team lead can remove members."), status=403)
    if member.team_id != lead.team_id:
        raise refused(N_("This person is not in your team."), status=404)
    if member.id == lead.id:
        raise refused(N_("To leave your team, use the Leave button."))
    await leave_team(member)


async def renew_invite(lead: TeamMember) -> None:
    """A lead renews the team's invitation: the old link stops working."""
    if lead.role != "lead":
        raise refused(N_("Only a team lead can renew the invitation link."), status=403)
    await Team.filter(id=lead.team_id).update(invite_nonce=secrets.token_hex(8))


# ----------------------------------------------------------------------------- submissions


@dataclass
class CheckedFile:
    data: bytes
    file_type: uploads.FileType
    name: str


async def check_files(limits: ChallengesSettings, files: list[Any], existing: int) -> list[CheckedFile]:
    """Read and check every uploaded file before anything is saved (``[plugin.challenges]`` limits)."""
    files = [f for f in files if getattr(f, "filename", "")]
    max_files = limits.max_attachments
    if existing + len(files) > max_files:
        raise refused(N_("A submission may have at most %(count)s attachments."), status=422,
                        field="attachments", count=max_files)
    checked = []
    for upload in files:
        try:
            data, file_type, name = await uploads.check(upload, allowed=limits.attachment_types,
                                                        max_bytes=limits.max_attachment_bytes)
        except uploads.UploadError as error:
            raise refused(error.message, status=422, field="attachments", **error.values) from None
        checked.append(CheckedFile(data, file_type, name))
    return checked


async def save_submission(lab_dir: Path, limits: ChallengesSettings, challenge: Challenge, member: TeamMember,
                          data: SubmissionIn, files: list[Any] | None = None) -> Submission:
    """Create or update the team's submission (before the deadline, by a member of the team).

    The returned submission's ``created_now`` says whether this call created it: a team mate's
    concurrent first submission makes this call an update, whatever the caller saw before."""
    rules.require_open(challenge, now())
    if data.licence not in challenge.licences:
        raise refused(N_("Choose one of the licences this challenge accepts."), status=422, field="licence")
    existing = await Submission.get_or_none(team_id=member.team_id)
    count = await Attachment.filter(submission=existing).count() if existing else 0
    checked = await check_files(limits, files or [], count)
    values = {"title": data.title, "summary": data.summary, "description": data.description,
              "licence": data.licence, **data.urls()}
    written: list[str] = []
    try:
        async with in_transaction():
            locked = await locked_challenge(challenge.id)
            rules.require_open(locked, now())
            if existing is None:
                submission = await Submission.create(challenge=challenge, team_id=member.team_id,
                                                     submitted_at=now(), **values)
            else:
                submission = await Submission.select_for_update().get(id=existing.id)
                submission.update_from_dict({**values, "status": "submitted", "withdrawn_at": None})
                await submission.save()
            for item in checked:
                stored = uploads.save_bytes(lab_dir, UPLOAD_AREA, item.data, item.file_type, item.name)
                written.append(stored.stored_name)
                await Attachment.create(submission=submission, uploaded_by_id=member.person_id, **vars(stored))
    except IntegrityError:
        for name in written:
            uploads.delete(lab_dir, UPLOAD_AREA, name)
        raise refused(N_("Your team has already submitted: reload the page to edit the submission.")) from None
    except BaseException:
        for name in written:
            uploads.delete(lab_dir, UPLOAD_AREA, name)
        raise
    submission.created_now = existing is None  # type: ignore[attr-defined]
    return submission


async def withdraw(challenge: Challenge, submission: Submission) -> None:
    """Withdraw a submission (before the deadline)."""
    rules.require_open(challenge, now())
    submission.status = "withdrawn"
    submission.withdrawn_at = now()
    await submission.save(update_fields=["status", "withdrawn_at", "updated_at"])


async def delete_attachment(lab_dir: Path, challenge: Challenge, attachment: Attachment) -> None:
    """Remove a file of a submission (before the deadline)."""
    rules.require_open(challenge, now())
    await attachment.delete()
    uploads.delete(lab_dir, UPLOAD_AREA, attachment.stored_name)


# ------------------------------------------------------------------------------ the vote


async def vote(challenge: Challenge, submission: Submission, person: Person) -> Vote:
    """Record ``person``'s one community vote in the challenge (not for their own team)."""
    rules.require_vote_open(challenge, now())
    if submission.challenge_id != challenge.id or submission.status != "submitted":
        raise refused(N_("This submission cannot receive votes."), status=404)
    if await TeamMember.exists(team_id=submission.team_id, person=person):
        raise refused(N_("You cannot vote for your own team."), status=403)
    if await Vote.exists(challenge=challenge, person=person):
        raise refused(N_("You have already voted in this challenge."))
    try:
        return await Vote.create(challenge=challenge, submission=submission, person=person)
    except IntegrityError:
        raise refused(N_("You have already voted in this challenge.")) from None


UPLOAD_MESSAGES = (
    N_("Files of this type are not accepted. Accepted types: %(types)s."),
    N_("The file is empty."),
    N_("The content of the file does not match its type (%(type)s)."),
    N_("The file is too large: the limit is %(limit)s."),
)
"""labkit.uploads' messages, also carried in this plugin's catalogs so they are translated here."""
