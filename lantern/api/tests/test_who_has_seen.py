"""AD2, AD10: every API list puts the caller in the "who has seen this record" log of each child
whose rows it returned, with one event for the request."""

import pytest

from lantern.api.tests.conftest import RESOURCES
from lantern.audit.models import Action, AuditEvent, AuditEventChild
from lantern.audit.queries import child_access_log

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("resource", RESOURCES)
def test_each_child_listed_has_the_caller_in_their_log(api, world, records, resource):
    before = AuditEvent.objects.count()
    answer = api(world.pete).get(f"/api/{resource}/")
    assert answer.status_code == 200 and answer.json()["results"]
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.filter(action=Action.SEARCH).latest("id")
    named = list(AuditEventChild.objects.filter(event=event).values_list("child_id", flat=True))
    assert named == [records.child.pk]
    log = list(child_access_log(child_id=records.child.pk))
    assert event in log and event.user_id == world.pete.pk


def test_an_empty_list_names_nobody(api, world, records):
    api(world.bella).get("/api/children/")
    event = AuditEvent.objects.filter(action=Action.SEARCH).latest("id")
    assert not AuditEventChild.objects.filter(event=event).exists()
    assert event not in list(child_access_log(child_id=records.child.pk))
