"""Input validation shared by the pages, the API and the CSV import."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from labkit.i18n import N_
from labkit.images import ImageAlt, ImageUpload
from labkit.text import check_region, check_text, check_url, split_items

from labkit_mapping.models import KINDS, PRACTICES, RELATIONSHIP_KINDS, SEAL_COLOURS, SEAL_ICONS

Kind = Literal["youth_group", "collective", "startup", "university", "ngo", "company", "public_body", "other"]
Practice = Literal["free-software", "open-data", "open-standards", "open-hardware", "open-science"]
RelationshipKind = Literal["member_of", "partner_of", "spin_off_of", "supports"]
assert set(Kind.__args__) == set(KINDS) and set(Practice.__args__) == set(PRACTICES)  # type: ignore[attr-defined]
assert set(RelationshipKind.__args__) == set(RELATIONSHIP_KINDS)  # type: ignore[attr-defined]

MAX_DESCRIPTION = 5000
MAX_TOPICS = 12
MAX_LINKS = 10
_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,40}$")

TEXT_FIELDS = ("name", "description", "address", "region", "contact_phone")


def check_email(value: str) -> str:
    """An e-mail address, or empty."""
    value = value.strip()
    if not value:
        return ""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueError(N_("Enter a valid e-mail address.")) from None


class OrganisationIn(BaseModel):
    """An organisation as people enter it (form, API, CSV row)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=200)
    kind: Kind
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    topics: list[str] = Field(default_factory=list)
    practices: list[str] = Field(default_factory=list)
    website: str = Field(default="", max_length=300)
    links: list[str] = Field(default_factory=list)
    contact_email: str = Field(default="", max_length=254)
    contact_phone: str = Field(default="", max_length=40)
    address: str = Field(default="", max_length=300)
    region: str = Field(default="", max_length=40)
    latitude: float | None = None
    longitude: float | None = None
    founding_year: int | None = None
    wants_partnership: bool = False

    @field_validator("name", "address", "region", "contact_phone", mode="after")
    @classmethod
    def _plain(cls, value: str) -> str:
        return check_text(value)

    @field_validator("name", mode="after")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if len(value) < 2:
            raise ValueError(N_("Enter the organisation's name."))
        return value

    @field_validator("description", mode="after")
    @classmethod
    def _markdown(cls, value: str) -> str:
        return check_text(value, multiline=True)

    @field_validator("topics", mode="before")
    @classmethod
    def _topics(cls, value: Any) -> list[str]:
        topics: list[str] = []
        for topic in split_items(value, r"[,;\n]"):
            topic = check_text(topic).lower()
            if len(topic) > 60:
                raise ValueError(N_("Each topic may have at most 60 characters."))
            if "|" in topic:
                raise ValueError(N_("This text contains characters that are not allowed."))
            if topic not in topics:
                topics.append(topic)
        if len(topics) > MAX_TOPICS:
            raise ValueError(N_("Give at most 12 topics."))
        return topics

    @field_validator("practices", mode="before")
    @classmethod
    def _practices(cls, value: Any) -> list[str]:
        given = split_items(value, r"[,;\s]+")
        for code in given:
            if code not in PRACTICES:
                raise ValueError(N_("Choose practices from the list: free-software, open-data, open-standards, open-hardware, open-science."))
        return [p for p in PRACTICES if p in given]

    @field_validator("website", mode="after")
    @classmethod
    def _website(cls, value: str) -> str:
        return check_url(value) if value.strip() else ""

    @field_validator("links", mode="before")
    @classmethod
    def _links(cls, value: Any) -> list[str]:
        links: list[str] = []
        for link in split_items(value, r"\s+"):
            link = check_url(link)
            if link not in links:
                links.append(link)
        if len(links) > MAX_LINKS:
            raise ValueError(N_("Give at most 10 other links."))
        return links

    @field_validator("contact_email", mode="after")
    @classmethod
    def _email(cls, value: str) -> str:
        return check_email(value)

    @field_validator("contact_phone", mode="after")
    @classmethod
    def _phone(cls, value: str) -> str:
        if value and not _PHONE.match(value):
            raise ValueError(N_("Enter a telephone number with digits, spaces and + ( ) - only."))
        return value

    @field_validator("region", mode="after")
    @classmethod
    def _region(cls, value: str) -> str:
        return check_region(value)

    @field_validator("latitude", mode="after")
    @classmethod
    def _latitude(cls, value: float | None) -> float | None:
        if value is not None and not -90 <= value <= 90:
            raise ValueError(N_("Latitude must be between -90 and 90 degrees."))
        return value

    @field_validator("longitude", mode="after")
    @classmethod
    def _longitude(cls, value: float | None) -> float | None:
        if value is not None and not -180 <= value <= 180:
            raise ValueError(N_("Longitude must be between -180 and 180 degrees."))
        return value

    @field_validator("founding_year", mode="after")
    @classmethod
    def _year(cls, value: int | None) -> int | None:
        if value is not None and not 1800 <= value <= date.today().year:
            raise ValueError(N_("Enter a founding year between 1800 and this year."))
        return value

    @model_validator(mode="after")
    def _both_coordinates(self) -> OrganisationIn:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError(N_("Give both latitude and longitude, or neither."))
        return self


