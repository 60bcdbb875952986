"""The tables of the challenges plugin: challenges, teams, submissions, the jury and the votes."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from labkit.i18n import N_

KINDS = {"challenge": N_("Challenge"), "hackathon": N_("Hackathon"), "cocreation": N_("Co-creation")}
"""The kinds of challenge, with their labels."""

LICENCES = {
    "MIT": "MIT License",
    "Apache-2.0": "Apache License 2.0",
    "GPL-3.0-or-later": "GNU General Public License v3.0 or later",
    "AGPL-3.0-or-later": "GNU Affero General Public License v3.0 or later",
    "MPL-2.0": "Mozilla Public License 2.0",
    "CC-BY-4.0": "Creative Commons Attribution 4.0",
    "CC-BY-SA-4.0": "Creative Commons Attribution-ShareAlike 4.0",
    "CC0-1.0": "Creative Commons Zero 1.0 (public domain)",
}
"""Open licences a challenge may require for submissions, by SPDX identifier."""

DEFAULT_LICENCES = ["MIT", "Apache-2.0", "GPL-3.0-or-later", "CC-BY-4.0", "CC-BY-SA-4.0"]

ROLES = {"lead": N_("Lead"), "member": N_("Member")}


class Challenge(Model):
    """An open call: a public body's problem that teams answer with solutions."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=16, default="challenge")
    title = fields.CharField(max_length=200)
    summary = fields.CharField(max_length=500)
    problem = fields.TextField()
    owner = fields.CharField(max_length=200, description="The public body that has the problem")
    topics = fields.JSONField(default=list)
    sdgs = fields.JSONField(default=list)
    prize = fields.TextField(default="")
    rules = fields.TextField(default="")
    code_of_conduct = fields.TextField(default="")
    licences = fields.JSONField(default=list)
    default_licence = fields.CharField(max_length=40, default="MIT")
    is_published = fields.BooleanField(default=False)
    opens_at = fields.DatetimeField()
    closes_at = fields.DatetimeField()
    evaluation_starts_at = fields.DatetimeField()
    implementation_starts_at = fields.DatetimeField(null=True)
    event_starts_at = fields.DatetimeField(null=True)
    event_ends_at = fields.DatetimeField(null=True)
    venue = fields.CharField(max_length=300, default="")
    max_team_size = fields.IntField(default=5)
    scale_max = fields.IntField(default=10)
    blind_review = fields.BooleanField(default=False)
    community_vote = fields.BooleanField(default=False)
    required_verification = fields.CharField(max_length=64, default="")
    """The kind of verification the community vote needs besides a confirmed address ("" for none)."""
    jury_statement = fields.TextField(default="")
    results_published_at = fields.DatetimeField(null=True)
    created_by = fields.ForeignKeyField("labkit.Person", related_name="challenges_created", null=True,
                                        on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "challenges_challenge"
        ordering = ["-opens_at", "id"]

    def __str__(self) -> str:
        return self.title


class Criterion(Model):
    """One weighted evaluation criterion of a challenge."""

    id = fields.IntField(primary_key=True)
    challenge = fields.ForeignKeyField("challenges.Challenge", related_name="criteria", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=120)
    description = fields.TextField(default="")
    weight = fields.IntField()
    position = fields.IntField(default=0)

    class Meta:
        table = "challenges_criterion"
        unique_together = (("challenge", "name"),)
        ordering = ["position", "id"]


class Team(Model):
    """People who answer a challenge together (joined through a signed invitation link)."""

    id = fields.IntField(primary_key=True)
    challenge = fields.ForeignKeyField("challenges.Challenge", related_name="teams", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=120)
    invite_nonce = fields.CharField(max_length=32)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "challenges_team"
        unique_together = (("challenge", "name"),)


class TeamMember(Model):
    """A person in a team. A person is in at most one team per challenge."""

    id = fields.IntField(primary_key=True)
    team = fields.ForeignKeyField("challenges.Team", related_name="members", on_delete=fields.CASCADE)
    challenge = fields.ForeignKeyField("challenges.Challenge", related_name="memberships", on_delete=fields.CASCADE)
    person = fields.ForeignKeyField("labkit.Person", related_name="challenge_memberships", on_delete=fields.CASCADE)
    role = fields.CharField(max_length=8, default="member")
    conduct_accepted_at = fields.DatetimeField()
    joined_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "challenges_team_member"
        unique_together = (("challenge", "person"),)


class Submission(Model):
    """A team's solution to a challenge (one per team), open under the licence it names."""

    id = fields.IntField(primary_key=True)
    challenge = fields.ForeignKeyField("challenges.Challenge", related_name="submissions", on_delete=fields.CASCADE)
    team = fields.OneToOneField("challenges.Team", related_name="submission", on_delete=fields.CASCADE)
    title = fields.CharField(max_length=200)
    summary = fields.CharField(max_length=500)
    description = fields.TextField(default="")
    code_url = fields.CharField(max_length=500, default="")
    prototype_url = fields.CharField(max_length=500, default="")
    video_url = fields.CharField(max_length=500, default="")
    licence = fields.CharField(max_length=40)
    status = fields.CharField(max_length=12, default="submitted")
    submitted_at = fields.DatetimeField()
    updated_at = fields.DatetimeField(auto_now=True)
    withdrawn_at = fields.DatetimeField(null=True)
    is_winner = fields.BooleanField(default=False)
    award = fields.CharField(max_length=120, default="")
    taken_forward_on = fields.DateField(null=True)

    class Meta:
        table = "challenges_submission"


class Attachment(Model):
    """A file attached to a submission, kept under the lab's uploads folder with a random name."""

    id = fields.IntField(primary_key=True)
    submission = fields.ForeignKeyField("challenges.Submission", related_name="attachments", on_delete=fields.CASCADE)
    stored_name = fields.CharField(max_length=64, unique=True)
    original_name = fields.CharField(max_length=200)
    file_type = fields.CharField(max_length=12)
    media_type = fields.CharField(max_length=120)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    uploaded_by = fields.ForeignKeyField("labkit.Person", related_name="challenge_attachments", null=True,
                                         on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "challenges_attachment"


class Juror(Model):
    """A member of a challenge's jury."""

    id = fields.IntField(primary_key=True)
    challenge = fields.ForeignKeyField("challenges.Challenge", related_name="jurors", on_delete=fields.CASCADE)
    person = fields.ForeignKeyField("labkit.Person", related_name="challenge_juries", on_delete=fields.CASCADE)
    added_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "challenges_juror"
        unique_together = (("challenge", "person"),)


class Assignment(Model):
    """A submission a juror is asked to score."""

    id = fields.IntField(primary_key=True)
    juror = fields.ForeignKeyField("challenges.Juror", related_name="assignments", on_delete=fields.CASCADE)
    submission = fields.ForeignKeyField("challenges.Submission", related_name="assignments", on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "challenges_assignment"
        unique_together = (("juror", "submission"),)


class Conflict(Model):
    """A juror's declaration of a conflict of interest with a team: they never score it."""

    id = fields.IntField(primary_key=True)
    juror = fields.ForeignKeyField("challenges.Juror", related_name="conflicts", on_delete=fields.CASCADE)
    team = fields.ForeignKeyField("challenges.Team", related_name="conflicts", on_delete=fields.CASCADE)
    reason = fields.CharField(max_length=500, default="")
    declared_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "challenges_conflict"
        unique_together = (("juror", "team"),)


class Score(Model):
    """A juror's score of one submission on one criterion, with a comment."""

    id = fields.IntField(primary_key=True)
    juror = fields.ForeignKeyField("challenges.Juror", related_name="scores", on_delete=fields.CASCADE)
    submission = fields.ForeignKeyField("challenges.Submission", related_name="scores", on_delete=fields.CASCADE)
    criterion = fields.ForeignKeyField("challenges.Criterion", related_name="scores", on_delete=fields.RESTRICT)
    value = fields.IntField()
    comment = fields.TextField(default="")
    scored_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "challenges_score"
        unique_together = (("juror", "submission", "criterion"),)


class Vote(Model):
    """A person's community vote: one per person and challenge, apart from the jury's ranking."""

    id = fields.IntField(primary_key=True)
    challenge = fields.ForeignKeyField("challenges.Challenge", related_name="votes", on_delete=fields.CASCADE)
    submission = fields.ForeignKeyField("challenges.Submission", related_name="votes", on_delete=fields.CASCADE)
    person = fields.ForeignKeyField("labkit.Person", related_name="challenge_votes", on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "challenges_vote"
        unique_together = (("challenge", "person"),)
