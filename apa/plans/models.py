"""The improvement plan: lines (from a published result's areas for development and focus, or added by hand),
their actions and dated progress notes, improvement clinics, and the alerts the daily digest has sent. Every
change to the plan is kept in councils' CouncilLog, private to the authority's officers."""

from django.conf import settings
from django.db import models


class PlanLine(models.Model):
    """One line of the improvement plan: an area for development or for focus of a published result, or a
    line added by hand."""

    class Kind(models.TextChoices):
        DEVELOPMENT = "development", "Area for development"
        FOCUS = "focus", "Area for focus"
        OTHER = "other", "Added by the authority"

    authority = models.ForeignKey("authorities.Authority", on_delete=models.PROTECT, related_name="plan_lines")
    result = models.ForeignKey("publication.Result", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    finding = models.ForeignKey("assessments.Finding", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    area = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=0)  # moves with each action added (apa.councils.history)

    class Meta:
        ordering = ["authority", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "finding"], condition=models.Q(finding__isnull=False),
                                    name="plan_line_finding_unique"),
        ]


class ActionStatus(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    COMPLETE = "complete", "Complete"


class PlanAction(models.Model):
    line = models.ForeignKey(PlanLine, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    owner_name = models.CharField(max_length=200, blank=True)  # a named person without an account
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.AMBER)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=0)  # a save from an older version is refused

    class Meta:
        ordering = ["due_date", "pk"]

    @property
    def owner_label(self) -> str:
        return (self.owner.get_full_name() or self.owner.username) if self.owner else self.owner_name


class ProgressNote(models.Model):
    action = models.ForeignKey(PlanAction, on_delete=models.CASCADE, related_name="notes")
    date = models.DateField()
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["date", "pk"]


class Clinic(models.Model):
    """An improvement clinic: a review meeting of the plan. The next clinic shows what changed since this one."""

    authority = models.ForeignKey("authorities.Authority", on_delete=models.CASCADE, related_name="clinics")
    held_on = models.DateField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]


class AlertSent(models.Model):
    """An alert sent by the daily digest: each is sent once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="alert_sent_unique")]