class ProposalIn(OrganisationIn):
    """A visitor's proposal: the organisation plus a note, a private contact and the confirmation
    that a possible duplicate is in fact another organisation."""

    note: str = Field(default="", max_length=1000)
    proposer_email: str = Field(default="", max_length=254)
    confirm_duplicate: bool = False

    @field_validator("note", mode="after")
    @classmethod
    def _note(cls, value: str) -> str:
        return check_text(value, multiline=True)

    @field_validator("proposer_email", mode="after")
    @classmethod
    def _proposer_email(cls, value: str) -> str:
        return check_email(value)


ORGANISATION_FIELDS = tuple(OrganisationIn.model_fields)


class LogoIn(BaseModel):
    """An organisation's logo in a form: a new file with its description, a new description, or removal."""

    logo: ImageUpload = None
    logo_alt: ImageAlt = ""
    logo_remove: bool = False


class OrganisationEdit(ProposalIn, LogoIn):
    """The edit form of an organisation: every field, and its logo."""


class CorrectionIn(ProposalIn):
    """A visitor's correction of organisation ``org_id`` (the fields as they should be)."""

    org_id: int


class OrganisationCreate(OrganisationIn):
    """What an API client sends to add an organisation (published at once)."""

    status: Literal["published", "archived"] = "published"
    confirm_duplicate: bool = False


class OrganisationPatch(LogoIn):
    """Fields to change on an organisation (API), and its logo (a file in a ``multipart/form-data``
    body); the others keep their value."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    kind: str | None = None
    description: str | None = None
    topics: list[str] | None = None
    practices: list[str] | None = None
    website: str | None = None
    links: list[str] | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    address: str | None = None
    region: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    founding_year: int | None = None
    wants_partnership: bool | None = None
    status: Literal["published", "archived"] | None = None


class OrganisationUpdate(OrganisationPatch):
    """The team's change to organisation ``org_id``: the fields given, a note for its history, and
    the confirmation that a name or website like another organisation's is right."""

    org_id: int
    note: str = ""
    confirm_duplicate: bool = False


class StatusIn(BaseModel):
    """Publish or archive organisation ``org_id`` (checked by the rule, so a wrong value is a 400)."""

    org_id: int
    status: str = ""
    note: str = ""


