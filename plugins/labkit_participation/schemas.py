"""The shapes of the JSON API's answers (described in ``/api/v1/openapi.json``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class PhaseOut(BaseModel):
    phase: str
    starts_at: datetime
    ends_at: datetime | None


class ProcessOut(BaseModel):
    id: int
    title: str
    summary: str
    description: str
    topic: str
    categories: list[str]
    phase: str
    phases: list[PhaseOut]
    support_limit: int | None
    required_verification: str = Field(description="The verification a person needs to take part "
                                       "(\"\" none, \"email\", \"census\" or a lab-defined level).")
    results_published: bool
    url: str


class ProcessList(BaseModel):
    items: list[ProcessOut]


class AnswerOut(BaseModel):
    status: str
    text: str
    answered_at: datetime


class ProposalOut(BaseModel):
    id: int
    process_id: int
    title: str
    body: str
    category: str
    location: str
    latitude: float | None
    longitude: float | None
    author: str
    supports: int
    created_at: datetime
    hidden: bool
    hidden_reason: str
    answer: AnswerOut | None
    url: str


class ProposalList(BaseModel):
    items: list[ProposalOut]
    page: int
    per_page: int
    total: int
    pages: int


class SupportOut(BaseModel):
    proposal_id: int
    supports: int
    supported: bool
    supports_left: int | None


class CommentOut(BaseModel):
    id: int
    parent_id: int | None
    author: str
    body: str
    hidden: bool
    created_at: datetime


class CommentList(BaseModel):
    items: list[CommentOut]


class QuestionOut(BaseModel):
    id: int
    kind: str
    text: str
    options: list[str]
    required: bool


class SurveyOut(BaseModel):
    id: int
    process_id: int
    title: str
    description: str
    is_open: bool
    questions: list[QuestionOut]


class OptionCount(BaseModel):
    option: str
    count: int


class QuestionResult(BaseModel):
    id: int
    kind: str
    text: str
    answered: int
    options: list[OptionCount]


class SurveyResults(BaseModel):
    survey: int
    title: str
    responses: int
    questions: list[QuestionResult]


class MeetingOut(BaseModel):
    id: int
    process_id: int
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    online_url: str
    agenda: str
    minutes: str
    seats: int | None
    registrations: int
    attendance_count: int | None
    cancelled: bool


class MeetingList(BaseModel):
    items: list[MeetingOut]


class RegistrationOut(BaseModel):
    meeting_id: int
    registered: bool
    seats_left: int | None


class Done(BaseModel):
    ok: bool
