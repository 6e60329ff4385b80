from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lantern.audit.models import Action, AuditEvent
from lantern.episodes import services as episode_services
from lantern.people import queries, services
from lantern.people.models import Child
from lantern.people.tests.helpers import make_episode, make_interview


def page(client, user, child):
    client.force_login(user)
    return client.get(reverse("people:detail", args=[child.pk]))


def test_practitioner_in_the_home_authority_sees_the_page(client, world, child):
    response = page(client, world.sam, child)
    assert response.status_code == 200
    assert b"Kayden Smyth" in response.content
    assert child.reference.encode() in response.content


@pytest.mark.parametrize("persona", ["bella", "priya", "rita", "andy", "olive"])
def test_page_is_404_for_users_without_a_link_or_a_case_role(client, world, child, persona):
    response = page(client, getattr(world, persona), child)
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=Action.VIEW, child_id=child.pk).exists()


def test_page_is_404_for_a_child_that_does_not_exist(client, world):
    client.force_login(world.sam)
    assert client.get(reverse("people:detail", args=[999999])).status_code == 404


def test_every_view_is_audited_with_the_child(client, world, child):
    page(client, world.sam, child)
    page(client, world.sam, child)
    events = AuditEvent.objects.filter(action=Action.VIEW, child_id=child.pk)
    assert events.count() == 2
    event = events.first()
    assert (event.user_id, event.organisation_name, event.role) == (
        world.sam.pk,
        "Haringey",
        "practitioner",
    )
    assert event.request_id


def test_police_force_sees_the_child_once_an_episode_is_reported_to_it(client, world, child, now):
    assert page(client, world.pete, child).status_code == 404
    make_episode(world.sam, child, last_seen_at=now - timedelta(hours=5), police_force=world.met)
    response = page(client, world.pete, child)
    assert response.status_code == 200
    assert b"police force the child was reported missing to" in response.content


def test_page_explains_why_the_user_can_see_the_record(client, world, child):
    content = page(client, world.sam, child).content.decode()
    assert "Why you can see this record" in content
    assert "home local authority" in content


def test_missing_child_has_a_warning_banner(client, world, child, now):
    make_episode(world.sam, child, last_seen_at=now - timedelta(hours=50))
    content = page(client, world.sam, child).content.decode()
    assert "Kayden is missing now" in content
    assert "missing for 2 days 2 hours" in content


def test_returned_child_has_no_warning_banner(client, world, child, now):
    make_episode(
        world.sam,
        child,
        last_seen_at=now - timedelta(hours=50),
        returned_at=now - timedelta(hours=1),
    )
    assert "is missing now" not in page(client, world.sam, child).content.decode()


def _episodes(actor, child, now, days_ago):
    for days in sorted(days_ago, reverse=True):  # oldest first: an open episode blocks older ones
        make_episode(
            actor,
            child,
            last_seen_at=now - timedelta(days=days),
            returned_at=now - timedelta(days=days) + timedelta(hours=6),
        )


def test_three_episodes_in_90_days_is_frequently_missing(client, world, child, now):
    _episodes(world.sam, child, now, [5, 40, 80, 200])
    summary = queries.child_summary(child, now=now)
    assert (summary.counts.last_30, summary.counts.last_90, summary.counts.last_365) == (1, 3, 4)
    assert summary.counts.frequently_missing
    assert "Frequently missing</strong>" in page(client, world.sam, child).content.decode()


def test_two_episodes_in_90_days_is_not_frequently_missing(client, world, child, now):
    _episodes(world.sam, child, now, [5, 40, 100])
    assert not queries.child_summary(child, now=now).counts.frequently_missing
    assert "Frequently missing</strong>" not in page(client, world.sam, child).content.decode()


def test_out_of_area_placement_is_tagged_with_host_and_distance(client, world, child):
    services.placement_add(
        actor=world.sam,
        child=child,
        placing_la=world.haringey,
        place="K2",
        provider="PR4",
        postcode="BN1 1AA",
        started_on=date.today() - timedelta(days=20),
    )
    content = page(client, world.sam, child).content.decode()
    assert 'ln-tag ln-tag--orange">Out of area' in content
    assert "BN1 1AA, Brighton and Hove" in content
    assert "miles" in content


def test_lead_professional_history_and_changes_are_shown(client, world, child):
    today = date.today()
    for n, days in enumerate([500, 300, 100, 10]):
        services.lead_professional_assign(
            actor=world.sam,
            child=child,
            name=f"Worker {n}",
            organisation=world.haringey,
            started_on=today - timedelta(days=days),
            reason_for_change="Left the team" if n else "",
        )
    content = page(client, world.sam, child).content.decode()
    assert "Worker 3" in content
    assert "3 changes of lead professional in the last 12 months" in content
    assert "Worker 0" in content  # the history keeps earlier lead professionals


