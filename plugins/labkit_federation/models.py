"""The federation hub's tables: member labs, their lab-level figures, pushes and harvests.

Only aggregates are stored: a hub never receives a person's identity (see the indicators format).
Totals of a region are always computed from the ``Observation`` rows of its labs, never stored.
"""

from tortoise import fields
from tortoise.models import Model


class Member(Model):
    """A lab (or another hub) registered with this hub, keyed by its official code.

    ``code`` is the LAB dimension of the indicators format (``BR-3550308``, ``PT-1106``).
    ``region_path`` lists the region codes from the nation down to the level above the lab,
    separated by ``/`` (``BR/BR-SP``, ``PT/PT-11``): totals of any level are sums over a prefix.
    ``mentor`` is the lab that trained this one (the trainer-of-trainers tree), with when and in
    which programme; the tree is shown and exported, never summed along.
    ``hub`` is the member hub that relays this lab's figures (set when a hub's document first
    carried it); a lab first seen through a hub is registered inactive (not expected) with a
    ``note`` saying so, so none of its figures is lost.
    """

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    kind = fields.CharField(max_length=10, default="lab")
    municipality = fields.CharField(max_length=200, default="")
    region_path = fields.CharField(max_length=255, default="", db_index=True)
    url = fields.CharField(max_length=500, default="")
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    joined_on = fields.DateField(null=True)
    mentor = fields.ForeignKeyField("federation.Member", related_name="trainees", null=True,
                                    on_delete=fields.SET_NULL)
    trained_on = fields.DateField(null=True)
    programme = fields.CharField(max_length=200, default="")
    active = fields.BooleanField(default=True)
    hub = fields.ForeignKeyField("federation.Member", related_name="relayed_labs", null=True,
                                 on_delete=fields.SET_NULL)
    note = fields.CharField(max_length=500, default="")
    token_hash = fields.CharField(max_length=64, null=True, unique=True)
    token_created_at = fields.DatetimeField(null=True)
    etag = fields.CharField(max_length=200, default="")
    content_hash = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "federation_member"
        ordering = ("code",)


class Observation(Model):
    """One figure of one lab: indicator × period × breakdown cell (``_T`` means all).

    The unique key makes storage idempotent: a period's document replaces that lab's slice for
    that period, so a repeated or re-harvested document never double counts. ``via`` is the hub
    the figure came through when it was not sent by the lab itself (hub of hubs).

    On PostgreSQL, ``member`` has no foreign-key constraint (migration 0006), and ``period`` has
    no index of its own anywhere: a national harvest writes about 78 rows per lab, and checking
    each row's member and keeping that index took 40 % of PostgreSQL's CPU in a cold harvest
    (docs/benchmarks.md). The rows are only written by :mod:`labkit_federation.storage`, for
    members it has locked, with their :class:`Report` (which keeps its constraint), and a member
    is deactivated, never deleted. The unique key, member first, serves every lookup by member
    and period. ``via``, empty in nearly every row, keeps its constraint: an empty one is free.
    When the figures were received is its :class:`Report`'s (first and last reception).
    """

    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("federation.Member", related_name="observations", on_delete=fields.CASCADE)
    indicator = fields.CharField(max_length=20)
    period = fields.CharField(max_length=10)
    frequency = fields.CharField(max_length=1)
    module = fields.CharField(max_length=64, default="_T")
    kind = fields.CharField(max_length=64, default="_T")
    value = fields.IntField(null=True)
    suppressed = fields.BooleanField(default=False)
    status = fields.CharField(max_length=12, default="provisional")
    via = fields.ForeignKeyField("federation.Member", related_name="relayed", null=True, on_delete=fields.SET_NULL)

    class Meta:
        table = "federation_observation"
        unique_together = (("member", "indicator", "period", "module", "kind"),)


class RegionTotal(Model):
    """The labs' own totals of one indicator and period, summed over the labs of one region path.

    Kept in the same transaction as the observations (:mod:`labkit_federation.summary`), so the
    hub's totals of any region — a prefix of these paths — are a sum over a few rows, whatever the
    number of labs. ``indicator`` ``*`` counts the labs with any total in the period.
    """

    id = fields.IntField(primary_key=True)
    period = fields.CharField(max_length=10)
    region_path = fields.CharField(max_length=255)
    indicator = fields.CharField(max_length=20)
    value = fields.BigIntField(default=0)
    """The sum of the figures that are not suppressed."""
    labs = fields.IntField(default=0)
    """Labs whose figure is in ``value``."""
    suppressed = fields.IntField(default=0)
    """Labs whose figure is suppressed (left out)."""

    class Meta:
        table = "federation_region_total"
        unique_together = (("period", "region_path", "indicator"),)


class Revision(Model):
    """One row counting the changes to the stored figures: the hub's publication is built once per
    revision and served from memory until a figure changes (:mod:`labkit_federation.publish`)."""

    id = fields.IntField(primary_key=True)
    number = fields.BigIntField(default=0)

    class Meta:
        table = "federation_revision"


