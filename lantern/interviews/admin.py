"""Read-only admin: every change must go through the services so it is validated and audited."""

from typing import Any

from django.contrib import admin

from lantern.episodes.admin import AuditedReadOnlyAdmin
from lantern.interviews.models import Disclosure, InterviewFactor, ReturnInterview


@admin.register(ReturnInterview)
class ReturnInterviewAdmin(AuditedReadOnlyAdmin):
    list_display = ["pk", "status", "offered_at", "completed_at", "conducted_by_organisation"]
    list_filter = ["status", "independent"]
    list_select_related = ["conducted_by_organisation"]


@admin.register(InterviewFactor)
class InterviewFactorAdmin(AuditedReadOnlyAdmin):
    list_display = ["interview", "direction", "factor"]
    list_filter = ["direction", "factor"]

    def child_id_for(self, obj: Any) -> int | None:
        return obj.interview.child_id


@admin.register(Disclosure)
class DisclosureAdmin(AuditedReadOnlyAdmin):
    # Disclosures are special-category text: the list shows no text, only the markers.
    list_display = ["pk", "interview", "exploitation_type", "is_exploitation_indicator"]
    list_filter = ["exploitation_type", "is_exploitation_indicator"]

    def child_id_for(self, obj: Any) -> int | None:
        return obj.interview.child_id
