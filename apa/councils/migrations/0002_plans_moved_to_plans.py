# The improvement plan's models now belong to the plans app (plans 0001 took them over). Councils forgets them
# in Django's state only: the tables and their rows are left for plans 0002 to rename.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('councils', '0001_meetings_reports_decisions_plans'),
        ('plans', '0001_plans_from_councils'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='ProgressNote'),
                migrations.DeleteModel(name='PlanAction'),
                migrations.DeleteModel(name='PlanLine'),
                migrations.DeleteModel(name='Clinic'),
                migrations.DeleteModel(name='AlertSent'),
            ],
        ),
    ]
