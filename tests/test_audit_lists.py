"""AD1, AD2, AD10 for pages that show many children: every list, search, report, export and map
that shows a child leaves a record that the child's "who has seen this record" page finds.

The walk covers every URL without an object id, so list pages added later are held to it too:
each linked persona GETs the page, POSTs every form it offers (reports and downloads are asked
for by POST) and searches for the child; wherever the answer names the child, the request's
audit event must be in the child's access log. The manager's access-log page then names the
viewer.
"""

import pytest
from django.test import Client
from django.urls import reverse

from lantern.audit.models import AuditEvent, AuditEventChild
from lantern.audit.queries import child_access_log
from lantern.people.tests.helpers import make_child
from tests.formfill import fill_all
from tests.test_persona_matrix import LINKED, _body, _markers, other_routes

# The pages that must name the case's child to a linked persona, so the walk is known to have
# met lists at all (the worklist, the search, the API child list).
MUST_SHOW = {"home:worklist", "people:search", "api:child-list"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _attempts(client: Client, route, case) -> list[tuple[str, object]]:
    path = route.path()
    page = client.get(path)
    attempts = [(path, page)]
    if page.status_code == 200 and "html" in page.get("Content-Type", ""):
        for action, data in fill_all(page.content.decode(), path):
            if action not in (reverse("accounts:logout"), reverse("accounts:roles")):
                attempts.append((action, client.post(action, data)))
    if route.name.endswith("search"):
        for query in (case.child.last_name, case.child.reference):
            attempts.append((path, client.post(path, {"query": query})))
    return attempts


def _in_access_log(child_id: int, request_id: str) -> bool:
    return any(e.request_id == request_id for e in child_access_log(child_id=child_id))


@pytest.mark.parametrize("persona", LINKED)
def test_every_list_that_shows_the_child_is_in_the_childs_access_log(world, case, persona):
    client = _client(getattr(world, persona))
    # The last name and reference: the date of birth alone can be someone else's.
    markers = _markers(case)[1:3]
    unaudited, shown = [], set()
    for route in other_routes():
        for asked, response in _attempts(client, route, case):
            if response.status_code != 200:
                continue
            body = _body(response)
            if not any(m in body for m in markers):
                continue
            shown.add(route.name)
            if not _in_access_log(case.child.pk, response["X-Request-Id"]):
                unaudited.append((route.description, asked))
    assert unaudited == [], unaudited
    if persona in ("sam", "maria"):
        assert shown >= MUST_SHOW, MUST_SHOW - shown


def test_the_access_log_page_names_who_saw_the_child_in_a_list(world, case):
    """AD10 end to end: Pete opens his worklist; Maria, a manager, sees him in the child's log."""
    _client(world.pete).get(reverse("home:worklist"))
    event = AuditEvent.objects.filter(user_id=world.pete.pk, object_type="home.worklist").get()
    assert AuditEventChild.objects.filter(event=event, child_id=case.child.pk).exists()
    page = _client(world.maria).get(reverse("people:access_log", kwargs={"pk": case.child.pk}))
    text = page.content.decode()
    assert page.status_code == 200
    assert "pete" in text and "Viewed the worklist" in text


def test_a_list_names_each_child_once_and_only_those_shown(world, case):
    """The rows are the children on the page: another Haringey child without episodes is not on
    Sam's worklist and is not recorded as seen there."""
    quiet = make_child(world.sam, first_name="Ada", last_name="Quill", home_la=world.haringey)
    _client(world.sam).get(reverse("home:worklist"))
    event = AuditEvent.objects.filter(user_id=world.sam.pk, object_type="home.worklist").get()
    named = list(AuditEventChild.objects.filter(event=event).values_list("child_id", flat=True))
    assert named == [case.child.pk]
    assert event.detail["children"] == [case.child.pk]
    assert not any(e.pk == event.pk for e in child_access_log(child_id=quiet.pk))
