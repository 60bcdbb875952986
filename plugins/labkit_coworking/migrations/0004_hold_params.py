"""A hold's label is kept as a message and its values, shown in each viewer's language."""

from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.data import JSON_DUMPS
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('coworking', '0003_holds'), ('labkit', '0006_images')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Booking',
            name='holder_params',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
    ]
