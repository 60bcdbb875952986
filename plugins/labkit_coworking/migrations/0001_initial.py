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
            name='Space',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=120)),
                ('address', fields.CharField(default='', max_length=250)),
                ('latitude', fields.FloatField(null=True)),
                ('longitude', fields.FloatField(null=True)),
                ('description', fields.TextField(default='', unique=False)),
                ('accessibility', fields.TextField(default='', unique=False)),
                ('guidelines', fields.TextField(default='', unique=False)),
                ('amenities', fields.TextField(default='', unique=False)),
                ('opening_hours', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('quota_hours_per_week', fields.IntField(default=0)),
                ('is_active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'coworking_space', 'app': 'coworking', 'pk_attr': 'id', 'table_description': 'A place of the lab where people can book desks, rooms and equipment.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Closure',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('space', fields.ForeignKeyField('coworking.Space', source_field='space_id', db_constraint=True, to_field='id', related_name='closures', on_delete=OnDelete.CASCADE)),
                ('first_day', fields.DateField()),
                ('last_day', fields.DateField()),
                ('reason', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'coworking_closure', 'app': 'coworking', 'pk_attr': 'id', 'table_description': 'Days a space is closed (holidays, works), first and last day included.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Programme',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=160)),
                ('kind', fields.CharField(default='residency', max_length=16)),
                ('description', fields.TextField(default='', unique=False)),
                ('space', fields.ForeignKeyField('coworking.Space', source_field='space_id', null=True, db_constraint=True, to_field='id', related_name='programmes', on_delete=OnDelete.SET_NULL)),
                ('call_opens', fields.DateField()),
                ('call_closes', fields.DateField()),
                ('places', fields.IntField(default=1)),
                ('cohort_start', fields.DateField()),
                ('cohort_end', fields.DateField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'coworking_programme', 'app': 'coworking', 'pk_attr': 'id', 'table_description': 'A residency or visiting scheme: a call for teams, a number of places and a cohort period.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Application',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('programme', fields.ForeignKeyField('coworking.Programme', source_field='programme_id', db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.CASCADE)),
                ('applicant', fields.ForeignKeyField('labkit.Person', source_field='applicant_id', db_constraint=True, to_field='id', related_name='coworking_applications', on_delete=OnDelete.CASCADE)),
                ('project_title', fields.CharField(max_length=160)),
                ('project_description', fields.TextField(unique=False)),
                ('organisation_ref', fields.CharField(null=True, max_length=64)),
                ('status', fields.CharField(default='submitted', db_index=True, max_length=16)),
                ('decision_reason', fields.CharField(default='', max_length=500)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'coworking_application', 'app': 'coworking', 'unique_together': (('programme', 'applicant'),), 'pk_attr': 'id', 'table_description': "A team's application to a programme with the project it wants to develop."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Member',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('coworking.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('labkit.Person', source_field='person_id', null=True, db_constraint=True, to_field='id', related_name='coworking_memberships', on_delete=OnDelete.SET_NULL)),
                ('name', fields.CharField(max_length=120)),
                ('email', fields.CharField(default='', max_length=254)),
            ],
            options={'table': 'coworking_member', 'app': 'coworking', 'pk_attr': 'id', 'table_description': 'A member of an applying team (linked to an account when their e-mail has one).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Resource',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('space', fields.ForeignKeyField('coworking.Space', source_field='space_id', db_constraint=True, to_field='id', related_name='resources', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=120)),
                ('kind', fields.CharField(default='desk', max_length=16)),
                ('description', fields.TextField(default='', unique=False)),
                ('capacity', fields.IntField(default=1)),
                ('exclusive', fields.BooleanField(default=False)),
                ('auto_approve', fields.BooleanField(default=True)),
                ('min_notice_minutes', fields.IntField(default=60)),
                ('max_length_minutes', fields.IntField(default=480)),
                ('max_days_ahead', fields.IntField(default=60)),
                ('is_active', fields.BooleanField(default=True)),
            ],
            options={'table': 'coworking_resource', 'app': 'coworking', 'pk_attr': 'id', 'table_description': 'Something inside a space that people book: a room, a set of desks, a machine.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Booking',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('resource', fields.ForeignKeyField('coworking.Resource', source_field='resource_id', db_constraint=True, to_field='id', related_name='bookings', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('labkit.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='coworking_bookings', on_delete=OnDelete.CASCADE)),
                ('organisation_ref', fields.CharField(null=True, max_length=64)),
                ('start', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('end', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('purpose', fields.CharField(default='', max_length=500)),
                ('attendees', fields.IntField(default=1)),
                ('status', fields.CharField(default='pending', db_index=True, max_length=16)),
                ('decision_reason', fields.CharField(default='', max_length=500)),
                ('decided_by', fields.ForeignKeyField('labkit.Person', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='coworking_decisions', on_delete=OnDelete.SET_NULL)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('series', fields.CharField(null=True, db_index=True, max_length=36)),
                ('guidelines_accepted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'coworking_booking', 'app': 'coworking', 'pk_attr': 'id', 'table_description': "A person's request for a resource over a time range, and what became of it."},
            bases=['Model'],
        ),
    ]
