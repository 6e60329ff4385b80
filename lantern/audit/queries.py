"""Read the audit log."""

from django.db.models import QuerySet

from lantern.audit.models import Action, AuditEvent


def child_access_log(*, child_id: int, limit: int = 500) -> QuerySet[AuditEvent]:
    """Who has seen or changed this child's record, newest first (AD10)."""
    return AuditEvent.objects.filter(child_id=child_id).order_by("-at", "-id")[:limit]


def child_viewers(*, child_id: int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(child_id=child_id, action=Action.VIEW)
