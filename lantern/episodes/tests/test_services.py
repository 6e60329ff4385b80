from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from lantern.common.errors import ConcurrentEditError
from lantern.episodes import rules, services
from lantern.episodes.models import MissingEpisode
from lantern.episodes.tests.factories import home_child, open_episode
from lantern.people.services import child_create


@pytest.mark.parametrize("looked_after", [True, False])
@pytest.mark.parametrize("whereabouts", ["known", "unknown"])
def test_database_category_matches_rule(world, child, now, looked_after, whereabouts):
    episode = MissingEpisode.objects.create(
        child=child,
        setting="home",
        whereabouts=whereabouts,
        looked_after=looked_after,
        last_seen_at=now - timedelta(hours=5),
        reported_at=now - timedelta(hours=4),
        reporter_kind="parent_carer",
    )
    episode.refresh_from_db()
    expected = rules.category_for(
        looked_after=looked_after, whereabouts_known=whereabouts == "known"
    )
    assert episode.category == expected


def test_report_takes_looked_after_from_the_child(world, child):
    assert open_episode(world, child, whereabouts="known").category == "away_placement"
    other = home_child(world)
    assert open_episode(world, other, whereabouts="known").category == "away_home"


def test_last_seen_early_on_birthday_in_summer_is_not_before_birth(world):
    # 00:30 on 1 June in London is 23:30 on 31 May in UTC.
    born = child_create(
        actor=world.sam,
        first_name="Ava",
        last_name="Reid",
        date_of_birth=date(2024, 6, 1),
        home_la=world.haringey,
    )
    seen = datetime(2024, 5, 31, 23, 30, tzinfo=UTC)
    episode = services.episode_report(
        actor=world.sam,
        child=born,
        setting="home",
        whereabouts="unknown",
        last_seen_at=seen,
        reported_at=seen + timedelta(hours=1),
        reporter_kind="parent_carer",
    )
    assert episode.pk


def test_last_seen_before_birth_is_refused(world, child):
    seen = timezone.make_aware(datetime.combine(child.date_of_birth, datetime.min.time()))
    with pytest.raises(ValidationError) as caught:
        open_episode(world, child, last_seen_at=seen - timedelta(hours=2), reported_at=seen)
    assert caught.value.message_dict["last_seen_at"] == [services.LAST_SEEN_BEFORE_BIRTH]


def test_second_open_episode_is_refused(world, child):
    open_episode(world, child, hours_ago=30)
    with pytest.raises(ValidationError) as caught:
        open_episode(world, child, hours_ago=3)
    assert caught.value.message_dict["last_seen_at"] == [services.EPISODE_OVERLAP]
    assert MissingEpisode.objects.filter(child=child).count() == 1


def test_return_with_stale_version_writes_nothing(world, child, now):
    episode = open_episode(world, child)
    with pytest.raises(ConcurrentEditError):
        services.episode_record_return(
            actor=world.sam,
            episode=episode,
            version=episode.version - 1,
            returned_at=now - timedelta(hours=1),
            return_how="self",
        )
    episode.refresh_from_db()
    assert episode.returned_at is None


def test_return_saved_by_someone_else_meanwhile_is_a_conflict(world, child, now):
    # Both editors read version 1; the other one's save lands between our read and our update.
    episode = open_episode(world, child)
    MissingEpisode.objects.filter(pk=episode.pk).update(version=F("version") + 1)
    with pytest.raises(ConcurrentEditError):
        services.episode_record_return(
            actor=world.sam,
            episode=episode,
            version=episode.version,
            returned_at=now - timedelta(hours=1),
            return_how="self",
        )
    assert MissingEpisode.objects.get(pk=episode.pk).returned_at is None


def test_return_can_correct_whereabouts(world, child, now):
    episode = open_episode(world, child, whereabouts="unknown")
    episode = services.episode_record_return(
        actor=world.sam,
        episode=episode,
        version=episode.version,
        returned_at=now - timedelta(hours=1),
        return_how="self",
        whereabouts_known_during=True,
    )
    assert episode.category == "away_placement"


def test_return_needs_how(world, child, now):
    episode = open_episode(world, child)
    with pytest.raises(ValidationError) as caught:
        services.episode_record_return(
            actor=world.sam,
            episode=episode,
            version=episode.version,
            returned_at=now - timedelta(hours=1),
            return_how="",
        )
    assert caught.value.message_dict["return_how"] == [services.RETURN_HOW_REQUIRED]


def test_grading_needs_who_and_why(world, child, now):
    episode = open_episode(world, child)
    with pytest.raises(ValidationError) as caught:
        services.grading_record(
            actor=world.pete,
            episode=episode,
            grade="high",
            graded_at=now - timedelta(hours=1),
            graded_by_name="  ",
            rationale=" ",
        )
    assert caught.value.message_dict == {
        "graded_by_name": [services.GRADED_BY_REQUIRED],
        "rationale": [services.RATIONALE_REQUIRED],
    }
    assert not episode.gradings.exists()


def test_report_refuses_unknown_setting(world, child):
    with pytest.raises(ValidationError) as caught:
        open_episode(world, child, setting="moon")
    assert caught.value.message_dict["setting"] == [services.SETTING_REQUIRED]
