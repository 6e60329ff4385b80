"""The shortcuts that make a big import fast give the answers the plain way gives."""

import sys
from bisect import insort
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lantern.episodes.models import MissingEpisode
from lantern.geo import postcodes
from lantern.imports import lookups, services, ssda903, writer
from lantern.imports.files import ImportRejected, Problems, TooManyProblems, at_uk, uk_date
from lantern.imports.tests.builders import EPISODES, MISSING, episode, missing, write_903
from lantern.imports.timeline import NOON, STEP, Period, place_periods
from lantern.people.models import Child, ChildIdentifier, Placement

# --- Placing periods in time --------------------------------------------------------------------


def place_periods_plainly(fixed, periods):
    """place_periods as first written: linear scans, no caches. The oracle for the fast one."""

    def covering(start, intervals):
        for a, b in intervals:
            if a <= start and (b is None or b > start):
                return (a, b)
            if a > start:
                return None
        return None

    placed = sorted(
        fixed, key=lambda iv: (iv[0], iv[1] or datetime.max.replace(tzinfo=iv[0].tzinfo))
    )
    result = []
    for period in periods:
        if period.pinned_start is not None:
            start = period.pinned_start
            if covering(start, placed) is not None:
                result.append(None)
                continue
        else:
            start = at_uk(period.start, NOON)
            next_midnight = at_uk(period.start + timedelta(days=1))
            blocked = False
            while (cover := covering(start, placed)) is not None:
                if cover[1] is None or cover[1] >= next_midnight:
                    blocked = True
                    break
                start = cover[1]
            if blocked:
                result.append(None)
                continue
        following = next((iv for iv in placed if iv[0] > start), None)
        if period.end is None:
            if following is not None:
                result.append(None)
                continue
            end = None
        else:
            end = max(at_uk(period.end, NOON), start + STEP)
            if following is not None and following[0] < end:
                if uk_date(following[0]) == period.end and following[0] > start:
                    end = following[0]
                else:
                    result.append(None)
                    continue
            if uk_date(end) != period.end:
                result.append(None)
                continue
        insort(placed, (start, end), key=lambda iv: iv[0])
        result.append((start, end))
    return result


DAY0 = date(2025, 3, 25)  # the clocks change on the 30th


@st.composite
def moments(draw):
    return datetime(2025, 3, 25, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 14 * 1440)))


@st.composite
def held_episodes(draw):
    """Episodes already in Lantern: usually apart, sometimes (bad data) overlapping."""
    intervals = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(moments())
        length = draw(st.one_of(st.none(), st.integers(1, 5 * 1440)))
        intervals.append((start, None if length is None else start + timedelta(minutes=length)))
    return intervals


@st.composite
def file_periods(draw):
    periods = []
    for _ in range(draw(st.integers(1, 6))):
        start = DAY0 + timedelta(days=draw(st.integers(0, 12)))
        length = draw(st.one_of(st.none(), st.integers(0, 3)))
        pinned = draw(st.one_of(st.none(), moments())) if length is not None else None
        end = None if length is None else start + timedelta(days=length)
        periods.append(Period(start, end, pinned_start=pinned))
    return sorted(periods, key=lambda p: (p.start, p.end or date.max))


@settings(max_examples=400, deadline=None)
@given(fixed=held_episodes(), periods=file_periods())
def test_placing_periods_agrees_with_the_plain_way(fixed, periods):
    assert place_periods(fixed, periods) == place_periods_plainly(fixed, periods)


# --- Problems found out of order, reported in order ----------------------------------------------


def test_problems_added_from_another_list_count_against_the_cap_in_turn():
    first, second = Problems(limit=3), Problems(limit=3)
    first.add("e", 2, "A", "x")
    for line in (2, 3, 4):
        second.add("m", line, "B", "y")
    with pytest.raises(TooManyProblems):
        first.extend(second)
    assert [(p.file, p.line) for p in first.items] == [("e", 2), ("m", 2), ("m", 3)]
    assert first.more


def test_a_list_that_overflowed_overflows_the_one_it_joins():
    first, second = Problems(limit=3), Problems(limit=2)
    second.add("m", 2, "B", "y")
    second.add("m", 3, "B", "y")
    with pytest.raises(TooManyProblems):
        second.add("m", 4, "B", "y")
    with pytest.raises(TooManyProblems):
        first.extend(second)
    assert first.more and len(first.items) == 2


