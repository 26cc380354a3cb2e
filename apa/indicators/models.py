"""The indicator catalogue, values per authority (and England and region) and period, imports with their
history, the judgement areas each indicator informs, and officers' flags on values they believe wrong."""

from django.conf import settings
from django.db import models

# England and the regional aggregates a value may belong to instead of an authority. LAIT numbers them
# 970 and 980-990; Explore Education Statistics uses ONS codes (see readers.AREA_BY_ONS).
AREAS = [
    "England",
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "Inner London",
    "Outer London",
    "South East",
    "South West",
]


class Polarity(models.TextChoices):
    HIGH = "high", "Higher is better"
    LOW = "low", "Lower is better"
    NONE = "none", "Neither higher nor lower is better"


class PeriodStatus(models.TextChoices):
    NONE = "", "As published"
    PROVISIONAL = "provisional", "Provisional"
    REVISED = "revised", "Revised"
    FINAL = "final", "Final"
    OTHER = "other", "Other"


class Topic(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One measure. For LAIT data `code` is LAIT's short code exactly as published (spaces, '/', '%' and all)."""

    code = models.CharField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    chart_title = models.CharField(max_length=300, blank=True)
    topics = models.ManyToManyField(Topic, related_name="indicators", blank=True)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=200, blank=True)
    polarity = models.CharField(max_length=4, choices=Polarity.choices, default=Polarity.NONE)
    decimal_places = models.PositiveSmallIntegerField(null=True, blank=True)
    year_type = models.CharField(max_length=60, blank=True)
    quartiles = models.BooleanField(default=True)  # False where the publisher says bands do not apply
    source = models.TextField(blank=True)
    methodology = models.TextField(blank=True)
    links = models.TextField(blank=True)
    measure_code = models.CharField(max_length=20, blank=True)
    origin = models.CharField(max_length=20, default="lait")  # lait, ees or plain: which import made it
    last_update = models.DateField(null=True, blank=True)
    next_update = models.DateField(null=True, blank=True)
    # Set once a person edits the judgement areas, so that later loads never overwrite their choice.
    outcomes_edited = models.BooleanField(default=False)

    class Meta:
        ordering = ["title", "code"]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"

    @property
    def ranked(self) -> bool:
        return self.polarity != Polarity.NONE

    @property
    def banded(self) -> bool:
        return self.ranked and self.quartiles


class IndicatorOutcome(models.Model):
    """Which judgement area (an outcome code of framework apa-2008) an indicator informs."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="outcomes")
    outcome = models.CharField(max_length=40, db_index=True)

    class Meta:
        ordering = ["outcome", "indicator"]
        constraints = [models.UniqueConstraint(fields=["indicator", "outcome"], name="indicator_outcome_unique")]


class Import(models.Model):
    """One applied import: what was read and what it changed. Re-imports that change nothing leave none."""

    source = models.CharField(max_length=300)
    format = models.CharField(max_length=20)
    sha256 = models.CharField(max_length=64)
    actor = models.CharField(max_length=150, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    warnings = models.TextField(blank=True)

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} ({self.imported_at:%Y-%m-%d %H:%M})"


class IndicatorPeriod(models.Model):
    """An indicator in one period: the unit that is benchmarked. Labels are kept verbatim."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="periods")
    label = models.CharField(max_length=40)
    # Order within the indicator, from the label and the indicator's year type (see periods.py).
    sort_key = models.BigIntegerField()
    status = models.CharField(max_length=12, choices=PeriodStatus.choices, blank=True)
    # The authorities' values packed as little-endian (int32 authority id, float64 value) pairs, NaN where the
    # value is missing: a copy of the Value rows rewritten in the same transaction by the import, so that
    # benchmarks read one row per period instead of one per value.
    packed = models.BinaryField(default=b"")
    authority_values = models.PositiveIntegerField(default=0)  # how many authorities have a number

    class Meta:
        ordering = ["indicator", "sort_key", "label"]
        constraints = [models.UniqueConstraint(fields=["indicator", "label"], name="indicator_period_unique")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.label}"


class Value(models.Model):
    """An authority's value for an indicator period, or the reason it has none (`missing`)."""

    # Indexed by the constraint and the index below; single-column indexes would only slow the import.
    period = models.ForeignKey(IndicatorPeriod, on_delete=models.CASCADE, related_name="values", db_index=False)
    authority = models.ForeignKey("authorities.Authority", on_delete=models.PROTECT, related_name="indicator_values",
                                  db_index=False)
    value = models.FloatField(null=True, blank=True)
    missing = models.CharField(max_length=20, blank=True)  # '-' in LAIT; c, x, z, low, u, k in EES
    # The import that set the value. Imports are never deleted, so no index is needed to protect them.
    source = models.ForeignKey(Import, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "authority"], name="value_unique"),
            models.CheckConstraint(
                name="value_or_reason", condition=models.Q(value__isnull=False) | ~models.Q(missing="")
            ),
        ]
        indexes = [models.Index(fields=["authority", "period"], name="value_authority_period")]


class AreaValue(models.Model):
    """England's or a region's value as published: never computed from authorities' values."""

    period = models.ForeignKey(IndicatorPeriod, on_delete=models.CASCADE, related_name="area_values", db_index=False)
    area = models.CharField(max_length=30, choices=[(a, a) for a in AREAS])
    value = models.FloatField(null=True, blank=True)
    missing = models.CharField(max_length=20, blank=True)
    source = models.ForeignKey(Import, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "area"], name="area_value_unique"),
            models.CheckConstraint(
                name="area_value_or_reason", condition=models.Q(value__isnull=False) | ~models.Q(missing="")
            ),
        ]


class ValueChange(models.Model):
    """A value an import replaced: what it was and what it became."""

    source = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="changes")
    period = models.ForeignKey(IndicatorPeriod, on_delete=models.CASCADE, related_name="changes")
    authority = models.ForeignKey("authorities.Authority", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    area = models.CharField(max_length=30, blank=True)  # set instead of authority for England and regions
    old_value = models.FloatField(null=True, blank=True)
    old_missing = models.CharField(max_length=20, blank=True)
    new_value = models.FloatField(null=True, blank=True)
    new_missing = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-source__imported_at", "-pk"]


class FlagStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Flag(models.Model):
    """An authority officer's note that one of their authority's values is wrong, and the reply."""

    value = models.ForeignKey(Value, on_delete=models.CASCADE, related_name="flags")
    comment = models.TextField()
    value_when_flagged = models.FloatField(null=True, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    response = models.TextField(blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            # One open flag per value: a second comment belongs on the first flag's conversation.
            models.UniqueConstraint(fields=["value"], condition=models.Q(status="open"), name="flag_one_open"),
        ]
