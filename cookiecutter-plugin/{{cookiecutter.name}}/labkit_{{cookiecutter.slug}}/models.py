"""The plugin's table. After changing it, write a migration: `labkit makemigrations {{ cookiecutter.slug }}`."""

from tortoise import fields
from tortoise.models import Model


class Note(Model):
    """A short note someone left on the plugin's page."""

    id = fields.IntField(primary_key=True)
    author = fields.ForeignKeyField("labkit.Person", related_name="{{ cookiecutter.slug }}_notes", on_delete=fields.CASCADE)
    text = fields.CharField(max_length=280)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "{{ cookiecutter.slug }}_note"