def test_past_the_cap_the_episodes_problems_still_come_before_the_missing_ones(world, tmp_path):
    """The Missing table is checked first (while postcodes are looked up), but the problems
    reported are the first 500 in reading order: every Episodes problem, then Missing ones."""
    bad_episodes = [*EPISODES] + [
        episode("C001", f"{day:02d}/01/2020", PLACE="X9") for day in range(1, 29)
    ] * 10
    bad_missing = [*MISSING] + [missing("C001", "X", "05/05/2025", "06/05/2025")] * 600
    with pytest.raises(ImportRejected) as caught:
        services.ssda903_import(
            actor=None,
            directory=write_903(tmp_path, episodes=bad_episodes, missing_rows=bad_missing),
            la=world.haringey,
        )
    problems = caught.value.problems
    assert caught.value.more and len(problems) == 500
    from_episodes = [p for p in problems if p.file == "episodes.csv"]
    assert len(from_episodes) == 280  # every bad PLACE, then the first 220 Missing problems


# --- Postcodes looked up in another process ----------------------------------------------------


def test_postcodes_looked_up_in_another_process_are_the_ones_looked_up_here():
    wanted = ["N17 6AA", "BN1 1AA", "ZZ99 9ZZ", "SE1 7PB"]
    found = lookups.PostcodeLookups(wanted).results()
    assert found == {code: postcodes.lookup(code) for code in wanted}
    assert found["ZZ99 9ZZ"] is None


@pytest.mark.parametrize("executable", ["/nonexistent/python3", "/usr/bin/uwsgi"])
def test_without_a_lookup_process_the_postcodes_are_looked_up_here(monkeypatch, executable):
    monkeypatch.setattr(sys, "executable", executable)
    pending = lookups.PostcodeLookups(["N17 6AA"])
    assert pending.process is None
    assert pending.results() == {"N17 6AA": postcodes.lookup("N17 6AA")}


def test_a_set_checked_with_its_postcodes_looked_up_apart_is_the_same(tmp_path, monkeypatch):
    files = ssda903.find_files(write_903(tmp_path))
    here = ssda903.check_set(files, today=date(2026, 11, 21))
    monkeypatch.setattr(ssda903, "LOOKUPS_APART_FROM", 1)
    started = []
    real = lookups.PostcodeLookups

    def watched(codes):
        started.append(sorted(codes))
        return real(codes)

    monkeypatch.setattr(ssda903, "PostcodeLookups", watched)
    apart = ssda903.check_set(files, today=date(2026, 11, 21))
    assert started == [["BN1 1AA", "N15 4AB", "N17 6AA"]]
    assert (apart.header, apart.episodes, apart.missing) == (
        here.header,
        here.episodes,
        here.missing,
    )
    assert apart.places == here.places


# --- Writing ---------------------------------------------------------------------------------------


def test_the_database_numbers_rows_written_without_an_id(world, tmp_path):
    services.ssda903_import(actor=None, directory=write_903(tmp_path), la=world.haringey)
    for model in (ChildIdentifier, Placement, MissingEpisode):
        ids = sorted(model.objects.values_list("pk", flat=True))
        assert ids and len(set(ids)) == len(ids) and ids[0] > 0


def test_rows_streamed_in_slices_all_arrive(world, monkeypatch):
    monkeypatch.setattr(writer, "SLICE", 2)
    child = Child.objects.create(
        date_of_birth=date(2012, 1, 1), home_la=world.haringey, care_status="lac"
    )
    seen = datetime(2025, 1, 1, 12, tzinfo=UTC)
    starts = [seen + timedelta(days=2 * i) for i in range(5)]
    rows = ((child.pk, "unknown", at, at, at + timedelta(days=1)) for at in starts)
    episodes = writer.Inserter(
        MissingEpisode,
        ["child_id", "whereabouts", "last_seen_at", "reported_at", "returned_at"],
        constants={
            "setting": "care",
            "looked_after": True,
            "reporter_kind": "other",
            "created_at": seen,
            "updated_at": seen,
        },
    )
    episodes.stream(rows)
    assert episodes.written == 5
    assert (
        list(child.episodes.order_by("last_seen_at").values_list("category", flat=True))
        == ["missing_care"] * 5
    )


def test_children_are_written_in_a_scattered_order_each_childs_rows_together():
    rows = [(child, n) for child in range(50) for n in range(3)]
    runs = writer.gist_order(rows)
    assert sorted(runs) == [(3 * c, 3 * c + 3) for c in range(50)]
    assert runs != sorted(runs)
    assert runs == writer.gist_order(rows)  # seeded: the same import writes the same way
