"""Frameworks carry the Joint Area Review's core areas from their data file's [jar] table (filled by
`apa init`, which loads the files after migrating)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("frameworks", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="framework",
            name="jar_core_areas",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
