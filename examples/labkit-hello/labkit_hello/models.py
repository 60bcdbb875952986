"""The plugin's one table."""

from tortoise import fields
from tortoise.models import Model


class Greeting(Model):
    """A short message someone left on the lab's wall."""

    id = fields.IntField(primary_key=True)
    author = fields.ForeignKeyField("labkit.Person", related_name="greetings", on_delete=fields.CASCADE)
    text = fields.CharField(max_length=280)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "hello_greeting"
