from django.conf import settings
from django.db import models


class DateBasis(models.TextChoices):
    GIVEN = "given", "Date as published"
    NATIONAL = "national", "National publication date of the framework's letters"
    UNKNOWN = "unknown", "Not known: counted from the end of its year"


class Result(models.Model):
    """One published result: an authority's grades under a framework (for a year, or for one inspection).

    A published result is never edited in place: a correction is a new version, and the earlier version
    stays (is_current=False) with the note that explains it.
    """

    authority = models.ForeignKey("authorities.Authority", on_delete=models.PROTECT, related_name="results")
    framework = models.ForeignKey("frameworks.Framework", on_delete=models.PROTECT, related_name="results")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    inspection_date = models.DateField(null=True, blank=True)
    inspection_type = models.CharField(max_length=120, blank=True)
    # What identifies the result within authority and framework: the year, or the inspection's date.
    key = models.CharField(max_length=20)
    publication_date = models.DateField(null=True, blank=True)
    publication_basis = models.CharField(max_length=10, choices=DateBasis.choices, default=DateBasis.GIVEN)
    # The date from which comparisons count it: its publication date, or 31 December of its year if unknown.
    counts_from = models.DateField()
    # Embargo: not visible to anyone without rights before this moment (null: public once stored), and
    # never while withheld (a cycle's result before it is scheduled, or while a representation is open).
    visible_from = models.DateTimeField(null=True, blank=True)
    withheld = models.BooleanField(default=False)
    # Set when an assessment cycle published this result; imported results have none.
    assessment = models.ForeignKey(
        "assessments.Assessment", null=True, blank=True, on_delete=models.PROTECT, related_name="results"
    )
    version = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="correction"
    )
    correction_note = models.TextField(blank=True)
    # When a correction replaced this version (an embargo field: a version superseded before it was ever
    # public is never shown at its permalink).
    superseded_at = models.DateTimeField(null=True, blank=True)
    # The letter exactly as published (apa.assessments.selectors.letter's dict); null for imported results.
    # Written while the version is withheld; once released the database refuses any change to it.
    letter = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["authority__name", "framework__first_year", "key"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "framework", "key", "version"], name="result_version_unique"),
            models.UniqueConstraint(fields=["authority", "framework", "key"], condition=models.Q(is_current=True),
                                    name="result_one_current_version"),
        ]
        indexes = [models.Index(fields=["framework", "year", "counts_from"])]

    def __str__(self) -> str:
        return f"{self.authority.name} {self.framework.code} {self.key}"

    @property
    def label(self) -> str:
        if self.year:
            return f"{self.framework.title}, {self.year}"
        return f"{self.framework.title}, inspection of {self.inspection_date:%-d %B %Y}" if self.inspection_date else self.framework.title


class ResultGrade(models.Model):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="grades")
    area = models.ForeignKey("frameworks.Area", on_delete=models.PROTECT, related_name="+")
    grade = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["result", "area__display_order"]
        constraints = [models.UniqueConstraint(fields=["result", "area"], name="result_area_unique")]


class GradeSource(models.Model):
    """Where a published grade was found. The same grade from a second source adds a source."""

    grade = models.ForeignKey(ResultGrade, on_delete=models.CASCADE, related_name="sources")
    source = models.TextField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["grade", "source"], name="grade_source_unique")]


class ResultCorrection(models.Model):
    """A moderator's correction of a result version: it takes effect, as a new version, only when a different
    moderator agrees."""

    result = models.ForeignKey(Result, on_delete=models.PROTECT, related_name="corrections_proposed")
    grades = models.JSONField()  # {area code: grade}
    note = models.TextField()
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agreed_at = models.DateTimeField(null=True, blank=True)
    withdrawn = models.BooleanField(default=False)
    version_made = models.OneToOneField(Result, null=True, blank=True, on_delete=models.PROTECT, related_name="made_by")

    class Meta:
        ordering = ["proposed_at"]
