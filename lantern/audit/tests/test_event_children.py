"""The children an event names (lists, searches, exports, maps): written with the event, read by
the child's "who has seen this record" log (AD2, AD10), append-only in the application and the
database (AD6), and committed with the page or not at all (AD7)."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from lantern.audit import services
from lantern.audit.models import Action, AppendOnlyError, AuditEvent, AuditEventChild
from lantern.audit.queries import child_access_log, child_viewers
from lantern.audit.services import audit_record
from lantern.people.tests.helpers import make_child


def _record(**kwargs) -> AuditEvent:
    with transaction.atomic():
        return audit_record(**kwargs)


def test_one_event_and_a_row_per_distinct_child(world):
    before = AuditEvent.objects.count()
    event = _record(actor=world.sam, action=Action.SEARCH, child_ids=[7, 3, 7, 11])
    assert AuditEvent.objects.count() == before + 1
    assert sorted(event.children.values_list("child_id", flat=True)) == [3, 7, 11]
    assert AuditEventChild.objects.count() == 3


def test_no_child_ids_writes_no_rows(world):
    _record(actor=world.sam, action=Action.SEARCH, child_ids=[])
    _record(actor=world.sam, action=Action.VIEW)
    assert not AuditEventChild.objects.exists()


def test_a_big_list_is_written_whole(world):
    """A map names up to 10,000 children: more than one INSERT's parameters on SQLite."""
    ids = range(1, 10_002)
    event = _record(actor=world.sam, action=Action.VIEW, child_ids=ids)
    assert event.children.count() == len(ids)


def test_the_access_log_has_events_about_the_child_and_lists_that_showed_it(world, child):
    about = _record(actor=world.sam, action=Action.VIEW, child_id=child.pk)
    listed = _record(actor=world.pete, action=Action.SEARCH, child_ids=[child.pk, child.pk + 1])
    elsewhere = _record(actor=world.rita, action=Action.SEARCH, child_ids=[child.pk + 1])
    both = _record(actor=world.maria, action=Action.VIEW, child_id=child.pk, child_ids=[child.pk])
    log = list(child_access_log(child_id=child.pk))
    assert about in log and listed in log and both in log
    assert elsewhere not in log
    assert log.count(both) == 1
    assert log == sorted(log, key=lambda e: (e.at, e.pk), reverse=True)
    viewers = list(child_viewers(child_id=child.pk))
    assert about in viewers and both in viewers and listed not in viewers


def test_the_access_log_keeps_its_limit(world, child):
    for _ in range(3):
        _record(actor=world.sam, action=Action.VIEW, child_id=child.pk)
        _record(actor=world.sam, action=Action.SEARCH, child_ids=[child.pk])
    newest = list(child_access_log(child_id=child.pk, limit=4))
    assert len(newest) == 4
    assert newest == list(child_access_log(child_id=child.pk))[:4]


# --- AD6: append-only -----------------------------------------------------------------------


@pytest.fixture
def row(world, child) -> AuditEventChild:
    event = _record(actor=world.sam, action=Action.SEARCH, child_ids=[child.pk])
    return event.children.get()


def _refused(action) -> bool:
    try:
        with transaction.atomic():
            action()
    except DatabaseError:
        return True
    return False


def test_the_application_cannot_change_or_delete_a_row(row):
    row.child_id += 1
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()


def test_the_database_refuses_queryset_update_and_delete(row):
    rows = AuditEventChild.objects.filter(pk=row.pk)
    assert _refused(lambda: rows.update(child_id=0))
    assert _refused(lambda: rows.delete())
    assert AuditEventChild.objects.get(pk=row.pk).child_id == row.child_id


def test_the_database_refuses_raw_update_and_delete(row):
    table = AuditEventChild._meta.db_table

    def run(sql: str):
        return lambda: connection.cursor().execute(sql, [row.pk])

    assert _refused(run(f"UPDATE {table} SET child_id = 0 WHERE id = %s"))  # noqa: S608
    assert _refused(run(f"DELETE FROM {table} WHERE id = %s"))  # noqa: S608
    assert AuditEventChild.objects.filter(pk=row.pk, child_id=row.child_id).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_truncate(row):
    assert _refused(lambda: connection.cursor().execute(f"TRUNCATE {row._meta.db_table}"))


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_log_and_puts_the_protection_back(world, child):
    """The test runner and operators wipe the database with flush; the triggers come back."""
    with transaction.atomic():
        made = audit_record(actor=world.sam, action=Action.SEARCH, child_ids=[child.pk])
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.filter(pk=made.pk).exists()
    assert not AuditEventChild.objects.exists()
    with transaction.atomic():
        event = AuditEvent.objects.create(action=Action.SEARCH)
        AuditEventChild.objects.create(event=event, child_id=1)
    assert _refused(lambda: AuditEventChild.objects.all().delete())
    assert _refused(lambda: AuditEvent.objects.all().delete())


# --- AD7: no audit, no page -----------------------------------------------------------------


def test_no_row_per_child_no_list_page(world, monkeypatch):
    """If the children's rows cannot be written, the list is not served and its event is not
    kept either: they commit together or not at all."""
    child = make_child(world.sam, first_name="Ada", last_name="Quill", home_la=world.haringey)
    client = Client(raise_request_exception=False)
    client.force_login(world.sam)
    before = AuditEvent.objects.count()

    def fail(*args, **kwargs):
        raise DatabaseError("audit store unavailable")

    monkeypatch.setattr(services, "rows_insert", fail)
    response = client.post(reverse("people:search"), {"query": child.last_name})
    assert response.status_code == 500
    assert child.last_name not in response.content.decode()
    assert AuditEvent.objects.count() == before
