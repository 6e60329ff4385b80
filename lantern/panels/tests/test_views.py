"""Panel pages: who sees what (personas), restricted items, audit, decisions and the worklist."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from lantern.accounts.models import Share
from lantern.accounts.services import share_revoke
from lantern.audit.models import AuditEvent
from lantern.intelligence.models import AccessLevel, Link, LinkKind, Place, PlaceType, Relation
from lantern.panels import services
from lantern.panels.models import Action, ActionStatus, AgendaItem, Decision, MinuteSection, Outcome
from lantern.panels.queries import child_panels
from lantern.panels.tests.conftest import age_days, episode, make_child
from lantern.panels.tests.pdftext import pdf_pages, pdf_text

pytestmark = pytest.mark.django_db

POLICE_REASON = "Police intelligence links him to a county line"
OPEN_MINUTE = "The panel agreed disruption at the station."
RESTRICTED_MINUTE = "Covert source reports the address on Park Lane."


def _police_action(world, item, description: str, *, due_date):
    """An action the chair gives the Met's coordinator."""
    return services.action_create(
        actor=world.chris,
        item=item,
        description=description,
        owner_name="Pete Lewis",
        owner_organisation=world.met,
        due_date=due_date,
    )


@pytest.fixture
def item(world, panel, meeting):
    """Kai on today's agenda: three episodes, a referral by hand with a restricted reason, and a
    decision whose minutes have an open and a restricted section."""
    child = make_child(world, first="Kai", last="Mensah")
    for days in (40, 20, 5):
        episode(world, child, days_ago=days)
    services.referral_make(
        actor=world.sam, panel=panel, child=child, reason=POLICE_REASON, restricted=True
    )
    services.agenda_build(actor=world.chris, meeting=meeting)
    item = AgendaItem.objects.get(meeting=meeting, child=child)
    services.decision_record(
        actor=world.chris,
        item=item,
        agreed_risk_level="high",
        lead_agency=world.haringey,
        lead_professional_name="Sam Patel",
        nrm_referral=False,
        strategy_discussion=True,
        review_date=meeting.date + timedelta(days=21),
        outcome=Outcome.CONTINUE,
        minutes=[
            services.MinuteInput(OPEN_MINUTE, False),
            services.MinuteInput(RESTRICTED_MINUTE, True),
        ],
    )
    return item


def panel_urls(panel, meeting, item):
    return [
        reverse("panels:panel", args=[panel.pk]),
        reverse("panels:suggestions", args=[panel.pk]),
        reverse("panels:refer", args=[panel.pk]),
        reverse("panels:meeting", args=[meeting.pk]),
        reverse("panels:minutes", args=[meeting.pk]),
        reverse("panels:pack", args=[meeting.pk, "full"]),
        reverse("panels:pack", args=[meeting.pk, "restricted"]),
        reverse("panels:item", args=[item.pk]),
        reverse("panels:decision", args=[item.pk]),
        reverse("panels:attendance", args=[meeting.pk]),
        reverse("panels:rule_edit", args=[panel.pk, panel.rules.first().pk]),
    ]


@pytest.mark.parametrize("persona", ["bella", "priya", "andy"])
def test_people_outside_the_panel_get_404_everywhere(client, world, panel, meeting, item, persona):
    client.force_login(getattr(world, persona))
    for url in panel_urls(panel, meeting, item):
        assert client.get(url).status_code == 404, url
    for name in ("panels:meeting_build", "panels:meeting_status"):
        assert client.post(reverse(name, args=[meeting.pk])).status_code == 404
    assert client.post(reverse("panels:handover", args=[item.pk])).status_code == 404


def test_analysts_see_no_panel_list_or_worklist(client, world, panel):
    client.force_login(world.andy)
    assert client.get(reverse("panels:index")).status_code == 404
    assert client.get(reverse("panels:actions")).status_code == 404


