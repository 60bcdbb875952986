from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('labkit', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Greeting',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('author', fields.ForeignKeyField('labkit.Person', source_field='author_id', db_constraint=True, to_field='id', related_name='greetings', on_delete=OnDelete.CASCADE)),
                ('text', fields.CharField(max_length=280)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'hello_greeting', 'app': 'hello', 'pk_attr': 'id', 'table_description': "A short message someone left on the lab's wall."},
            bases=['Model'],
        ),
    ]
