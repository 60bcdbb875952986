"""Storing a figure costs PostgreSQL less: no foreign-key check of each row's member there, and no
index on the period alone (see the Observation model's docstring for why this is safe)."""

from tortoise import fields, migrations

from labkit.fresh_schema import AlterFieldInState, SchemaSQL


class Migration(migrations.Migration):
    dependencies = [('federation', '0005_harvest_task')]

    initial = False

    operations = [
        AlterFieldInState(
            model_name='Observation',
            name='period',
            field=fields.CharField(max_length=10),
        ),
        SchemaSQL(['DROP INDEX IF EXISTS "idx_federation__period_edf969"']),
        SchemaSQL(['ALTER TABLE "federation_observation" DROP CONSTRAINT IF EXISTS '
                   '"federation_observation_member_id_fkey"'], dialect="postgres"),
    ]