def test_members_who_are_not_chairs_cannot_reach_chair_pages(client, world, panel, meeting, item):
    client.force_login(world.sam)
    assert client.get(reverse("panels:meeting", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("panels:decision", args=[item.pk])).status_code == 404
    assert client.get(reverse("panels:meeting_new", args=[panel.pk])).status_code == 404
    assert client.post(reverse("panels:meeting_build", args=[meeting.pk])).status_code == 404


def test_the_panel_list_shows_the_users_panels(client, world, panel, meeting):
    client.force_login(world.pete)
    page = client.get(reverse("panels:index")).content.decode()
    assert panel.name in page
    client.force_login(world.bella)
    assert panel.name not in client.get(reverse("panels:index")).content.decode()


def test_full_members_see_restricted_items(client, world, met_member, panel, meeting, item):
    client.force_login(met_member)
    agenda = client.get(reverse("panels:meeting", args=[meeting.pk])).content.decode()
    assert "Kai Mensah" in agenda
    assert POLICE_REASON in agenda
    minutes = client.get(reverse("panels:minutes", args=[meeting.pk])).content.decode()
    assert OPEN_MINUTE in minutes and RESTRICTED_MINUTE in minutes


def test_restricted_items_are_hidden_from_restricted_members(
    client, world, school_member, panel, meeting, item
):
    client.force_login(school_member)
    agenda = client.get(reverse("panels:meeting", args=[meeting.pk])).content.decode()
    assert "Kai Mensah" in agenda  # the school sees the child through the panel's share
    assert POLICE_REASON not in agenda
    minutes = client.get(reverse("panels:minutes", args=[meeting.pk])).content.decode()
    assert OPEN_MINUTE in minutes
    assert RESTRICTED_MINUTE not in minutes
    item_page = client.get(reverse("panels:item", args=[item.pk])).content.decode()
    assert RESTRICTED_MINUTE not in item_page and POLICE_REASON not in item_page
    assert client.get(reverse("panels:pack", args=[meeting.pk, "full"])).status_code == 404


def test_a_revoked_share_hides_the_child_from_that_member(
    client, world, school_member, panel, meeting, item
):
    for share in Share.objects.filter(child=item.child, to_organisation=world.school):
        share_revoke(actor=world.chris, share=share)
    client.force_login(school_member)
    agenda = client.get(reverse("panels:meeting", args=[meeting.pk])).content.decode()
    assert "Kai Mensah" not in agenda
    assert client.get(reverse("panels:item", args=[item.pk])).status_code == 404


def test_police_only_intelligence_shows_to_police_members_only(
    client, world, met_member, school_member, panel, meeting, item
):
    place = Place.objects.create(
        label="Station car park", place_type=PlaceType.OTHER, access_level=AccessLevel.POLICE_ONLY
    )
    Link.objects.create(
        kind=LinkKind.CHILD_PLACE,
        relation=Relation.VISITS,
        child=item.child,
        place=place,
        observed_on=timezone.localdate(),
        evidence="Seen by officers",
        access_level=AccessLevel.POLICE_ONLY,
    )
    client.force_login(met_member)
    assert (
        "1 police only" in client.get(reverse("panels:meeting", args=[meeting.pk])).content.decode()
    )
    client.force_login(school_member)
    assert (
        "intelligence link"
        not in client.get(reverse("panels:meeting", args=[meeting.pk])).content.decode()
    )


def test_viewing_the_agenda_is_audited_with_the_children(client, world, panel, meeting, item):
    client.force_login(world.chris)
    client.get(reverse("panels:meeting", args=[meeting.pk]))
    event = AuditEvent.objects.filter(action="view", object_type="panels.meeting").first()
    assert event.summary == "Viewed the panel agenda"
    assert event.detail["children"] == [item.child_id]
    assert event.username == "chris"


def test_viewing_the_minutes_is_audited(client, world, panel, meeting, item):
    client.force_login(world.pete)
    client.get(reverse("panels:minutes", args=[meeting.pk]))
    event = AuditEvent.objects.filter(summary="Viewed the panel minutes").get()
    assert event.detail["children"] == [item.child_id]
    assert event.detail["restricted_sections"] is True


def test_printing_the_pack_is_audited_as_a_print(client, world, panel, meeting, item):
    client.force_login(world.chris)
    response = client.get(reverse("panels:pack", args=[meeting.pk, "restricted"]))
    assert response["Content-Type"] == "application/pdf"
    event = AuditEvent.objects.filter(action="print").get()
    assert event.detail == {
        "children": [item.child_id],
        "what": "pack",
        "version": "restricted",
    }


def test_full_pack_has_restricted_text_and_restricted_pack_does_not(
    client, world, panel, meeting, item
):
    client.force_login(world.chris)
    full = pdf_text(client.get(reverse("panels:pack", args=[meeting.pk, "full"])).content)
    restricted = pdf_text(
        client.get(reverse("panels:pack", args=[meeting.pk, "restricted"])).content
    )
    for text in (full, restricted):
        assert "Panel pack" in text
        assert "Kai Mensah" in text and item.child.reference in text
        assert OPEN_MINUTE in text
        assert "3 missing episodes in the last 90 days" in text
    assert "FULL VERSION" in full and POLICE_REASON in full and RESTRICTED_MINUTE in full
    assert "RESTRICTED VERSION" in restricted
    assert POLICE_REASON not in restricted and RESTRICTED_MINUTE not in restricted


def test_the_pack_gives_each_child_their_own_page(client, world, panel, meeting, item):
    other = make_child(world, first="Ruby", last="Kowalski")
    services.referral_make(actor=world.sam, panel=panel, child=other, reason="Worried")
    services.agenda_build(actor=world.chris, meeting=meeting)
    client.force_login(world.chris)
    pages = pdf_pages(client.get(reverse("panels:pack", args=[meeting.pk, "full"])).content)
    summaries = [p for p in pages if "Home local authority" in p]
    assert len(summaries) == 2
    assert sum("Kai Mensah" in p for p in summaries) == 1
    assert sum("Ruby Kowalski" in p for p in summaries) == 1
    assert "Agenda" in pages[0]


def test_decision_form_records_the_decision_and_an_action(client, world, panel, meeting):
    child = make_child(world)
    services.referral_make(actor=world.sam, panel=panel, child=child, reason="Worried")
    services.agenda_build(actor=world.chris, meeting=meeting)
    item = AgendaItem.objects.get(child=child)
    due = timezone.localdate() + timedelta(days=10)
    client.force_login(world.chris)
    response = client.post(
        reverse("panels:decision", args=[item.pk]),
        {
            "agreed_risk_level": "high",
            "lead_agency": world.haringey.pk,
            "lead_professional_name": "Sam Patel",
            "nrm_referral": "no",
            "strategy_discussion": "yes",
            "outcome": "continue",
            "review_date": (meeting.date + timedelta(days=21)).isoformat(),
            "safety-0-description": "Daily check-in with the school",
            "safety-0-owner_name": "Nadia Brooks",
            "safety-0-owner_organisation": world.school.pk,
            "action-0-description": "Visit the flat with police",
            "action-0-owner_name": "Pete Lewis",
            "action-0-owner_organisation": world.met.pk,
            "action-0-due_date": due.isoformat(),
            "minute-0-text": OPEN_MINUTE,
            "minute-1-text": RESTRICTED_MINUTE,
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get(item=item)
    assert decision.strategy_discussion is True and decision.nrm_referral is False
    assert decision.safety_plan.get().owner_organisation == world.school
    assert list(MinuteSection.objects.values_list("restricted", flat=True)) == [False, True]
    action = Action.objects.get()
    assert (action.owner_organisation, action.due_date, action.status) == (
        world.met,
        due,
        ActionStatus.OPEN,
    )


def test_decision_form_errors_are_shown_and_nothing_is_saved(client, world, panel, meeting, item):
    client.force_login(world.chris)
    response = client.post(
        reverse("panels:decision", args=[item.pk]),
        {"outcome": "continue", "action-0-description": "Visit"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Choose the risk level the panel agreed" in page
    # The agreed level is a radio group: the summary links to its first radio, which exists.
    assert 'href="#id_agreed_risk_level_0"' in page and 'id="id_agreed_risk_level_0"' in page
    assert Action.objects.count() == 0


def test_language_guidance_on_minutes_warns_but_never_blocks(client, world, panel, meeting):
    child = make_child(world)
    services.referral_make(actor=world.sam, panel=panel, child=child, reason="Worried")
    services.agenda_build(actor=world.chris, meeting=meeting)
    item = AgendaItem.objects.get(child=child)
    client.force_login(world.chris)
    data = {
        "agreed_risk_level": "medium",
        "lead_agency": world.haringey.pk,
        "lead_professional_name": "Sam Patel",
        "nrm_referral": "no",
        "strategy_discussion": "no",
        "outcome": "continue",
        "review_date": (meeting.date + timedelta(days=21)).isoformat(),
        "minute-0-text": "She is putting herself at risk at the station.",
    }
    checked = client.post(
        reverse("panels:decision", args=[item.pk]), {**data, "check_language": "1"}
    )
    assert "Language guidance" in checked.content.decode()
    assert not Decision.objects.exists()
    saved = client.post(reverse("panels:decision", args=[item.pk]), data)
    assert saved.status_code == 302
    assert Decision.objects.get().minutes.get().text.startswith("She is putting herself")


def test_handover_button_adds_the_action(client, world, panel, meeting):
    child = make_child(world, age_days=age_days(17, 9))
    services.referral_make(actor=world.sam, panel=panel, child=child, reason="Worried")
    services.agenda_build(actor=world.chris, meeting=meeting)
    item = AgendaItem.objects.get(child=child)
    client.force_login(world.chris)
    page = client.get(reverse("panels:meeting", args=[meeting.pk])).content.decode()
    assert "Approaching adulthood" in page
    assert "Add handover to adult safeguarding action" in page
    client.post(reverse("panels:handover", args=[item.pk]))
    assert Action.objects.get().template == "handover"


def test_worklist_shows_the_organisations_open_and_overdue_actions(
    client, world, panel, meeting, item
):
    today = timezone.localdate()
    open_action = _police_action(
        world, item, "Visit the flat with police", due_date=today + timedelta(days=3)
    )
    overdue = _police_action(world, item, "Check the phone records", due_date=today)
    Action.objects.filter(pk=overdue.pk).update(due_date=today - timedelta(days=2))
    services.action_create(
        actor=world.chris,
        item=item,
        description="Council task",
        owner_name="Sam Patel",
        owner_organisation=world.haringey,
        due_date=today + timedelta(days=3),
    )
    client.force_login(world.pete)
    response = client.get(reverse("panels:actions"))
    worklist = response.context["worklist"]
    assert [r.action for r in worklist.overdue] == [overdue]
    assert [r.action for r in worklist.open] == [open_action]
    page = response.content.decode()
    assert "Council task" not in page and "Kai Mensah" in page

    client.post(
        reverse("panels:action_status", args=[open_action.pk]),
        {"status": "done", "version": open_action.version},
    )
    open_action.refresh_from_db()
    assert open_action.status == ActionStatus.DONE
    assert [r.action for r in client.get(reverse("panels:actions")).context["worklist"].open] == []


def test_another_organisation_cannot_close_an_action(client, world, panel, meeting, item):
    action = _police_action(world, item, "Visit", due_date=timezone.localdate() + timedelta(days=3))
    client.force_login(world.rita)
    response = client.post(
        reverse("panels:action_status", args=[action.pk]), {"status": "done", "version": 1}
    )
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_refer_by_reference(client, world, panel, meeting):
    child = make_child(world)
    client.force_login(world.sam)
    response = client.post(
        reverse("panels:refer", args=[panel.pk]),
        {"reference": child.reference, "reason": "Seen getting into cars", "remit": "cse"},
    )
    assert response.status_code == 302
    referral = child.panel_referrals.get()
    assert (referral.remit, referral.referred_by, referral.meeting) == ("cse", world.sam, meeting)


def test_refer_a_child_you_cannot_see_is_refused_without_saying_whether_it_exists(
    client, world, panel, meeting
):
    child = make_child(world)
    client.force_login(world.rita)  # the charity has no link to this child
    response = client.post(
        reverse("panels:refer", args=[panel.pk]), {"reference": child.reference, "reason": "x"}
    )
    assert "No child with that reference that you can see" in response.content.decode()
    assert not child.panel_referrals.exists()
    assert client.get(reverse("panels:refer_child", args=[panel.pk, child.pk])).status_code == 404


def test_chair_schedules_a_meeting_and_records_attendance(client, world, panel):
    client.force_login(world.chris)
    day = timezone.localdate() + timedelta(days=21)
    response = client.post(
        reverse("panels:meeting_new", args=[panel.pk]), {"date": day.isoformat()}
    )
    meeting = panel.meetings.get(date=day)
    assert response.url == reverse("panels:meeting", args=[meeting.pk])
    client.post(
        reverse("panels:attendance", args=[meeting.pk]),
        {"name": "Pete Lewis", "organisation": world.met.pk},
    )
    client.post(
        reverse("panels:attendance", args=[meeting.pk]),
        {"name": "Nadia Brooks", "organisation": world.school.pk, "apologies": "on"},
    )
    rows = list(meeting.attendance.values_list("name", "apologies"))
    assert sorted(rows) == [("Nadia Brooks", True), ("Pete Lewis", False)]


def test_chair_edits_a_referral_rule_and_it_is_audited(client, world, panel):
    rule = panel.rules.get(kind="episodes_in_window")
    client.force_login(world.chris)
    response = client.post(
        reverse("panels:rule_edit", args=[panel.pk, rule.pk]),
        {
            "description": "2 or more missing episodes in 30 days",
            "count": 2,
            "days": 30,
            "remit": "missing",
            "order": 10,
            "active": "on",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.count, rule.days) == (2, 30)
    event = AuditEvent.objects.filter(object_type="panels.referralrule").get()
    assert event.detail["changes"]["count"] == [3, 2]


def test_suggestions_page_lists_reasons_and_is_audited(client, world, panel, meeting):
    child = make_child(world, first="Kai", last="Mensah")
    for days in (40, 20, 5):
        episode(world, child, days_ago=days)
    client.force_login(world.chris)
    page = client.get(reverse("panels:suggestions", args=[panel.pk])).content.decode()
    assert "Kai Mensah" in page
    assert "3 missing episodes in the last 90 days" in page
    event = AuditEvent.objects.filter(summary="Viewed the children suggested for the panel").get()
    assert event.detail["children"] == [child.pk]


def test_the_meeting_links_to_the_volt_profile_since_the_last_meeting(
    client, world, panel, meeting, item
):
    client.force_login(world.chris)
    page = client.get(reverse("panels:meeting", args=[meeting.pk]))
    link = next(
        line for line in page.content.decode().splitlines() if "VOLT problem profile" in line
    )
    url = link.split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert f"la={world.haringey.pk}" in url and f"end={meeting.date:%Y-%m-%d}" in url
    assert client.get(url).status_code == 200


def test_changing_a_criterion_in_admin_is_audited(client, world, panel):
    admin_user = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 16)
    client.force_login(admin_user)
    rule = panel.rules.get(kind="police_high")
    url = reverse("admin:panels_referralrule_change", args=[rule.pk])
    response = client.post(
        url,
        {
            "panel": panel.pk,
            "kind": rule.kind,
            "description": rule.description,
            "days": 30,
            "remit": rule.remit,
            "order": rule.order,
            "active": "on",
            "level": "",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(object_type="panels.referralrule").get()
    assert event.detail["changes"]["days"] == [90, 30]


def test_child_page_section_lists_the_panel_decision_and_refer_link(
    client, world, panel, meeting, item
):
    rows = child_panels(world.sam, item.child)
    assert [(r.panel, r.latest_item, r.decision.outcome) for r in rows] == [
        (panel, item, Outcome.CONTINUE)
    ]
    html = render_to_string("panels/_child_panels.html", {"panels": rows, "child": item.child})
    assert reverse("panels:refer_child", args=[panel.pk, item.child.pk]) in html
    assert "review by" in html
    assert child_panels(world.bella, item.child) == []


def test_chair_cancels_an_action_from_the_item_page(client, world, panel, meeting, item):
    action = _police_action(world, item, "Visit", due_date=timezone.localdate() + timedelta(days=3))
    client.force_login(world.chris)
    page = client.get(reverse("panels:item", args=[item.pk])).content.decode()
    assert "Cancel<span" in page
    response = client.post(
        reverse("panels:action_status", args=[action.pk]),
        {"status": "cancelled", "version": action.version, "next": f"/panels/items/{item.pk}/"},
    )
    assert response.url == f"/panels/items/{item.pk}/"
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED and action.completed_at is not None


def test_child_page_section_marks_an_open_action_past_its_due_date_as_overdue(world, item):
    action = _police_action(
        world, item, "Welfare visit", due_date=timezone.localdate() + timedelta(days=3)
    )

    def section() -> str:
        rows = child_panels(world.sam, item.child)
        return render_to_string("panels/_child_panels.html", {"panels": rows, "child": item.child})

    assert "Welfare visit" in section() and "Overdue" not in section()
    # Time passes: the due date is now yesterday and the action is still open.
    type(action).objects.filter(pk=action.pk).update(
        due_date=timezone.localdate() - timedelta(days=1)
    )
    assert "Overdue" in section()
