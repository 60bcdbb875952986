from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('labkit', '0005_consent')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Image',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=80)),
                ('owner_kind', fields.CharField(max_length=80)),
                ('owner_id', fields.IntField()),
                ('role', fields.CharField(max_length=20)),
                ('alt', fields.CharField(max_length=250)),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('widths', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('uploaded_by', fields.ForeignKeyField('labkit.Person', source_field='uploaded_by_id', null=True, db_constraint=True, to_field='id', related_name='images_uploaded', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'labkit_image', 'app': 'labkit', 'unique_together': (('owner_kind', 'owner_id', 'role'),), 'pk_attr': 'id', 'table_description': "The picture of a record (a logo, a cover, a photo) in a few sizes, kept in the lab's storage."},
            bases=['Model'],
        ),
    ]
