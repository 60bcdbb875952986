"""Input of the challenges plugin, validated the same way for pages and the JSON API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator
from pydantic.json_schema import SkipJsonSchema

from labkit.i18n import N_, current_zone
from labkit.timezones import local_to_utc
from labkit.verification import Requirement

from labkit_challenges.models import LICENCES

Kind = Literal["challenge", "hackathon", "cocreation"]


def _local(value: datetime | None) -> datetime | None:
    """Times typed in a form are wall-clock times of the lab; stored in UTC."""
    return None if value is None else local_to_utc(value, current_zone.get())


class ChallengeIn(BaseModel):
    """A challenge as staff describe it."""

    model_config = ConfigDict(extra="ignore")

    kind: Kind = "challenge"
    title: str = Field(min_length=3, max_length=200)
    summary: str = Field(min_length=10, max_length=500)
    problem: str = Field(min_length=10, max_length=20000)
    owner: str = Field(min_length=2, max_length=200)
    topics: list[str] = Field(default_factory=list, max_length=12)
    sdgs: list[int] = Field(default_factory=list)
    prize: str = Field(default="", max_length=5000)
    rules: str = Field(default="", max_length=20000)
    code_of_conduct: str = Field(default="", max_length=20000)
    licences: list[str] = Field(min_length=1)
    default_licence: str = "MIT"
    is_published: bool = False
    opens_at: datetime
    closes_at: datetime
    evaluation_starts_at: datetime
    implementation_starts_at: datetime | None = None
    event_starts_at: datetime | None = None
    event_ends_at: datetime | None = None
    venue: str = Field(default="", max_length=300)
    max_team_size: int = Field(default=5, ge=1, le=50)
    scale_max: int = Field(default=10, ge=1, le=100)
    blind_review: bool = False
    community_vote: bool = False
    required_verification: Requirement = ""

    @field_validator("topics", mode="before")
    @classmethod
    def _split_topics(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            parts = [p.strip()[:60] for item in value for p in str(item).split(",")]
            return [p for p in dict.fromkeys(parts) if p]
        return value

    @field_validator("sdgs")
    @classmethod
    def _known_sdgs(cls, value: list[int]) -> list[int]:
        if any(not 1 <= goal <= 17 for goal in value):
            raise ValueError(N_("Sustainable Development Goals are numbered 1 to 17."))
        return sorted(set(value))

    @field_validator("licences")
    @classmethod
    def _open_licences(cls, value: list[str]) -> list[str]:
        if any(item not in LICENCES for item in value):
            raise ValueError(N_("Choose licences from the list of open licences."))
        return list(dict.fromkeys(value))

    @field_validator("opens_at", "closes_at", "evaluation_starts_at", "implementation_starts_at",
                     "event_starts_at", "event_ends_at")
    @classmethod
    def _to_utc(cls, value: datetime | None) -> datetime | None:
        return _local(value)


class CriterionIn(BaseModel):
    """One weighted evaluation criterion."""

    name: str = Field(min_length=2, max_length=120)
    description: str = Field(default="", max_length=2000)
    weight: int = Field(gt=0, le=1000)


class JurorIn(BaseModel):
    """A person added to the jury, by the e-mail of their account."""

    email: str = Field(min_length=3, max_length=254)


class TeamIn(BaseModel):
    """A new team: its name, and its lead accepts the code of conduct."""

    name: str = Field(min_length=2, max_length=120)
    accept_conduct: bool = Field(default=False, validate_default=True)

    @field_validator("accept_conduct")
    @classmethod
    def _accepted(cls, value: bool) -> bool:
        if not value:
            raise ValueError(N_("You must accept the code of conduct to take part."))
        return value


class JoinIn(BaseModel):
    """Joining a team through its invitation link."""

    accept_conduct: bool = Field(default=False, validate_default=True)

    @field_validator("accept_conduct")
    @classmethod
    def _accepted(cls, value: bool) -> bool:
        if not value:
            raise ValueError(N_("You must accept the code of conduct to take part."))
        return value


class SubmissionIn(BaseModel):
    """A team's solution."""

    title: str = Field(min_length=3, max_length=200)
    summary: str = Field(min_length=10, max_length=500)
    description: str = Field(default="", max_length=20000)
    code_url: HttpUrl | None = None
    prototype_url: HttpUrl | None = None
    video_url: HttpUrl | None = None
    licence: str = Field(min_length=1, max_length=40)

    def urls(self) -> dict[str, str]:
        return {name: str(getattr(self, name) or "") for name in ("code_url", "prototype_url", "video_url")}


