"""The append-only access and change log.

Rows are written by ``lantern.audit.services.audit_record`` in the same transaction as the work
they describe. The application has no update or delete path; the database refuses them too
(triggers installed by migrations 0002 and 0003 on SQLite and PostgreSQL).
"""

from django.db import models


class Action(models.TextChoices):
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    PRINT = "print", "Printed"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_OUT = "sign_out", "Signed out"
    SHARE = "share", "Shared"
    DECLINE_SHARE = "decline_share", "Decided not to share"
    DENIED = "denied", "Was refused"


class AppendOnlyError(RuntimeError):
    pass


class AppendOnlyModel(models.Model):
    """No update or delete path in the application (the database triggers refuse them too)."""

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditEvent(AppendOnlyModel):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Plain values, not foreign keys: the log must outlive users, organisations and records, and
    # the audit app knows no domain app.
    user_id = models.BigIntegerField(null=True)
    username = models.CharField(max_length=150, blank=True)
    organisation_id = models.BigIntegerField(null=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    child_id = models.BigIntegerField(null=True, db_index=True)
    request_id = models.CharField(max_length=32, blank=True, db_index=True)
    summary = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["child_id", "at"]), models.Index(fields=["user_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"


class AuditEventChild(AppendOnlyModel):
    """One child named by an event that concerns many: a list, search, report, export, print or
    map. The event stays one row per request or action; these rows let a child's "who has seen
    this record" page find it (AD2, AD10) without searching every event's detail.

    Append-only like the events themselves (triggers installed by migration 0003).
    """

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="children")
    # A plain value, as on AuditEvent: the log outlives the child's record.
    child_id = models.BigIntegerField()

    class Meta:
        constraints = [
            # Also the index the "who has seen" page reads by.
            models.UniqueConstraint(fields=["child_id", "event"], name="audit_event_child_once")
        ]

    def __str__(self) -> str:
        return f"event {self.event_id}: child {self.child_id}"
