from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('labkit', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Note',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('author', fields.ForeignKeyField('labkit.Person', source_field='author_id', db_constraint=True, to_field='id', related_name='{{ cookiecutter.slug }}_notes', on_delete=OnDelete.CASCADE)),
                ('text', fields.CharField(max_length=280)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': '{{ cookiecutter.slug }}_note', 'app': '{{ cookiecutter.slug }}', 'pk_attr': 'id', 'table_description': "A short note someone left on the plugin's page."},
            bases=['Model'],
        ),
    ]
