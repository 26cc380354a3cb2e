from django.db import models


class Framework(models.Model):
    """A version of the assessment framework: its judgement areas and grade scale, loaded from a data file."""

    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Yearly frameworks (APA, annual rating) have one result per authority per year; ILACS has none.
    yearly = models.BooleanField(default=True)
    first_year = models.PositiveSmallIntegerField(null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # The areas summed by default when results under this framework are compared.
    default_score = models.CharField(max_length=200)
    source = models.TextField(blank=True)
    checksum = models.CharField(max_length=64)
    # The Joint Area Review's core areas and the judgement areas that feed each, from the file's [jar] table:
    # [{"code": "safeguarding", "title": "Safeguarding", "areas": ["staying_safe", ...]}, ...]; empty for
    # frameworks without one (no JAR risk assessment is drawn from their results).
    jar_core_areas = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["first_year", "code"]

    def __str__(self) -> str:
        return self.title

    @property
    def years_label(self) -> str:
        if not self.first_year:
            return ""
        if self.last_year and self.last_year != self.first_year:
            return f"{self.first_year} to {self.last_year}"
        return str(self.first_year) if self.last_year else f"from {self.first_year}"


class GradeLevel(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="grades")
    value = models.PositiveSmallIntegerField()  # higher is better
    label = models.CharField(max_length=80)
    descriptor = models.TextField(blank=True)

    class Meta:
        ordering = ["framework", "-value"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "value"], name="grade_value_unique"),
            models.UniqueConstraint(fields=["framework", "label"], name="grade_label_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.label}"


class AreaKind(models.TextChoices):
    OUTCOME = "outcome", "Outcome"
    OVERALL = "overall", "Overall effectiveness"
    CAPACITY = "capacity", "Capacity to improve"
    CONTRIBUTION = "contribution", "Contribution of a service"


# Judging order: outcomes first, then overall effectiveness, then capacity to improve.
JUDGING_RANK = {AreaKind.OUTCOME: 0, AreaKind.CONTRIBUTION: 1, AreaKind.OVERALL: 2, AreaKind.CAPACITY: 3}


class Area(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="areas")
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    short_title = models.CharField(max_length=80)
    kind = models.CharField(max_length=20, choices=AreaKind.choices)
    display_order = models.PositiveSmallIntegerField()
    judging_order = models.PositiveSmallIntegerField()
    required = models.BooleanField(default=True)
    graded_from = models.PositiveSmallIntegerField(null=True, blank=True)
    continues = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="continued_by"
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["framework", "display_order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="area_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.framework.code}:{self.code}"


class NationalPublication(models.Model):
    """The day a yearly framework's letters were published nationally: a result's date when no other is known."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="national_publications")
    year = models.PositiveSmallIntegerField()
    date = models.DateField()
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["framework", "year"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "year"], name="national_publication_unique"),
        ]
