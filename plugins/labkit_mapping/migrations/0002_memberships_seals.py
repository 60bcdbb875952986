from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('labkit', '0005_consent'), ('mapping', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Membership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('mapping.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('labkit.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='mapping_memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(default='member', max_length=12)),
                ('status', fields.CharField(default='pending', db_index=True, max_length=12)),
                ('proof', fields.CharField(default='', max_length=12)),
                ('note', fields.CharField(default='', max_length=500)),
                ('proof_email', fields.CharField(default='', max_length=254)),
                ('code_hash', fields.CharField(default='', db_index=True, max_length=64)),
                ('code_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('confirmed_by', fields.ForeignKeyField('labkit.Person', source_field='confirmed_by_id', null=True, db_constraint=True, to_field='id', related_name='mapping_confirmed_memberships', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mapping_membership', 'app': 'mapping', 'unique_together': (('organisation', 'person'),), 'pk_attr': 'id', 'table_description': "A person's tie to an organisation: asked for (``pending``) until the team, a member or a"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Seal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=80)),
                ('description', fields.CharField(default='', max_length=500)),
                ('icon', fields.CharField(default='check', max_length=12)),
                ('colour', fields.CharField(default='green', max_length=12)),
                ('retired', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'mapping_seal', 'app': 'mapping', 'pk_attr': 'id', 'table_description': 'A mark the lab\'s team gives organisations, such as "Verified by the lab" or "Partner" (the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SealGrant',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('seal', fields.ForeignKeyField('mapping.Seal', source_field='seal_id', db_constraint=True, to_field='id', related_name='grants', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('mapping.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='seal_grants', on_delete=OnDelete.CASCADE)),
                ('granted_by', fields.ForeignKeyField('labkit.Person', source_field='granted_by_id', null=True, db_constraint=True, to_field='id', related_name='mapping_seal_grants', on_delete=OnDelete.SET_NULL)),
                ('granted_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'mapping_seal_grant', 'app': 'mapping', 'unique_together': (('seal', 'organisation'),), 'pk_attr': 'id', 'table_description': 'A seal given to an organisation: when and by whom.'},
            bases=['Model'],
        ),
    ]
