"""Admin for partnership administrators: tools, rules and phrases; every edit audited.

A published or retired tool version is read-only here: to change a tool, make a draft copy
(action "Start a new draft version"), edit the draft, then publish it. Completed screenings keep
pointing at the version they used.
"""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from lantern.audit.admin import AuditedModelAdmin
from lantern.audit.models import Action
from lantern.audit.services import audit_record, snapshot
from lantern.risk import services
from lantern.risk.models import (
    ContextFactor,
    Indicator,
    IndicatorExploitationType,
    LadderStep,
    LanguageRule,
    OverrideRule,
    OverrideRuleExploitationType,
    RepeatMissingRule,
    ScreeningTool,
    ToolDomain,
    ToolStatus,
)


class AuditedInlinesMixin:
    """Audit rows added, changed or deleted through inlines, which ``save_model`` never sees."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        formset.save()
        for obj in formset.new_objects:
            audit_record(
                actor=request.user,
                action=Action.CREATE,
                obj=obj,
                summary=f"Added {obj._meta.verbose_name} in admin",
                detail={"after": snapshot(obj)},
            )
        for obj, fields in formset.changed_objects:
            audit_record(
                actor=request.user,
                action=Action.UPDATE,
                obj=obj,
                summary=f"Changed {obj._meta.verbose_name} in admin",
                detail={"fields": fields, "after": snapshot(obj)},
            )
        for obj in formset.deleted_objects:
            audit_record(
                actor=request.user,
                action=Action.DELETE,
                object_type=obj._meta.label_lower,
                object_id=obj.pk or "",
                summary=f"Deleted {obj._meta.verbose_name} in admin",
                detail={"before": snapshot(obj)},
            )


def _tool_of(obj: Any) -> ScreeningTool | None:
    if isinstance(obj, ScreeningTool):
        return obj
    if isinstance(obj, ToolDomain):
        return obj.tool
    if isinstance(obj, Indicator):
        return obj.domain.tool
    return None


class DraftOnlyMixin:
    """Rows of a published or retired tool version cannot be changed or deleted."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        tool = _tool_of(obj)
        if tool is not None and tool.status != ToolStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        tool = _tool_of(obj)
        if tool is not None and tool.status != ToolStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc]


class ToolDraftInline(admin.TabularInline):
    """An inline on a tool: editable only while the tool is a draft."""

    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.status == ToolStatus.DRAFT

    has_add_permission = has_change_permission  # type: ignore[assignment]
    has_delete_permission = has_change_permission


class ToolDomainInline(ToolDraftInline):
    model = ToolDomain
    fields = ("order", "code", "name", "description")
    show_change_link = True


class ContextFactorInline(ToolDraftInline):
    model = ContextFactor
    fields = ("order", "code", "text")


@admin.register(ScreeningTool)
class ScreeningToolAdmin(DraftOnlyMixin, AuditedInlinesMixin, AuditedModelAdmin):
    list_display = ("name", "version", "status", "published_at")
    list_filter = ("status", "name")
    readonly_fields = ("version", "status", "published_at", "source_hash")
    inlines = (ToolDomainInline, ContextFactorInline)
    actions = ("start_draft", "publish")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # new versions come from a draft copy or the shipped file

    @admin.action(description="Start a new draft version from the selected tool")
    def start_draft(self, request: HttpRequest, queryset: QuerySet[ScreeningTool]) -> None:
        for tool in queryset:
            draft = services.tool_draft_from(actor=request.user, tool=tool)
            self.message_user(request, f"Started {draft}.")

    @admin.action(description="Publish the selected draft")
    def publish(self, request: HttpRequest, queryset: QuerySet[ScreeningTool]) -> None:
        for tool in queryset:
            try:
                services.tool_publish(actor=request.user, tool=tool)
            except ValidationError as error:
                self.message_user(request, f"{tool}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, f"Published {tool}.")


class IndicatorDraftInline(admin.TabularInline):
    """An inline on an indicator: editable only while its tool is a draft."""

    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.domain.tool.status == ToolStatus.DRAFT

    has_add_permission = has_change_permission  # type: ignore[assignment]
    has_delete_permission = has_change_permission


class LadderStepInline(IndicatorDraftInline):
    model = LadderStep


class IndicatorTypeInline(IndicatorDraftInline):
    model = IndicatorExploitationType


@admin.register(Indicator)
class IndicatorAdmin(DraftOnlyMixin, AuditedInlinesMixin, AuditedModelAdmin):
    list_display = ("text", "code", "domain", "scale", "weight", "preset_level", "current_for_days")
    list_filter = ("domain__tool", "scale", "preset_level")
    search_fields = ("text", "code")
    inlines = (LadderStepInline, IndicatorTypeInline)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "domain":
            kwargs["queryset"] = ToolDomain.objects.filter(tool__status=ToolStatus.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ToolDomain)
class ToolDomainAdmin(DraftOnlyMixin, AuditedModelAdmin):
    list_display = ("name", "code", "tool", "order")
    list_filter = ("tool",)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "tool":
            kwargs["queryset"] = ScreeningTool.objects.filter(status=ToolStatus.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class OverrideRuleTypeInline(admin.TabularInline):
    model = OverrideRuleExploitationType
    extra = 0


@admin.register(OverrideRule)
class OverrideRuleAdmin(AuditedInlinesMixin, AuditedModelAdmin):
    list_display = ("order", "description", "condition", "kind", "level", "within_days", "active")
    list_display_links = ("description",)
    list_filter = ("active", "condition", "level")
    inlines = (OverrideRuleTypeInline,)


@admin.register(RepeatMissingRule)
class RepeatMissingRuleAdmin(AuditedModelAdmin):
    list_display = ("description", "count", "window_days", "level", "active")


@admin.register(LanguageRule)
class LanguageRuleAdmin(AuditedModelAdmin):
    list_display = ("phrase", "suggestion", "active")
    list_filter = ("active",)
    search_fields = ("phrase", "suggestion")
