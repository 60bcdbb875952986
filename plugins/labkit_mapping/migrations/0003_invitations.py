from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('labkit', '0006_images'), ('mapping', '0002_memberships_seals')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('mapping.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(max_length=254)),
                ('invited_by', fields.ForeignKeyField('labkit.Person', source_field='invited_by_id', null=True, db_constraint=True, to_field='id', related_name='mapping_invitations', on_delete=OnDelete.SET_NULL)),
                ('code_hash', fields.CharField(unique=True, max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'mapping_invitation', 'app': 'mapping', 'pk_attr': 'id', 'table_description': "An invitation an organisation's administrator mailed to ``email``: a one-time code (kept"},
            bases=['Model'],
        ),
    ]
