from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

from labkit.fresh_schema import SQLForExistingRows

class Migration(migrations.Migration):
    dependencies = [('labkit', '0001_initial')]

    operations = [
        ops.CreateModel(
            name='Verification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('labkit.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='verifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=64)),
                ('detail', fields.CharField(default='', max_length=200)),
                ('granted_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('granted_by', fields.ForeignKeyField('labkit.Person', source_field='granted_by_id', null=True, db_constraint=True, to_field='id', related_name='verifications_granted', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'labkit_verification', 'app': 'labkit', 'unique_together': (('person', 'kind'),), 'pk_attr': 'id', 'table_description': 'Something the lab knows about a person beyond their password: ``kind`` ``"email"`` (they'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CensusEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('digest', fields.CharField(unique=True, max_length=64)),
                ('uploaded_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('claimed_by', fields.ForeignKeyField('labkit.Person', source_field='claimed_by_id', null=True, db_constraint=True, to_field='id', related_name='census_entries', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'labkit_census_entry', 'app': 'labkit', 'pk_attr': 'id', 'table_description': 'One line of the census list staff uploaded: only a keyed hash of a normalised identifier.'},
            bases=['Model'],
        ),
        # Accounts made before addresses were confirmed keep working: they count as confirmed.
        SQLForExistingRows(
            "INSERT INTO labkit_verification (person_id, kind, detail, granted_at) "
            "SELECT id, 'email', 'account made before e-mail confirmation', CURRENT_TIMESTAMP "
            "FROM labkit_person WHERE is_active",
            reverse_sql="DELETE FROM labkit_verification",
        ),
    ]
