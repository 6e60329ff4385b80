"""Sharing decisions (AC8) and user creation."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.test import override_settings

from lantern.accounts import policy, services
from lantern.accounts.models import (
    Condition,
    LawfulBasis,
    Membership,
    Organisation,
    OrgType,
    Share,
    ShareDecision,
    User,
)
from lantern.accounts.roles import Role
from lantern.audit.models import Action, AuditEvent


def _decide(world, child, **overrides) -> Share:
    arguments = {
        "actor": world.maria,
        "child": child,
        "to_organisation": world.school,
        "decision": ShareDecision.SHARE,
        "purpose": "The school's designated safeguarding lead attends the strategy meeting",
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "condition": Condition.SCH1_PARA18,
        "expires_at": world.now + timedelta(days=30),
    }
    arguments.update(overrides)
    return services.share_decide(**arguments)


@pytest.fixture
def teacher(world):
    return services.user_create(
        username="tess",
        password="a long enough password 1",
        organisation=world.school,
        role=Role.PRACTITIONER,
    )


@pytest.fixture(autouse=True)
def _now(world, now):
    world.now = now


def _errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_a_share_lets_the_other_organisation_see_the_child(world, child, teacher):
    assert not policy.access_reasons(teacher, child)
    _decide(world, child)
    assert policy.access_reasons(teacher, child) == [policy.Reason.SHARE]
    assert child in policy.children_visible_to(teacher)


def test_a_share_records_who_why_lawful_basis_and_expiry(world, child):
    share = _decide(world, child)
    assert share.from_organisation == world.haringey
    assert share.decided_by == world.maria
    assert share.lawful_basis == LawfulBasis.PUBLIC_TASK
    assert share.condition == Condition.SCH1_PARA18
    assert share.expires_at > world.now
    event = AuditEvent.objects.get(action=Action.SHARE, child_id=child.pk)
    assert event.detail["after"]["to_organisation_id"] == world.school.pk


def test_a_share_needs_an_expiry(world, child):
    with pytest.raises(ValidationError) as excinfo:
        _decide(world, child, expires_at=None)
    assert _errors(excinfo) == {"expires_at": [services.SHARE_EXPIRY_REQUIRED]}
    assert not Share.objects.exists()


def test_a_share_cannot_end_in_the_past(world, child):
    with pytest.raises(ValidationError) as excinfo:
        _decide(world, child, expires_at=world.now - timedelta(minutes=1))
    assert _errors(excinfo) == {"expires_at": [services.SHARE_EXPIRY_PAST]}


@override_settings(LANTERN={"SHARE_MAX_DAYS": 90})
def test_a_share_lasts_at_most_the_configured_days(world, child):
    with pytest.raises(ValidationError) as excinfo:
        _decide(world, child, expires_at=world.now + timedelta(days=91))
    assert _errors(excinfo) == {"expires_at": [services.SHARE_EXPIRY_TOO_LONG.format(days=90)]}
    assert _decide(world, child, expires_at=world.now + timedelta(days=89)).pk


def test_a_share_needs_a_purpose(world, child):
    with pytest.raises(ValidationError) as excinfo:
        _decide(world, child, purpose="   ")
    assert _errors(excinfo) == {"purpose": [services.SHARE_PURPOSE_REQUIRED]}


def test_an_organisation_does_not_share_with_itself(world, child):
    with pytest.raises(ValidationError) as excinfo:
        _decide(world, child, to_organisation=world.haringey)
    assert _errors(excinfo) == {"to_organisation": [services.SHARE_SAME_ORG]}


def test_a_decision_not_to_share_needs_a_reason(world, child):
    with pytest.raises(ValidationError) as excinfo:
        _decide(world, child, decision=ShareDecision.NOT_SHARE, expires_at=None, reason="")
    assert _errors(excinfo) == {"reason": [services.SHARE_REASON_REQUIRED]}
    assert not Share.objects.exists()


def test_a_decision_not_to_share_is_kept_and_grants_nothing(world, child, teacher):
    share = _decide(
        world,
        child,
        decision=ShareDecision.NOT_SHARE,
        reason="Not necessary for the school's role",
        expires_at=world.now + timedelta(days=30),  # ignored: a refusal does not expire
    )
    assert Share.objects.filter(pk=share.pk, decision=ShareDecision.NOT_SHARE).exists()
    assert share.expires_at is None
    assert not policy.access_reasons(teacher, child)
    assert child not in policy.children_visible_to(teacher)
    assert AuditEvent.objects.filter(action=Action.DECLINE_SHARE, child_id=child.pk).exists()


def test_a_revoked_share_stops_granting_access(world, child, teacher):
    share = _decide(world, child)
    services.share_revoke(actor=world.maria, share=share)
    assert not policy.access_reasons(teacher, child)
    assert child not in policy.children_visible_to(teacher)
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(share.pk)).exists()


def test_an_expired_share_stops_granting_access(world, child, teacher):
    share = _decide(world, child)
    Share.objects.filter(pk=share.pk).update(expires_at=world.now - timedelta(seconds=1))
    assert not policy.access_reasons(teacher, child)
    assert child not in policy.children_visible_to(teacher)


def test_only_the_share_to_the_users_organisation_counts(world, child, teacher):
    _decide(world, child, to_organisation=world.charity)
    assert not policy.access_reasons(teacher, child)


def test_sharing_needs_an_acting_organisation(world, child):
    nobody = User.objects.create_user(username="nobody", password="a long enough password 1")
    with pytest.raises(PermissionError):
        _decide(world, child, actor=nobody)


def test_user_create_makes_a_user_with_one_membership(world):
    user = services.user_create(
        username="newbie",
        password="a long enough password 1",
        organisation=world.brighton,
        role=Role.RHI_WORKER,
        display_name="New Bie",
        email="newbie@example.org",
    )
    assert check_password("a long enough password 1", user.password)
    assert (user.display_name, user.email, str(user)) == (
        "New Bie",
        "newbie@example.org",
        "New Bie",
    )
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role, membership.active) == (
        world.brighton,
        Role.RHI_WORKER,
        True,
    )


def test_user_create_writes_nothing_when_the_membership_fails(world):
    unsaved = Organisation(name="Not saved", type=OrgType.OTHER)
    with pytest.raises(ValueError):
        services.user_create(
            username="orphan",
            password="a long enough password 1",
            organisation=unsaved,
            role=Role.PRACTITIONER,
        )
    assert not User.objects.filter(username="orphan").exists()
