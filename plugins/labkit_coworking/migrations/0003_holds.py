"""Bookings can be holds another plugin puts on a whole space (no person, a holder instead)."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from labkit.fresh_schema import SQLForExistingRows

# On SQLite, Tortoise alters a column by rebuilding the table without its indexes, and adds a field
# without the index it asks for: they are made again here (PostgreSQL keeps them: IF NOT EXISTS).
BOOKING_INDEXES = {"idx_coworking_b_start_dfa984": "start", "idx_coworking_b_end_c78972": "end",
                   "idx_coworking_b_status_89304b": "status", "idx_coworking_b_series_974c06": "series",
                   "idx_coworking_b_holder_feec0f": "holder"}


class Migration(migrations.Migration):
    dependencies = [('coworking', '0002_required_verification'), ('labkit', '0006_images')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='Booking',
            options={'table': 'coworking_booking', 'app': 'coworking', 'pk_attr': 'id', 'table_description': "A person's request for a resource over a time range, and what became of it, or a hold"},
        ),
        ops.AlterField(
            model_name='Booking',
            name='person',
            field=fields.ForeignKeyField('labkit.Person', source_field='person_id', null=True, db_constraint=True, to_field='id', related_name='coworking_bookings', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='Booking',
            name='holder',
            field=fields.CharField(null=True, db_index=True, max_length=64),
        ),
        ops.AddField(
            model_name='Booking',
            name='holder_label',
            field=fields.CharField(default='', max_length=250),
        ),
        ops.AddField(
            model_name='Booking',
            name='holder_url',
            field=fields.CharField(default='', max_length=250),
        ),
        SQLForExistingRows([f'CREATE INDEX IF NOT EXISTS "{name}" ON "coworking_booking" ("{column}")'
                            for name, column in BOOKING_INDEXES.items()]),
    ]
