"""Input validation shared by the pages, the API and the CLI."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from labkit.i18n import N_

from labkit_indicators import rules

Indicator = Literal["projects", "partnerships", "participants", "products"]
Status = Literal["idea", "in-progress", "delivered", "discontinued"]
Origin = Literal["challenge", "residency", "own"]
Stage = Literal["conception", "research", "prototype", "pilot", "delivery", "scale", "other"]
PartnerKind = Literal["public-body", "university", "collective", "company", "ngo"]
Agreement = Literal["cooperation", "memorandum", "contract", "grant", "informal"]
ProductType = Literal["prototype", "service", "guide", "open-dataset", "software", "report", "training"]
SLUG = r"^[a-z0-9][a-z0-9_-]{0,39}$"


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _check_period(value: str) -> str:
    try:
        return rules.parse_period(value).code
    except rules.PeriodError as error:
        raise ValueError(str(error)) from None


def _check_url(value: str) -> str:
    if value and not value.startswith(("http://", "https://")):
        raise ValueError(N_("Enter a full web address starting with http:// or https://."))
    return value


class ManualEntryIn(_Form):
    """A count for offline activity: which period, which indicator, how many, and why."""

    period: str = Field(max_length=10)
    indicator: Indicator
    value: int = Field(ge=0, le=10_000_000, strict=False)
    module: str = Field(default=rules.OWN_MODULE, pattern=SLUG)
    kind: str = Field(default="offline", pattern=SLUG)
    reason: str = Field(min_length=3, max_length=2000)

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        return _check_period(value)

    @field_validator("value", mode="before")
    @classmethod
    def _whole(cls, value: object) -> object:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(N_("Enter a whole number."))
        if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
            raise ValueError(N_("Enter a whole number."))
        return value


class TargetsIn(_Form):
    """Yearly targets: one non-negative whole number per indicator (empty: no target)."""

    year: int = Field(ge=1900, le=9998)
    projects: int | None = Field(default=None, ge=0)
    partnerships: int | None = Field(default=None, ge=0)
    participants: int | None = Field(default=None, ge=0)
    products: int | None = Field(default=None, ge=0)


class ProjectIn(_Form):
    """A project of the lab's own portfolio."""

    title: str = Field(min_length=3, max_length=200)
    description: str = Field(default="", max_length=20_000)
    status: Status = "idea"
    origin: Origin = "own"
    starts_on: date
    ends_on: date | None = None
    sdgs: list[int] = Field(default_factory=list)
    organisations: list[str] = Field(default_factory=list)
    other_organisations: str = Field(default="", max_length=4000)
    links: str = Field(default="", max_length=4000)
    team: str = Field(default="", max_length=4000)

    @field_validator("sdgs")
    @classmethod
    def _sdgs(cls, value: list[int]) -> list[int]:
        if any(goal not in rules.SDGS for goal in value):
            raise ValueError(N_("Choose Sustainable Development Goals from 1 to 17."))
        return sorted(set(value))

    @field_validator("links")
    @classmethod
    def _links(cls, value: str) -> str:
        for line in value.splitlines():
            url = line.rpartition("|")[2].strip()
            if url:
                _check_url(url)
        return value

    @model_validator(mode="after")
    def _dates(self) -> ProjectIn:
        if self.ends_on and self.ends_on < self.starts_on:
            raise ValueError(N_("The end date must not be before the start date."))
        return self

    def link_list(self) -> list[dict[str, str]]:
        out = []
        for line in self.links.splitlines():
            label, _, url = line.rpartition("|")
            url = url.strip()
            if url:
                out.append({"label": label.strip() or url, "url": url})
        return out

    def team_emails(self) -> list[str]:
        return sorted({part.strip().lower() for part in self.team.replace(",", "\n").splitlines() if part.strip()})


class MilestoneIn(_Form):
    """A dated step in a project's journey."""

    happened_on: date
    stage: Stage = "other"
    text: str = Field(min_length=3, max_length=300)


class PartnershipIn(_Form):
    """A formal partnership with an organisation: a mapped one or a name."""

    organisation_ref: str = Field(default="", max_length=64)
    organisation_name: str = Field(default="", max_length=200)
    partner_kind: PartnerKind
    agreement_type: Agreement
    starts_on: date
    ends_on: date | None = None
    description: str = Field(default="", max_length=10_000)
    projects: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> PartnershipIn:
        if not self.organisation_ref and not self.organisation_name:
            raise ValueError(N_("Choose a mapped organisation or type the organisation's name."))
        if self.ends_on and self.ends_on < self.starts_on:
            raise ValueError(N_("The end date must not be before the start date."))
        return self


class ProductIn(_Form):
    """A deliverable of the lab."""

    title: str = Field(min_length=3, max_length=200)
    product_type: ProductType
    description: str = Field(default="", max_length=10_000)
    licence: str = Field(default="", max_length=80)
    url: str = Field(default="", max_length=500)
    project_id: int | None = None
    delivered_on: date | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _check_url(value)