class Report(Model):
    """A lab's report for one period: when it first and last arrived, how, and its status.

    Completeness and timeliness are read from here: expected members without a report did not
    report; ``first_received_at`` after the period's deadline is late.
    """

    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("federation.Member", related_name="reports", on_delete=fields.CASCADE)
    period = fields.CharField(max_length=10, db_index=True)
    frequency = fields.CharField(max_length=1)
    status = fields.CharField(max_length=12, default="provisional")
    source = fields.CharField(max_length=10, default="pull")
    via = fields.ForeignKeyField("federation.Member", related_name="relayed_reports", null=True,
                                 on_delete=fields.SET_NULL)
    published_at = fields.DatetimeField(null=True)
    first_received_at = fields.DatetimeField()
    last_received_at = fields.DatetimeField()
    content_hash = fields.CharField(max_length=64, default="")

    class Meta:
        table = "federation_report"
        unique_together = (("member", "period"),)


class PushReceipt(Model):
    """The stored answer to a push, keyed by the lab and its ``Idempotency-Key``.

    The same key with the same body replays ``response``; the same key with another body is
    refused. Kept in the database so every worker of the hub sees it.
    """

    id = fields.IntField(primary_key=True)
    member = fields.ForeignKeyField("federation.Member", related_name="receipts", on_delete=fields.CASCADE)
    key = fields.CharField(max_length=200)
    body_hash = fields.CharField(max_length=64)
    status_code = fields.IntField()
    response = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "federation_push_receipt"
        unique_together = (("member", "key"),)


class HarvestRun(Model):
    """One harvest of every member (from the command line, the schedule or a staff button)."""

    id = fields.IntField(primary_key=True)
    trigger = fields.CharField(max_length=10, default="cli")
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    counts = fields.JSONField(default=dict)

    class Meta:
        table = "federation_harvest_run"
        ordering = ("-started_at", "-id")


class HarvestResult(Model):
    """What happened to one member in one harvest.

    ``outcome`` is one of ok, unchanged, http_error, timeout, unreachable, truncated (the
    connection closed mid-body), invalid, refused (an address the hub may not fetch), hub_error. ``errors`` holds the validation errors of an invalid
    document; ``summary`` the import summary of an accepted one.
    """

    id = fields.IntField(primary_key=True)
    run = fields.ForeignKeyField("federation.HarvestRun", related_name="results", on_delete=fields.CASCADE)
    member = fields.ForeignKeyField("federation.Member", related_name="harvests", on_delete=fields.CASCADE)
    outcome = fields.CharField(max_length=12)
    http_status = fields.IntField(null=True)
    detail = fields.CharField(max_length=500, default="")
    errors = fields.JSONField(default=list)
    summary = fields.JSONField(default=dict)
    attempts = fields.IntField(default=1)
    duration_ms = fields.IntField(default=0)
    finished_at = fields.DatetimeField()

    class Meta:
        table = "federation_harvest_result"
        unique_together = (("run", "member"),)



class ReportedTraining(Model):
    """A training a member lab says it gave to another lab's team (``lab.trainings`` of its
    document, format 1.2): shown in the trainer-of-trainers tree. Each document replaces the
    member's list, so a repeated one changes nothing."""

    id = fields.IntField(primary_key=True)
    trainer = fields.ForeignKeyField("federation.Member", related_name="trainings_given", on_delete=fields.CASCADE)
    trainee_code = fields.CharField(max_length=64, db_index=True)
    course = fields.CharField(max_length=200)
    given_on = fields.DateField()

    class Meta:
        table = "federation_reported_training"
        unique_together = (("trainer", "trainee_code", "course", "given_on"),)


class HarvestTask(Model):
    """One member to fetch in one harvest run: the queue every harvesting process takes work from.

    Filled when a run starts (:mod:`labkit_federation.work_queue`). A process takes a few tasks
    at a time (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL), writing its name in
    ``taken_by`` and keeping ``taken_until`` in the future while it works; a task whose
    ``taken_until`` has passed (its process died) is taken again. A task is done when the run has
    a ``HarvestResult`` for its member; the run's tasks are deleted when the run finishes.
    """

    id = fields.IntField(primary_key=True)
    run = fields.ForeignKeyField("federation.HarvestRun", related_name="tasks", on_delete=fields.CASCADE)
    member = fields.ForeignKeyField("federation.Member", related_name="tasks", on_delete=fields.CASCADE)
    taken_by = fields.CharField(max_length=100, default="")
    taken_until = fields.DatetimeField(null=True)
    takes = fields.IntField(default=0)
    """How many times the task was taken (more than once: a process died or gave it back)."""

    class Meta:
        table = "federation_harvest_task"
        unique_together = (("run", "member"),)
