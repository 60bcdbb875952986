"""What people send: a profile, and the staff's skills and interests (one model per input, shared
by the pages and the API)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from labkit.config import LANGUAGES
from labkit.i18n import N_
from labkit.text import check_region, check_text, check_url, split_items

MAX_BIO = 1000
MAX_TAGS = 10
MAX_TAG_LENGTH = 30
MAX_LINKS = 5
MAX_TOPICS = 12
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def name_field(tag: str) -> str:
    """The form field holding a topic's name in language ``tag`` (``pt-BR`` -> ``name_pt_BR``)."""
    return "name_" + tag.replace("-", "_")


def normalise_tag(tag: str) -> str:
    """A free tag as stored: plain text, lower case, single spaces, at most 30 characters."""
    tag = " ".join(check_text(tag).lower().split())
    if len(tag) > MAX_TAG_LENGTH:
        raise ValueError(N_("Each tag may have at most 30 characters."))
    if "|" in tag:
        raise ValueError(N_("This text contains characters that are not allowed."))
    return tag


class NoInput(BaseModel):
    """An action that takes nothing but the person acting."""


class ProfileIn(BaseModel):
    """A person's profile: who they are, what they know and want to work on, where, their links."""

    name: str = Field(min_length=2, max_length=120)
    bio: str = Field(default="", max_length=MAX_BIO)
    region: str = Field(default="", max_length=40)
    skills: list[str] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)
    looking_for_team: bool = False
    show_organisations: bool = False

    @field_validator("name", mode="after")
    @classmethod
    def _name(cls, value: str) -> str:
        value = check_text(value)
        if len(value) < 2:
            raise ValueError(N_("Enter the name to show on your profile."))
        return value

    @field_validator("bio", mode="after")
    @classmethod
    def _bio(cls, value: str) -> str:
        return check_text(value, multiline=True)

    @field_validator("region", mode="after")
    @classmethod
    def _region(cls, value: str) -> str:
        return check_region(value)

    @field_validator("skills", "interests", mode="before")
    @classmethod
    def _topics(cls, value: Any) -> list[str]:
        keys = list(dict.fromkeys(split_items(value, r"[,;\s]+")))
        if len(keys) > MAX_TOPICS:
            raise ValueError(N_("Choose at most 12."))
        return keys

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> list[str]:
        tags = list(dict.fromkeys(normalise_tag(tag) for tag in split_items(value, r"[,;\n]")))
        if len(tags) > MAX_TAGS:
            raise ValueError(N_("Give at most 10 tags."))
        return tags

    @field_validator("links", mode="before")
    @classmethod
    def _links(cls, value: Any) -> list[str]:
        links = list(dict.fromkeys(check_url(link) for link in split_items(value, r"\s+")))
        if len(links) > MAX_LINKS:
            raise ValueError(N_("Give at most 5 links."))
        return links


class TopicIn(BaseModel):
    """A skill or interest on the lab's list: a short key and its name in the lab's languages."""

    key: str = Field(min_length=1, max_length=40)
    name_pt_BR: str = Field(default="", max_length=60)
    name_es: str = Field(default="", max_length=60)
    name_fr: str = Field(default="", max_length=60)
    name_en: str = Field(default="", max_length=60)

    @field_validator("key", mode="after")
    @classmethod
    def _key(cls, value: str) -> str:
        value = value.strip().lower()
        if not _KEY.match(value):
            raise ValueError(N_("A key has lower-case letters, digits and hyphens, for example gis or urban-design."))
        return value

    @field_validator("name_pt_BR", "name_es", "name_fr", "name_en", mode="after")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_text(value)

    @model_validator(mode="after")
    def _some_name(self) -> TopicIn:
        if not any(self.names().values()):
            raise ValueError(N_("Give the name in at least one language."))
        return self

    def names(self) -> dict[str, str]:
        """The names given, by language tag."""
        return {tag: getattr(self, name_field(tag)) for tag in LANGUAGES if getattr(self, name_field(tag))}


class TopicEdit(TopicIn):
    """A change to a topic of the list."""

    topic_id: int


class TopicRef(BaseModel):
    """A topic of the list."""

    topic_id: int
