"""The onboarding plugin's one table: which milestones of the mentoring plan are done."""

from tortoise import fields
from tortoise.models import Model


class Tick(Model):
    """A milestone of MENTORING.md marked done by a staff member. One row per milestone key."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=80, unique=True)
    text = fields.CharField(max_length=500)
    done_by = fields.ForeignKeyField("labkit.Person", related_name="onboarding_ticks", null=True,
                                     on_delete=fields.SET_NULL)
    done_at = fields.DatetimeField(auto_now_add=True)
    note = fields.CharField(max_length=500, default="")

    class Meta:
        table = "onboarding_tick"
