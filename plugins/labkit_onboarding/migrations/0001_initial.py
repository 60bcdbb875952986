from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('labkit', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Tick',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=80)),
                ('text', fields.CharField(max_length=500)),
                ('done_by', fields.ForeignKeyField('labkit.Person', source_field='done_by_id', null=True, db_constraint=True, to_field='id', related_name='onboarding_ticks', on_delete=OnDelete.SET_NULL)),
                ('done_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('note', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'onboarding_tick', 'app': 'onboarding', 'pk_attr': 'id', 'table_description': 'A milestone of MENTORING.md marked done by a staff member. One row per milestone key.'},
            bases=['Model'],
        ),
    ]
