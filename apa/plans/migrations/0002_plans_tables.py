# The improvement plan's tables take the plans app's names (councils_planline becomes plans_planline, and so
# on): a rename, so every row and every foreign key between them stays. Their content types (and with them
# any permissions) move from councils to plans too. Only historical models are used here, never app code.

from django.db import migrations

MODELS = ["planline", "planaction", "progressnote", "clinic", "alertsent"]


def _move_content_types(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def content_types_to_plans(apps, schema_editor):
    _move_content_types(apps, schema_editor, "councils", "plans")


def content_types_to_councils(apps, schema_editor):
    _move_content_types(apps, schema_editor, "plans", "councils")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('councils', '0002_plans_moved_to_plans'),
        ('plans', '0001_plans_from_councils'),
    ]

    operations = [
        migrations.AlterModelTable(name='planline', table=None),
        migrations.AlterModelTable(name='planaction', table=None),
        migrations.AlterModelTable(name='progressnote', table=None),
        migrations.AlterModelTable(name='clinic', table=None),
        migrations.AlterModelTable(name='alertsent', table=None),
        migrations.RunPython(content_types_to_plans, content_types_to_councils),
    ]
