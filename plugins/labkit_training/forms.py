"""What people send to the training plugin's actions (pages and API alike)."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from labkit.i18n import N_
from labkit.images import ImageAlt, ImageUpload

LAB_CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$"


class _Form(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class CourseIn(_Form):
    """A course: new (without ``course_id``) or changed, with its cover picture. A cohort names the
    trainee lab's code."""

    course_id: int | None = None
    title: str = Field(min_length=3, max_length=200)
    programme: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=5000)
    capacity: int = Field(ge=1, le=10000)
    required_hours: Decimal = Field(ge=0, le=9999, decimal_places=2)
    published: bool = False
    enrolment_open: bool = False
    trainee_lab_code: str = Field(default="", max_length=40, pattern=LAB_CODE + "|^$")
    trainee_lab_name: str = Field(default="", max_length=200)
    onboarding_key: str = Field(default="", max_length=80, pattern=r"^[A-Za-z0-9_.-]*$")
    cover: ImageUpload = None
    cover_alt: ImageAlt = ""
    cover_remove: bool = False

    @model_validator(mode="after")
    def _name_with_code(self) -> CourseIn:
        if self.trainee_lab_name and not self.trainee_lab_code:
            raise ValueError(N_("Give the trainee lab's code (as in the hub's registry) with its name."))
        return self


class SessionFields(_Form):
    """A session on the lab's wall clock; ``hours`` defaults to its length. ``space_ref`` names a
    coworking space, which the session books."""

    title: str = Field(default="", max_length=200)
    day: date
    start_time: time
    end_time: time
    hours: Decimal | None = Field(default=None, gt=0, le=24, decimal_places=2)
    place: str = Field(default="", max_length=250)
    space_ref: str = Field(default="", max_length=40)

    @model_validator(mode="after")
    def _ends_after_start(self) -> SessionFields:
        if self.end_time <= self.start_time:
            raise ValueError(N_("The session must end after it starts."))
        return self


class SessionIn(SessionFields):
    """A new session of a course."""

    course_id: int


class SessionChange(SessionFields):
    """A session moved or changed."""

    session_id: int


class SessionRef(_Form):
    """The session a deletion is about (from the path)."""

    session_id: int


class CourseRef(_Form):
    """The course an enrolment is about (from the path)."""

    course_id: int


class AttendanceIn(_Form):
    """Who was at a session: the ids of the people present (everyone else enrolled was absent)."""

    session_id: int
    present: list[int] = Field(default_factory=list, max_length=10000)


class CertificateRef(_Form):
    """A certificate, by its code (from the path)."""

    code: str = Field(max_length=40)


class RevokeIn(CertificateRef):
    """Revoke a certificate, saying why."""

    reason: str = Field(min_length=3, max_length=500)
