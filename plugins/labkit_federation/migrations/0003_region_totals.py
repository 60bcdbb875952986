"""The regions' totals kept at each ingest (labkit_federation.summary), filled from the stored figures;
the revision counter the publication's cache is keyed by."""

from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from labkit.fresh_schema import ForExistingRows


async def fill(apps: Any, schema_editor: Any) -> None:
    """Sum the figures a hub already holds into the new table."""
    from labkit_federation.summary import rebuild

    await rebuild()


class Migration(migrations.Migration):
    dependencies = [('federation', '0002_lease_moved_to_core')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RegionTotal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('period', fields.CharField(max_length=10)),
                ('region_path', fields.CharField(max_length=255)),
                ('indicator', fields.CharField(max_length=20)),
                ('value', fields.BigIntField(default=0)),
                ('labs', fields.IntField(default=0)),
                ('suppressed', fields.IntField(default=0)),
            ],
            options={'table': 'federation_region_total', 'app': 'federation', 'unique_together': (('period', 'region_path', 'indicator'),), 'pk_attr': 'id', 'table_description': "The labs' own totals of one indicator and period, summed over the labs of one region path."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Revision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.BigIntField(default=0)),
            ],
            options={'table': 'federation_revision', 'app': 'federation', 'pk_attr': 'id', 'table_description': "One row counting the changes to the stored figures: the hub's publication is built once per"},
            bases=['Model'],
        ),
        ForExistingRows(fill),
    ]