@pytest.mark.parametrize(
    ("starts_days_ago", "changes"),
    [([], 0), ([400], 0), ([400, 100], 1), ([300, 200, 100, 5], 3), ([800, 500, 366], 0)],
)
def test_lead_changes_count_only_changes_in_the_last_year(starts_days_ago, changes):
    today = date(2025, 6, 1)
    starts = [today - timedelta(days=d) for d in starts_days_ago]
    assert queries.lead_changes_in_window(starts, today) == changes


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "No changes of lead professional in the last 12 months"),
        (1, "1 change of lead professional in the last 12 months"),
        (3, "3 changes of lead professional in the last 12 months"),
    ],
)
def test_lead_changes_text(count, text):
    assert queries.lead_changes_text(count) == text


def test_age_counts_whole_years():
    assert queries.age_on(date(2011, 3, 14), date(2025, 3, 13)) == 13
    assert queries.age_on(date(2011, 3, 14), date(2025, 3, 14)) == 14


@pytest.mark.parametrize(
    ("hours_since_return", "status", "completed_after", "text", "colour"),
    [
        (58, None, None, "14 hours left", "yellow"),
        (99, None, None, "27 hours overdue", "red"),
        (30, "offered", None, "42 hours left", "yellow"),
        (100, "completed", 41, "Completed in time, 41 hours after return", "green"),
        (120, "completed", 99, "Completed late, 27 hours after the deadline", "orange"),
        (100, "declined", None, "Declined", "grey"),
    ],
)
def test_interview_clock_status(hours_since_return, status, completed_after, text, colour, now):
    returned = now - timedelta(hours=hours_since_return)
    completed = returned + timedelta(hours=completed_after) if completed_after else None
    clock = queries.interview_clock_status(
        returned_at=returned, now=now, status=status, completed_at=completed
    )
    assert (clock.text, clock.colour) == (text, colour)


def test_timeline_merges_everything_newest_first(world, child, now):
    services.placement_add(
        actor=world.sam,
        child=child,
        placing_la=world.haringey,
        place="U6",
        provider="PR1",
        postcode="N17 6AA",
        started_on=(now - timedelta(days=30)).date(),
    )
    episode = make_episode(
        world.sam,
        child,
        last_seen_at=now - timedelta(days=10),
        returned_at=now - timedelta(days=9),
        police_force=world.met,
    )
    episode_services.grading_record(
        actor=world.pete,
        episode=episode,
        grade="high",
        graded_at=now - timedelta(days=10) + timedelta(hours=2),
        graded_by_name="PC Pete",
        rationale="Known links to older males",
    )
    make_interview(
        world.rita,
        child,
        [episode],
        status="completed",
        offered_at=now - timedelta(days=9) + timedelta(hours=3),
        completed_at=now - timedelta(days=8),
        organisation=world.charity,
    )
    timeline = queries.child_timeline(child, now=now)
    assert [e.kind for e in timeline] == ["interview", "grading", "episode", "placement_start"]
    interview, grading, episode_entry, placement = timeline
    assert "Completed in time, 24 hours after return" in dict(interview.details)["72-hour clock"]
    assert dict(grading.details)["Why"] == "Known links to older males"
    assert dict(grading.details)["Graded by"] == "PC Pete, Metropolitan Police Service"
    assert "Found with" in dict(episode_entry.details)
    assert not episode_entry.needs_interview
    assert [t.text for t in placement.tags] == []  # Haringey postcode: in area


def test_returned_episode_without_interview_shows_the_clock(client, world, child, now):
    make_episode(
        world.sam,
        child,
        last_seen_at=now - timedelta(hours=70),
        returned_at=now - timedelta(hours=58),
    )
    timeline = queries.child_timeline(child, now=now)
    assert timeline[0].needs_interview
    assert "Interview 14 hours left" in [t.text for t in timeline[0].tags]


def test_declined_interview_stops_the_clock(world, child, now):
    episode = make_episode(
        world.sam, child, last_seen_at=now - timedelta(days=6), returned_at=now - timedelta(days=5)
    )
    make_interview(
        world.rita,
        child,
        [episode],
        status="declined",
        offered_at=now - timedelta(days=4),
        organisation=world.charity,
    )
    entries = {e.kind: e for e in queries.child_timeline(child, now=now)}
    assert not entries["episode"].needs_interview
    assert [t.text for t in entries["interview"].tags] == ["Declined"]


