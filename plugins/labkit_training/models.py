"""The training plugin's tables: courses, their sessions, enrolments, attendance and certificates."""

from tortoise import fields
from tortoise.models import Model

ENROLLED, WAITING, WITHDRAWN = "enrolled", "waiting", "withdrawn"


class Course(Model):
    """A course (or one run of a programme) with its capacity and the hours a certificate needs."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    programme = fields.CharField(max_length=200, default="")
    """The programme it belongs to, e.g. "Trainer of trainers" (free text)."""
    description = fields.TextField(default="")
    capacity = fields.IntField()
    required_hours = fields.DecimalField(max_digits=6, decimal_places=2)
    """Attended hours a person needs for a certificate."""
    published = fields.BooleanField(default=False)
    enrolment_open = fields.BooleanField(default=True)
    trainee_lab_code = fields.CharField(max_length=40, default="")
    """For a cohort trained for another municipality's team: that lab's code in the hub's registry."""
    trainee_lab_name = fields.CharField(max_length=200, default="")
    onboarding_key = fields.CharField(max_length=80, default="")
    """The milestone of the lab's mentoring plan (its key in MENTORING.md) this cohort delivers."""
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "training_course"


class Session(Model):
    """One session of a course: when, where and how many hours it counts for."""

    id = fields.IntField(primary_key=True)
    course = fields.ForeignKeyField("training.Course", related_name="sessions", on_delete=fields.CASCADE)
    title = fields.CharField(max_length=200, default="")
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    hours = fields.DecimalField(max_digits=5, decimal_places=2)
    place = fields.CharField(max_length=250, default="")
    space_ref = fields.CharField(max_length=40, default="")
    """A coworking space's id (the "space" reference kind), when the coworking plugin offers it."""
    attendance_taken = fields.BooleanField(default=False)

    class Meta:
        table = "training_session"
        ordering = ["starts_at", "id"]


class Enrolment(Model):
    """A person's place in a course: enrolled, on the waiting list or withdrawn. One per person and course."""

    id = fields.IntField(primary_key=True)
    course = fields.ForeignKeyField("training.Course", related_name="enrolments", on_delete=fields.CASCADE)
    person = fields.ForeignKeyField("labkit.Person", related_name="training_enrolments", on_delete=fields.CASCADE)
    status = fields.CharField(max_length=16, default=ENROLLED)
    queued_at = fields.DatetimeField()
    """When the person took their place (the waiting list is in this order)."""
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "training_enrolment"
        unique_together = (("course", "person"),)


class Attendance(Model):
    """Whether an enrolled person was at a session, as staff marked it."""

    id = fields.IntField(primary_key=True)
    session = fields.ForeignKeyField("training.Session", related_name="attendance", on_delete=fields.CASCADE)
    person = fields.ForeignKeyField("labkit.Person", related_name="training_attendance", on_delete=fields.CASCADE)
    present = fields.BooleanField()
    marked_by = fields.ForeignKeyField("labkit.Person", related_name="training_marked", null=True,
                                       on_delete=fields.SET_NULL)
    marked_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "training_attendance"
        unique_together = (("session", "person"),)


class Certificate(Model):
    """Proof that a person attended the hours a course requires, verifiable by its code."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=40, unique=True)
    course = fields.ForeignKeyField("training.Course", related_name="certificates", on_delete=fields.CASCADE)
    person = fields.ForeignKeyField("labkit.Person", related_name="training_certificates", on_delete=fields.CASCADE)
    holder_name = fields.CharField(max_length=200)
    hours = fields.DecimalField(max_digits=6, decimal_places=2)
    issued_at = fields.DatetimeField(auto_now_add=True)
    issued_by = fields.ForeignKeyField("labkit.Person", related_name="training_issued", null=True,
                                       on_delete=fields.SET_NULL)
    revoked_at = fields.DatetimeField(null=True)
    revoked_reason = fields.CharField(max_length=500, default="")

    class Meta:
        table = "training_certificate"
        unique_together = (("course", "person"),)
