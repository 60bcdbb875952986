from tortoise import migrations
from tortoise.migrations import operations as ops

class Migration(migrations.Migration):
    dependencies = [('federation', '0001_initial')]

    initial = False

    operations = [
        ops.DeleteModel(name='Lease'),
    ]
