"""AD2, AD10: every panel page or print that shows children puts the viewer in each child's
"who has seen this record" log, and sharing children through an agenda is in it too."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lantern.audit.models import Action, AuditEvent
from lantern.audit.queries import child_access_log
from lantern.panels import services
from lantern.panels.models import AgendaItem
from lantern.panels.tests.conftest import episode, make_child


def _seen_by(user, child_id: int, request_id: str) -> bool:
    return any(
        e.user_id == user.pk and e.request_id == request_id
        for e in child_access_log(child_id=child_id)
    )


@pytest.fixture
def children(world, panel, meeting):
    """Two children on today's agenda (three episodes each), with an open action each."""
    made = []
    for first in ("Kai", "Lena"):
        child = make_child(world, first=first, last="Mensah")
        for days in (40, 20, 5):
            episode(world, child, days_ago=days)
        made.append(child)
    services.agenda_build(actor=world.chris, meeting=meeting)
    for child in made:
        services.action_create(
            actor=world.chris,
            item=AgendaItem.objects.get(meeting=meeting, child=child),
            description="Visit the family",
            owner_name="Sam Patel",
            owner_organisation=world.haringey,
            due_date=timezone.localdate() + timedelta(days=7),
        )
    return made


@pytest.mark.parametrize(
    "name, persona",
    [
        ("suggestions", "chris"),
        ("meeting", "chris"),
        ("minutes", "pete"),
        ("pack", "chris"),
        ("actions", "sam"),
        ("weekly", "sam"),
        ("weekly_pdf", "sam"),
    ],
)
def test_each_child_shown_has_the_viewer_in_their_log(
    world, panel, meeting, children, name, persona
):
    user = getattr(world, persona)
    urls = {
        "suggestions": reverse("panels:suggestions", args=[panel.pk]),
        "meeting": reverse("panels:meeting", args=[meeting.pk]),
        "minutes": reverse("panels:minutes", args=[meeting.pk]),
        "pack": reverse("panels:pack", args=[meeting.pk, "full"]),
        "actions": reverse("panels:actions"),
        "weekly": reverse("panels:weekly"),
        "weekly_pdf": reverse("panels:weekly_pdf") + f"?la={world.haringey.pk}",
    }
    client = Client()
    client.force_login(user)
    response = client.get(urls[name])
    assert response.status_code == 200
    request_id = response["X-Request-Id"]
    event = AuditEvent.objects.get(request_id=request_id)
    shown = sorted(event.detail["children"])
    assert shown, "the page should show the children on the agenda"
    assert {c.pk for c in children} <= set(shown) or name == "suggestions"
    for child_id in shown:
        assert _seen_by(user, child_id, request_id), (name, child_id)


def test_sharing_children_through_the_agenda_is_in_each_childs_log(world, panel, meeting, children):
    """The agenda build shares both children with the members in one decision (one event);
    each child's log shows it."""
    event = AuditEvent.objects.get(action=Action.SHARE, object_type="accounts.share")
    assert event.child_id is None  # two children: named by rows, not by the event
    assert event.summary == f"Shared 2 children with the member organisations of {panel}"
    for child in children:
        assert event in list(child_access_log(child_id=child.pk))
