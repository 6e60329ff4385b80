"""Loading the generated data: the demo command, the demo users and what each of them sees."""

import itertools
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from lantern.accounts.models import Membership, Organisation
from lantern.accounts.policy import children_visible_to
from lantern.audit.models import AuditEvent
from lantern.demo.generator import demo_config, generate
from lantern.demo.loader import load, load_generated
from lantern.demo.users import DEMO_PASSWORD, PERSONAS
from lantern.episodes import rules
from lantern.episodes.models import MissingEpisode
from lantern.interviews.models import Disclosure, ReturnInterview
from lantern.people.models import Child, ChildIdentifier, ChildNameKey, Placement
from lantern.people.services import child_create

pytestmark = pytest.mark.django_db

SMALL = 80


@pytest.fixture
def loaded():
    out = StringIO()
    call_command("demo_load", "--children", str(SMALL), "--no-progress", stdout=out)
    return out.getvalue()


def test_demo_load_writes_the_children_and_says_how_much(loaded):
    assert Child.objects.count() == SMALL
    assert MissingEpisode.objects.count() >= SMALL
    assert "Loaded 80 children" in loaded


def test_demo_load_writes_one_audit_event_for_the_whole_load(loaded):
    events = AuditEvent.objects.filter(object_type="demo.load")
    assert events.count() == 1
    event = events.get()
    assert event.user_id is None
    assert event.detail["rows"]["people.child"] == SMALL
    assert event.detail["scale"] == "demo"


def test_demo_load_creates_one_user_per_persona_with_the_demo_password(loaded):
    for persona in PERSONAS:
        membership = Membership.objects.select_related("user").get(user__username=persona.username)
        assert membership.role == persona.role
        assert membership.user.check_password(DEMO_PASSWORD)


def test_every_persona_who_may_open_records_sees_some_children(loaded):
    for membership in Membership.objects.select_related("user", "organisation"):
        if not membership.user.username.count("-"):
            continue
        visible = children_visible_to(membership.user).count()
        if membership.role in ("analyst", "org_admin"):
            assert visible == 0, membership.user.username
        else:
            assert visible > 0, membership.user.username


def test_the_sussex_coordinator_sees_no_haringey_child(loaded):
    sussex = Membership.objects.get(user__username="sussex-coordinator").user
    visible = children_visible_to(sussex)
    assert not visible.filter(home_la__ons_code="E09000014").exists()


def test_the_showcase_children_are_loaded_and_findable_by_name(loaded):
    kai = Child.objects.get(first_name="Kai", last_name="Mensah")
    assert set(ChildNameKey.objects.filter(child=kai).values_list("token", flat=True)) >= {
        "kai",
        "mensah",
        "smokes",
    }
    now = timezone.now()
    recent = kai.episodes.filter(last_seen_at__gt=now - timedelta(days=90))
    assert recent.count() >= 4
    assert recent.filter(found_la__ons_code="E06000033").count() >= 3  # Southend-on-Sea
    current = Placement.objects.get(child=kai, ended_on__isnull=True)
    assert current.location == "OUT" and current.host_la.ons_code == "E09000010"
    assert Disclosure.objects.filter(
        interview__child=kai, is_exploitation_indicator=True, exploitation_type="county_lines"
    ).exists()
    assert kai.lead_professionals.get(ended_on__isnull=True).user.username == "haringey-sw"
    leah = Child.objects.get(first_name="Leah", last_name="Adeyemi")
    open_episode = leah.episodes.get(returned_at__isnull=True)
    assert open_episode.gradings.order_by("-graded_at").first().grade == "high"
    ruby = Child.objects.get(first_name="Ruby", last_name="Kowalski")
    latest = ruby.episodes.order_by("-last_seen_at").first()
    assert not latest.interviews.exists()
    assert rules.rhi_clock(latest.returned_at, now).overdue
    mason = Child.objects.get(first_name="Mason", last_name="Doyle")
    assert not rules.rhi_clock(mason.episodes.get().returned_at, now).overdue


def test_loaded_episodes_keep_the_rules_in_the_database(loaded):
    now = timezone.now()
    by_child: dict[int, list[MissingEpisode]] = {}
    for e in MissingEpisode.objects.order_by("child_id", "last_seen_at"):
        by_child.setdefault(e.child_id, []).append(e)
        assert e.last_seen_at <= e.reported_at <= now
        assert e.returned_at is None or e.last_seen_at < e.returned_at <= now
        known = e.whereabouts == "known"
        assert e.category == rules.category_for(
            looked_after=e.looked_after, whereabouts_known=known
        )
    for episodes in by_child.values():
        for a, b in itertools.pairwise(episodes):
            assert not rules.overlaps(a.last_seen_at, a.returned_at, b.last_seen_at, b.returned_at)


def test_found_and_missing_from_places_match_their_police_forces(loaded):
    for e in MissingEpisode.objects.select_related("found_la", "missing_from_la"):
        if e.found_la is not None:
            assert e.found_force_id == e.found_la.police_force_id
        if e.police_force_id is not None:
            assert e.police_force_id == e.missing_from_la.police_force_id


