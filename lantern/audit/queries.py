"""Read the audit log."""

from django.db.models import QuerySet

from lantern.audit.models import Action, AuditEvent


def _event_ids(*, child_id: int, limit: int, action: str = "") -> set[int]:
    """The newest ``limit`` events about the child (``child_id``) and the newest ``limit`` that
    showed the child among others (a list, search, export or map): two index reads rather than
    one OR over the whole log, which no index serves."""
    about = AuditEvent.objects.filter(child_id=child_id)
    among = AuditEvent.objects.filter(children__child_id=child_id)
    if action:
        about, among = about.filter(action=action), among.filter(action=action)
    ids: set[int] = set()
    for events in (about, among):
        ids.update(events.order_by("-at", "-id").values_list("pk", flat=True)[:limit])
    return ids


def child_access_log(*, child_id: int, limit: int = 500) -> QuerySet[AuditEvent]:
    """Who has seen or changed this child's record, newest first (AD10): the events about the
    child, and the lists, searches, reports, exports and maps that showed the child (AD2)."""
    ids = _event_ids(child_id=child_id, limit=limit)
    return AuditEvent.objects.filter(pk__in=ids).order_by("-at", "-id")[:limit]


def child_viewers(*, child_id: int, limit: int = 500) -> QuerySet[AuditEvent]:
    """The views of the child's record, and of lists and pages that showed the child."""
    ids = _event_ids(child_id=child_id, limit=limit, action=Action.VIEW)
    return AuditEvent.objects.filter(pk__in=ids).order_by("-at", "-id")[:limit]
