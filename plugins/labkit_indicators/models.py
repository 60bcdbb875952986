"""The indicators plugin's tables: the lab's own portfolio, manual entries, targets and snapshots."""

from tortoise import fields
from tortoise.models import Model


class Project(Model):
    """A project the lab ran or supported, with its journey from conception to delivery."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    status = fields.CharField(max_length=20, default="idea")
    origin = fields.CharField(max_length=20, default="own")
    starts_on = fields.DateField()
    ends_on = fields.DateField(null=True)
    partner_organisations = fields.JSONField(default=list)
    sdgs = fields.JSONField(default=list)
    links = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "indicators_project"
        ordering = ["-starts_on", "id"]


class ProjectMember(Model):
    """A person credited in a project's team (kept inside the lab, never published)."""

    id = fields.IntField(primary_key=True)
    project = fields.ForeignKeyField("indicators.Project", related_name="members", on_delete=fields.CASCADE)
    person = fields.ForeignKeyField("labkit.Person", related_name="indicator_projects", on_delete=fields.CASCADE)
    role = fields.CharField(max_length=100, default="")

    class Meta:
        table = "indicators_project_member"
        unique_together = (("project", "person"),)


class Milestone(Model):
    """A dated step of a project's journey (conception, prototype, pilot, delivery)."""

    id = fields.IntField(primary_key=True)
    project = fields.ForeignKeyField("indicators.Project", related_name="milestones", on_delete=fields.CASCADE)
    happened_on = fields.DateField()
    stage = fields.CharField(max_length=20, default="other")
    text = fields.CharField(max_length=300)

    class Meta:
        table = "indicators_milestone"
        ordering = ["happened_on", "id"]


class Partnership(Model):
    """A formal partnership with an organisation (a mapped one, or a name typed by staff)."""

    id = fields.IntField(primary_key=True)
    organisation_ref = fields.CharField(max_length=64, null=True)
    organisation_name = fields.CharField(max_length=200)
    partner_kind = fields.CharField(max_length=20)
    agreement_type = fields.CharField(max_length=30)
    starts_on = fields.DateField()
    ends_on = fields.DateField(null=True)
    description = fields.TextField(default="")
    projects = fields.ManyToManyField("indicators.Project", related_name="partnerships",
                                      through="indicators_partnership_project")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "indicators_partnership"
        ordering = ["-starts_on", "id"]


class Product(Model):
    """A deliverable: a prototype, service, guide, open dataset, software, report or training."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    product_type = fields.CharField(max_length=20)
    description = fields.TextField(default="")
    licence = fields.CharField(max_length=80, default="")
    url = fields.CharField(max_length=500, default="")
    project = fields.ForeignKeyField("indicators.Project", related_name="products", null=True,
                                     on_delete=fields.SET_NULL)
    delivered_on = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "indicators_product"
        ordering = ["-delivered_on", "id"]


class ManualEntry(Model):
    """A count staff record for offline activity (a workshop of people without accounts)."""

    id = fields.IntField(primary_key=True)
    period = fields.CharField(max_length=10, db_index=True)
    indicator = fields.CharField(max_length=20)
    value = fields.IntField()
    module = fields.CharField(max_length=64, default="indicators")
    kind = fields.CharField(max_length=40, default="offline")
    reason = fields.TextField()
    created_by = fields.ForeignKeyField("labkit.Person", related_name="indicator_entries", null=True,
                                        on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "indicators_manual_entry"
        ordering = ["-period", "id"]


class EntryAudit(Model):
    """One change to a manual entry: who, when, and the values before and after."""

    id = fields.IntField(primary_key=True)
    entry = fields.ForeignKeyField("indicators.ManualEntry", related_name="audit", on_delete=fields.CASCADE)
    action = fields.CharField(max_length=10)
    actor = fields.ForeignKeyField("labkit.Person", related_name="indicator_audit", null=True,
                                   on_delete=fields.SET_NULL)
    actor_name = fields.CharField(max_length=200, default="")
    at = fields.DatetimeField(auto_now_add=True)
    changes = fields.JSONField(default=dict)

    class Meta:
        table = "indicators_entry_audit"
        ordering = ["at", "id"]


class Target(Model):
    """A yearly target for one indicator."""

    id = fields.IntField(primary_key=True)
    year = fields.IntField()
    indicator = fields.CharField(max_length=20)
    value = fields.IntField()

    class Meta:
        table = "indicators_target"
        unique_together = (("year", "indicator"),)


class PeriodState(Model):
    """Where a period stands: provisional (recomputed on demand) or published (frozen)."""

    id = fields.IntField(primary_key=True)
    period = fields.CharField(max_length=10, unique=True)
    status = fields.CharField(max_length=12, default="provisional")
    computed_at = fields.DatetimeField(null=True)
    published_at = fields.DatetimeField(null=True)
    published_by = fields.ForeignKeyField("labkit.Person", related_name="indicator_publications", null=True,
                                          on_delete=fields.SET_NULL)
    threshold = fields.IntField(default=5)
    failures = fields.JSONField(default=list)

    class Meta:
        table = "indicators_period_state"


class Snapshot(Model):
    """One computed figure: a period, an indicator and a breakdown cell (or the total)."""

    id = fields.IntField(primary_key=True)
    period = fields.CharField(max_length=10)
    indicator = fields.CharField(max_length=20)
    dimension = fields.CharField(max_length=20)
    member = fields.CharField(max_length=64)
    value = fields.IntField()
    suppressed = fields.BooleanField(default=False)

    class Meta:
        table = "indicators_snapshot"
        unique_together = (("period", "indicator", "dimension", "member"),)
