"""shares_grant: sharing many children with many organisations in one decision, as data (AC8),
audited once with each child named (AD10)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from lantern.accounts import policy, services
from lantern.accounts.models import Condition, LawfulBasis, Share, ShareDecision
from lantern.accounts.roles import Role
from lantern.audit.models import Action, AuditEvent
from lantern.audit.queries import child_access_log
from lantern.people.tests.helpers import make_child

PURPOSE = "multi-agency exploitation panel"


@pytest.fixture
def two(world, child):
    other = make_child(world.sam, first_name="Ada", last_name="Quill", home_la=world.haringey)
    return [child, other]


def _grant(world, children, now, **overrides) -> int:
    arguments = {
        "actor": world.chris,
        "from_organisation": world.haringey,
        "child_ids": [c.pk for c in children],
        "to_organisations": [world.met, world.school, world.haringey],
        "purpose": PURPOSE,
        "reason": "On the agenda of the panel",
        "expires_at": now + timedelta(days=30),
        "now": now,
        "summary": "with the members of the panel",
    }
    arguments.update(overrides)
    return services.shares_grant(**arguments)


def test_a_share_per_child_and_organisation_saying_who_why_and_until_when(world, two, now):
    assert _grant(world, two, now) == 4  # Haringey is not shared with itself
    shares = Share.objects.filter(child__in=two)
    assert shares.count() == 4
    for share in shares:
        assert share.decision == ShareDecision.SHARE
        assert share.from_organisation == world.haringey
        assert share.decided_by == world.chris
        assert share.decided_at == now
        assert share.expires_at == now + timedelta(days=30)
        assert (share.purpose, share.lawful_basis) == (PURPOSE, LawfulBasis.PUBLIC_TASK)
        assert share.reason == "On the agenda of the panel"
    assert {s.condition for s in shares.filter(to_organisation=world.met)} == {Condition.SCH8_PARA4}
    assert {s.condition for s in shares.filter(to_organisation=world.school)} == {
        Condition.SCH1_PARA18
    }


def test_the_shares_open_the_records_to_the_recipients(world, two, now):
    teacher = services.user_create(
        username="tess",
        password="a long enough password 1",
        organisation=world.school,
        role=Role.PRACTITIONER,
    )
    assert not policy.access_reasons(teacher, two[1])
    _grant(world, two, now)
    assert policy.access_reasons(teacher, two[1]) == [policy.Reason.SHARE]


def test_one_event_naming_each_child(world, two, now):
    _grant(world, two, now)
    event = AuditEvent.objects.get(action=Action.SHARE)
    assert event.summary == "Shared 2 children with the members of the panel"
    assert event.child_id is None
    assert event.detail["children"] == {
        str(c.pk): [world.met.pk, world.school.pk] for c in sorted(two, key=lambda c: c.pk)
    }
    for child in two:
        assert event in list(child_access_log(child_id=child.pk))


def test_one_child_is_named_on_the_event_itself(world, child, now):
    _grant(world, [child], now, to_organisations=[world.met])
    event = AuditEvent.objects.get(action=Action.SHARE)
    assert event.child_id == child.pk
    assert event.summary == "Shared 1 child with the members of the panel"


def test_a_share_in_force_is_left_alone(world, child, now):
    _grant(world, [child], now, to_organisations=[world.met])
    later = now + timedelta(hours=1)
    assert _grant(world, [child], later, to_organisations=[world.met], purpose="Another") == 0
    assert Share.objects.filter(child=child).count() == 1
    assert AuditEvent.objects.filter(action=Action.SHARE).count() == 1


def test_renewing_extends_a_share_that_ends_too_soon(world, child, now):
    _grant(world, [child], now, to_organisations=[world.met])
    same_end = {"to_organisations": [world.met], "renew": True}
    assert _grant(world, [child], now, **same_end) == 0
    longer = now + timedelta(days=60)
    assert _grant(world, [child], now, expires_at=longer, **same_end) == 1
    assert sorted(Share.objects.values_list("expires_at", flat=True)) == [
        now + timedelta(days=30),
        longer,
    ]
    # Only a share for the same purpose counts when renewing.
    assert _grant(world, [child], now, expires_at=longer, purpose="Other", **same_end) == 1


def test_revoked_and_expired_shares_do_not_count(world, child, now):
    _grant(world, [child], now, to_organisations=[world.met])
    services.share_revoke(actor=world.maria, share=Share.objects.get())
    assert _grant(world, [child], now, to_organisations=[world.met]) == 1
    Share.objects.update(revoked_at=None, expires_at=now - timedelta(seconds=1))
    assert _grant(world, [child], now, to_organisations=[world.met]) == 1


@override_settings(LANTERN={"SHARE_MAX_DAYS": 10})
def test_no_share_outlasts_the_maximum(world, child, now):
    _grant(world, [child], now, to_organisations=[world.met])
    assert Share.objects.get().expires_at == now + timedelta(days=10)


def test_purpose_and_lawful_basis_are_required(world, child, now):
    with pytest.raises(ValidationError) as excinfo:
        _grant(world, [child], now, purpose=" ", lawful_basis="made_up")
    assert excinfo.value.message_dict == {
        "purpose": [services.SHARE_PURPOSE_REQUIRED],
        "lawful_basis": [services.SHARE_LAWFUL_BASIS_REQUIRED],
    }
    assert not Share.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.SHARE).exists()


def test_nothing_to_share_writes_nothing(world, child, now):
    assert _grant(world, [], now) == 0
    assert _grant(world, [child], now, to_organisations=[world.haringey]) == 0
    assert not Share.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.SHARE).exists()
