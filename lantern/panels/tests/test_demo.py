"""The demo panel: created once with its members, remits and meetings; running again adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from lantern.accounts.models import User
from lantern.panels import services
from lantern.panels.models import Action, Decision, Meeting, MeetingStatus, Panel, Sharing
from lantern.panels.queries import agenda_for
from lantern.people.models import Child

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("demo_load", "--children", "60", "--no-progress", stdout=StringIO())
    out = StringIO()
    call_command("panels_demo", stdout=out)
    return out.getvalue()


def test_the_demo_panel_has_its_members_remits_and_meetings(demo):
    panel = Panel.objects.get()
    sharing = {
        m.organisation.name: m.sharing for m in panel.memberships.select_related("organisation")
    }
    assert sharing == {
        "Haringey": Sharing.FULL,
        "Metropolitan Police Service": Sharing.FULL,
        "North London Community Health (demo)": Sharing.FULL,
        "Safe Return Project (demo)": Sharing.RESTRICTED_EXCLUDED,
        "Northside Academy (demo)": Sharing.RESTRICTED_EXCLUDED,
    }
    assert len(panel.remit_values) == 5 and panel.cadence_days == 21
    assert panel.rules.count() == 8
    last, upcoming = panel.meetings.order_by("date")
    assert last.status == MeetingStatus.CLOSED
    assert upcoming.status == MeetingStatus.PLANNED and upcoming.date == timezone.localdate()
    assert "Created the panel" in demo


def test_the_last_meeting_decided_about_kai_with_an_overdue_action(demo):
    kai = Child.objects.get(first_name="Kai", last_name="Mensah")
    decision = Decision.objects.get(item__child=kai)
    assert decision.minutes.filter(restricted=True).exists()
    overdue = Action.objects.filter(child=kai, due_date__lt=timezone.localdate())
    assert overdue.count() == 2
    last = decision.item.meeting
    assert [
        v.child for v in agenda_for(User.objects.get(username="haringey-chair"), last).items
    ] == [kai]


def test_panels_demo_is_idempotent(demo):
    out = StringIO()
    call_command("panels_demo", stdout=out)
    assert Panel.objects.count() == 1 and Meeting.objects.count() == 2
    assert "Kept the panel" in out.getvalue() and "no new meetings" in out.getvalue()


def test_the_chair_sees_kai_carried_forward_on_the_next_agenda(demo):
    chair = User.objects.get(username="haringey-chair")
    upcoming = Meeting.objects.get(status=MeetingStatus.PLANNED)
    services.agenda_build(actor=chair, meeting=upcoming)
    kai = next(v for v in agenda_for(chair, upcoming).items if v.child.first_name == "Kai")
    assert any("carried forward" in r.reason for r in kai.reasons)
    assert [c.kind for c in kai.changes].count("action_overdue") == 2
