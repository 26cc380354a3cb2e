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
    def published_at(self):
        """When a version that is public now was released at its embargo time; None for one that was public
        once stored (an imported result)."""
        return self.visible_from

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


class JointAreaReview(models.Model):
    """A Joint Area Review, recorded by a moderator against the published result version whose risk assessment
    it drew on (apa.publication.jar). Public once its publication date has come, through the one visibility
    rule (selectors.jars_visible); every change writes a JointAreaReviewChange, and a form's save carries the
    `version` it was opened at."""

    result = models.ForeignKey(Result, on_delete=models.PROTECT, related_name="joint_area_reviews")
    fieldwork_from = models.DateField()
    fieldwork_to = models.DateField()
    # {JAR core area code: grade on the framework's scale}, one for every core area of the framework's [jar].
    grades = models.JSONField()
    # Public from the start of this day (Europe/London).
    publication_date = models.DateField()
    # Shown with the published outcome.
    note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["result__authority__name", "publication_date"]
        constraints = [
            models.UniqueConstraint(fields=["result"], name="jar_one_per_result_version"),
            models.CheckConstraint(condition=models.Q(fieldwork_to__gte=models.F("fieldwork_from")),
                                   name="jar_fieldwork_in_order"),
            models.CheckConstraint(condition=models.Q(publication_date__gte=models.F("fieldwork_to")),
                                   name="jar_published_after_fieldwork"),
        ]

    def __str__(self) -> str:
        return f"Joint area review of {self.result}"


class JointAreaReviewChange(models.Model):
    """The history of a Joint Area Review record: who changed what, when, and why; `version` is the record's
    version the change made, so a stale save can name what changed since."""

    review = models.ForeignKey(JointAreaReview, on_delete=models.PROTECT, related_name="changes")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20)  # recorded, updated
    field = models.CharField(max_length=40, blank=True)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    version = models.PositiveIntegerField()

    class Meta:
        ordering = ["at", "pk"]


class PublishedCpaScore(models.Model):
    """One row of a published Comprehensive Performance Assessment table, as printed (apa.publication.cpa): the
    children and young people block score, which is the APA overall grade, from a second source. A row that
    cannot be placed (its council is in none of APA's authority data, or the printed row is ambiguous) is kept
    with the reason and is never compared."""

    cpa_year = models.PositiveSmallIntegerField()
    council = models.CharField(max_length=120)  # as printed
    authority = models.ForeignKey("authorities.Authority", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    children_and_young_people = models.PositiveSmallIntegerField(null=True, blank=True)
    not_placed = models.TextField(blank=True)  # why it is not compared; empty when it is
    source = models.TextField()
    note = models.TextField(blank=True)  # the table's own note (which part of the page)
    file = models.CharField(max_length=120)
    row = models.PositiveIntegerField()

    class Meta:
        ordering = ["cpa_year", "council"]
        constraints = [
            models.UniqueConstraint(fields=["cpa_year", "council"], name="cpa_score_one_per_council_year"),
            models.CheckConstraint(condition=models.Q(children_and_young_people__isnull=True)
                                   | models.Q(children_and_young_people__gte=1, children_and_young_people__lte=4),
                                   name="cpa_score_on_the_scale"),
            models.CheckConstraint(condition=~models.Q(not_placed="")
                                   | models.Q(authority__isnull=False, children_and_young_people__isnull=False),
                                   name="cpa_score_placed_or_why_not"),
        ]

    def __str__(self) -> str:
        return f"CPA {self.cpa_year} {self.council}"
