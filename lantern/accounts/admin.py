from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from lantern.accounts.models import Membership, Organisation, Share, User
from lantern.audit.admin import AuditedModelAdmin


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ("name", "type", "ons_code", "dfe_la_code", "police_force", "active")
    list_filter = ("type", "active")
    search_fields = ("name", "ons_code", "dfe_la_code")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("organisation",)


@admin.register(User)
class LanternUserAdmin(AuditedModelAdmin, UserAdmin):
    inlines = (MembershipInline,)
    list_display = ("username", "display_name", "email", "is_active", "is_staff")
    fieldsets = (*UserAdmin.fieldsets, ("Lantern", {"fields": ("display_name",)}))


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    list_display = ("user", "organisation", "role", "active")
    list_filter = ("role", "active")
    autocomplete_fields = ("user", "organisation")


@admin.register(Share)
class ShareAdmin(admin.ModelAdmin):
    """Shares are decided in the service (with their lawful basis); admin only reads them."""

    list_display = (
        "child",
        "from_organisation",
        "to_organisation",
        "decision",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("decision",)

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
