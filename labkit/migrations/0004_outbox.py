from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('labkit', '0003_sso')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Lease',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=50)),
                ('holder', fields.CharField(max_length=100)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'labkit_lease', 'app': 'labkit', 'pk_attr': 'name', 'table_description': 'A named lease held by one process at a time (see :mod:`labkit.leases`).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('labkit.Person', source_field='person_id', null=True, db_constraint=True, to_field='id', related_name='outbox', on_delete=OnDelete.SET_NULL)),
                ('address', fields.CharField(max_length=254)),
                ('locale', fields.CharField(null=True, max_length=8)),
                ('subject', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('body', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharField(default='queued', db_index=True, max_length=10)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.CharField(default='', max_length=500)),
                ('next_attempt_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'labkit_outbox', 'app': 'labkit', 'pk_attr': 'id', 'table_description': 'An e-mail waiting for the delivery worker, or the record of its delivery.'},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='Notification',
            options={'table': 'labkit_notification', 'app': 'labkit', 'pk_attr': 'id', 'table_description': 'A message for one person, shown in the lab and mailed through the outbox.'},
        ),
        ops.AddField(
            model_name='Notification',
            name='params',
            field=fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
