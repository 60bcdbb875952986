"""Input models shared by the pages and the JSON API.

Dates typed in a form are wall-clock times in the lab's time zone (``datetime-local`` inputs);
the API also accepts ISO 8601 times with an offset. The actions convert them to UTC
(``service.convert_times``). The actions extend these models with the ids their routes' paths
give (``process_id``, ``proposal_id``...).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from labkit.i18n import N_
from labkit.verification import Requirement


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class ProcessIn(BaseModel):
    """A consultation: what it is about and when each phase starts."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3, max_length=200)
    summary: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=20000)
    topic: str = Field(default="", max_length=80)
    categories: str = Field(default="", max_length=1000, description="Comma-separated proposal categories")
    information_starts_at: datetime
    proposals_starts_at: datetime
    support_starts_at: datetime
    results_starts_at: datetime
    support_limit: int | None = Field(default=None, ge=1, le=1000)
    required_verification: Requirement = ""
    published: bool = False

    _strip_title = field_validator("title", "summary", "topic", mode="before")(_strip)

    def category_list(self) -> list[str]:
        seen: list[str] = []
        for item in self.categories.split(","):
            item = item.strip()[:80]
            if item and item not in seen:
                seen.append(item)
        return seen


class ProposalIn(BaseModel):
    """A proposal: a title, what to do and why, a category and an optional place."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=5, max_length=150)
    body: str = Field(min_length=15, max_length=5000)
    category: str = Field(default="", max_length=80)
    location: str = Field(default="", max_length=200)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)

    _strip_text = field_validator("title", "body", "category", "location", mode="before")(_strip)

    @model_validator(mode="after")
    def _both_coordinates(self) -> ProposalIn:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError(N_("Give both latitude and longitude, or neither."))
        return self


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=2, max_length=3000)
    parent_id: int | None = Field(default=None, ge=1, le=2**31 - 1)

    _strip_body = field_validator("body", mode="before")(_strip)


class AnswerIn(BaseModel):
    """Staff's public answer to a proposal."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["accepted", "rejected", "under_study"]
    text: str = Field(min_length=10, max_length=10000)

    _strip_text = field_validator("text", mode="before")(_strip)


class ResultsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    results_text: str = Field(min_length=10, max_length=20000)


class FlagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: Literal["proposal", "comment"]
    target_id: int
    reason: str = Field(default="", max_length=300)


class HideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: Literal["proposal", "comment"]
    target_id: int
    reason: str = Field(min_length=3, max_length=300)

    _strip_reason = field_validator("reason", mode="before")(_strip)


class MeetingIn(BaseModel):
    """A public hearing or a meeting: when, where (a place, an online link or both) and the agenda."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["hearing", "meeting"] = "hearing"
    title: str = Field(min_length=3, max_length=200)
    starts_at: datetime
    ends_at: datetime
    place: str = Field(default="", max_length=300)
    online_url: str = Field(default="", max_length=500, pattern=r"^(https?://\S+)?$")
    agenda: str = Field(default="", max_length=20000)
    seats: int | None = Field(default=None, ge=1, le=100000)

    @model_validator(mode="after")
    def _where_and_when(self) -> MeetingIn:
        if not self.place.strip() and not self.online_url:
            raise ValueError(N_("Give a place, an online link, or both."))
        return self


class MeetingRecordIn(BaseModel):
    """What happened at a meeting: its minutes and how many people came (with or without an account)."""

    model_config = ConfigDict(extra="forbid")

    minutes: str = Field(default="", max_length=50000)
    attendance_count: int | None = Field(default=None, ge=0, le=1000000)
    cancelled: bool = False


class SurveyIn(BaseModel):
    """A survey; ``questions`` has one line per question (see the staff guide)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3, max_length=200)
    description: str = Field(default="", max_length=5000)
    questions: str = Field(min_length=3, max_length=20000)


class SurveyResponseIn(BaseModel):
    """Answers by question id: a string for single choice and text, a list of strings for multiple choice."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Any]


class BlockIn(BaseModel):
    """The account to block (a missing one is a 404, like an unknown one)."""

    person_id: int | None = None
