from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lantern.episodes import services as episode_services
from lantern.home import queries
from lantern.people.tests.helpers import make_child, make_episode, make_interview

HALF_HOUR = timedelta(minutes=30)


def worklist_page(client, user):
    client.force_login(user)
    response = client.get(reverse("home:worklist"))
    assert response.status_code == 200
    return response.content.decode()


def returned(world, child, now, hours_ago, **kwargs):
    """An episode the child returned from ``hours_ago`` hours before ``now``."""
    back = now - hours_ago
    return make_episode(
        world.sam, child, last_seen_at=back - timedelta(hours=10), returned_at=back, **kwargs
    )


@pytest.mark.parametrize("persona", ["andy", "olive"])
def test_analysts_and_admins_see_what_they_can_do_and_no_children(
    client, world, child, persona, now
):
    make_episode(world.sam, child, last_seen_at=now - timedelta(hours=3))
    content = worklist_page(client, getattr(world, persona))
    assert "does not open individual children" in content
    assert "Kayden" not in content
    assert "Missing now" not in content


def test_open_episodes_longest_first_with_police_grade(client, world, child, now):
    other = make_child(world.sam, first_name="Ali", last_name="Khan", home_la=world.haringey)
    make_episode(world.sam, other, last_seen_at=now - timedelta(hours=5))
    longest = make_episode(
        world.sam, child, last_seen_at=now - timedelta(hours=30), police_force=world.met
    )
    episode_services.grading_record(
        actor=world.pete,
        episode=longest,
        grade="high",
        graded_at=now - timedelta(hours=29),
        graded_by_name="PC Pete",
        rationale="Under 13 and with older males",
    )
    rows = queries.open_episodes(world.sam, now=now)
    assert [r.episode.child for r in rows] == [child, other]
    assert (rows[0].grade_label, rows[0].missing_for) == ("High", "1 day 6 hours")
    assert rows[1].grade_label == "Not graded"
    content = worklist_page(client, world.sam)
    assert content.index("Kayden Smyth") < content.index("Ali Khan")
    assert 'ln-tag--red">High' in content


def test_returned_children_are_not_in_missing_now(world, child, now):
    returned(world, child, now, timedelta(hours=2))
    assert queries.open_episodes(world.sam, now=now) == []


def test_interview_clocks_to_the_hour_overdue_first(client, world, child, now):
    other = make_child(world.sam, first_name="Ali", last_name="Khan", home_la=world.haringey)
    returned(world, other, now, timedelta(hours=58) - HALF_HOUR)
    returned(world, child, now, timedelta(hours=99) + HALF_HOUR)
    overdue, due = queries.interviews_due(world.sam, now=now)
    assert [(r.episode.child, r.clock.text) for r in overdue] == [(child, "27 hours overdue")]
    assert [(r.episode.child, r.clock.text) for r in due] == [(other, "14 hours left")]
    content = worklist_page(client, world.sam)
    assert "27 hours overdue" in content
    assert "14 hours left" in content
    assert content.index("27 hours overdue") < content.index("14 hours left")


def test_most_overdue_comes_first(world, child, now):
    other = make_child(world.sam, first_name="Ali", last_name="Khan", home_la=world.haringey)
    returned(world, other, now, timedelta(hours=80))
    returned(world, child, now, timedelta(hours=200))
    overdue, _ = queries.interviews_due(world.sam, now=now)
    assert [r.clock.text for r in overdue] == ["128 hours overdue", "8 hours overdue"]


@pytest.mark.parametrize("status", ["completed", "declined", "not_completed"])
def test_a_closed_interview_takes_the_return_off_the_list(world, child, now, status):
    episode = returned(world, child, now, timedelta(hours=90))
    extra = {"not_completed_reason": "no_contact"} if status == "not_completed" else {}
    make_interview(
        world.rita,
        child,
        [episode],
        status=status,
        offered_at=now - timedelta(hours=80),
        completed_at=now - timedelta(hours=70) if status == "completed" else None,
        organisation=world.charity,
        **extra,
    )
    assert queries.interviews_due(world.sam, now=now) == ([], [])


def test_an_offered_interview_keeps_the_return_on_the_list_with_its_status(world, child, now):
    episode = returned(world, child, now, timedelta(hours=20))
    make_interview(
        world.rita,
        child,
        [episode],
        status="offered",
        offered_at=now - timedelta(hours=10),
        organisation=world.charity,
    )
    _, due = queries.interviews_due(world.sam, now=now)
    assert [(r.episode, r.interview_status) for r in due] == [(episode, "Offered")]


def test_one_interview_covering_two_episodes_clears_both(world, child, now):
    first = returned(world, child, now, timedelta(hours=100))
    second = returned(world, child, now, timedelta(hours=50))
    assert first.pk != second.pk
    make_interview(
        world.rita,
        child,
        [first, second],
        status="completed",
        offered_at=now - timedelta(hours=40),
        completed_at=now - timedelta(hours=30),
        organisation=world.charity,
    )
    assert queries.interviews_due(world.sam, now=now) == ([], [])


def test_returns_older_than_30_days_drop_off_the_overdue_list(world, child, now):
    returned(world, child, now, timedelta(days=31))
    assert queries.interviews_due(world.sam, now=now) == ([], [])


def _episodes(world, child, now, days_ago):
    for days in sorted(days_ago, reverse=True):
        returned(world, child, now, timedelta(days=days))


def test_children_with_three_episodes_in_90_days_are_listed(client, world, child, now):
    other = make_child(world.sam, first_name="Ali", last_name="Khan", home_la=world.haringey)
    _episodes(world, child, now, [2, 20, 50, 85])
    _episodes(world, other, now, [3, 30, 95])
    rows = queries.frequently_missing(world.sam, now=now)
    assert [(r.child, r.episodes) for r in rows] == [(child, 4)]
    content = worklist_page(client, world.sam)
    frequent = content[content.index('id="frequent"') :]
    assert "Kayden Smyth" in frequent
    assert "Ali Khan" not in frequent


def test_unrelated_users_see_none_of_the_childs_work(client, world, child, now):
    make_episode(
        world.sam,
        child,
        last_seen_at=now - timedelta(days=200),
        returned_at=now - timedelta(days=199),
    )
    _episodes(world, child, now, [2, 20, 50])
    make_episode(world.sam, child, last_seen_at=now - timedelta(hours=3))
    for user in (world.bella, world.priya):
        worklist = queries.worklist_for(user, now=now)
        assert (worklist.open_episodes, worklist.overdue, worklist.due, worklist.frequent) == (
            [],
            [],
            [],
            [],
        )
        assert "Kayden" not in worklist_page(client, user)
    worklist = queries.worklist_for(world.sam, now=now)
    assert len(worklist.open_episodes) == 1
    assert len(worklist.frequent) == 1


def _count_worklist_queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home:worklist"))
    assert response.status_code == 200
    return len(captured)


def _busy_child(world, now, n):
    child = make_child(world.sam, first_name=f"Child{n}", last_name="Test", home_la=world.haringey)
    _episodes(world, child, now, [10, 20, 30])
    returned(world, child, now, timedelta(hours=30 + n))
    make_episode(world.sam, child, last_seen_at=now - timedelta(hours=5))
    return child


def test_worklist_makes_the_same_number_of_queries_for_1_or_12_children(client, world, now):
    client.force_login(world.sam)
    _busy_child(world, now, 0)
    one = _count_worklist_queries(client)
    for n in range(1, 12):
        _busy_child(world, now, n)
    twelve = _count_worklist_queries(client)
    # 15 to read the page, plus the audit: one event and one insert naming every child shown.
    assert twelve == one <= 17
