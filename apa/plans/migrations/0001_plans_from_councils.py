# The improvement plan's models move from councils to plans. This migration takes them over in Django's state
# only: their tables, with their rows, stay where councils made them (db_table) until 0002 renames them.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('assessments', '0001_cycles_assessments_judgements'),
        ('authorities', '0001_initial'),
        ('councils', '0001_meetings_reports_decisions_plans'),
        ('publication', '0002_result_embargo_and_assessment'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='PlanLine',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('development', 'Area for development'), ('focus', 'Area for focus'), ('other', 'Added by the authority')], max_length=12)),
                        ('area', models.CharField(blank=True, max_length=200)),
                        ('text', models.TextField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('authority', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='plan_lines', to='authorities.authority')),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('finding', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='assessments.finding')),
                        ('result', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='publication.result')),
                    ],
                    options={
                        'db_table': 'councils_planline',
                        'ordering': ['authority', 'pk'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('finding__isnull', False)), fields=('authority', 'finding'), name='plan_line_finding_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='PlanAction',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('description', models.TextField()),
                        ('owner_name', models.CharField(blank=True, max_length=200)),
                        ('due_date', models.DateField()),
                        ('status', models.CharField(choices=[('red', 'Red'), ('amber', 'Amber'), ('green', 'Green'), ('complete', 'Complete')], default='amber', max_length=10)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('line', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='actions', to='plans.planline')),
                    ],
                    options={
                        'db_table': 'councils_planaction',
                        'ordering': ['due_date', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ProgressNote',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField()),
                        ('text', models.TextField()),
                        ('action', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notes', to='plans.planaction')),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'councils_progressnote',
                        'ordering': ['date', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Clinic',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('held_on', models.DateField()),
                        ('notes', models.TextField(blank=True)),
                        ('recorded_at', models.DateTimeField(auto_now_add=True)),
                        ('authority', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='clinics', to='authorities.authority')),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'councils_clinic',
                        'ordering': ['-held_on', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='AlertSent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=200)),
                        ('sent_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'councils_alertsent',
                        'constraints': [models.UniqueConstraint(fields=('user', 'key'), name='alert_sent_unique')],
                    },
                ),
            ],
        ),
    ]
