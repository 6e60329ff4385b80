"""A record of every import: who, when, which files, what they held and what Lantern did."""

from django.conf import settings
from django.db import models

from lantern.accounts.models import Organisation


class ImportKind(models.TextChoices):
    SSDA903 = "ssda903", "DfE SSDA903 Header, Episodes and Missing"
    POLICE = "police", "Police missing-person reports"


class ImportStatus(models.TextChoices):
    IMPORTED = "imported", "Imported"
    REJECTED = "rejected", "Rejected: nothing was written"


class ImportRun(models.Model):
    """One import, successful or rejected.

    A successful run is written in the same transaction as the rows it imported, so a run that
    was killed leaves neither rows nor a run behind. A rejected run is recorded on its own after
    the rollback, with its first errors (file, line, column and reason; never the values, which
    may be names or dates of birth).
    """

    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    status = models.CharField(max_length=10, choices=ImportStatus.choices)
    # The council (903) or police force (police reports) whose data this is.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=20, default="command line")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    file_names = models.CharField(max_length=500)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the files, in name order")
    rows_read = models.PositiveIntegerField(default=0)
    children_created = models.PositiveIntegerField(default=0)
    placements_created = models.PositiveIntegerField(default=0)
    episodes_created = models.PositiveIntegerField(default=0)
    gradings_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["organisation", "started_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="imported", error_count=0)
                | models.Q(status="rejected", error_count__gt=0),
                name="import_run_status_matches_errors",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.pk} ({self.get_status_display()})"
