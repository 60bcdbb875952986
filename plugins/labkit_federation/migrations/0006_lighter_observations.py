"""Storing a figure costs less: no foreign-key check of each row's member on PostgreSQL, no index
on the period alone, no reception time per row (the report has it). See the Observation model's
docstring for why this is safe."""

from tortoise import fields, migrations

from labkit.fresh_schema import AlterFieldInState, RemoveFieldInState, SchemaSQL, SQLForExistingRows


class Migration(migrations.Migration):
    dependencies = [('federation', '0005_harvest_task')]

    initial = False

    operations = [
        AlterFieldInState(
            model_name='Observation',
            name='period',
            field=fields.CharField(max_length=10),
        ),
        RemoveFieldInState(
            model_name='Observation',
            name='received_at',
        ),
        SQLForExistingRows(['DROP INDEX IF EXISTS "idx_federation__period_edf969"',
                            'ALTER TABLE "federation_observation" DROP COLUMN "received_at"']),
        # Tortoise writes every foreign key into CREATE TABLE: a new database drops this one too
        SchemaSQL(['ALTER TABLE "federation_observation" DROP CONSTRAINT IF EXISTS '
                   '"federation_observation_member_id_fkey"'], dialect="postgres"),
    ]
