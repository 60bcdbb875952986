"""The participation plugin's tables: processes, proposals, supports, comments, surveys, meetings."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

PHASES = ("information", "proposals", "support", "results")
ANSWER_STATUSES = ("accepted", "rejected", "under_study")
QUESTION_KINDS = ("single", "multiple", "text")
MEETING_KINDS = ("hearing", "meeting")


class Process(Model):
    """A consultation with four phases that follow each other: information, proposals, support, results."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    summary = fields.CharField(max_length=300, default="")
    description = fields.TextField(default="")
    topic = fields.CharField(max_length=80, default="")
    categories = fields.JSONField(default=list)
    information_starts_at = fields.DatetimeField()
    proposals_starts_at = fields.DatetimeField()
    support_starts_at = fields.DatetimeField()
    results_starts_at = fields.DatetimeField()
    support_limit = fields.IntField(null=True)
    required_verification = fields.CharField(max_length=64, default="")
    """The kind of verification supporting needs besides a confirmed address ("" for none)."""
    results_text = fields.TextField(default="")
    results_published_at = fields.DatetimeField(null=True)
    published = fields.BooleanField(default=True)
    created_by = fields.ForeignKeyField("labkit.Person", related_name="participation_processes",
                                        null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "participation_process"


class Proposal(Model):
    """An idea a participant puts to a process, with staff's public answer."""

    id = fields.IntField(primary_key=True)
    process = fields.ForeignKeyField("participation.Process", related_name="proposals", on_delete=fields.CASCADE)
    author = fields.ForeignKeyField("labkit.Person", related_name="participation_proposals", on_delete=fields.CASCADE)
    title = fields.CharField(max_length=150)
    body = fields.TextField()
    category = fields.CharField(max_length=80, default="")
    location = fields.CharField(max_length=200, default="")
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    answer_status = fields.CharField(max_length=16, null=True)
    answer_text = fields.TextField(default="")
    answered_at = fields.DatetimeField(null=True)
    answered_by = fields.ForeignKeyField("labkit.Person", related_name="participation_answers", null=True,
                                         on_delete=fields.SET_NULL)
    hidden_at = fields.DatetimeField(null=True)
    hidden_reason = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "participation_proposal"


class Support(Model):
    """One person's support of one proposal (the pair is unique in the database)."""

    id = fields.IntField(primary_key=True)
    proposal = fields.ForeignKeyField("participation.Proposal", related_name="supports", on_delete=fields.CASCADE)
    process = fields.ForeignKeyField("participation.Process", related_name="supports", on_delete=fields.CASCADE)
    person = fields.ForeignKeyField("labkit.Person", related_name="participation_supports", on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "participation_support"
        unique_together = (("proposal", "person"),)


class Comment(Model):
    """A comment on a process or on a proposal, possibly a reply to another comment."""

    id = fields.IntField(primary_key=True)
    process = fields.ForeignKeyField("participation.Process", related_name="comments", on_delete=fields.CASCADE)
    proposal = fields.ForeignKeyField("participation.Proposal", related_name="comments", null=True,
                                      on_delete=fields.CASCADE)
    parent = fields.ForeignKeyField("participation.Comment", related_name="replies", null=True,
                                    on_delete=fields.CASCADE)
    author = fields.ForeignKeyField("labkit.Person", related_name="participation_comments", on_delete=fields.CASCADE)
    body = fields.TextField()
    hidden_at = fields.DatetimeField(null=True)
    hidden_reason = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "participation_comment"


class Follow(Model):
    """A person who wants to hear about a process (answers, results)."""

    id = fields.IntField(primary_key=True)
    process = fields.ForeignKeyField("participation.Process", related_name="follows", on_delete=fields.CASCADE)
    person = fields.ForeignKeyField("labkit.Person", related_name="participation_follows", on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "participation_follow"
        unique_together = (("process", "person"),)


class Flag(Model):
    """A report that a proposal or a comment breaks the rules (once per person and item)."""

    id = fields.IntField(primary_key=True)
    target = fields.CharField(max_length=16)
    target_id = fields.IntField()
    person = fields.ForeignKeyField("labkit.Person", related_name="participation_flags", on_delete=fields.CASCADE)
    reason = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "participation_flag"
        unique_together = (("target", "target_id", "person"),)


class Survey(Model):
    """A short questionnaire of a process (one response per person)."""

    id = fields.IntField(primary_key=True)
    process = fields.ForeignKeyField("participation.Process", related_name="surveys", on_delete=fields.CASCADE)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    is_open = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "participation_survey"


class Question(Model):
    """One question of a survey: single choice, multiple choice or free text."""

    id = fields.IntField(primary_key=True)
    survey = fields.ForeignKeyField("participation.Survey", related_name="questions", on_delete=fields.CASCADE)
    position = fields.IntField(default=0)
    kind = fields.CharField(max_length=10)
    text = fields.CharField(max_length=300)
    options = fields.JSONField(default=list)
    required = fields.BooleanField(default=True)

    class Meta:
        table = "participation_question"
        ordering = ["position", "id"]


class SurveyResponse(Model):
    """A person's response to a survey (unique per survey and person)."""

    id = fields.IntField(primary_key=True)
    survey = fields.ForeignKeyField("participation.Survey", related_name="responses", on_delete=fields.CASCADE)
    person = fields.ForeignKeyField("labkit.Person", related_name="participation_responses", on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "participation_survey_response"
        unique_together = (("survey", "person"),)


class Answer(Model):
    """The answer to one question inside a response: chosen options or a text."""

    id = fields.IntField(primary_key=True)
    response = fields.ForeignKeyField("participation.SurveyResponse", related_name="answers", on_delete=fields.CASCADE)
    question = fields.ForeignKeyField("participation.Question", related_name="answers", on_delete=fields.CASCADE)
    choices = fields.JSONField(default=list)
    text = fields.TextField(default="")

    class Meta:
        table = "participation_answer"


class Meeting(Model):
    """A public hearing or meeting of a process, with registration and its public record."""

    id = fields.IntField(primary_key=True)
    process = fields.ForeignKeyField("participation.Process", related_name="meetings", on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=10, default="hearing")
    title = fields.CharField(max_length=200)
    starts_at = fields.DatetimeField(db_index=True)
    ends_at = fields.DatetimeField()
    place = fields.CharField(max_length=300, default="")
    online_url = fields.CharField(max_length=500, default="")
    agenda = fields.TextField(default="")
    minutes = fields.TextField(default="")
    seats = fields.IntField(null=True)
    attendance_count = fields.IntField(null=True)
    cancelled = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "participation_meeting"


class Registration(Model):
    """A person's seat at a meeting (unique per meeting and person)."""

    id = fields.IntField(primary_key=True)
    meeting = fields.ForeignKeyField("participation.Meeting", related_name="registrations", on_delete=fields.CASCADE)
    person = fields.ForeignKeyField("labkit.Person", related_name="participation_registrations",
                                    on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "participation_registration"
        unique_together = (("meeting", "person"),)
