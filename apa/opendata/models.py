"""Open-data releases: each one a dated description of the published record at one moment (`as_at`). The
files are built from the snapshots as they stood then, so a release can be rebuilt at any time and gives the
same bytes; `first_build` keeps the hashes of its first build to prove it."""

from django.db import models


class Release(models.Model):
    class Reason(models.TextChoices):
        IMPORTED = "imported", "Results imported"
        PUBLISHED = "published", "Results of a cycle published"
        CORRECTED = "corrected", "A published result corrected"

    number = models.PositiveIntegerField(unique=True)
    label = models.CharField(max_length=300)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    # The moment the release describes: everything in it is read as it stood then. It may lie ahead (a cycle
    # scheduled to publish): the release is listed and built only once that moment has come.
    as_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # What the first build gave: {"format": package format, "files": {file name: "sha256:<hex>"}}; every later
    # build by the same format must give the same.
    first_build = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Release {self.number}: {self.label}"
