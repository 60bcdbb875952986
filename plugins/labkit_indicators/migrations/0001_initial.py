from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('labkit', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='ManualEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('period', fields.CharField(db_index=True, max_length=10)),
                ('indicator', fields.CharField(max_length=20)),
                ('value', fields.IntField()),
                ('module', fields.CharField(default='indicators', max_length=64)),
                ('kind', fields.CharField(default='offline', max_length=40)),
                ('reason', fields.TextField(unique=False)),
                ('created_by', fields.ForeignKeyField('labkit.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='indicator_entries', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'indicators_manual_entry', 'app': 'indicators', 'pk_attr': 'id', 'table_description': 'A count staff record for offline activity (a workshop of people without accounts).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EntryAudit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('entry', fields.ForeignKeyField('indicators.ManualEntry', source_field='entry_id', db_constraint=True, to_field='id', related_name='audit', on_delete=OnDelete.CASCADE)),
                ('action', fields.CharField(max_length=10)),
                ('actor', fields.ForeignKeyField('labkit.Person', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='indicator_audit', on_delete=OnDelete.SET_NULL)),
                ('actor_name', fields.CharField(default='', max_length=200)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('changes', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'indicators_entry_audit', 'app': 'indicators', 'pk_attr': 'id', 'table_description': 'One change to a manual entry: who, when, and the values before and after.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PeriodState',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('period', fields.CharField(unique=True, max_length=10)),
                ('status', fields.CharField(default='provisional', max_length=12)),
                ('computed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('published_by', fields.ForeignKeyField('labkit.Person', source_field='published_by_id', null=True, db_constraint=True, to_field='id', related_name='indicator_publications', on_delete=OnDelete.SET_NULL)),
                ('threshold', fields.IntField(default=5)),
                ('failures', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'indicators_period_state', 'app': 'indicators', 'pk_attr': 'id', 'table_description': 'Where a period stands: provisional (recomputed on demand) or published (frozen).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Project',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('status', fields.CharField(default='idea', max_length=20)),
                ('origin', fields.CharField(default='own', max_length=20)),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField(null=True)),
                ('partner_organisations', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('sdgs', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('links', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'indicators_project', 'app': 'indicators', 'pk_attr': 'id', 'table_description': 'A project the lab ran or supported, with its journey from conception to delivery.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Milestone',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('indicators.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='milestones', on_delete=OnDelete.CASCADE)),
                ('happened_on', fields.DateField()),
                ('stage', fields.CharField(default='other', max_length=20)),
                ('text', fields.CharField(max_length=300)),
            ],
            options={'table': 'indicators_milestone', 'app': 'indicators', 'pk_attr': 'id', 'table_description': "A dated step of a project's journey (conception, prototype, pilot, delivery)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Partnership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation_ref', fields.CharField(null=True, max_length=64)),
                ('organisation_name', fields.CharField(max_length=200)),
                ('partner_kind', fields.CharField(max_length=20)),
                ('agreement_type', fields.CharField(max_length=30)),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField(null=True)),
                ('description', fields.TextField(default='', unique=False)),
                ('projects', fields.ManyToManyField('indicators.Project', unique=True, db_constraint=True, through='indicators_partnership_project', forward_key='project_id', backward_key='indicators_partnership_id', related_name='partnerships', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'indicators_partnership', 'app': 'indicators', 'pk_attr': 'id', 'table_description': 'A formal partnership with an organisation (a mapped one, or a name typed by staff).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Product',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('product_type', fields.CharField(max_length=20)),
                ('description', fields.TextField(default='', unique=False)),
                ('licence', fields.CharField(default='', max_length=80)),
                ('url', fields.CharField(default='', max_length=500)),
                ('project', fields.ForeignKeyField('indicators.Project', source_field='project_id', null=True, db_constraint=True, to_field='id', related_name='products', on_delete=OnDelete.SET_NULL)),
                ('delivered_on', fields.DateField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'indicators_product', 'app': 'indicators', 'pk_attr': 'id', 'table_description': 'A deliverable: a prototype, service, guide, open dataset, software, report or training.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProjectMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('indicators.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('labkit.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='indicator_projects', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(default='', max_length=100)),
            ],
            options={'table': 'indicators_project_member', 'app': 'indicators', 'unique_together': (('project', 'person'),), 'pk_attr': 'id', 'table_description': "A person credited in a project's team (kept inside the lab, never published)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Snapshot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('period', fields.CharField(max_length=10)),
                ('indicator', fields.CharField(max_length=20)),
                ('dimension', fields.CharField(max_length=20)),
                ('member', fields.CharField(max_length=64)),
                ('value', fields.IntField()),
                ('suppressed', fields.BooleanField(default=False)),
            ],
            options={'table': 'indicators_snapshot', 'app': 'indicators', 'unique_together': (('period', 'indicator', 'dimension', 'member'),), 'pk_attr': 'id', 'table_description': 'One computed figure: a period, an indicator and a breakdown cell (or the total).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Target',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('year', fields.IntField()),
                ('indicator', fields.CharField(max_length=20)),
                ('value', fields.IntField()),
            ],
            options={'table': 'indicators_target', 'app': 'indicators', 'unique_together': (('year', 'indicator'),), 'pk_attr': 'id', 'table_description': 'A yearly target for one indicator.'},
            bases=['Model'],
        ),
    ]
