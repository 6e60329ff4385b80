"""AD2, AD10: the review queue puts the reviewer in the "who has seen this record" log of both
children of every possible match it lists."""

import pytest
from django.urls import reverse

from lantern.audit.models import AuditEvent
from lantern.audit.queries import child_access_log

pytestmark = pytest.mark.django_db


def test_both_children_of_a_listed_pair_have_the_reviewer_in_their_log(client, world, proposed):
    client.force_login(world.maria)
    response = client.get(reverse("linkage:queue"))
    assert response.status_code == 200
    event = AuditEvent.objects.get(request_id=response["X-Request-Id"])
    for child_id in (proposed.left_child_id, proposed.right_child_id):
        log = list(child_access_log(child_id=child_id))
        assert event in log and event.user_id == world.maria.pk
