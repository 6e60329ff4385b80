"""Audit: every view is logged (AD1), changes keep before and after (AD4), the log is append-only
in the application and the database (AD6), and audit and work commit together (AD7)."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from lantern.accounts.models import LawfulBasis, ShareDecision
from lantern.accounts.services import share_decide
from lantern.audit.models import Action, AppendOnlyError, AuditEvent
from lantern.audit.services import audit_record
from lantern.people.models import Child
from lantern.people.services import child_create, child_update, placement_end
from tests.formfill import fill
from tests.test_persona_matrix import _is_object_argument, _kind, argument_sets, object_routes

LINKED = ["sam", "maria", "chris", "pete", "rita"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, pk: int) -> str | None:
    try:
        return reverse(name, kwargs={"pk": pk})
    except NoReverseMatch:
        return None  # that page is not built yet


@pytest.fixture
def brighton_child(world):
    return child_create(
        actor=world.bella,
        first_name="Ellis",
        last_name="Marchbank",
        date_of_birth=(world.bella.date_joined - timedelta(days=15 * 365)).date(),
        home_la=world.brighton,
    )


def _views_to_make(world, case, brighton_child) -> list[tuple[str, str, int]]:
    """(persona, url, child id) for every persona and page where the persona may look."""
    pages = [("people:detail", case.child.pk, case.child.pk)]
    pages += [("episodes:detail", pk, case.child.pk) for pk in case.ids()["episode"]]
    pages += [("interviews:detail", case.interview.pk, case.child.pk)]
    views = []
    for persona in LINKED:
        for name, pk, child_id in pages:
            url = _url(name, pk)
            if url:
                views.append((persona, url, child_id))
    bella_url = _url("people:detail", brighton_child.pk)
    views += [("bella", bella_url, brighton_child.pk)] * 2  # the same page twice: two events
    return views


def test_every_view_of_a_child_page_is_in_the_audit_log(world, case, brighton_child):
    """AD1: 100% of views, each exactly once, with who, where from, in what role, and request."""
    views = _views_to_make(world, case, brighton_child)
    before = AuditEvent.objects.filter(action=Action.VIEW).count()
    for persona, url, child_id in views:
        user = getattr(world, persona)
        response = _client(user).get(url)
        assert response.status_code == 200, (persona, url)
        request_id = response["X-Request-Id"]
        events = list(AuditEvent.objects.filter(request_id=request_id, action=Action.VIEW))
        assert len(events) == 1, (persona, url, events)
        event = events[0]
        membership = user.memberships.get()
        assert (event.user_id, event.username) == (user.pk, user.username)
        assert event.organisation_id == membership.organisation_id
        assert event.organisation_name == membership.organisation.name
        assert event.role == membership.role
        assert event.child_id == child_id
        assert event.object_type and event.object_id
        assert event.at is not None
    assert AuditEvent.objects.filter(action=Action.VIEW).count() - before == len(views)


def test_request_ids_are_unique_per_request(world, case):
    client = _client(world.sam)
    url = reverse("people:detail", kwargs={"pk": case.child.pk})
    ids = {client.get(url)["X-Request-Id"] for _ in range(3)}
    assert len(ids) == 3


def test_a_refused_view_is_not_logged_as_a_view(world, case):
    response = _client(world.bella).get(reverse("people:detail", kwargs={"pk": case.child.pk}))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(
        request_id=response["X-Request-Id"], action=Action.VIEW
    ).exists()


def test_managers_see_who_has_viewed_a_record(world, case):
    """AD10: the access log lists the view; a practitioner cannot open it."""
    _client(world.pete).get(reverse("people:detail", kwargs={"pk": case.child.pk}))
    url = reverse("people:access_log", kwargs={"pk": case.child.pk})
    response = _client(world.maria).get(url)
    assert response.status_code == 200
    assert "Pete" in response.content.decode() or "pete" in response.content.decode()
    assert _client(world.sam).get(url).status_code == 404


# --- AD4: before and after -------------------------------------------------------------------


def test_a_change_records_before_and_after_and_who(world, child):
    child_update(actor=world.sam, child=child, version=child.version, last_name="Smith")
    event = AuditEvent.objects.filter(child_id=child.pk, action=Action.UPDATE).get()
    assert event.detail["changes"] == {"last_name": ["Smyth", "Smith"]}
    assert (event.user_id, event.organisation_id, event.role) == (
        world.sam.pk,
        world.haringey.pk,
        "practitioner",
    )


def test_ending_a_placement_records_before_and_after(world, case, now):
    placement = case.placement
    ended = (now - timedelta(days=1)).date()
    placement_end(actor=world.maria, placement=placement, version=placement.version, ended_on=ended)
    event = AuditEvent.objects.filter(object_id=str(placement.pk), action=Action.UPDATE).latest(
        "id"
    )
    assert event.user_id == world.maria.pk
    assert event.child_id == case.child.pk
    detail = event.detail
    # Either a {field: [before, after]} diff or separate before/after snapshots.
    if "changes" in detail:
        assert detail["changes"]["ended_on"] == [None, ended.isoformat()]
    else:
        assert detail["before"]["ended_on"] is None
        assert detail["after"]["ended_on"] == ended.isoformat()


def test_recording_a_return_records_before_and_after(world, case):
    event = (
        AuditEvent.objects.filter(
            object_id=str(case.returned_episode.pk),
            object_type="episodes.missingepisode",
            action=Action.UPDATE,
        )
        .order_by("id")
        .first()
    )
    assert event.user_id == world.pete.pk
    before, after = event.detail["changes"]["returned_at"]
    assert before is None and after


def test_a_decision_not_to_share_is_recorded_with_its_reason(world, child, now):
    share_decide(
        actor=world.maria,
        child=child,
        to_organisation=world.school,
        decision=ShareDecision.NOT_SHARE,
        purpose="School asked for missing history",
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        condition="sch1_18",
        reason="Not necessary: the school is told what it needs by the social worker",
    )
    event = AuditEvent.objects.get(child_id=child.pk, action=Action.DECLINE_SHARE)
    assert event.detail["after"]["reason"].startswith("Not necessary")
    assert event.user_id == world.maria.pk


# --- AD6: append-only --------------------------------------------------------------------------


@pytest.fixture
def event(world, child) -> AuditEvent:
    return AuditEvent.objects.filter(child_id=child.pk).latest("id")


def test_the_application_cannot_change_an_event(event):
    event.summary = "Nothing happened"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_the_application_cannot_delete_an_event(event):
    with pytest.raises(AppendOnlyError):
        event.delete()


def _refused(action) -> bool:
    """Run ``action`` in a savepoint; True when the database refused it."""
    try:
        with transaction.atomic():
            action()
    except DatabaseError:
        return True
    return False


def test_the_database_refuses_queryset_update_and_delete(event):
    qs = AuditEvent.objects.filter(pk=event.pk)
    assert _refused(lambda: qs.update(summary="Nothing happened"))
    assert _refused(lambda: qs.delete())
    assert AuditEvent.objects.get(pk=event.pk).summary == event.summary


def test_the_database_refuses_raw_update_and_delete(event):
    table = AuditEvent._meta.db_table

    def run(sql: str):
        return lambda: connection.cursor().execute(sql, [event.pk])

    assert _refused(run(f"UPDATE {table} SET summary = 'x' WHERE id = %s"))  # noqa: S608
    assert _refused(run(f"DELETE FROM {table} WHERE id = %s"))  # noqa: S608
    assert AuditEvent.objects.filter(pk=event.pk, summary=event.summary).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_truncate(event):
    assert _refused(lambda: connection.cursor().execute("TRUNCATE audit_auditevent"))


def test_appending_still_works(world):
    with transaction.atomic():
        made = audit_record(actor=world.sam, action=Action.SEARCH, summary="Searched")
    assert AuditEvent.objects.filter(pk=made.pk).exists()


# --- AD7: audit and work commit together -----------------------------------------------------


class _AuditDown(Exception):
    pass


def _break_audit(monkeypatch) -> None:
    def fail(*args, **kwargs):
        raise _AuditDown("audit store unavailable")

    monkeypatch.setattr(AuditEvent.objects, "create", fail)


@pytest.fixture
def audit_down(monkeypatch):
    _break_audit(monkeypatch)


def test_no_audit_no_page(world, case, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(world.sam)  # signing in is audited too, so sign in first
    _break_audit(monkeypatch)
    response = client.get(reverse("people:detail", kwargs={"pk": case.child.pk}))
    assert response.status_code == 500
    assert case.child.last_name not in response.content.decode()


def test_no_audit_no_change_through_a_service(world, child, audit_down):
    with pytest.raises(_AuditDown):
        child_update(actor=world.sam, child=child, version=child.version, last_name="Smith")
    child.refresh_from_db()
    assert (child.last_name, child.version) == ("Smyth", 1)


def test_no_audit_no_change_through_a_form(world, case, monkeypatch):
    """The web path: the return form's POST fails with the audit, and nothing is written; the
    same POST succeeds once the audit works, so the form really would have written."""
    url = reverse("episodes:return", kwargs={"pk": case.open_episode.pk})
    client = _client(world.maria)
    (data,) = fill(client.get(url).content.decode(), url)
    broken = Client(raise_request_exception=False)
    broken.force_login(world.maria)
    real_create = AuditEvent.objects.create
    _break_audit(monkeypatch)
    assert broken.post(url, data).status_code == 500
    case.open_episode.refresh_from_db()
    assert case.open_episode.returned_at is None

    monkeypatch.setattr(AuditEvent.objects, "create", real_create)
    assert client.post(url, data).status_code == 302
    case.open_episode.refresh_from_db()
    assert case.open_episode.returned_at is not None


def test_child_count_unchanged_when_creating_fails_to_audit(world, audit_down):
    before = Child.objects.count()
    with pytest.raises(_AuditDown):
        child_create(
            actor=world.sam,
            first_name="Ada",
            last_name="Quill",
            date_of_birth=world.sam.date_joined.date() - timedelta(days=13 * 365),
            home_la=world.haringey,
        )
    assert Child.objects.count() == before


def test_every_record_page_that_shows_the_child_is_an_audited_read(world, case):
    """AD1 over the whole URLconf, so record pages added later are held to it too: every page or
    API answer for one of the child's own objects (child, episode, interview, placement, grading)
    that shows the child's name or reference wrote an audit event for the child in the same
    request. Form pages, which show the name only to say whose record is being changed, audit
    the change itself instead."""
    markers = (case.child.last_name, case.child.reference)
    unaudited, checked = [], 0
    for persona in ("maria", "pete", "rita"):
        client = _client(getattr(world, persona))
        for route in object_routes():
            arguments = [n for n, rx in route.kwargs().items() if _is_object_argument(n, rx)]
            if any(_kind(route, n) is None for n in arguments):
                continue
            for args in argument_sets(route, case.ids(), []):
                path = route.path(args)
                response = client.get(path)
                if response.status_code != 200 or getattr(response, "streaming", False):
                    continue
                body = response.content.decode(errors="replace")
                if not any(m in body for m in markers) or fill(body, path):
                    continue
                checked += 1
                if not AuditEvent.objects.filter(
                    request_id=response["X-Request-Id"], child_id=case.child.pk
                ).exists():
                    unaudited.append((persona, route.description, args))
    assert checked >= 6
    assert unaudited == [], unaudited
