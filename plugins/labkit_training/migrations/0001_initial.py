from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('labkit', '0005_consent')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Course',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('programme', fields.CharField(default='', max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('capacity', fields.IntField()),
                ('required_hours', fields.DecimalField(max_digits=6, decimal_places=2)),
                ('published', fields.BooleanField(default=False)),
                ('enrolment_open', fields.BooleanField(default=True)),
                ('trainee_lab_code', fields.CharField(default='', max_length=40)),
                ('trainee_lab_name', fields.CharField(default='', max_length=200)),
                ('onboarding_key', fields.CharField(default='', max_length=80)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'training_course', 'app': 'training', 'pk_attr': 'id', 'table_description': 'A course (or one run of a programme) with its capacity and the hours a certificate needs.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Certificate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=40)),
                ('course', fields.ForeignKeyField('training.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='certificates', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('labkit.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='training_certificates', on_delete=OnDelete.CASCADE)),
                ('holder_name', fields.CharField(max_length=200)),
                ('hours', fields.DecimalField(max_digits=6, decimal_places=2)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('issued_by', fields.ForeignKeyField('labkit.Person', source_field='issued_by_id', null=True, db_constraint=True, to_field='id', related_name='training_issued', on_delete=OnDelete.SET_NULL)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_reason', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'training_certificate', 'app': 'training', 'unique_together': (('course', 'person'),), 'pk_attr': 'id', 'table_description': 'Proof that a person attended the hours a course requires, verifiable by its code.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Enrolment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('training.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='enrolments', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('labkit.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='training_enrolments', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharField(default='enrolled', max_length=16)),
                ('queued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'training_enrolment', 'app': 'training', 'unique_together': (('course', 'person'),), 'pk_attr': 'id', 'table_description': "A person's place in a course: enrolled, on the waiting list or withdrawn. One per person and course."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('training.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(default='', max_length=200)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('hours', fields.DecimalField(max_digits=5, decimal_places=2)),
                ('place', fields.CharField(default='', max_length=250)),
                ('space_ref', fields.CharField(default='', max_length=40)),
                ('attendance_taken', fields.BooleanField(default=False)),
            ],
            options={'table': 'training_session', 'app': 'training', 'pk_attr': 'id', 'table_description': 'One session of a course: when, where and how many hours it counts for.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Attendance',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('training.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='attendance', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('labkit.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='training_attendance', on_delete=OnDelete.CASCADE)),
                ('present', fields.BooleanField()),
                ('marked_by', fields.ForeignKeyField('labkit.Person', source_field='marked_by_id', null=True, db_constraint=True, to_field='id', related_name='training_marked', on_delete=OnDelete.SET_NULL)),
                ('marked_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'training_attendance', 'app': 'training', 'unique_together': (('session', 'person'),), 'pk_attr': 'id', 'table_description': 'Whether an enrolled person was at a session, as staff marked it.'},
            bases=['Model'],
        ),
    ]
