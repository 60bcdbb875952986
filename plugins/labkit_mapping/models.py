"""The mapping plugin's tables: organisations, their relationships, proposals and history.

Field names follow the Popolo standard for organisations where it fits (name, classification as
``kind``, founding date as ``founding_year``, links, contact details, area as ``region``).
"""

from __future__ import annotations

import uuid

from tortoise import fields
from tortoise.models import Model

from labkit.i18n import N_, gettext

KINDS = {
    "youth_group": N_("Youth group"),
    "collective": N_("Collective"),
    "startup": N_("Startup"),
    "university": N_("University or research centre"),
    "ngo": N_("NGO"),
    "company": N_("Company"),
    "public_body": N_("Public body"),
    "other": N_("Other"),
}
"""The kinds of organisation, by code (Popolo ``classification``)."""

PRACTICES = {
    "free-software": N_("Free software"),
    "open-data": N_("Open data"),
    "open-standards": N_("Open standards and web patterns"),
    "open-hardware": N_("Open hardware"),
    "open-science": N_("Open science"),
}
"""The open-technology practices an organisation may follow, by code."""

STATUSES = {
    "proposed": N_("Proposed"),
    "published": N_("Published"),
    "archived": N_("Archived"),
    "rejected": N_("Rejected"),
}

RELATIONSHIP_KINDS = {
    "member_of": N_("is a member of"),
    "partner_of": N_("is a partner of"),
    "spin_off_of": N_("is a spin-off of"),
    "supports": N_("supports"),
}

SOURCES = {
    "form": N_("proposed on the public form"),
    "staff": N_("added by the lab's team"),
    "import": N_("imported from a CSV file"),
    "api": N_("added through the API"),
    "demo": N_("demo data"),
}


