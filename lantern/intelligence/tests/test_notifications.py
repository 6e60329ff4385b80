"""Cross-border notifications: who gets one, in the same transaction, once, shared, escalated."""

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from lantern.accounts import policy
from lantern.accounts.models import Condition, Organisation, Share
from lantern.accounts.roles import Role
from lantern.accounts.services import user_create
from lantern.audit.models import Action, AuditEvent
from lantern.intelligence import services
from lantern.intelligence.models import Notification, NotificationKind, RecipientRole
from lantern.intelligence.tests.conftest import episode, make_child
from lantern.people.services import placement_add

SOUTHEND = "E06000033"
ESSEX_POLICE = "E23000028"
ENFIELD = "E09000010"


@pytest.fixture
def found_in_southend(world):
    child = make_child(world, "Kai", "Menson")
    ep = episode(
        world, child, start=timezone.now() - timedelta(days=2), hours=10, found_postcode="SS1 1AA"
    )
    return child, ep


def test_child_found_in_another_area_notifies_home_host_and_host_police(world, found_in_southend):
    _child, ep = found_in_southend
    rows = Notification.objects.filter(episode=ep, kind=NotificationKind.FOUND_OUT_OF_AREA)
    assert {(n.recipient.ons_code, n.recipient_role) for n in rows} == {
        (world.haringey.ons_code, RecipientRole.HOME_LA),
        (SOUTHEND, RecipientRole.HOST_LA),
        (ESSEX_POLICE, RecipientRole.HOST_POLICE),
    }


def test_message_names_the_reference_not_the_child(world, found_in_southend):
    child, ep = found_in_southend
    note = Notification.objects.filter(episode=ep).first()
    assert child.reference in note.message
    assert "Kai" not in note.message and "Menson" not in note.message


def test_child_found_at_home_notifies_nobody(world):
    child = make_child(world, "Ann", "Home")
    episode(
        world, child, start=timezone.now() - timedelta(days=2), hours=10, found_postcode="N17 6AB"
    )
    assert not Notification.objects.exists()


def test_notification_is_rolled_back_with_the_episode(world):
    child = make_child(world, "Ann", "Rollback")
    with pytest.raises(RuntimeError), transaction.atomic():
        episode(
            world,
            child,
            start=timezone.now() - timedelta(days=2),
            hours=10,
            found_postcode="SS1 1AA",
        )
        assert Notification.objects.count() == 3  # created in the episode's own transaction
        raise RuntimeError("roll back the episode")
    assert not Notification.objects.exists()
    assert not Share.objects.exists()


def test_one_notification_per_organisation_episode_and_kind(world, found_in_southend):
    _child, ep = found_in_southend
    services.notifications_for_episode(episode=ep, actor=world.sam)
    services.notifications_for_episode(episode=ep, actor=world.sam)
    assert Notification.objects.filter(episode=ep).count() == 3


def test_recipients_can_now_see_the_child_through_a_share(world, found_in_southend):
    child, _ep = found_in_southend
    southend = Organisation.objects.get(ons_code=SOUTHEND)
    essex = Organisation.objects.get(ons_code=ESSEX_POLICE)
    share = Share.objects.get(child=child, to_organisation=southend)
    assert share.purpose == services.SHARE_PURPOSE
    assert share.decided_by == world.sam
    assert share.condition == Condition.SCH1_PARA18
    assert timedelta(days=89) < share.expires_at - timezone.now() <= timedelta(days=90)
    assert Share.objects.get(child=child, to_organisation=essex).condition == Condition.SCH8_PARA4
    worker = user_create(
        username="southend",
        password="x-long-password-1",
        organisation=southend,
        role=Role.PRACTITIONER,
    )
    assert policy.access_reasons(worker, child) == ["shared with your organisation"]


def test_home_authority_gets_no_share_it_does_not_need(world, found_in_southend):
    child, _ = found_in_southend
    assert not Share.objects.filter(child=child, to_organisation=world.haringey).exists()


def test_shares_are_audited(world, found_in_southend):
    child, _ = found_in_southend
    assert AuditEvent.objects.filter(action=Action.SHARE, child_id=child.pk).count() == 2


