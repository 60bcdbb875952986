from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('labkit', '0005_consent')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Topic',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=40)),
                ('names', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'people_topic', 'app': 'people', 'pk_attr': 'id', 'table_description': "A skill or interest on the lab's list, with its name in each of the lab's languages."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Profile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.OneToOneField('labkit.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='people_profile', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=120)),
                ('bio', fields.TextField(default='', unique=False)),
                ('region', fields.CharField(default='', db_index=True, max_length=40)),
                ('tags', fields.CharField(default='', max_length=400)),
                ('links', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('skills', fields.ManyToManyField('people.Topic', unique=True, db_constraint=True, through='people_profile_skill', forward_key='topic_id', backward_key='people_profile_id', related_name='skilled', on_delete=OnDelete.CASCADE)),
                ('interests', fields.ManyToManyField('people.Topic', unique=True, db_constraint=True, through='people_profile_interest', forward_key='topic_id', backward_key='people_profile_id', related_name='interested', on_delete=OnDelete.CASCADE)),
                ('looking_for_team', fields.BooleanField(default=False, db_index=True)),
                ('show_organisations', fields.BooleanField(default=False)),
                ('published', fields.BooleanField(default=False, db_index=True)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('search_text', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'people_profile', 'app': 'people', 'pk_attr': 'id', 'table_description': "A person's profile in the lab's network, public only while its owner chooses to publish it."},
            bases=['Model'],
        ),
    ]