def test_if_empty_does_nothing_when_children_exist(loaded):
    before = (Child.objects.count(), MissingEpisode.objects.count(), AuditEvent.objects.count())
    out = StringIO()
    call_command("demo_load", "--if-empty", "--no-progress", stdout=out)
    call_command("demo_load", "--if-empty", "--no-progress", stdout=out)
    after = (Child.objects.count(), MissingEpisode.objects.count(), AuditEvent.objects.count())
    assert after == before
    assert "already" in out.getvalue()


def test_if_empty_loads_when_there_are_no_children():
    call_command("demo_load", "--if-empty", "--children", "12", "--no-progress", stdout=StringIO())
    assert Child.objects.count() == 12


def test_loading_after_existing_records_keeps_ids_and_sequences_sound(world):
    existing = child_create(
        actor=world.sam,
        first_name="Existing",
        last_name="Child",
        date_of_birth=date(2012, 5, 1),
        home_la=world.haringey,
    )
    result = load(generate(demo_config(children=10, seed=4, first_number=existing.pk + 1)))
    assert result.first_child_id == existing.pk + 1
    later = child_create(
        actor=world.sam,
        first_name="Later",
        last_name="Child",
        date_of_birth=date(2012, 5, 1),
        home_la=world.haringey,
    )
    assert later.pk > result.last_child_id
    assert ReturnInterview.objects.exists()


def test_a_second_load_does_not_clash_on_identifiers(loaded):
    call_command("demo_load", "--children", "20", "--seed", "9", "--no-progress", stdout=StringIO())
    assert Child.objects.count() == SMALL + 20
    dupes = (
        ChildIdentifier.objects.values("kind", "value", "issuing_organisation")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not dupes.exists()


def test_demo_load_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("demo_load", "--children", "5", "--no-progress", stdout=StringIO())
    assert not Child.objects.exists()


def test_demo_signins_prints_every_user_the_password_and_the_address(loaded):
    out = StringIO()
    call_command("demo_signins", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text
    assert DEMO_PASSWORD in text
    for persona in PERSONAS:
        assert persona.username in text
    assert "Safe Return Project (demo)" in text


def test_demo_partner_organisations_have_the_right_types(loaded):
    types = dict(Organisation.objects.filter(name__endswith="(demo)").values_list("name", "type"))
    assert types["Safe Return Project (demo)"] == "voluntary"
    assert types["Northside Academy (demo)"] == "education"
    assert types["Haringey Youth Justice Service (demo)"] == "youth_justice"


def test_a_worker_process_loads_exactly_what_this_process_would(world):
    cfg = demo_config(children=25, seed=8, first_number=1000)
    result = load_generated(cfg, worker=True, batch=10)
    assert result.worker
    expected = list(generate(cfg))
    assert result.children == 25
    assert result.episodes == sum(len(c.episodes) for c in expected)
    loaded = Child.objects.filter(pk__gte=result.first_child_id).order_by("pk")
    assert [c.last_name for c in loaded] == [c.last_name for c in expected]
    kai = loaded.get(first_name="Kai")
    assert [e.last_seen_at for e in kai.episodes.order_by("last_seen_at")] == [
        e.last_seen_at for e in expected[0].episodes
    ]


def _schema() -> list[tuple[str, ...]]:
    from django.db import connection

    from lantern.demo.loader import MODELS

    names = [m._meta.db_table for m in MODELS.values()]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            marks = ", ".join(["%s"] * len(names))
            cursor.execute(
                f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({marks})",  # noqa: S608
                names,
            )
        else:
            cursor.execute(
                """SELECT 'index', indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)
                   UNION ALL
                   SELECT 'constraint', conname, pg_get_constraintdef(c.oid)
                   FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
                   WHERE t.relname = ANY(%s)""",
                [names, names],
            )
        return sorted(tuple(str(v) for v in row) for row in cursor.fetchall())


def test_indexes_dropped_for_a_big_load_come_back_exactly(world):
    before = _schema()
    result = load(generate(demo_config(children=30, seed=6)), defer_indexes=True)
    assert result.deferred_indexes > 10
    assert _schema() == before
    # The constraints work again: a second current lead professional is refused.
    from django.db import IntegrityError, transaction

    from lantern.people.models import LeadProfessional

    lead = LeadProfessional.objects.filter(ended_on__isnull=True).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadProfessional.objects.create(
            child_id=lead.child_id,
            name="Second",
            organisation_id=lead.organisation_id,
            started_on=lead.started_on,
        )


def _planner_knows(table: str, column: str) -> bool:
    """Whether the query planner has statistics for the column (from ANALYZE)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # pg_statistic is written transactionally, so a test's rollback removes it again.
            cursor.execute(
                "SELECT n_distinct FROM pg_stats WHERE tablename = %s AND attname = %s",
                [table, column],
            )
            return cursor.fetchone() is not None
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return False
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        row = cursor.fetchone()
        return row is not None and int(row[0].split()[0]) == MissingEpisode.objects.count()


@pytest.mark.parametrize("defer", [True, False])
def test_a_load_leaves_the_planner_statistics_current(world, defer):
    # Without them the planner guesses and picks national-size scans for one child's queries:
    # the risk benchmark's one-child re-score took 300 ms on an unanalysed national load, 7 ms
    # after ANALYZE.
    load(generate(demo_config(children=30, seed=8)), defer_indexes=defer)
    assert _planner_knows(MissingEpisode._meta.db_table, "child_id")
