"""Write audit events. Call inside the transaction of the work being audited."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction

from lantern.audit.models import Action, AuditEvent, AuditEventChild
from lantern.common.bulk import rows_insert
from lantern.common.context import current_request_id


def _json_safe(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def _acting_membership(actor: Any) -> Any:
    """The organisation and role the actor works under, for attribution (AD1, AD4).

    Web requests attach it in middleware; a service called from a command, an import or a test
    has none attached, and its events would otherwise name no organisation or role. Read through
    the user's own relation, so the audit app still imports no domain app.
    """
    if actor is None:
        return None
    if hasattr(actor, "acting_membership"):
        return actor.acting_membership
    memberships = getattr(actor, "memberships", None)
    if memberships is None:
        return None
    return (
        memberships.filter(active=True, organisation__active=True)
        .select_related("organisation")
        .order_by("id")
        .first()
    )


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    child_id: int | None = None,
    summary: str = "",
    detail: Mapping[str, Any] | None = None,
    child_ids: Iterable[int] | None = None,
) -> AuditEvent:
    """Append one event. ``actor`` is a user (with an optional acting membership) or None.

    ``child_id`` is the one child a record page or change is about; ``child_ids`` are the
    children a list, search, report, export, print or map shows. Each of those is written as a
    row of its own beside the event, so every child's "who has seen this record" page finds
    the event (AD2, AD10) while the request still writes one event.

    Must run inside a transaction so that the event and the work commit together (AD7): if
    the write fails, the caller's transaction fails and the page is not served.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside a transaction")
    membership = _acting_membership(actor)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    event = AuditEvent.objects.create(
        user_id=getattr(actor, "pk", None),
        username=getattr(actor, "username", "") or "",
        organisation_id=getattr(membership, "organisation_id", None),
        organisation_name=str(getattr(membership, "organisation", "") or "") if membership else "",
        role=getattr(membership, "role", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        child_id=child_id,
        request_id=current_request_id(),
        summary=summary[:300],
        detail=_json_safe(dict(detail or {})),
    )
    if child_ids is not None:
        # Plain rows (COPY on PostgreSQL): a map can name 10,000 children, and building model
        # instances for them cost several times the insert itself.
        rows_insert(
            AuditEventChild._meta.db_table,
            ("event_id", "child_id"),
            [(event.pk, pk) for pk in sorted(set(child_ids))],
        )
    return event


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a row, for before/after records of a change."""
    names = list(fields) if fields is not None else [f.attname for f in obj._meta.concrete_fields]
    return {name: _json_safe(getattr(obj, name)) for name in names}


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Only the fields that differ: {field: [before, after]}."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


__all__ = ["Action", "audit_record", "changes", "snapshot"]
