"""A year's assessment cycle: per authority, a self-assessment, the inspectors' judgements with findings linked
to evidence, moderation, representations and publication. Every change is kept in ChangeLog."""

from django.conf import settings
from django.db import models


class State(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    SELF_ASSESSMENT = "self_assessment", "Self-assessment in progress"
    SUBMITTED = "submitted", "Self-assessment submitted"
    UNDER_REVIEW = "under_review", "Under review"
    DRAFT_JUDGEMENTS = "draft_judgements", "Draft judgements"
    FACTUAL_ACCURACY = "factual_accuracy", "Factual accuracy check"
    MODERATION = "moderation", "In moderation"
    MODERATED = "moderated", "Moderated"
    REPRESENTATION = "representation", "Representation made"
    PUBLISHED = "published", "Published"


class Cycle(models.Model):
    framework = models.ForeignKey("frameworks.Framework", on_delete=models.PROTECT, related_name="cycles")
    year = models.PositiveSmallIntegerField()
    self_assessment_due = models.DateField()
    data_lock = models.DateField()
    visits_from = models.DateField()
    visits_to = models.DateField()
    moderation_by = models.DateField()
    publish_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)  # when `apa cycle publish` released it early
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "framework__code"]
        constraints = [models.UniqueConstraint(fields=["framework", "year"], name="cycle_unique")]

    def __str__(self) -> str:
        return f"{self.framework.code} {self.year}"


class CyclePeriod(models.Model):
    """The indicator period a cycle judges by, per indicator (default: the latest on the data-lock date)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="periods")
    indicator_code = models.CharField(max_length=200)
    period = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "indicator_code"], name="cycle_period_unique")]


class Assessment(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="assessments")
    authority = models.ForeignKey("authorities.Authority", on_delete=models.PROTECT, related_name="assessments")
    lead_inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="lead_assessments"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.NOT_STARTED)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["authority__name"]
        constraints = [models.UniqueConstraint(fields=["cycle", "authority"], name="assessment_unique")]

    def __str__(self) -> str:
        return f"{self.authority.name} {self.cycle}"

    @property
    def letter_shared_with_authority(self) -> bool:
        """From the factual accuracy check on, the authority sees its draft letter."""
        return self.state in LETTER_SHARED_STATES


# From the factual accuracy check on, the authority sees its draft letter.
LETTER_SHARED_STATES = frozenset({State.FACTUAL_ACCURACY, State.MODERATION, State.MODERATED, State.REPRESENTATION,
                                  State.PUBLISHED})


class SelfAssessmentArea(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="self_assessment")
    area = models.ForeignKey("frameworks.Area", on_delete=models.PROTECT, related_name="+")
    narrative = models.TextField(blank=True)
    own_grade = models.PositiveSmallIntegerField(null=True, blank=True)
    strengths = models.TextField(blank=True)
    areas_for_development = models.TextField(blank=True)
    indicator_codes = models.TextField(blank=True)  # linked indicators, one code per line
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["area__judging_order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "area"], name="self_assessment_area_unique")]


class Document(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="documents")
    area = models.ForeignKey("frameworks.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="assessments/%Y/")
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]


class Visit(models.Model):
    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="visit")
    date_from = models.DateField()
    date_to = models.DateField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")


class Judgement(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="judgements")
    area = models.ForeignKey("frameworks.Area", on_delete=models.PROTECT, related_name="+")
    grade = models.PositiveSmallIntegerField(null=True, blank=True)
    rationale = models.TextField(blank=True)
    # Incremented on every save; a save that names an older version is refused (no lost update).
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["area__judging_order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "area"], name="judgement_unique")]


class FindingKind(models.TextChoices):
    STRENGTH = "strength", "Strength"
    DEVELOPMENT = "development", "Area for development"
    FOCUS = "focus", "Area for focus (Joint Area Review or next assessment)"


class Finding(models.Model):
    judgement = models.ForeignKey(Judgement, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=12, choices=FindingKind.choices)
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "order", "pk"]


class EvidenceKind(models.TextChoices):
    INDICATOR = "indicator", "Indicator"
    SELF_ASSESSMENT = "self_assessment", "Self-assessment passage"
    DOCUMENT = "document", "Document"


class Evidence(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices)
    indicator_code = models.CharField(max_length=200, blank=True)
    period = models.CharField(max_length=40, blank=True)
    # The indicator's benchmark when the link was made, so the letter's evidence does not drift.
    benchmark = models.JSONField(null=True, blank=True)
    self_assessment_area = models.ForeignKey(SelfAssessmentArea, null=True, blank=True, on_delete=models.CASCADE)
    passage = models.TextField(blank=True)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.CASCADE)


class FactualAccuracyComment(models.Model):
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    judgement = models.ForeignKey(Judgement, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]


class GradeChange(models.Model):
    """A moderator's change to a grade: it takes effect only when a different moderator agrees."""

    judgement = models.ForeignKey(Judgement, on_delete=models.CASCADE, related_name="grade_changes")
    from_grade = models.PositiveSmallIntegerField(null=True)
    to_grade = models.PositiveSmallIntegerField()
    reason = models.TextField()
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agreed_at = models.DateTimeField(null=True, blank=True)
    withdrawn = models.BooleanField(default=False)

    class Meta:
        ordering = ["proposed_at"]


class Representation(models.Model):
    class Kind(models.TextChoices):
        FACTUAL = "factual", "Factual accuracy"
        GRADE = "grade", "A grade"

    class Decision(models.TextChoices):
        UPHELD = "upheld", "Upheld"
        NOT_UPHELD = "not_upheld", "Not upheld"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="representations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    area = models.ForeignKey("frameworks.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    new_grade = models.PositiveSmallIntegerField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)


class ChangeLog(models.Model):
    """Every change to an assessment: who, when, what, why. Never edited."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=150)  # the username, or "scheduled publication"
    action = models.CharField(max_length=40)  # transition, self_assessment, judgement, finding, grade_change, ...
    area = models.CharField(max_length=60, blank=True)
    field = models.CharField(max_length=60, blank=True)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    # Moderation notes and proposals are never shown to the authority.
    internal = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "pk"]
