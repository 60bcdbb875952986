"""Input validation shared by the pages and the JSON API."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from labkit.i18n import N_
from labkit.images import ImageAlt, ImageUpload
from labkit.verification import Requirement

from labkit_coworking import rules

Kind = Literal["desk", "room", "equipment"]


class _Form(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class BookingForm(_Form):
    """The booking page: a day and wall-clock times in the lab's time zone."""

    resource: int
    day: date
    start_time: time
    end_time: time
    attendees: int = Field(default=1, ge=1, le=1000)
    purpose: str = Field(min_length=3, max_length=500)
    organisation_ref: str | None = Field(default=None, max_length=64)
    accept_guidelines: bool = False
    repeat_weeks: int = Field(default=1, ge=1, le=26)
    on_conflict: Literal["fail", "skip"] = "fail"

    def request(self) -> BookingIn:
        """The same request as the API describes it (times on the lab's wall clock)."""
        return BookingIn(resource_id=self.resource, start=datetime.combine(self.day, self.start_time),
                         end=datetime.combine(self.day, self.end_time),
                         **self.model_dump(exclude={"resource", "day", "start_time", "end_time"}))


class BookingIn(_Form):
    """A booking request. Times without an offset are read in the lab's time zone."""

    resource_id: int
    start: datetime
    end: datetime
    attendees: int = Field(default=1, ge=1, le=1000)
    purpose: str = Field(min_length=3, max_length=500)
    organisation_ref: str | None = Field(default=None, max_length=64)
    accept_guidelines: bool = False
    repeat_weeks: int = Field(default=1, ge=1, le=26, description="book the same times every week for this many weeks")
    on_conflict: Literal["fail", "skip"] = Field(
        default="fail", description="with repeat_weeks: 'fail' books nothing if any week conflicts, 'skip' skips those")


class DecisionForm(_Form):
    """Staff approving (reason optional), rejecting (reason required) or cancelling a booking."""

    reason: str = Field(default="", max_length=500)


class BookingDecisionIn(DecisionForm):
    """A move of a booking along its workflow: ``action`` is cancel, approve, reject or no-show."""

    booking_id: int
    action: str


class ApplicationDecisionIn(DecisionForm):
    """Staff selecting a team (``decision`` is select) or turning it down (reject)."""

    application_id: int
    decision: str


class SpaceForm(_Form):
    """A space: new (without ``space_id``) or changed."""

    space_id: int | None = None
    name: str = Field(min_length=2, max_length=120)
    address: str = Field(default="", max_length=250)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    description: str = Field(default="", max_length=10000)
    accessibility: str = Field(default="", max_length=5000)
    guidelines: str = Field(default="", max_length=20000)
    amenities: str = Field(default="", max_length=2000)
    hours_0: str = ""
    hours_1: str = ""
    hours_2: str = ""
    hours_3: str = ""
    hours_4: str = ""
    hours_5: str = ""
    hours_6: str = ""
    quota_hours_per_week: int = Field(default=0, ge=0, le=168)
    required_verification: Requirement = ""
    is_active: bool = False
    photo: ImageUpload = None
    photo_alt: ImageAlt = ""
    photo_remove: bool = False

    @field_validator("hours_0", "hours_1", "hours_2", "hours_3", "hours_4", "hours_5", "hours_6")
    @classmethod
    def _hours(cls, value: str) -> str:
        rules.parse_intervals(value)
        return value

    def opening_hours(self) -> rules.Hours:
        return {day: rules.parse_intervals(getattr(self, f"hours_{day}")) for day in range(7)}


class ResourceForm(_Form):
    """A resource: new in space ``space_id``, or the resource ``resource_id`` changed."""

    space_id: int | None = None
    resource_id: int | None = None
    name: str = Field(min_length=2, max_length=120)
    kind: Kind = "desk"
    description: str = Field(default="", max_length=5000)
    capacity: int = Field(default=1, ge=1, le=1000)
    exclusive: bool = False
    auto_approve: bool = False
    min_notice_hours: float = Field(default=1, ge=0, le=24 * 90)
    max_length_hours: float = Field(default=8, ge=0, le=24)
    max_days_ahead: int = Field(default=60, ge=0, le=730)
    is_active: bool = False


class ClosureForm(_Form):
    """Days a space is closed."""

    space_id: int
    first_day: date
    last_day: date
    reason: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _order(self) -> ClosureForm:
        if self.last_day < self.first_day:
            raise ValueError(N_("The last day must not be before the first day."))
        return self


class ClosureRef(_Form):
    """The closure a staff member removes."""

    closure_id: int


class ProgrammeForm(_Form):
    """A programme: new (without ``programme_id``) or changed."""

    programme_id: int | None = None
    title: str = Field(min_length=3, max_length=160)
    kind: Literal["residency", "visiting"] = "residency"
    description: str = Field(default="", max_length=20000)
    space: int | None = None
    call_opens: date
    call_closes: date
    places: int = Field(default=1, ge=1, le=500)
    cohort_start: date
    cohort_end: date

    @model_validator(mode="after")
    def _dates(self) -> ProgrammeForm:
        if self.call_closes < self.call_opens:
            raise ValueError(N_("The call must close after it opens."))
        if self.cohort_end < self.cohort_start:
            raise ValueError(N_("The cohort must end after it starts."))
        if self.cohort_start < self.call_closes:
            raise ValueError(N_("The cohort must start after the call closes."))
        return self


class ApplicationForm(_Form):
    """A team's application. ``members``: one per line, "Name, e-mail" (e-mail optional)."""

    programme_id: int
    project_title: str = Field(min_length=3, max_length=160)
    project_description: str = Field(min_length=20, max_length=10000)
    organisation_ref: str | None = Field(default=None, max_length=64)
    members: str = Field(default="", max_length=5000)

    @field_validator("members")
    @classmethod
    def _members(cls, value: str) -> str:
        parse_members(value)
        return value

    def member_list(self) -> list[tuple[str, str]]:
        return parse_members(self.members)


def parse_members(text: str) -> list[tuple[str, str]]:
    """``"Ana Lima, ana@example.org"`` lines as (name, e-mail) pairs; at most 20 members."""
    members: list[tuple[str, str]] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, _, email = (part.strip() for part in line.partition(","))
        if not name or len(name) > 120:
            raise ValueError(N_("Write one member per line: name, then optionally a comma and their e-mail."))
        if email and ("@" not in email or " " in email or len(email) > 254):
            raise ValueError(N_("A member's e-mail address is not valid."))
        members.append((name, email.lower()))
    if len(members) > 20:
        raise ValueError(N_("A team has at most 20 members."))
    return members
