"""The council side: meetings, reports on a published result, decision records with their call-in deadline and
call-ins. Every change is kept in CouncilLog (the improvement plan, in apa.plans, writes its history there too)."""

from django.conf import settings
from django.db import models


class CallInRule(models.Model):
    """A council's call-in rule: working days from publication or decision, and the time on the last day."""

    authority = models.OneToOneField("authorities.Authority", on_delete=models.CASCADE, related_name="callin_rule")
    working_days = models.PositiveSmallIntegerField(default=5)
    count_from = models.CharField(max_length=12, default="publication",
                                  choices=[("publication", "Publication"), ("decision", "Decision")])
    deadline_time = models.CharField(max_length=8, default="midnight")  # HH:MM or midnight
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=0)  # a save from an older version is refused (apa.councils.history)


class ClosureDay(models.Model):
    authority = models.ForeignKey("authorities.Authority", on_delete=models.CASCADE, related_name="closure_days")
    date = models.DateField()
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["authority", "date"], name="closure_day_unique")]


class Meeting(models.Model):
    authority = models.ForeignKey("authorities.Authority", on_delete=models.PROTECT, related_name="meetings")
    committee = models.CharField(max_length=200)
    date = models.DateField()
    time = models.TimeField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=0)  # moves with each change of the agenda

    class Meta:
        ordering = ["-date", "committee"]

    def __str__(self) -> str:
        return f"{self.committee}, {self.date:%-d %B %Y}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    report = models.ForeignKey("Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="agenda_items")

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="agenda_item_unique")]


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    WITHDRAWN = "withdrawn", "Withdrawn"
    SUPERSEDED = "superseded", "Superseded"


class Report(models.Model):
    """A report to a committee. Its sections are drafted from the result and edited by officers; issued, it is
    never edited in place."""

    class Layout(models.TextChoices):
        CABINET = "cabinet", "Cabinet report"
        SCRUTINY = "scrutiny", "Scrutiny report"
        PROGRESS = "progress", "Improvement plan progress report"

    authority = models.ForeignKey("authorities.Authority", on_delete=models.PROTECT, related_name="reports")
    result = models.ForeignKey("publication.Result", null=True, blank=True, on_delete=models.PROTECT, related_name="reports")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    layout = models.CharField(max_length=10, choices=Layout.choices)
    title = models.CharField(max_length=300)
    report_date = models.DateField()
    score = models.CharField(max_length=200)  # the areas compared, e.g. overall_effectiveness+capacity_to_improve
    sections = models.JSONField(default=list)  # [{"key", "heading", "text"}]
    # The figures: computed while a draft, frozen (stored) when issued.
    frozen = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    exempt = models.BooleanField(default=False)
    exempt_paragraph = models.CharField(max_length=40, blank=True)  # Schedule 12A, Local Government Act 1972
    contact_officer = models.CharField(max_length=300, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status_note = models.TextField(blank=True)  # why it was withdrawn or superseded
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes")
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-report_date", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def holds_plan_content(self) -> bool:
        """A progress report is drawn from the improvement plan, which only the authority's officers see."""
        return self.layout == self.Layout.PROGRESS

    @property
    def is_public(self) -> bool:
        return self.status in (ReportStatus.ISSUED, ReportStatus.WITHDRAWN, ReportStatus.SUPERSEDED) and not self.exempt


class DecisionRecord(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    authority = models.ForeignKey("authorities.Authority", on_delete=models.PROTECT, related_name="decisions")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    title = models.CharField(max_length=300)
    decision = models.TextField()
    reasons = models.TextField(blank=True)
    alternatives_rejected = models.TextField(blank=True)
    conflicts = models.TextField(blank=True)
    dispensations = models.TextField(blank=True)
    key_decision = models.BooleanField(default=False)
    urgent = models.BooleanField(default=False)
    urgent_reason = models.TextField(blank=True)
    decision_date = models.DateField()
    publication_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Stored when published, with the rule used, and never recomputed unless democratic services ask (in the history).
    callin_deadline = models.DateTimeField(null=True, blank=True)
    effective_from = models.DateField(null=True, blank=True)
    deadline_rule = models.JSONField(null=True, blank=True)
    # True when the council published its own deadline: stored as given, never recomputed.
    deadline_as_given = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-decision_date", "-pk"]

    def __str__(self) -> str:
        return self.title


class CallIn(models.Model):
    class Outcome(models.TextChoices):
        NO_FURTHER_ACTION = "no_further_action", "No further action: the decision takes effect"
        REFERRED_BACK = "referred_back", "Referred back to the decision-maker"
        REFERRED_TO_COUNCIL = "referred_to_council", "Referred to full council"

    decision = models.ForeignKey(DecisionRecord, on_delete=models.CASCADE, related_name="callins")
    members = models.TextField()  # the members who called it in, one per line
    reason = models.TextField()
    date = models.DateField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_date = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["date", "pk"]


class CouncilLog(models.Model):
    """Every change to a report, decision record, rule or plan: who, when, what, why."""

    authority = models.ForeignKey("authorities.Authority", on_delete=models.CASCADE, related_name="council_history")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=150)
    entity = models.CharField(max_length=30)  # report, decision, callin, rule, plan_line, action, ...
    entity_id = models.PositiveIntegerField(null=True)
    action = models.CharField(max_length=40)
    field = models.CharField(max_length=60, blank=True)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    # Plan changes are for the authority's officers only; report and decision changes follow their item.
    private = models.BooleanField(default=False)
    # The version of the changed record this change made: a stale save names the changes after its version.
    version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
