"""The admin can read episodes and interviews but never change them around the services."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from lantern.audit.models import Action, AuditEvent
from lantern.episodes.tests.factories import open_episode


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.invalid", "x" * 20)
    client.force_login(user)
    return client


def test_admin_episode_is_read_only_and_viewing_is_audited(admin_client, world, child):
    episode = open_episode(world, child)
    url = reverse("admin:episodes_missingepisode_change", args=[episode.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert AuditEvent.objects.filter(
        action=Action.VIEW, object_id=str(episode.pk), child_id=child.pk
    ).exists()


@pytest.mark.parametrize(
    "name",
    [
        "admin:episodes_missingepisode_add",
        "admin:episodes_policegrading_add",
        "admin:interviews_returninterview_add",
        "admin:interviews_disclosure_add",
    ],
)
def test_admin_cannot_add(admin_client, name):
    assert admin_client.get(reverse(name)).status_code == 403


def test_admin_cannot_delete_an_episode(admin_client, world, child):
    episode = open_episode(world, child)
    url = reverse("admin:episodes_missingepisode_delete", args=[episode.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert type(episode).objects.filter(pk=episode.pk).exists()