class DecisionIn(BaseModel):
    """A moderator's decision on proposal ``proposal_id``; a rejection needs a reason."""

    proposal_id: int
    decision: Literal["approve", "reject"]
    reason: str = Field(default="", max_length=1000)

    @field_validator("reason", mode="after")
    @classmethod
    def _reason(cls, value: str) -> str:
        return check_text(value, multiline=True)

    @model_validator(mode="after")
    def _reason_for_rejection(self) -> DecisionIn:
        if self.decision == "reject" and not self.reason:
            raise ValueError(N_("Give the reason for the rejection: the proposer will read it."))
        return self


class RelationshipIn(BaseModel):
    """A tie from organisation ``org_id`` to another one, or to the lab (``target_id`` empty)."""

    model_config = ConfigDict(extra="forbid")

    org_id: int
    kind: RelationshipKind
    target_id: int | None = None
    note: str = Field(default="", max_length=300)

    @field_validator("note", mode="after")
    @classmethod
    def _note(cls, value: str) -> str:
        return check_text(value)


class RelationshipRef(BaseModel):
    """The relationship ``rel_id`` (to remove it)."""

    rel_id: int


class ImportIn(BaseModel):
    """A CSV file of organisations; ``dry_run`` only checks it and reports."""

    content: bytes
    dry_run: bool = True


# ------------------------------------------------------------------ claims and members

SealIcon = Literal["check", "star", "handshake", "leaf", "award", "heart"]
SealColour = Literal["green", "blue", "purple", "orange", "red", "grey"]
assert set(SealIcon.__args__) == set(SEAL_ICONS) and set(SealColour.__args__) == set(SEAL_COLOURS)  # type: ignore[attr-defined]


class ClaimIn(BaseModel):
    """A person's claim of organisation ``org_id``: a note for whoever decides and, to prove it at
    once, an address at the organisation's website domain."""

    org_id: int
    note: str = Field(default="", max_length=500)
    email: str = Field(default="", max_length=254)

    @field_validator("note", mode="after")
    @classmethod
    def _note(cls, value: str) -> str:
        return check_text(value, multiline=True)

    @field_validator("email", mode="after")
    @classmethod
    def _email(cls, value: str) -> str:
        return check_email(value)


class CodeIn(BaseModel):
    """The one-time code of a claim, from the link mailed to the organisation's domain."""

    code: str = Field(min_length=1, max_length=100)


class ClaimDecisionIn(BaseModel):
    """The team's (or a member's) decision on the pending claim ``membership_id``."""

    membership_id: int
    decision: Literal["approve", "refuse"]
    reason: str = Field(default="", max_length=500)

    @field_validator("reason", mode="after")
    @classmethod
    def _reason(cls, value: str) -> str:
        return check_text(value, multiline=True)


class MembershipRef(BaseModel):
    """The membership (or pending claim) ``membership_id``."""

    membership_id: int


class InvitationIn(BaseModel):
    """An administrator's invitation of the person at ``email`` to organisation ``org_id``."""

    org_id: int
    email: str = Field(min_length=3, max_length=254)

    @field_validator("email", mode="after")
    @classmethod
    def _email(cls, value: str) -> str:
        return check_email(value)


class InvitationRef(BaseModel):
    """The pending invitation ``invitation_id``."""

    invitation_id: int


class RoleIn(BaseModel):
    """The role membership ``membership_id`` should have."""

    membership_id: int
    role: Literal["admin", "member"]


class SealIn(BaseModel):
    """A seal as the team defines it: a name, what it means, an icon and a colour from fixed sets."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=80)
    description: str = Field(default="", max_length=500)
    icon: SealIcon = "check"
    colour: SealColour = "green"

    @field_validator("name", "description", mode="after")
    @classmethod
    def _plain(cls, value: str) -> str:
        return check_text(value)


class SealUpdate(SealIn):
    """A change to seal ``seal_id``; ``retired`` stops granting and showing it."""

    seal_id: int
    retired: bool = False


class SealGrantIn(BaseModel):
    """Seal ``seal_id`` on organisation ``org_id`` (to grant or revoke it)."""

    org_id: int
    seal_id: int
