"""The core's own tables: people, their API tokens, verifications, single sign-on identities,
rate-limit events, notifications, the mail outbox, the leases of background jobs, the lab's
terms and privacy notice with the consents people gave to them, and the images of any record."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from labkit.i18n import N_

ROLES = (N_("member"), N_("staff"), N_("admin"))
"""The roles, from least to most trusted. Admins hold every permission."""


class Person(Model):
    """Someone with an account. Deleting an account anonymises the row so contributions stay."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=120)
    password_hash = fields.CharField(max_length=200)
    role = fields.CharField(max_length=16, default="member")
    locale = fields.CharField(max_length=8, null=True)
    is_active = fields.BooleanField(default=True)
    session_version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    deleted_at = fields.DatetimeField(null=True)
    tokens: fields.ReverseRelation[ApiToken]
    notifications: fields.ReverseRelation[Notification]
    sso_identities: fields.ReverseRelation[SsoIdentity]
    outbox: fields.ReverseRelation[OutboxMessage]
    verifications: fields.ReverseRelation[Verification]
    consents: fields.ReverseRelation[Consent]

    class Meta:
        table = "labkit_person"

    def __str__(self) -> str:
        return self.name


class ApiToken(Model):
    """A bearer token a machine client uses instead of a session (only its SHA-256 is stored)."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "labkit.Person", related_name="tokens", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=80)
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=12)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "labkit_api_token"


class ThrottleEvent(Model):
    """One counted action (a failed sign-in, a public proposal) for rate limits across workers."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=300, db_index=True)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "labkit_throttle_event"


class Notification(Model):
    """A message for one person, shown in the lab and mailed through the outbox.

    ``message`` is the untranslated text (a msgid) and ``params`` its values: it is shown, and
    mailed, in the recipient's language."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "labkit.Person", related_name="notifications", on_delete=fields.CASCADE)
    message = fields.CharField(max_length=500)
    params: Any = fields.JSONField(default=dict)
    url = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "labkit_notification"


class SsoIdentity(Model):
    """A person's account at an OpenID Connect provider (``[[sso.providers]]``), linked to them.

    The provider's subject identifies the person there for good; the e-mail is only how the link
    was first made. A person may hold several identities and a password as well.
    """

    id = fields.IntField(primary_key=True)
    provider = fields.CharField(max_length=40)
    subject = fields.CharField(max_length=255)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "labkit.Person", related_name="sso_identities", on_delete=fields.CASCADE)
    email = fields.CharField(max_length=254)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "labkit_sso_identity"
        unique_together = (("provider", "subject"),)


OUTBOX_STATUSES = (N_("queued"), N_("sending"), N_("sent"), N_("logged"), N_("failed"))
"""Where an outbox message is: waiting, being sent, sent, written to the log (no mail host), given up."""


class OutboxMessage(Model):
    """An e-mail waiting for the delivery worker, or the record of its delivery.

    ``subject`` and ``body`` are translatable texts (``{"message": msgid, "params": {...}}``; the
    body is a list of them, one paragraph each), rendered at delivery in the recipient's language.
    """

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "labkit.Person", related_name="outbox", null=True, on_delete=fields.SET_NULL)
    person_id: int | None
    address = fields.CharField(max_length=254)
    locale = fields.CharField(max_length=8, null=True)
    subject: Any = fields.JSONField()
    body: Any = fields.JSONField()
    status = fields.CharField(max_length=10, default="queued", db_index=True)
    attempts = fields.IntField(default=0)
    last_error = fields.CharField(max_length=500, default="")
    next_attempt_at = fields.DatetimeField(db_index=True)
    claimed_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "labkit_outbox"


class Lease(Model):
    """A named lease held by one process at a time (see :mod:`labkit.leases`)."""

    name = fields.CharField(max_length=50, primary_key=True)
    holder = fields.CharField(max_length=100)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "labkit_lease"


class Verification(Model):
    """Something the lab knows about a person beyond their password: ``kind`` ``"email"`` (they
    confirmed their address), ``"staff"`` (checked by the lab's team), ``"census"`` (their
    identifier matched the census list), ``"sso:<provider>"`` (signed in through that provider).
    Actions name the kind they need (see :mod:`labkit.verification`)."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "labkit.Person", related_name="verifications", on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=64)
    detail = fields.CharField(max_length=200, default="")
    granted_at = fields.DatetimeField(auto_now_add=True)
    granted_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "labkit.Person", related_name="verifications_granted", null=True, on_delete=fields.SET_NULL)

    class Meta:
        table = "labkit_verification"
        unique_together = (("person", "kind"),)


class CensusEntry(Model):
    """One line of the census list staff uploaded: only a keyed hash of a normalised identifier."""

    id = fields.IntField(primary_key=True)
    digest = fields.CharField(max_length=64, unique=True)
    uploaded_at = fields.DatetimeField(auto_now_add=True)
    claimed_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "labkit.Person", related_name="census_entries", null=True, on_delete=fields.SET_NULL)
    claimed_by_id: int | None

    class Meta:
        table = "labkit_census_entry"


LEGAL_KINDS = ("terms", "privacy")
"""The texts a lab publishes: its terms of use and its privacy notice."""


class LegalText(Model):
    """One language of one version of the terms of use (``kind`` ``"terms"``) or the privacy notice
    (``"privacy"``), in Markdown. Publishing writes a new version; older ones stay, as the record
    of what people accepted (see :mod:`labkit.consent`)."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=16)
    version = fields.IntField()
    language = fields.CharField(max_length=8)
    body = fields.TextField()
    published_at = fields.DatetimeField(auto_now_add=True)
    published_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "labkit.Person", related_name="legal_texts", null=True, on_delete=fields.SET_NULL)

    class Meta:
        table = "labkit_legal_text"
        unique_together = (("kind", "version", "language"),)


class Consent(Model):
    """A person accepted version ``version`` of the texts of ``kind`` at ``accepted_at``. Kept when
    the account is deleted: the row then belongs to the anonymised account."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "labkit.Person", related_name="consents", on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=16)
    version = fields.IntField()
    accepted_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "labkit_consent"
        unique_together = (("person", "kind", "version"),)


class Image(Model):
    """The picture of a record (a logo, a cover, a photo) in a few sizes, kept in the lab's storage.

    ``owner_kind`` names the record's model (``"mapping.organisation"``) and ``owner_id`` its id,
    ``role`` which picture of it this is. The files are ``<key>/<width>.webp`` for each of
    ``widths``; a replaced picture gets a new key (see :mod:`labkit.images`)."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=80, unique=True)
    owner_kind = fields.CharField(max_length=80)
    owner_id = fields.IntField()
    role = fields.CharField(max_length=20)
    alt = fields.CharField(max_length=250)
    width = fields.IntField()
    height = fields.IntField()
    widths: Any = fields.JSONField(default=list)
    uploaded_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "labkit.Person", related_name="images_uploaded", null=True, on_delete=fields.SET_NULL)
    uploaded_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "labkit_image"
        unique_together = (("owner_kind", "owner_id", "role"),)

    def url(self, width: int) -> str:
        """The path the ``width`` pixels wide file is served at."""
        return f"/media/{self.key.removeprefix('images/')}/{width}.webp"

    @property
    def src(self) -> str:
        """The path of the middle size (the ``src`` of an ``<img>`` whose browser ignores ``srcset``)."""
        return self.url(self.widths[len(self.widths) // 2])

    @property
    def srcset(self) -> str:
        """Every size for an ``<img srcset>``: ``"/media/…/160.webp 160w, …"``."""
        return ", ".join(f"{self.url(width)} {width}w" for width in self.widths)