class ScoreIn(BaseModel):
    """One criterion of a scorecard."""

    criterion: int
    value: int
    comment: str = Field(default="", max_length=2000)


class ScorecardIn(BaseModel):
    """A juror's whole scorecard for one submission: every criterion, with comments."""

    scores: list[ScoreIn] = Field(min_length=1)


class ConflictIn(BaseModel):
    """A juror's declaration of a conflict of interest."""

    reason: str = Field(default="", max_length=500)


class ResultsIn(BaseModel):
    """The jury's statement and the winners, published together."""

    statement: str = Field(min_length=10, max_length=20000)
    winners: list[int] = Field(default_factory=list)


class ForwardIn(BaseModel):
    """A winner taken forward as a project."""

    taken_forward_on: date | None = None


class RoleIn(BaseModel):
    """A team member's new role."""

    role: Literal["lead", "member"]


# ------------------------------------------------------- what the actions take (path included)
# Fields named like a route's path parameters (``cid``, ``sid``...) are filled from the path.


class InChallenge(BaseModel):
    """An action on a challenge that takes nothing else."""

    cid: int


class InSubmission(InChallenge):
    """An action on one submission of a challenge."""

    sid: int


class ChallengeEdit(ChallengeIn):
    """A challenge's changes."""

    cid: int


class CriterionAdd(CriterionIn):
    """A new criterion of a challenge."""

    cid: int


class CriterionEdit(CriterionIn):
    """A criterion's changes."""

    cid: int
    criterion: int


class CriterionRef(InChallenge):
    """One criterion of a challenge."""

    criterion: int


class JurorAdd(JurorIn):
    """A person put on a challenge's jury."""

    cid: int


class JurorRef(InChallenge):
    """One juror of a challenge."""

    juror: int


class AssignIn(InChallenge):
    """One juror and one submission, by number (anything else counts as none)."""

    juror: int = 0
    submission: int = 0

    @field_validator("juror", "submission", mode="before")
    @classmethod
    def _number_or_none(cls, value: Any) -> Any:
        return value if str(value).isdigit() else 0


class ResultsPublish(ResultsIn):
    """A challenge's results."""

    cid: int


class Forward(ForwardIn):
    """A winner of a challenge taken forward."""

    cid: int
    sid: int


class TeamNew(TeamIn):
    """A new team in a challenge."""

    cid: int


class JoinTeam(JoinIn):
    """Joining the team of an invitation link (its signed token)."""

    token: str = Field(max_length=500)


class MemberRef(InChallenge):
    """One member of the acting person's team."""

    member: int


class PersonInvite(InChallenge):
    """A person (their account's id) the team's lead invites from the people looking for a team."""

    person: int


class MemberRole(RoleIn):
    """A new role for one member of the acting person's team."""

    cid: int
    member: int


class AttachmentRef(InChallenge):
    """One file of the team's submission."""

    aid: int


class SubmissionSave(SubmissionIn):
    """A team's solution with the files sent with the form (the JSON API sends none)."""

    cid: int
    attachments: SkipJsonSchema[list[Any]] = Field(default_factory=list)


class ScorecardSave(InSubmission):
    """A juror's scorecard for one submission. Which criteria must be scored, and on which scale,
    is the challenge's business: the action checks it."""

    scores: list[ScoreIn] = Field(default_factory=list)


def scorecard_fields(values: dict[str, Any]) -> dict[str, Any]:
    """The scorecard form's ``score_<criterion>`` and ``comment_<criterion>`` fields as ``scores``
    (a criterion left empty is left out)."""
    ids = [key.removeprefix("score_") for key, value in values.items()
           if key.startswith("score_") and key[6:].isdigit() and str(value).strip()]
    return {**values, "scores": [{"criterion": cid, "value": str(values["score_" + cid]).strip(),
                                  "comment": str(values.get("comment_" + cid, ""))[:2000]} for cid in ids]}


class ConflictDeclare(ConflictIn):
    """A juror's conflict of interest with the team of a submission."""

    cid: int
    sid: int
