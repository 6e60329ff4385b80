"""The pure episode rules, tested without a database."""

from datetime import UTC, datetime, timedelta

import pytest

from lantern.episodes import rules

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("looked_after", "known", "expected"),
    [
        (True, False, "missing_care"),
        (True, True, "away_placement"),
        (False, False, "missing_home"),
        (False, True, "away_home"),
    ],
)
def test_category_for(looked_after, known, expected):
    assert rules.category_for(looked_after=looked_after, whereabouts_known=known) == expected


@pytest.mark.parametrize(
    ("category", "code"),
    [("missing_care", "M"), ("away_placement", "A"), ("missing_home", None), ("away_home", None)],
)
def test_ssda903_code(category, code):
    assert rules.ssda903_code(category) == code


def test_overlapping_closed_episodes_overlap():
    assert rules.overlaps(T0, T0 + 5 * H, T0 + 4 * H, T0 + 9 * H)


def test_overlap_is_symmetric():
    assert rules.overlaps(T0 + 4 * H, T0 + 9 * H, T0, T0 + 5 * H)


def test_episode_inside_another_overlaps():
    assert rules.overlaps(T0, T0 + 10 * H, T0 + 2 * H, T0 + 3 * H)


def test_separate_episodes_do_not_overlap():
    assert not rules.overlaps(T0, T0 + H, T0 + 2 * H, T0 + 3 * H)


def test_back_to_back_is_not_an_overlap():
    assert not rules.overlaps(T0, T0 + H, T0 + H, T0 + 2 * H)
    assert not rules.overlaps(T0 + H, T0 + 2 * H, T0, T0 + H)


def test_open_episode_overlaps_anything_after_it_starts():
    assert rules.overlaps(T0, None, T0 + 100 * H, T0 + 101 * H)
    assert rules.overlaps(T0 + 100 * H, T0 + 101 * H, T0, None)


def test_open_episode_does_not_overlap_one_that_ended_when_it_began():
    assert not rules.overlaps(T0 + H, None, T0, T0 + H)


def test_two_open_episodes_overlap():
    assert rules.overlaps(T0, None, T0 + 50 * H, None)


def test_duration_of_returned_episode():
    assert rules.duration(T0, T0 + 30 * H, now=T0 + 100 * H) == 30 * H


def test_duration_of_open_episode_runs_to_now():
    assert rules.duration(T0, None, now=T0 + 7 * H) == 7 * H


@pytest.mark.parametrize(
    ("length", "band"),
    [
        (timedelta(0), "Under 24 hours"),
        (24 * H - timedelta(seconds=1), "Under 24 hours"),
        (24 * H, "1 to 2 days"),
        (48 * H - timedelta(seconds=1), "1 to 2 days"),
        (48 * H, "2 to 7 days"),
        (7 * 24 * H - timedelta(seconds=1), "2 to 7 days"),
        (7 * 24 * H, "Over 7 days"),
    ],
)
def test_duration_band_edges(length, band):
    assert rules.duration_band(length) == band


@pytest.mark.parametrize(
    ("length", "text"),
    [
        (timedelta(0), "0 minutes"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=45), "45 minutes"),
        (H, "1 hour"),
        (timedelta(minutes=90), "1 hour 30 minutes"),
        (24 * H, "1 day"),
        (timedelta(days=2, hours=3, minutes=10), "2 days 3 hours"),
    ],
)
def test_format_duration(length, text):
    assert rules.format_duration(length) == text


def test_rhi_due_72_hours_after_return():
    assert rules.rhi_due_at(T0) == T0 + 72 * H


def test_rhi_clock_counts_whole_hours_left():
    clock = rules.rhi_clock(T0, now=T0 + 10 * H + timedelta(minutes=30))
    assert (clock.overdue, clock.hours, clock.text) == (False, 61, "61 hours left")
    assert clock.due_at == T0 + 72 * H


def test_rhi_clock_at_the_deadline_is_not_overdue():
    clock = rules.rhi_clock(T0, now=T0 + 72 * H)
    assert (clock.overdue, clock.hours) == (False, 0)


def test_rhi_clock_one_second_late_is_overdue():
    assert rules.rhi_clock(T0, now=T0 + 72 * H + timedelta(seconds=1)).overdue


def test_rhi_clock_counts_whole_hours_late():
    clock = rules.rhi_clock(T0, now=T0 + 75 * H + timedelta(minutes=59))
    assert (clock.overdue, clock.hours, clock.text) == (True, 3, "3 hours overdue")


def test_rhi_clock_singular_hour():
    assert rules.rhi_clock(T0, now=T0 + 71 * H).text == "1 hour left"


def test_episodes_in_window_edges():
    now = T0 + 90 * 24 * H
    starts = [
        T0,  # exactly 90 days ago: outside
        T0 + timedelta(seconds=1),  # just inside
        now,  # now: inside
        now + timedelta(seconds=1),  # future: outside
    ]
    assert rules.episodes_in_window(starts, now, days=90) == 2


def test_frequently_missing_threshold():
    now = T0 + 10 * 24 * H
    starts = [now - H, now - 2 * H, now - 3 * H]
    assert rules.is_frequently_missing(starts, now, count=3, days=90)
    assert not rules.is_frequently_missing(starts[:2], now, count=3, days=90)