def test_managers_are_emailed_after_commit(world, django_capture_on_commit_callbacks):
    southend = Organisation.objects.get(ons_code=SOUTHEND)
    user_create(
        username="smanager",
        password="x-long-password-1",
        organisation=southend,
        role=Role.MANAGER,
        email="duty@southend.example",
    )
    child = make_child(world, "Ann", "Mail")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        episode(
            world,
            child,
            start=timezone.now() - timedelta(days=2),
            hours=10,
            found_postcode="SS1 1AA",
        )
        assert not mail.outbox  # nothing is sent before the transaction commits
    assert callbacks
    sent = [m for m in mail.outbox if "duty@southend.example" in m.to]
    assert len(sent) == 1
    assert "Ann" not in sent[0].body and child.reference in sent[0].body


def test_child_placed_out_of_area_going_missing_notifies(world):
    child = make_child(world, "Ola", "Placed", care_status="lac")
    placement_add(
        actor=world.sam,
        child=child,
        placing_la=world.haringey,
        place="K2",
        provider="PR4",
        postcode="EN3 4AA",
        started_on=date.today() - timedelta(days=100),
    )
    ep = episode(world, child, start=timezone.now() - timedelta(hours=5), hours=None)
    rows = Notification.objects.filter(episode=ep, kind=NotificationKind.PLACED_OUT_OF_AREA_MISSING)
    assert {n.recipient.ons_code for n in rows} == {
        world.haringey.ons_code,
        ENFIELD,
        world.met.ons_code,
    }


def test_acknowledge_is_audited_and_only_for_the_recipient(client, world, found_in_southend):
    _child, ep = found_in_southend
    note = Notification.objects.get(episode=ep, recipient=world.haringey)
    client.force_login(world.bella)
    response = client.post(reverse("intelligence:notification_acknowledge", args=[note.pk]))
    assert response.status_code == 404
    client.force_login(world.maria)
    response = client.post(reverse("intelligence:notification_acknowledge", args=[note.pk]))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.acknowledged_by == world.maria
    assert AuditEvent.objects.filter(
        object_type="intelligence.notification", object_id=str(note.pk), action=Action.UPDATE
    ).exists()


def test_notifications_page_lists_them_for_the_recipient(client, world, found_in_southend):
    child, _ep = found_in_southend
    client.force_login(world.sam)
    response = client.get(reverse("intelligence:notifications"))
    assert child.reference in response.content.decode()
    client.force_login(world.bella)
    assert child.reference not in client.get(reverse("intelligence:notifications")).content.decode()


@override_settings(
    LANTERN={
        "NOTIFICATION_ESCALATE_HOURS": 6,
        "FREQUENT_MISSING_COUNT": 3,
        "FREQUENT_MISSING_DAYS": 90,
        "RHI_DUE_HOURS": 72,
        "SHARE_MAX_DAYS": 365,
    }
)
def test_escalation_marks_and_emails_once(
    world, found_in_southend, django_capture_on_commit_callbacks
):
    user_create(
        username="hmanager",
        password="x-long-password-1",
        organisation=world.haringey,
        role=Role.MANAGER,
        email="manager@haringey.example",
    )
    Notification.objects.update(created_at=timezone.now() - timedelta(hours=7))
    acknowledged = Notification.objects.get(recipient__ons_code=SOUTHEND)
    Notification.objects.filter(pk=acknowledged.pk).update(
        acknowledged_at=timezone.now(), acknowledged_by=world.sam
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notifications_escalate", stdout=io.StringIO())
    escalated = Notification.objects.filter(escalated_at__isnull=False)
    assert {n.recipient.ons_code for n in escalated} == {world.haringey.ons_code, ESSEX_POLICE}
    assert [m.to for m in mail.outbox] == [["manager@haringey.example"]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notifications_escalate", stdout=io.StringIO())
    assert not mail.outbox


def test_recent_notifications_do_not_escalate(world, found_in_southend):
    assert services.notifications_escalate() == []
