from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('labkit', '0004_outbox')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Consent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('labkit.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='consents', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('version', fields.IntField()),
                ('accepted_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'labkit_consent', 'app': 'labkit', 'unique_together': (('person', 'kind', 'version'),), 'pk_attr': 'id', 'table_description': 'A person accepted version ``version`` of the texts of ``kind`` at ``accepted_at``. Kept when'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LegalText',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=16)),
                ('version', fields.IntField()),
                ('language', fields.CharField(max_length=8)),
                ('body', fields.TextField(unique=False)),
                ('published_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('published_by', fields.ForeignKeyField('labkit.Person', source_field='published_by_id', null=True, db_constraint=True, to_field='id', related_name='legal_texts', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'labkit_legal_text', 'app': 'labkit', 'unique_together': (('kind', 'version', 'language'),), 'pk_attr': 'id', 'table_description': 'One language of one version of the terms of use (``kind`` ``"terms"``) or the privacy notice'},
            bases=['Model'],
        ),
    ]
