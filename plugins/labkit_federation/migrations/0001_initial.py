import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='HarvestRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('trigger', fields.CharField(default='cli', max_length=10)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('counts', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'federation_harvest_run', 'app': 'federation', 'pk_attr': 'id', 'table_description': 'One harvest of every member (from the command line, the schedule or a staff button).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Lease',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=50)),
                ('holder', fields.CharField(max_length=100)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'federation_lease', 'app': 'federation', 'pk_attr': 'name', 'table_description': "A named lease held by one process at a time (the harvest schedule's lock across workers)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Member',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('kind', fields.CharField(default='lab', max_length=10)),
                ('municipality', fields.CharField(default='', max_length=200)),
                ('region_path', fields.CharField(default='', db_index=True, max_length=255)),
                ('url', fields.CharField(default='', max_length=500)),
                ('latitude', fields.FloatField(null=True)),
                ('longitude', fields.FloatField(null=True)),
                ('joined_on', fields.DateField(null=True)),
                ('mentor', fields.ForeignKeyField('federation.Member', source_field='mentor_id', null=True, db_constraint=True, to_field='id', related_name='trainees', on_delete=OnDelete.SET_NULL)),
                ('trained_on', fields.DateField(null=True)),
                ('programme', fields.CharField(default='', max_length=200)),
                ('active', fields.BooleanField(default=True)),
                ('hub', fields.ForeignKeyField('federation.Member', source_field='hub_id', null=True, db_constraint=True, to_field='id', related_name='relayed_labs', on_delete=OnDelete.SET_NULL)),
                ('note', fields.CharField(default='', max_length=500)),
                ('token_hash', fields.CharField(null=True, unique=True, max_length=64)),
                ('token_created_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('etag', fields.CharField(default='', max_length=200)),
                ('content_hash', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'federation_member', 'app': 'federation', 'pk_attr': 'id', 'table_description': 'A lab (or another hub) registered with this hub, keyed by its official code.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HarvestResult',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('run', fields.ForeignKeyField('federation.HarvestRun', source_field='run_id', db_constraint=True, to_field='id', related_name='results', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('federation.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='harvests', on_delete=OnDelete.CASCADE)),
                ('outcome', fields.CharField(max_length=12)),
                ('http_status', fields.IntField(null=True)),
                ('detail', fields.CharField(default='', max_length=500)),
                ('errors', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('summary', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('attempts', fields.IntField(default=1)),
                ('duration_ms', fields.IntField(default=0)),
                ('finished_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'federation_harvest_result', 'app': 'federation', 'unique_together': (('run', 'member'),), 'pk_attr': 'id', 'table_description': 'What happened to one member in one harvest.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Observation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('federation.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='observations', on_delete=OnDelete.CASCADE)),
                ('indicator', fields.CharField(max_length=20)),
                ('period', fields.CharField(db_index=True, max_length=10)),
                ('frequency', fields.CharField(max_length=1)),
                ('module', fields.CharField(default='_T', max_length=64)),
                ('kind', fields.CharField(default='_T', max_length=64)),
                ('value', fields.IntField(null=True)),
                ('suppressed', fields.BooleanField(default=False)),
                ('status', fields.CharField(default='provisional', max_length=12)),
                ('via', fields.ForeignKeyField('federation.Member', source_field='via_id', null=True, db_constraint=True, to_field='id', related_name='relayed', on_delete=OnDelete.SET_NULL)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'federation_observation', 'app': 'federation', 'unique_together': (('member', 'indicator', 'period', 'module', 'kind'),), 'pk_attr': 'id', 'table_description': 'One figure of one lab: indicator × period × breakdown cell (``_T`` means all).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PushReceipt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('federation.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='receipts', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=200)),
                ('body_hash', fields.CharField(max_length=64)),
                ('status_code', fields.IntField()),
                ('response', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'federation_push_receipt', 'app': 'federation', 'unique_together': (('member', 'key'),), 'pk_attr': 'id', 'table_description': 'The stored answer to a push, keyed by the lab and its ``Idempotency-Key``.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Report',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('federation.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.CASCADE)),
                ('period', fields.CharField(db_index=True, max_length=10)),
                ('frequency', fields.CharField(max_length=1)),
                ('status', fields.CharField(default='provisional', max_length=12)),
                ('source', fields.CharField(default='pull', max_length=10)),
                ('via', fields.ForeignKeyField('federation.Member', source_field='via_id', null=True, db_constraint=True, to_field='id', related_name='relayed_reports', on_delete=OnDelete.SET_NULL)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('first_received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('content_hash', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'federation_report', 'app': 'federation', 'unique_together': (('member', 'period'),), 'pk_attr': 'id', 'table_description': "A lab's report for one period: when it first and last arrived, how, and its status."},
            bases=['Model'],
        ),
    ]
