"""Read-only admin: every change must go through the services so it is validated and audited."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from lantern.audit.models import Action
from lantern.audit.services import audit_record
from lantern.episodes.models import MissingEpisode, PoliceGrading


class AuditedReadOnlyAdmin(admin.ModelAdmin):
    """No add, change or delete; opening one record is audited like any other read (AD1, AD4)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def child_id_for(self, obj: Any) -> int | None:
        return getattr(obj, "child_id", None)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if obj is not None:
            audit_record(
                actor=request.user,
                action=Action.VIEW,
                obj=obj,
                child_id=self.child_id_for(obj),
                summary=f"Viewed {obj._meta.verbose_name} in the admin",
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(MissingEpisode)
class MissingEpisodeAdmin(AuditedReadOnlyAdmin):
    list_display = ["reference", "category", "last_seen_at", "returned_at", "police_force"]
    list_filter = ["category", "setting", "whereabouts"]
    list_select_related = ["police_force"]
    date_hierarchy = "last_seen_at"


@admin.register(PoliceGrading)
class PoliceGradingAdmin(AuditedReadOnlyAdmin):
    list_display = ["episode", "grade", "scheme", "graded_at", "organisation"]
    list_filter = ["grade", "scheme"]
    list_select_related = ["episode", "organisation"]

    def child_id_for(self, obj: Any) -> int | None:
        return obj.episode.child_id
