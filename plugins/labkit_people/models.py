"""The people plugin's tables: the lab's list of skills and interests, and people's profiles.

Field names follow the Popolo standard for persons where it fits (name, summary as ``bio``, links,
area as ``region``).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Topic(Model):
    """A skill or interest on the lab's list, with its name in each of the lab's languages."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=40, unique=True)
    names = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "people_topic"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    def name_in(self, tag: str) -> str:
        """The topic's name in language ``tag``, else in any language it has, else its key."""
        names: dict[str, str] = self.names or {}
        return names.get(tag) or next((name for name in names.values() if name), self.key)


class Profile(Model):
    """A person's profile in the lab's network, public only while its owner chooses to publish it."""

    id = fields.IntField(primary_key=True)
    person = fields.OneToOneField("labkit.Person", related_name="people_profile", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=120)
    bio = fields.TextField(default="")
    region = fields.CharField(max_length=40, default="", db_index=True)
    tags = fields.CharField(max_length=400, default="")
    links = fields.JSONField(default=list)
    skills: fields.ManyToManyRelation[Topic] = fields.ManyToManyField(
        "people.Topic", related_name="skilled", through="people_profile_skill")
    interests: fields.ManyToManyRelation[Topic] = fields.ManyToManyField(
        "people.Topic", related_name="interested", through="people_profile_interest")
    looking_for_team = fields.BooleanField(default=False, db_index=True)
    show_organisations = fields.BooleanField(default=False)
    published = fields.BooleanField(default=False, db_index=True)
    published_at = fields.DatetimeField(null=True)
    search_text = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "people_profile"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split("|") if tag]
