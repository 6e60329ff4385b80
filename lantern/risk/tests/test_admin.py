"""Admin: rule edits are audited; a published tool version cannot be edited."""

import pytest
from django.urls import reverse

from lantern.accounts.models import User
from lantern.audit.models import AuditEvent
from lantern.risk.models import Indicator, OverrideRule, ScreeningTool, ToolStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, tool):
    user = User.objects.create_superuser("partnership-admin", "pa@example.org", "x-long-password-1")
    client.force_login(user)
    return client


def test_editing_a_rule_in_admin_is_audited(admin_client):
    rule = OverrideRule.objects.get(code="found-with-others")
    url = reverse("admin:risk_overriderule_change", args=[rule.pk])
    data = {
        "code": rule.code,
        "description": rule.description,
        "kind": rule.kind,
        "condition": rule.condition,
        "level": "medium",
        "within_days": 90,
        "order": rule.order,
        "active": "on",
        "types-TOTAL_FORMS": 0,
        "types-INITIAL_FORMS": 0,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert OverrideRule.objects.get(pk=rule.pk).level == "medium"
    event = AuditEvent.objects.get(object_type="risk.overriderule", action="update")
    assert event.detail["changes"]["level"] == ["low", "medium"]


def test_a_published_tools_indicator_cannot_be_changed_in_admin(admin_client, tool):
    sti = Indicator.objects.get(domain__tool=tool, code="sti")
    url = reverse("admin:risk_indicator_change", args=[sti.pk])
    admin_client.post(url, {"text": "Changed", "code": "sti", "scale": "yes_no_dk"})
    assert Indicator.objects.get(pk=sti.pk).text == "Has a sexually transmitted infection"


def test_the_draft_action_copies_a_tool_and_publishing_retires_the_old_one(admin_client, tool):
    changelist = reverse("admin:risk_screeningtool_changelist")
    admin_client.post(changelist, {"action": "start_draft", "_selected_action": [tool.pk]})
    draft = ScreeningTool.objects.get(version=2)
    assert draft.status == ToolStatus.DRAFT
    admin_client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    assert ScreeningTool.objects.get(pk=tool.pk).status == ToolStatus.RETIRED
    assert ScreeningTool.objects.get(pk=draft.pk).status == ToolStatus.PUBLISHED
