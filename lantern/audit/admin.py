"""Admin: the audit log is read-only, and admin changes elsewhere are audited like any other."""

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from lantern.audit.models import Action, AuditEvent
from lantern.audit.services import audit_record, changes, snapshot


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes write before/after audit events (AD4)."""

    def _child_id(self, obj: models.Model) -> int | None:
        return getattr(obj, "child_id", None)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else {}
        super().save_model(request, obj, form, change)
        after = snapshot(obj)
        audit_record(
            actor=request.user,
            action=Action.UPDATE if change else Action.CREATE,
            obj=obj,
            child_id=self._child_id(obj),
            summary=f"{'Changed' if change else 'Added'} {obj._meta.verbose_name} in admin",
            detail={"changes": changes(before, after)} if change else {"after": after},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = snapshot(obj)
        audit_record(
            actor=request.user,
            action=Action.DELETE,
            obj=obj,
            child_id=self._child_id(obj),
            summary=f"Deleted {obj._meta.verbose_name} in admin",
            detail={"before": before},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "at",
        "username",
        "organisation_name",
        "role",
        "action",
        "object_type",
        "child_id",
    )
    list_filter = ("action", "role")
    search_fields = ("username", "request_id", "object_id")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
