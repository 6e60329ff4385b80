"""Which membership a user acts under, and how they switch (only among their own)."""

import pytest
from django.test import Client
from django.urls import reverse

from lantern.accounts.middleware import SESSION_MEMBERSHIP_KEY
from lantern.accounts.models import Membership
from lantern.accounts.roles import Role
from lantern.people.services import child_create


@pytest.fixture
def dual(world):
    """Sam also works a shift for Brighton: two memberships, Haringey first."""
    brighton = Membership.objects.create(
        user=world.sam, organisation=world.brighton, role=Role.PRACTITIONER
    )
    return world.sam.memberships.get(organisation=world.haringey), brighton


@pytest.fixture
def brighton_child(world, child):
    return child_create(
        actor=world.bella,
        first_name="Ellis",
        last_name="Marchbank",
        date_of_birth=child.date_of_birth,
        home_la=world.brighton,
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _detail(child) -> str:
    return reverse("people:detail", kwargs={"pk": child.pk})


def test_a_user_acts_under_their_first_membership_by_default(world, dual, child, brighton_child):
    client = _client(world.sam)
    assert client.get(_detail(child)).status_code == 200
    assert client.get(_detail(brighton_child)).status_code == 404
    assert client.session[SESSION_MEMBERSHIP_KEY] == dual[0].pk


def test_switching_membership_changes_what_the_user_sees(world, dual, child, brighton_child):
    client = _client(world.sam)
    response = client.post(reverse("accounts:roles"), {"membership": dual[1].pk})
    assert response.status_code == 302
    assert client.session[SESSION_MEMBERSHIP_KEY] == dual[1].pk
    assert client.get(_detail(brighton_child)).status_code == 200
    assert client.get(_detail(child)).status_code == 404


def test_a_user_cannot_pick_someone_elses_membership(world, dual, brighton_child):
    client = _client(world.sam)
    bellas = world.bella.memberships.get()
    response = client.post(reverse("accounts:roles"), {"membership": bellas.pk})
    assert response.status_code == 404
    assert client.session[SESSION_MEMBERSHIP_KEY] != bellas.pk
    assert client.get(_detail(brighton_child)).status_code == 404


@pytest.mark.parametrize("value", ["", "not-a-number", "99999999"])
def test_a_nonsense_membership_is_not_found(world, dual, value):
    client = _client(world.sam)
    assert client.post(reverse("accounts:roles"), {"membership": value}).status_code == 404


def test_an_inactive_membership_cannot_be_picked(world, dual, brighton_child):
    Membership.objects.filter(pk=dual[1].pk).update(active=False)
    client = _client(world.sam)
    assert client.post(reverse("accounts:roles"), {"membership": dual[1].pk}).status_code == 404
    assert client.get(_detail(brighton_child)).status_code == 404


def test_a_membership_ended_mid_session_stops_at_once(world, dual, child, brighton_child):
    client = _client(world.sam)
    client.post(reverse("accounts:roles"), {"membership": dual[1].pk})
    assert client.get(_detail(brighton_child)).status_code == 200
    Membership.objects.filter(pk=dual[1].pk).update(active=False)
    assert client.get(_detail(brighton_child)).status_code == 404
    assert client.get(_detail(child)).status_code == 200  # back to the one still held


def test_a_user_whose_organisation_closes_sees_nothing(world, child):
    world.haringey.active = False
    world.haringey.save(update_fields=["active"])
    assert _client(world.sam).get(_detail(child)).status_code == 404


def test_the_roles_page_lists_only_the_users_own_memberships(world, dual):
    body = _client(world.sam).get(reverse("accounts:roles")).content.decode()
    assert f'value="{dual[0].pk}"' in body and f'value="{dual[1].pk}"' in body
    assert f'value="{world.bella.memberships.get().pk}"' not in body
