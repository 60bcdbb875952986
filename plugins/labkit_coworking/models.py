"""The coworking tables: spaces, their resources and closures, bookings, programmes and applications.

Times are stored in UTC. Cross-plugin links (the organisation a booking or an application is made
for) are stored as a reference id, never as a foreign key to another plugin's table.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from labkit.i18n import N_, render

RESOURCE_KINDS = {"desk": N_("Desk"), "room": N_("Room"), "equipment": N_("Equipment")}
BOOKING_STATUSES = {
    "pending": N_("Waiting for approval"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "cancelled": N_("Cancelled"),
    "no_show": N_("No-show"),
}
ACTIVE_STATUSES = ("pending", "approved")
"""Bookings that hold their places: a pending request keeps the slot until staff decide."""
PROGRAMME_KINDS = {"residency": N_("Residency"), "visiting": N_("Visiting scheme")}
APPLICATION_STATUSES = {
    "submitted": N_("Submitted"),
    "selected": N_("Selected"),
    "rejected": N_("Not selected"),
    "withdrawn": N_("Withdrawn"),
}


class Space(Model):
    """A place of the lab where people can book desks, rooms and equipment."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=120)
    address = fields.CharField(max_length=250, default="")
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    description = fields.TextField(default="")
    accessibility = fields.TextField(default="")
    guidelines = fields.TextField(default="")
    amenities = fields.TextField(default="")
    opening_hours = fields.JSONField(default=dict)
    quota_hours_per_week = fields.IntField(default=0)
    required_verification = fields.CharField(max_length=64, default="")
    """The kind of verification booking here needs besides a confirmed address ("" for none)."""
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "coworking_space"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def amenity_list(self) -> list[str]:
        return [line.strip() for line in self.amenities.splitlines() if line.strip()]


class Closure(Model):
    """Days a space is closed (holidays, works), first and last day included."""

    id = fields.IntField(primary_key=True)
    space = fields.ForeignKeyField("coworking.Space", related_name="closures", on_delete=fields.CASCADE)
    first_day = fields.DateField()
    last_day = fields.DateField()
    reason = fields.CharField(max_length=200, default="")

    class Meta:
        table = "coworking_closure"
        ordering = ["first_day"]


class Resource(Model):
    """Something inside a space that people book: a room, a set of desks, a machine."""

    id = fields.IntField(primary_key=True)
    space = fields.ForeignKeyField("coworking.Space", related_name="resources", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=120)
    kind = fields.CharField(max_length=16, default="desk")
    description = fields.TextField(default="")
    capacity = fields.IntField(default=1)
    exclusive = fields.BooleanField(default=False)
    auto_approve = fields.BooleanField(default=True)
    min_notice_minutes = fields.IntField(default=60)
    max_length_minutes = fields.IntField(default=8 * 60)
    max_days_ahead = fields.IntField(default=60)
    is_active = fields.BooleanField(default=True)

    class Meta:
        table = "coworking_resource"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Booking(Model):
    """A person's request for a resource over a time range, and what became of it, or a hold
    another plugin put on the whole space (``holder`` set, no person: a training session)."""

    id = fields.IntField(primary_key=True)
    resource = fields.ForeignKeyField("coworking.Resource", related_name="bookings", on_delete=fields.CASCADE)
    person = fields.ForeignKeyField("labkit.Person", related_name="coworking_bookings", null=True,
                                    on_delete=fields.CASCADE)
    holder = fields.CharField(max_length=64, null=True, db_index=True)
    """What holds the space, for a hold (``"training.session:12"``); ``None`` for a person's booking."""
    holder_label = fields.CharField(max_length=250, default="")
    """The hold's label as an untranslated message (``"Training: %(course)s"``), with its values in
    ``holder_params``: :attr:`held_by` shows it in the viewer's language."""
    holder_params = fields.JSONField(null=True)
    """The values of ``holder_label``'s placeholders (``None`` for a person's booking, and for a
    hold made before they were kept, whose label is already in words)."""
    holder_url = fields.CharField(max_length=250, default="")
    organisation_ref = fields.CharField(max_length=64, null=True)
    start = fields.DatetimeField(db_index=True)
    end = fields.DatetimeField(db_index=True)
    purpose = fields.CharField(max_length=500, default="")
    attendees = fields.IntField(default=1)
    status = fields.CharField(max_length=16, default="pending", db_index=True)
    decision_reason = fields.CharField(max_length=500, default="")
    decided_by = fields.ForeignKeyField("labkit.Person", related_name="coworking_decisions", null=True,
                                        on_delete=fields.SET_NULL)
    decided_at = fields.DatetimeField(null=True)
    series = fields.CharField(max_length=36, null=True, db_index=True)
    guidelines_accepted_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "coworking_booking"
        ordering = ["start"]

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    @property
    def held_by(self) -> str:
        """What holds the booking, for a hold, in the current language ("" for a person's booking)."""
        return render({"message": self.holder_label, "params": self.holder_params or {}}) if self.holder else ""


class Programme(Model):
    """A residency or visiting scheme: a call for teams, a number of places and a cohort period."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=160)
    kind = fields.CharField(max_length=16, default="residency")
    description = fields.TextField(default="")
    space = fields.ForeignKeyField("coworking.Space", related_name="programmes", null=True, on_delete=fields.SET_NULL)
    call_opens = fields.DateField()
    call_closes = fields.DateField()
    places = fields.IntField(default=1)
    cohort_start = fields.DateField()
    cohort_end = fields.DateField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "coworking_programme"
        ordering = ["-call_opens"]

    def __str__(self) -> str:
        return self.title


class Application(Model):
    """A team's application to a programme with the project it wants to develop."""

    id = fields.IntField(primary_key=True)
    programme = fields.ForeignKeyField("coworking.Programme", related_name="applications", on_delete=fields.CASCADE)
    applicant = fields.ForeignKeyField("labkit.Person", related_name="coworking_applications", on_delete=fields.CASCADE)
    project_title = fields.CharField(max_length=160)
    project_description = fields.TextField()
    organisation_ref = fields.CharField(max_length=64, null=True)
    status = fields.CharField(max_length=16, default="submitted", db_index=True)
    decision_reason = fields.CharField(max_length=500, default="")
    decided_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "coworking_application"
        ordering = ["created_at"]
        unique_together = (("programme", "applicant"),)


class Member(Model):
    """A member of an applying team (linked to an account when their e-mail has one)."""

    id = fields.IntField(primary_key=True)
    application = fields.ForeignKeyField("coworking.Application", related_name="members", on_delete=fields.CASCADE)
    person = fields.ForeignKeyField("labkit.Person", related_name="coworking_memberships", null=True,
                                    on_delete=fields.SET_NULL)
    name = fields.CharField(max_length=120)
    email = fields.CharField(max_length=254, default="")

    class Meta:
        table = "coworking_member"
