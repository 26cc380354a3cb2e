import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("authorities", "0001_initial"),
        ("publication", "0005_joint_area_review"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublishedCpaScore",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("cpa_year", models.PositiveSmallIntegerField()),
                ("council", models.CharField(max_length=120)),
                ("children_and_young_people", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("not_placed", models.TextField(blank=True)),
                ("source", models.TextField()),
                ("note", models.TextField(blank=True)),
                ("file", models.CharField(max_length=120)),
                ("row", models.PositiveIntegerField()),
                ("authority", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                                related_name="+", to="authorities.authority")),
            ],
            options={"ordering": ["cpa_year", "council"]},
        ),
        migrations.AddConstraint(
            model_name="publishedcpascore",
            constraint=models.UniqueConstraint(fields=("cpa_year", "council"), name="cpa_score_one_per_council_year"),
        ),
        migrations.AddConstraint(
            model_name="publishedcpascore",
            constraint=models.CheckConstraint(
                condition=models.Q(("children_and_young_people__isnull", True),
                                   models.Q(("children_and_young_people__gte", 1), ("children_and_young_people__lte", 4)),
                                   _connector="OR"),
                name="cpa_score_on_the_scale"),
        ),
        migrations.AddConstraint(
            model_name="publishedcpascore",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("not_placed", ""), _negated=True),
                                   models.Q(("authority__isnull", False), ("children_and_young_people__isnull", False)),
                                   _connector="OR"),
                name="cpa_score_placed_or_why_not"),
        ),
    ]
