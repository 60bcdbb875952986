"""The queue of member fetches every harvesting process takes work from (labkit_federation.work_queue)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('federation', '0004_reported_trainings')]

    initial = False

    operations = [
        ops.CreateModel(
            name='HarvestTask',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('run', fields.ForeignKeyField('federation.HarvestRun', source_field='run_id', db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('federation.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.CASCADE)),
                ('taken_by', fields.CharField(default='', max_length=100)),
                ('taken_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('takes', fields.IntField(default=0)),
            ],
            options={'table': 'federation_harvest_task', 'app': 'federation', 'unique_together': (('run', 'member'),), 'pk_attr': 'id', 'table_description': 'One member to fetch in one harvest run: the queue every harvesting process takes work from.'},
            bases=['Model'],
        ),
    ]
