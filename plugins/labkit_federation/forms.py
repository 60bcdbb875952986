"""Input of the hub's pages: a member of the registry, the CSV import, the filters of the pages."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from starlette.requests import Request

from labkit.i18n import N_, gettext
from labkit.web import Problem

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
REGION_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,20}(/[A-Za-z0-9-]{1,20})*$")
KINDS = {"lab": N_("Lab"), "hub": N_("Hub")}


def region_param(request: Request) -> str:
    """The ``region`` query parameter: a region path such as ``BR/BR-SP`` (empty for the whole
    hub); a malformed one raises a 400 :class:`Problem`, page or API alike."""
    region = (request.query_params.get("region") or "").strip().strip("/")
    if region and not REGION_PATTERN.match(region):
        raise Problem(400, gettext("This is not a region path (for example BR/BR-SP)."), kind="bad-query")
    return region


class MemberIn(BaseModel):
    """A lab (or a hub) as staff add or edit it in the registry."""

    model_config = ConfigDict(str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["lab", "hub"] = "lab"
    municipality: str = Field("", max_length=200)
    region_path: str = Field("", max_length=255)
    url: str = Field("", max_length=500)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    joined_on: date | None = None
    mentor: str = Field("", max_length=64)
    trained_on: date | None = None
    programme: str = Field("", max_length=200)
    active: bool = False

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not CODE_PATTERN.match(value):
            raise ValueError(N_("Use letters, digits, dots, dashes or underscores (for example BR-3550308)."))
        return value

    @field_validator("region_path")
    @classmethod
    def _region(cls, value: str) -> str:
        value = value.strip("/")
        if value and not REGION_PATTERN.match(value):
            raise ValueError(N_("Write the region codes from the nation down, separated by / (for example BR/BR-SP)."))
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^\s/]+", value, re.IGNORECASE):
            raise ValueError(N_("Enter a full web address starting with http:// or https://."))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> MemberIn:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError(N_("Give both the latitude and the longitude, or neither."))
        if self.mentor and self.mentor == self.code:
            raise ValueError(N_("A lab cannot be its own mentor."))
        if (self.trained_on or self.programme) and not self.mentor:
            raise ValueError(N_("A training date or programme needs a mentor lab."))
        return self


class ImportIn(BaseModel):
    """The registry CSV upload form (the file itself is read apart)."""

    dry_run: bool = False