def _history(child, world, now, episodes):
    for n in reversed(range(episodes)):  # oldest first
        start = now - timedelta(days=3 * n + 2)
        episode = make_episode(
            world.sam,
            child,
            last_seen_at=start,
            returned_at=start + timedelta(hours=20),
            police_force=world.met,
        )
        episode_services.grading_record(
            actor=world.pete,
            episode=episode,
            grade="medium",
            graded_at=start + timedelta(hours=1),
            graded_by_name="PC Pete",
            rationale="Repeat episode",
        )
        make_interview(
            world.rita,
            child,
            [episode],
            status="completed",
            offered_at=start + timedelta(hours=21),
            completed_at=start + timedelta(hours=40),
            organisation=world.charity,
        )
    for n in range(min(episodes, 5)):
        services.placement_add(
            actor=world.sam,
            child=child,
            placing_la=world.haringey,
            place="K2",
            provider="PR4",
            postcode="BN1 1AA",
            started_on=(now - timedelta(days=400 - 50 * n)).date(),
            ended_on=(now - timedelta(days=400 - 50 * n - 40)).date(),
        )


# The page's query budget: the record itself, its history, and the risk, intelligence and
# linkage panels. What matters is that it does not grow with the child's history.
PAGE_QUERY_BOUND = 50


def _count_page_queries(client, child):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("people:detail", args=[child.pk]))
    assert response.status_code == 200
    return len(captured)


def test_page_makes_the_same_number_of_queries_for_1_or_30_episodes(client, world, child, now):
    from lantern.people.tests.helpers import make_child

    other = make_child(world.sam, first_name="Ali", last_name="Khan", home_la=world.haringey)
    _history(child, world, now, 1)
    _history(other, world, now, 30)
    client.force_login(world.sam)
    one = _count_page_queries(client, child)
    thirty = _count_page_queries(client, other)
    assert thirty == one <= PAGE_QUERY_BOUND


def test_page_with_30_episodes_stays_under_the_bound(
    client, world, child, now, django_assert_max_num_queries
):
    _history(child, world, now, 30)
    client.force_login(world.sam)
    with django_assert_max_num_queries(PAGE_QUERY_BOUND):
        response = client.get(reverse("people:detail", args=[child.pk]))
    assert response.content.count(b"ln-timeline__item--episode") == 30


def test_page_links_to_the_forms_for_what_needs_doing(client, world, child, now):
    back = make_episode(
        world.sam, child, last_seen_at=now - timedelta(days=3), returned_at=now - timedelta(days=2)
    )
    content = page(client, world.sam, child).content.decode()
    assert reverse("episodes:report", kwargs={"child_pk": child.pk}) in content
    record = reverse("interviews:record", kwargs={"child_pk": child.pk})
    assert f"{record}?episode={back.pk}" in content
    missing = make_episode(world.sam, child, last_seen_at=now - timedelta(hours=2))
    content = page(client, world.sam, child).content.decode()
    assert reverse("episodes:return", args=[missing.pk]) in content
    assert reverse("episodes:grade", args=[missing.pk]) in content


def test_panel_member_sees_the_page_without_change_links(client, world, child, now):
    from lantern.accounts.models import Membership

    Membership.objects.filter(user=world.chris).update(role="panel_member")
    content = page(client, world.chris, child).content.decode()
    assert "Kayden Smyth" in content
    assert reverse("people:placement_add", args=[child.pk]) not in content
    assert reverse("episodes:report", kwargs={"child_pk": child.pk}) not in content


def test_a_child_recorded_without_a_name_is_shown_by_reference(client, world, child, now):
    # Children created by an SSDA903 import have no names: the return carries none.
    Child.objects.filter(pk=child.pk).update(first_name="", last_name="")
    child.refresh_from_db()
    shown = f"Child {child.reference} (no name recorded)"
    assert (child.full_name, child.display_name, child.name_and_reference) == ("", shown, shown)
    make_episode(world.sam, child, last_seen_at=now - timedelta(hours=5), police_force=world.met)
    html = page(client, world.sam, child).content.decode()
    assert f"<title>{shown}" in html
    assert f'<h1 class="ln-child-header__name">{shown}</h1>' in html
    assert f"{shown} is missing now" in html
    assert "No name recorded" in html
    client.force_login(world.sam)
    html = client.get(reverse("people:lead_change", args=[child.pk])).content.decode()
    assert f'<span class="ln-caption">{shown}</span>' in html


def test_a_named_child_keeps_name_and_reference(child):
    assert child.display_name == "Kayden Smyth"
    assert child.name_and_reference == f"Kayden Smyth, {child.reference}"
