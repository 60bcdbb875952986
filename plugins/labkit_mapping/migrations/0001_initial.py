from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('labkit', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Organisation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('uid', fields.UUIDField(default=uuid4, unique=True)),
                ('name', fields.CharField(max_length=200)),
                ('normalised_name', fields.CharField(db_index=True, max_length=200)),
                ('kind', fields.CharField(db_index=True, max_length=20)),
                ('description', fields.TextField(default='', unique=False)),
                ('topics', fields.CharField(default='', max_length=1000)),
                ('practices', fields.CharField(default='', max_length=200)),
                ('website', fields.CharField(default='', max_length=300)),
                ('website_domain', fields.CharField(default='', db_index=True, max_length=255)),
                ('links', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('contact_email', fields.CharField(default='', max_length=254)),
                ('contact_phone', fields.CharField(default='', max_length=40)),
                ('address', fields.CharField(default='', max_length=300)),
                ('region', fields.CharField(default='', db_index=True, max_length=40)),
                ('latitude', fields.FloatField(null=True)),
                ('longitude', fields.FloatField(null=True)),
                ('founding_year', fields.IntField(null=True)),
                ('wants_partnership', fields.BooleanField(default=False, db_index=True)),
                ('status', fields.CharField(default='proposed', db_index=True, max_length=12)),
                ('search_text', fields.TextField(default='', unique=False)),
                ('source', fields.CharField(default='form', max_length=12)),
                ('created_by', fields.ForeignKeyField('labkit.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='mapping_organisations', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mapping_organisation', 'app': 'mapping', 'pk_attr': 'id', 'table_description': 'A group working on open technology and innovation, on the map and in the directory.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Change',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('mapping.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='changes', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('labkit.Person', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='mapping_changes', on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharField(max_length=24)),
                ('fields_changed', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('note', fields.TextField(default='', unique=False)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'mapping_change', 'app': 'mapping', 'pk_attr': 'id', 'table_description': "One entry of an organisation's history: who did what, when, and which fields changed."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Proposal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('mapping.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='proposals', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=12)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('note', fields.TextField(default='', unique=False)),
                ('proposer', fields.ForeignKeyField('labkit.Person', source_field='proposer_id', null=True, db_constraint=True, to_field='id', related_name='mapping_proposals', on_delete=OnDelete.SET_NULL)),
                ('contact_email', fields.CharField(default='', max_length=254)),
                ('duplicates_confirmed', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharField(default='pending', db_index=True, max_length=12)),
                ('reason', fields.TextField(default='', unique=False)),
                ('decided_by', fields.ForeignKeyField('labkit.Person', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='mapping_decisions', on_delete=OnDelete.SET_NULL)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'mapping_proposal', 'app': 'mapping', 'pk_attr': 'id', 'table_description': "A visitor's proposal of a new organisation or of a correction, waiting for the team."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Relationship',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('source', fields.ForeignKeyField('mapping.Organisation', source_field='source_id', db_constraint=True, to_field='id', related_name='relationships_out', on_delete=OnDelete.CASCADE)),
                ('target', fields.ForeignKeyField('mapping.Organisation', source_field='target_id', null=True, db_constraint=True, to_field='id', related_name='relationships_in', on_delete=OnDelete.CASCADE)),
                ('target_key', fields.CharField(max_length=20)),
                ('kind', fields.CharField(max_length=16)),
                ('note', fields.CharField(default='', max_length=300)),
                ('created_by', fields.ForeignKeyField('labkit.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='mapping_relationships', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'mapping_relationship', 'app': 'mapping', 'unique_together': (('source', 'kind', 'target_key'),), 'pk_attr': 'id', 'table_description': 'A tie in the network: an organisation is a member, partner, spin-off or supporter of'},
            bases=['Model'],
        ),
    ]
