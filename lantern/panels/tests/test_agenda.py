"""Suggestions, building the agenda, what changed since the last meeting, and carrying forward."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lantern.accounts import policy
from lantern.accounts.models import Condition, LawfulBasis, Share
from lantern.panels import queries, services
from lantern.panels.models import (
    Action,
    ActionStatus,
    AgendaItem,
    Meeting,
    NrmRecord,
    NrmStatus,
    Outcome,
    Referral,
    ReferralRule,
    ReferralSource,
    Remit,
    RuleKind,
)
from lantern.panels.tests.conftest import age_days, episode, grade, interview, make_child

pytestmark = pytest.mark.django_db


def build(world, meeting):
    return services.agenda_build(actor=world.chris, meeting=meeting)


def decide(world, item, **overrides):
    fields = {
        "agreed_risk_level": "medium",
        "lead_agency": world.haringey,
        "lead_professional_name": "Sam Patel",
        "nrm_referral": False,
        "strategy_discussion": False,
        "review_date": item.meeting.date + timedelta(days=21),
        "outcome": Outcome.CONTINUE,
    }
    fields.update(overrides)
    return services.decision_record(actor=world.chris, item=item, **fields)


def test_panel_gets_the_default_rule_table(panel):
    kinds = list(ReferralRule.objects.filter(panel=panel).values_list("kind", flat=True))
    assert kinds == [
        RuleKind.EPISODES_IN_WINDOW,
        RuleKind.POLICE_HIGH,
        RuleKind.SCREENING_AT_LEAST,
        RuleKind.FOUND_OUT_OF_AREA,
        RuleKind.NEW_DISCLOSURE,
        RuleKind.APPROACHING_ADULTHOOD,
        RuleKind.NRM_REFERRAL,
        RuleKind.EXPLOITATION_FLAG,
    ]


def test_suggestions_list_children_who_meet_criteria_with_reasons(world, panel, meeting):
    frequent = make_child(world, first="Kai")
    for days in (40, 20, 5):
        episode(world, frequent, days_ago=days)
    quiet = make_child(world, first="Quiet")
    episode(world, quiet, days_ago=10)

    found = queries.suggestions_for(world.chris, panel, now=timezone.now())

    assert found.meeting == meeting
    assert [r.child.pk for r in found.rows] == [frequent.pk]
    assert found.rows[0].hits[0].reason == (
        "3 missing episodes in the last 90 days (the criterion is 3 or more)"
    )


def test_suggestions_leave_out_children_the_user_cannot_see(world, panel, meeting):
    child = make_child(world, first="Kai")
    for days in (40, 20, 5):
        episode(world, child, days_ago=days)
    # The Met polices no episode of this child and has no share yet.
    assert queries.suggestions_for(world.pete, panel, now=timezone.now()).rows == []


def test_an_inactive_rule_suggests_no_one(world, panel, meeting):
    child = make_child(world)
    for days in (40, 20, 5):
        episode(world, child, days_ago=days)
    ReferralRule.objects.filter(panel=panel, kind=RuleKind.EPISODES_IN_WINDOW).update(active=False)
    assert queries.suggestions_for(world.chris, panel, now=timezone.now()).rows == []


def test_a_high_police_grading_is_suggested(world, panel, meeting):
    child = make_child(world)
    grade(world, episode(world, child, days_ago=4))
    rows = queries.suggestions_for(world.chris, panel, now=timezone.now()).rows
    assert [h.kind for h in rows[0].hits] == [RuleKind.POLICE_HIGH]


def test_a_new_disclosure_is_suggested_under_its_remit(world, panel, meeting):
    child = make_child(world)
    e = episode(world, child, days_ago=3)
    interview(world, child, [e], [("Was given money to carry a bag to Southend", "county_lines")])
    row = queries.suggestions_for(world.chris, panel, now=timezone.now()).rows[0]
    assert RuleKind.NEW_DISCLOSURE in [h.kind for h in row.hits]
    assert row.remit == Remit.CCE_GANGS


def test_building_the_agenda_adds_suggested_and_referred_children(world, panel, meeting):
    frequent = make_child(world, first="Kai")
    for days in (40, 20, 5):
        episode(world, frequent, days_ago=days)
    referred = make_child(world, first="Ruby")
    services.referral_make(
        actor=world.sam, panel=panel, child=referred, reason="Seen with older men at the station"
    )

    built = build(world, meeting)

    assert built.children == 2
    items = {i.child_id: i for i in AgendaItem.objects.filter(meeting=meeting)}
    assert set(items) == {frequent.pk, referred.pk}
    manual = Referral.objects.get(child=referred)
    assert manual.agenda_item == items[referred.pk]
    assert manual.meeting == meeting


def test_agenda_groups_by_remit_and_orders_by_risk(world, panel, meeting):
    medium = make_child(world, first="Medium", last="Missing")
    for days in (40, 20, 5):
        episode(world, medium, days_ago=days)
    grade(world, medium.episodes.order_by("-last_seen_at").first())
    cse = make_child(world, first="Sexual", last="Exploitation")
    e = episode(world, cse, days_ago=2)
    interview(world, cse, [e], [("Older boyfriend buys her alcohol", "cse")])
    build(world, meeting)
    agenda = queries.agenda_for(world.chris, meeting)
    assert [g.remit for g in agenda.groups] == [Remit.CSE, Remit.MISSING]
    assert [v.item.order for v in agenda.items] == [1, 2]


def test_within_a_remit_higher_risk_comes_first_whatever_the_number_of_reasons(
    world, panel, meeting
):
    medium = make_child(world, first="Medium", last="Missing")
    for days in (40, 20, 5):
        episode(world, medium, days_ago=days)
    grade(world, medium.episodes.order_by("-last_seen_at").first())  # two reasons, medium
    high = make_child(world, first="High", last="Missing")
    e = episode(world, high, days_ago=2)
    interview(world, high, [e], [("Was made to sell drugs", "cce")])  # high in the risk app
    # Only a referral by hand, to the missing remit, brings the second child here.
    ReferralRule.objects.filter(
        panel=panel, kind__in=[RuleKind.NEW_DISCLOSURE, RuleKind.EXPLOITATION_FLAG]
    ).update(active=False)
    services.referral_make(
        actor=world.sam, panel=panel, child=high, reason="Worried", remit=Remit.MISSING
    )

    build(world, meeting)
    [group] = queries.agenda_for(world.chris, meeting).groups

    assert group.remit == Remit.MISSING
    assert [(v.child.first_name, v.item.risk_level, len(v.reasons)) for v in group.items] == [
        ("High", "high", 1),
        ("Medium", "medium", 2),
    ]


def test_changes_since_the_last_meeting_are_snapshotted(world, panel, meeting):
    child = make_child(world)
    old = episode(world, child, days_ago=40)  # before the last meeting (21 days ago)
    new = episode(world, child, days_ago=10)
    grade(world, new)
    interview(world, child, [new], [("Stayed at a flat in Southend", "")])
    episode(world, child, days_ago=4)
    services.referral_make(actor=world.sam, panel=panel, child=child, reason="Worried")

    build(world, meeting)
    item = AgendaItem.objects.get(meeting=meeting, child=child)
    kinds = [c.kind for c in item.changes.all()]
    texts = " | ".join(c.text for c in item.changes.all())

    assert kinds.count("episode") == 2
    assert old.reference not in texts
    assert new.reference in texts
    assert "Police graded the risk high" in texts
    assert "Return interview completed" in texts and "1 disclosure" in texts


def test_open_actions_carry_forward_until_done(world, panel, meeting):
    child = make_child(world)
    services.referral_make(actor=world.sam, panel=panel, child=child, reason="Worried")
    build(world, meeting)
    item = AgendaItem.objects.get(meeting=meeting, child=child)
    decide(
        world,
        item,
        actions=[
            services.ActionInput(
                "Share the addresses with the police",
                "Sam Patel",
                world.haringey,
                timezone.localdate() + timedelta(days=7),
            )
        ],
    )
    services.meeting_set_status(actor=world.chris, meeting=meeting, status="closed")
    later = Meeting.objects.create(panel=panel, date=meeting.date + timedelta(days=3))
    # A review date after the next meeting: only the open action brings the child back.
    build(world, later)
    carried = AgendaItem.objects.get(meeting=later, child=child)
    reasons = [r.reason for r in carried.referrals.all()]
    assert reasons == ["1 open action carried forward from earlier meetings"]
    view = queries.agenda_for(world.chris, later).items[0]
    assert [a.description for a in view.open_actions] == ["Share the addresses with the police"]

    action = Action.objects.get(child=child)
    services.action_set_status(
        actor=world.sam, action=action, version=action.version, status=ActionStatus.DONE
    )
    build(world, later)
    assert not AgendaItem.objects.filter(meeting=later, child=child).exists()


def test_a_review_due_brings_the_child_back(world, panel, meeting):
    child = make_child(world)
    services.referral_make(actor=world.sam, panel=panel, child=child, reason="Worried")
    build(world, meeting)
    decide(world, AgendaItem.objects.get(meeting=meeting, child=child))
    services.meeting_set_status(actor=world.chris, meeting=meeting, status="closed")
    later = Meeting.objects.create(panel=panel, date=meeting.date + timedelta(days=21))
    build(world, later)
    reasons = [r.reason for r in AgendaItem.objects.get(meeting=later, child=child).referrals.all()]
    assert reasons[0].startswith("Review agreed at the meeting on")
    assert Referral.objects.filter(meeting=later, source=ReferralSource.CARRIED).count() == 1


def test_a_closed_case_does_not_come_back(world, panel, meeting):
    child = make_child(world)
    services.referral_make(actor=world.sam, panel=panel, child=child, reason="Worried")
    build(world, meeting)
    decide(
        world,
        AgendaItem.objects.get(meeting=meeting, child=child),
        outcome=Outcome.CLOSE,
        review_date=None,
    )
    services.meeting_set_status(actor=world.chris, meeting=meeting, status="closed")
    later = Meeting.objects.create(panel=panel, date=meeting.date + timedelta(days=21))
    assert build(world, later).children == 0


def test_approaching_adulthood_is_marked_and_suggested(world, panel, meeting):
    child = make_child(world, first="Nearly", age_days=age_days(17, 7))
    episode(world, child, days_ago=30)
    grade(world, child.episodes.get())  # an active flag makes an open concern
    services.referral_make(actor=world.sam, panel=panel, child=child, reason="Worried")
    young = make_child(world, first="Young", age_days=age_days(16, 0))
    services.referral_make(actor=world.sam, panel=panel, child=young, reason="Worried")

    build(world, meeting)
    views = {v.child.pk: v for v in queries.agenda_for(world.chris, meeting).items}

    assert views[child.pk].approaching_adulthood is True
    assert views[young.pk].approaching_adulthood is False
    kinds = [r.rule_kind for r in views[child.pk].reasons]
    assert RuleKind.APPROACHING_ADULTHOOD in kinds


def test_handover_button_creates_a_prefilled_action(world, panel, meeting):
    child = make_child(world, age_days=age_days(17, 8))
    services.referral_make(actor=world.sam, panel=panel, child=child, reason="Worried")
    build(world, meeting)
    item = AgendaItem.objects.get(meeting=meeting, child=child)

    action = services.action_handover_create(actor=world.chris, item=item)

    assert action.template == "handover"
    assert action.description.startswith("Plan the handover to adult safeguarding before")
    assert action.owner_organisation == world.haringey
    assert action.status == ActionStatus.OPEN
    assert action.due_date >= timezone.localdate() + timedelta(days=14)


def test_handover_refused_for_a_younger_child(world, panel, meeting):
    child = make_child(world, age_days=age_days(15, 0))
    services.referral_make(actor=world.sam, panel=panel, child=child, reason="Worried")
    build(world, meeting)
    item = AgendaItem.objects.get(meeting=meeting, child=child)
    with pytest.raises(services.ValidationError):
        services.action_handover_create(actor=world.chris, item=item)


def test_putting_a_child_on_the_agenda_shares_with_member_organisations(world, panel, meeting):
    child = make_child(world)
    services.referral_make(actor=world.sam, panel=panel, child=child, reason="Worried")
    assert not policy.children_visible_to(world.pete).filter(pk=child.pk).exists()

    build(world, meeting)

    shares = Share.objects.filter(child=child, purpose=services.PANEL_PURPOSE)
    assert {s.to_organisation for s in shares} == set(panel.organisations.all()) - {world.haringey}
    police = shares.get(to_organisation=world.met)
    assert police.condition == Condition.SCH8_PARA4
    assert police.lawful_basis == LawfulBasis.PUBLIC_TASK
    assert police.decided_by == world.chris
    review = meeting.date + timedelta(days=21)
    assert timezone.localdate(police.expires_at) == review + timedelta(days=30)
    assert shares.get(to_organisation=world.charity).condition == Condition.SCH1_PARA18
    assert policy.children_visible_to(world.pete).filter(pk=child.pk).exists()


def test_rebuilding_does_not_share_twice(world, panel, meeting):
    child = make_child(world)
    services.referral_make(actor=world.sam, panel=panel, child=child, reason="Worried")
    build(world, meeting)
    assert build(world, meeting).shares == 0
    assert Share.objects.filter(child=child, to_organisation=world.met).count() == 1


def test_a_decision_extends_the_shares_to_its_review_date(world, panel, meeting):
    child = make_child(world)
    services.referral_make(actor=world.sam, panel=panel, child=child, reason="Worried")
    build(world, meeting)
    review = meeting.date + timedelta(days=60)
    decide(world, AgendaItem.objects.get(meeting=meeting, child=child), review_date=review)
    latest = Share.objects.filter(child=child, to_organisation=world.met).order_by("-expires_at")[0]
    assert timezone.localdate(latest.expires_at) == review + timedelta(days=30)


def test_a_removed_child_stays_off_when_the_agenda_is_rebuilt(world, panel, meeting):
    child = make_child(world)
    for days in (40, 20, 5):
        episode(world, child, days_ago=days)
    build(world, meeting)
    item = AgendaItem.objects.get(meeting=meeting, child=child)
    services.agenda_item_remove(actor=world.chris, item=item)
    build(world, meeting)
    assert queries.agenda_for(world.chris, meeting).items == []


def test_an_nrm_referral_decision_records_the_step_and_suggests_next_time(world, panel, meeting):
    child = make_child(world)
    services.referral_make(actor=world.sam, panel=panel, child=child, reason="Worried")
    build(world, meeting)
    decide(world, AgendaItem.objects.get(meeting=meeting, child=child), nrm_referral=True)
    record = NrmRecord.objects.get(child=child)
    assert record.status == NrmStatus.REFERRED
    assert record.first_responder == world.haringey
    rows = queries.suggestions_for(world.chris, panel, now=timezone.now(), meeting=meeting).rows
    assert RuleKind.NRM_REFERRAL in [h.kind for h in rows[0].hits]


def test_only_the_chair_builds_the_agenda(world, panel, meeting):
    with pytest.raises(PermissionError):
        services.agenda_build(actor=world.sam, meeting=meeting)


def test_a_closed_meeting_cannot_be_rebuilt(world, panel, meeting):
    services.meeting_set_status(actor=world.chris, meeting=meeting, status="closed")
    with pytest.raises(services.ValidationError):
        build(world, meeting)


def test_rebuilding_updates_order_and_risk_and_keeps_the_items(world, panel, meeting):
    first = make_child(world, first="First")
    second = make_child(world, first="Second")
    for child in (first, second):
        services.referral_make(
            actor=world.sam, panel=panel, child=child, reason="Worried", remit=Remit.MISSING
        )
    build(world, meeting)
    before = {i.child_id: i for i in AgendaItem.objects.filter(meeting=meeting)}
    assert (before[first.pk].order, before[second.pk].order) == (1, 2)

    grade(world, episode(world, second, days_ago=3))  # graded high: medium risk, a new reason
    build(world, meeting)

    after = {i.child_id: i for i in AgendaItem.objects.filter(meeting=meeting)}
    assert after[second.pk].pk == before[second.pk].pk
    assert (after[second.pk].order, after[first.pk].order) == (1, 2)
    assert after[second.pk].risk_level == "medium"
    assert after[second.pk].remit == Remit.MISSING
