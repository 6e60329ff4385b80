"""Admin for partnership administrators: panels, their members and referral criteria; audited.

Chairs change referral criteria on the panel's own page (also audited); meetings, agendas and
decisions are changed only through the panel pages, never here.
"""

from django.contrib import admin

from lantern.audit.admin import AuditedModelAdmin
from lantern.panels.models import Panel, PanelMembership, PanelRemit, ReferralRule


@admin.register(Panel)
class PanelAdmin(AuditedModelAdmin):
    list_display = ("name", "lead_la", "cadence_days", "active")
    list_filter = ("active",)


@admin.register(PanelMembership)
class PanelMembershipAdmin(AuditedModelAdmin):
    list_display = ("panel", "organisation", "sharing")
    list_filter = ("panel", "sharing")


@admin.register(PanelRemit)
class PanelRemitAdmin(AuditedModelAdmin):
    list_display = ("panel", "remit")
    list_filter = ("panel",)


@admin.register(ReferralRule)
class ReferralRuleAdmin(AuditedModelAdmin):
    list_display = ("description", "panel", "kind", "remit", "active", "order")
    list_filter = ("panel", "kind", "active")
    ordering = ("panel", "order")
