"""Reads through the API are in the access log; lists page and filter for synchronisation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lantern.api.pagination import CURSOR_INVALID, PAGE_SIZE_INVALID
from lantern.api.tests.conftest import RESOURCES
from lantern.audit.models import Action, AuditEvent
from lantern.people.models import Child
from lantern.people.tests.helpers import make_child

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_list_logs_a_search_with_the_ids_returned(api, world, records, resource):
    answer = api(world.sam).get(f"/api/{resource}/")
    shown = [row["id"] for row in answer.json()["results"]]
    event = AuditEvent.objects.filter(action=Action.SEARCH).latest("id")
    assert event.user_id == world.sam.pk
    assert event.organisation_id == world.haringey.pk
    assert event.detail["shown"] == shown
    assert event.detail["children"] == [records.child.pk]
    assert event.detail["via"] == "api"


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_record_read_logs_a_view_with_the_child(api, world, records, resource):
    api(world.pete).get(records.path(resource))
    event = AuditEvent.objects.filter(action=Action.VIEW).latest("id")
    assert event.user_id == world.pete.pk
    assert event.organisation_id == world.met.pk
    assert event.child_id == records.child.pk
    assert event.object_id == records.path(resource).split("/")[3]


def test_an_empty_list_is_logged_too(api, world, records):
    api(world.bella).get("/api/children/")
    event = AuditEvent.objects.filter(action=Action.SEARCH).latest("id")
    assert event.user_id == world.bella.pk
    assert event.detail["shown"] == []


def test_a_refused_read_logs_no_view(api, world, records):
    before = AuditEvent.objects.filter(action=Action.VIEW).count()
    api(world.bella).get(records.path("children"))
    assert AuditEvent.objects.filter(action=Action.VIEW).count() == before


def _age(child: Child, days: int) -> None:
    Child.objects.filter(pk=child.pk).update(updated_at=timezone.now() - timedelta(days=days))


def test_updated_since_returns_only_rows_changed_since(api, world, child):
    older = make_child(world.sam, first_name="Old", last_name="Record", home_la=world.haringey)
    _age(older, 10)
    _age(child, 1)
    since = (timezone.now() - timedelta(days=5)).isoformat()
    answer = api(world.sam).get("/api/children/", {"updated_since": since})
    assert [row["id"] for row in answer.json()["results"]] == [child.pk]


def test_updated_since_accepts_a_zulu_time(api, world, child):
    answer = api(world.sam).get("/api/children/", {"updated_since": "2000-01-01T00:00:00Z"})
    assert [row["id"] for row in answer.json()["results"]] == [child.pk]


def test_updated_since_must_be_a_date_and_time(api, world, child):
    answer = api(world.sam).get("/api/children/", {"updated_since": "last tuesday"})
    assert answer.status_code == 400
    assert "updated_since" in answer.json()


def test_lists_page_in_order_of_change_with_a_next_link(api, world, child):
    others = [
        make_child(world.sam, first_name=f"Child{i}", last_name="Page", home_la=world.haringey)
        for i in range(4)
    ]
    for days, c in zip([5, 4, 3, 2, 1], [child, *others], strict=True):
        _age(c, days)
    client = api(world.sam)
    seen, url = [], "/api/children/?page_size=2"
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 2
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == [child.pk, *[c.pk for c in others]]


def test_rows_with_the_same_timestamp_are_neither_skipped_nor_repeated(api, world, child):
    # An import gives thousands of rows one timestamp; the id breaks the tie.
    others = [
        make_child(world.sam, first_name=f"Twin{i}", last_name="Page", home_la=world.haringey)
        for i in range(4)
    ]
    Child.objects.update(updated_at=timezone.now() - timedelta(days=1))
    client = api(world.sam)
    seen, url = [], "/api/children/?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted([child.pk, *[c.pk for c in others]])


@pytest.mark.parametrize("size", ["0", "501", "ten", "-1"])
def test_page_size_outside_the_limit_is_refused(api, world, child, size):
    answer = api(world.sam).get("/api/children/", {"page_size": size})
    assert answer.status_code == 400
    assert answer.json() == {"page_size": [PAGE_SIZE_INVALID]}


def test_a_made_up_cursor_is_refused(api, world, child):
    answer = api(world.sam).get("/api/children/", {"cursor": "not-a-cursor"})
    assert answer.status_code == 400
    assert answer.json() == {"cursor": [CURSOR_INVALID]}


def test_lists_filter_by_child(api, world, records):
    other = make_child(world.sam, first_name="Other", last_name="Child", home_la=world.haringey)
    client = api(world.sam)
    assert client.get("/api/gradings/", {"child": other.pk}).json()["results"] == []
    rows = client.get("/api/gradings/", {"child": records.child.pk}).json()["results"]
    assert [row["id"] for row in rows] == [records.grading.pk]
