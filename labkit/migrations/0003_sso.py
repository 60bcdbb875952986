from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('labkit', '0002_verifications')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SsoIdentity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('provider', fields.CharField(max_length=40)),
                ('subject', fields.CharField(max_length=255)),
                ('person', fields.ForeignKeyField('labkit.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='sso_identities', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(max_length=254)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'labkit_sso_identity', 'app': 'labkit', 'unique_together': (('provider', 'subject'),), 'pk_attr': 'id', 'table_description': "A person's account at an OpenID Connect provider (``[[sso.providers]]``), linked to them."},
            bases=['Model'],
        ),
    ]
