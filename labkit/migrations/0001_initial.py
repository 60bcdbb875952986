from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Person',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('name', fields.CharField(max_length=120)),
                ('password_hash', fields.CharField(max_length=200)),
                ('role', fields.CharField(default='member', max_length=16)),
                ('locale', fields.CharField(null=True, max_length=8)),
                ('is_active', fields.BooleanField(default=True)),
                ('session_version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'labkit_person', 'app': 'labkit', 'pk_attr': 'id', 'table_description': 'Someone with an account. Deleting an account anonymises the row so contributions stay.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('labkit.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=80)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('prefix', fields.CharField(max_length=12)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'labkit_api_token', 'app': 'labkit', 'pk_attr': 'id', 'table_description': 'A bearer token a machine client uses instead of a session (only its SHA-256 is stored).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('labkit.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('message', fields.CharField(max_length=500)),
                ('url', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'labkit_notification', 'app': 'labkit', 'pk_attr': 'id', 'table_description': 'A message for one person, shown in the lab and sent by e-mail when mail is configured.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ThrottleEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(db_index=True, max_length=300)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'labkit_throttle_event', 'app': 'labkit', 'pk_attr': 'id', 'table_description': 'One counted action (a failed sign-in, a public proposal) for rate limits across workers.'},
            bases=['Model'],
        ),
    ]