class Organisation(Model):
    """A group working on open technology and innovation, on the map and in the directory."""

    id = fields.IntField(primary_key=True)
    uid = fields.UUIDField(default=uuid.uuid4, unique=True)
    name = fields.CharField(max_length=200)
    normalised_name = fields.CharField(max_length=200, db_index=True)
    kind = fields.CharField(max_length=20, db_index=True)
    description = fields.TextField(default="")
    topics = fields.CharField(max_length=1000, default="")
    practices = fields.CharField(max_length=200, default="")
    website = fields.CharField(max_length=300, default="")
    website_domain = fields.CharField(max_length=255, default="", db_index=True)
    links = fields.JSONField(default=list)
    contact_email = fields.CharField(max_length=254, default="")
    contact_phone = fields.CharField(max_length=40, default="")
    address = fields.CharField(max_length=300, default="")
    region = fields.CharField(max_length=40, default="", db_index=True)
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    founding_year = fields.IntField(null=True)
    wants_partnership = fields.BooleanField(default=False, db_index=True)
    status = fields.CharField(max_length=12, default="proposed", db_index=True)
    search_text = fields.TextField(default="")
    source = fields.CharField(max_length=12, default="form")
    created_by = fields.ForeignKeyField("labkit.Person", related_name="mapping_organisations", null=True,
                                        on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    published_at = fields.DatetimeField(null=True)

    class Meta:
        table = "mapping_organisation"
        ordering = ["normalised_name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def topic_list(self) -> list[str]:
        return [t for t in self.topics.split("|") if t]

    @property
    def practice_list(self) -> list[str]:
        return [p for p in self.practices.split("|") if p]

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Relationship(Model):
    """A tie in the network: an organisation is a member, partner, spin-off or supporter of
    another organisation or of the lab itself (then ``target`` is empty)."""

    id = fields.IntField(primary_key=True)
    source = fields.ForeignKeyField("mapping.Organisation", related_name="relationships_out",
                                    on_delete=fields.CASCADE)
    target = fields.ForeignKeyField("mapping.Organisation", related_name="relationships_in", null=True,
                                    on_delete=fields.CASCADE)
    target_key = fields.CharField(max_length=20)
    kind = fields.CharField(max_length=16)
    note = fields.CharField(max_length=300, default="")
    created_by = fields.ForeignKeyField("labkit.Person", related_name="mapping_relationships", null=True,
                                        on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mapping_relationship"
        unique_together = (("source", "kind", "target_key"),)


class Proposal(Model):
    """A visitor's proposal of a new organisation or of a correction, waiting for the team."""

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("mapping.Organisation", related_name="proposals",
                                          on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=12)
    data = fields.JSONField(default=dict)
    note = fields.TextField(default="")
    proposer = fields.ForeignKeyField("labkit.Person", related_name="mapping_proposals", null=True,
                                      on_delete=fields.SET_NULL)
    contact_email = fields.CharField(max_length=254, default="")
    duplicates_confirmed = fields.JSONField(default=list)
    status = fields.CharField(max_length=12, default="pending", db_index=True)
    reason = fields.TextField(default="")
    decided_by = fields.ForeignKeyField("labkit.Person", related_name="mapping_decisions", null=True,
                                        on_delete=fields.SET_NULL)
    decided_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "mapping_proposal"
        ordering = ["created_at", "id"]


class Change(Model):
    """One entry of an organisation's history: who did what, when, and which fields changed."""

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("mapping.Organisation", related_name="changes",
                                          on_delete=fields.CASCADE)
    actor = fields.ForeignKeyField("labkit.Person", related_name="mapping_changes", null=True,
                                   on_delete=fields.SET_NULL)
    action = fields.CharField(max_length=24)
    fields_changed = fields.JSONField(default=dict)
    note = fields.TextField(default="")
    at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "mapping_change"
        ordering = ["at", "id"]


ROLES = {"admin": N_("administrator"), "member": N_("member")}
"""A member's role in an organisation: administrators may also remove members."""

PROOFS = {
    "staff": N_("confirmed by the lab's team"),
    "domain": N_("proved by an e-mail at the organisation's website domain"),
    "member": N_("confirmed by a member of the organisation"),
}
"""How a membership was confirmed."""


class Membership(Model):
    """A person's tie to an organisation: asked for (``pending``) until the team, a member or a
    mail at the organisation's domain confirms it; confirmed members edit the organisation's entry."""

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("mapping.Organisation", related_name="memberships",
                                          on_delete=fields.CASCADE)
    person = fields.ForeignKeyField("labkit.Person", related_name="mapping_memberships", on_delete=fields.CASCADE)
    role = fields.CharField(max_length=12, default="member")
    status = fields.CharField(max_length=12, default="pending", db_index=True)
    proof = fields.CharField(max_length=12, default="")
    note = fields.CharField(max_length=500, default="")
    proof_email = fields.CharField(max_length=254, default="")
    code_hash = fields.CharField(max_length=64, default="", db_index=True)
    code_expires_at = fields.DatetimeField(null=True)
    confirmed_by = fields.ForeignKeyField("labkit.Person", related_name="mapping_confirmed_memberships", null=True,
                                          on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    confirmed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "mapping_membership"
        unique_together = (("organisation", "person"),)
        ordering = ["created_at", "id"]


SEAL_ICONS = ("check", "star", "handshake", "leaf", "award", "heart")
"""The icons a seal may show (drawn by the plugin's stylesheet, never an uploaded file)."""
SEAL_COLOURS = ("green", "blue", "purple", "orange", "red", "grey")
"""The colours a seal may have (classes of the plugin's stylesheet)."""


class Seal(Model):
    """A mark the lab's team gives organisations, such as "Verified by the lab" or "Partner" (the
    *selos* of Mapas Culturais). A retired seal is no longer granted, and no longer shown."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=80, unique=True)
    description = fields.CharField(max_length=500, default="")
    icon = fields.CharField(max_length=12, default="check")
    colour = fields.CharField(max_length=12, default="green")
    retired = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mapping_seal"
        ordering = ["id"]

    @property
    def label(self) -> str:
        """The name in the current language (the default seals are translated, the lab's own kept)."""
        return gettext(self.name)

    @property
    def meaning(self) -> str:
        """The description in the current language."""
        return gettext(self.description) if self.description else ""


class SealGrant(Model):
    """A seal given to an organisation: when and by whom."""

    id = fields.IntField(primary_key=True)
    seal = fields.ForeignKeyField("mapping.Seal", related_name="grants", on_delete=fields.CASCADE)
    organisation = fields.ForeignKeyField("mapping.Organisation", related_name="seal_grants", on_delete=fields.CASCADE)
    granted_by = fields.ForeignKeyField("labkit.Person", related_name="mapping_seal_grants", null=True,
                                        on_delete=fields.SET_NULL)
    granted_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mapping_seal_grant"
        unique_together = (("seal", "organisation"),)
        ordering = ["seal_id", "id"]


class Invitation(Model):
    """An invitation an organisation's administrator mailed to ``email``: a one-time code (kept
    hashed) that makes whoever opens it, signed in, a confirmed member, until it expires."""

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("mapping.Organisation", related_name="invitations",
                                          on_delete=fields.CASCADE)
    email = fields.CharField(max_length=254)
    invited_by = fields.ForeignKeyField("labkit.Person", related_name="mapping_invitations", null=True,
                                        on_delete=fields.SET_NULL)
    code_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "mapping_invitation"
        ordering = ["created_at", "id"]
