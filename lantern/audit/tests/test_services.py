"""audit_record and its helpers."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from lantern.accounts.models import Membership
from lantern.accounts.roles import Role
from lantern.audit.models import Action, AuditEvent
from lantern.audit.services import audit_record, changes, snapshot
from lantern.common.context import request_id_var


def _record(**kwargs) -> AuditEvent:
    with transaction.atomic():
        return audit_record(**kwargs)


def test_an_event_names_the_acting_organisation_and_role(world):
    """As the middleware attaches it in a web request."""
    world.sam.acting_membership = world.sam.memberships.get()
    event = _record(actor=world.sam, action=Action.SEARCH)
    assert (event.user_id, event.username) == (world.sam.pk, "sam")
    assert (event.organisation_id, event.organisation_name, event.role) == (
        world.haringey.pk,
        "Haringey",
        Role.PRACTITIONER,
    )


def test_outside_a_web_request_the_first_active_membership_is_named(world):
    """Commands, imports and services called directly still attribute the event (AD4)."""
    user = type(world.maria).objects.get(pk=world.maria.pk)  # nothing attached
    Membership.objects.create(user=user, organisation=world.brighton, role=Role.PRACTITIONER)
    event = _record(actor=user, action=Action.UPDATE)
    assert (event.organisation_id, event.role) == (world.haringey.pk, Role.MANAGER)


def test_the_membership_the_user_chose_wins_over_the_first(world):
    brighton = Membership.objects.create(
        user=world.maria, organisation=world.brighton, role=Role.PRACTITIONER
    )
    world.maria.acting_membership = brighton
    event = _record(actor=world.maria, action=Action.UPDATE)
    assert (event.organisation_id, event.role) == (world.brighton.pk, Role.PRACTITIONER)


def test_an_event_without_a_user_is_still_recorded(db):
    event = _record(actor=None, action=Action.CREATE, summary="Nightly import")
    assert (event.user_id, event.username, event.organisation_id, event.role) == (
        None,
        "",
        None,
        "",
    )


def test_an_anonymous_actor_is_recorded_without_a_name(db):
    event = _record(actor=AnonymousUser(), action=Action.DENIED)
    assert (event.user_id, event.username, event.organisation_id) == (None, "", None)


def test_an_event_carries_the_request_id(world):
    token = request_id_var.set("abc123")
    try:
        event = _record(actor=world.sam, action=Action.VIEW)
    finally:
        request_id_var.reset(token)
    assert event.request_id == "abc123"


def test_an_object_gives_its_type_and_id(world, child):
    event = _record(actor=world.sam, action=Action.VIEW, obj=child, child_id=child.pk)
    assert (event.object_type, event.object_id, event.child_id) == (
        "people.child",
        str(child.pk),
        child.pk,
    )


def test_long_summaries_are_cut_to_fit(world):
    event = _record(actor=world.sam, action=Action.VIEW, summary="x" * 400)
    assert len(event.summary) == 300


def test_details_are_stored_as_json(world, child):
    detail = {
        "when": datetime(2025, 1, 2, 3, 4, 5),
        "on": date(2025, 1, 2),
        "miles": Decimal("12.5"),
        "who": world.haringey,
        "ids": (1, 2),
    }
    event = _record(actor=world.sam, action=Action.SEARCH, detail=detail)
    event.refresh_from_db()
    assert event.detail == {
        "when": "2025-01-02 03:04:05",
        "on": "2025-01-02",
        "miles": "12.5",
        "who": world.haringey.pk,
        "ids": [1, 2],
    }


def test_audit_record_needs_a_transaction(world):
    """Autocommit would let the event and the work commit separately (AD7). pytest-django keeps
    every test inside a transaction, so step outside it on a fresh connection state."""
    connection = transaction.get_connection()
    saved = connection.in_atomic_block
    connection.in_atomic_block = False
    try:
        with pytest.raises(RuntimeError):
            audit_record(actor=world.sam, action=Action.VIEW)
    finally:
        connection.in_atomic_block = saved


def test_changes_lists_only_what_differs():
    before = {"a": 1, "b": "x", "c": None}
    after = {"a": 1, "b": "y", "c": "new"}
    assert changes(before, after) == {"b": ["x", "y"], "c": [None, "new"]}


def test_snapshot_takes_the_named_fields(child):
    assert snapshot(child, ["last_name", "home_la_id"]) == {
        "last_name": "Smyth",
        "home_la_id": child.home_la_id,
    }


def test_snapshot_takes_every_column_by_default(child):
    taken = snapshot(child)
    assert taken["id"] == child.pk
    assert taken["date_of_birth"] == child.date_of_birth.isoformat()
