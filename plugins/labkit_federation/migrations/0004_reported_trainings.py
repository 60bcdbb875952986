from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('federation', '0003_region_totals')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReportedTraining',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('trainer', fields.ForeignKeyField('federation.Member', source_field='trainer_id', db_constraint=True, to_field='id', related_name='trainings_given', on_delete=OnDelete.CASCADE)),
                ('trainee_code', fields.CharField(db_index=True, max_length=64)),
                ('course', fields.CharField(max_length=200)),
                ('given_on', fields.DateField()),
            ],
            options={'table': 'federation_reported_training', 'app': 'federation', 'unique_together': (('trainer', 'trainee_code', 'course', 'given_on'),), 'pk_attr': 'id', 'table_description': "A training a member lab says it gave to another lab's team (``lab.trainings`` of its"},
            bases=['Model'],
        ),
    ]
