"""Monthly figures on a small hand-made dataset: exact counts, incidents against children."""

from datetime import date, timedelta

import pytest

from lantern.episodes import rules
from lantern.reporting import figures
from lantern.reporting.figures import Period, monthly_figures
from lantern.reporting.tests.factories import (
    at,
    disclose,
    grade,
    interview,
    la,
    make_child,
    make_episode,
    make_placement,
)

OCTOBER = Period.months_to(2025, 10)


@pytest.fixture
def data(world):
    kent = la("E10000016")
    haringey, brighton = world.haringey, world.brighton
    # A: looked-after Haringey child placed out of area in Kent.
    a = make_child(haringey, dob=date(2010, 3, 15), sex="F", looked_after=True)
    make_placement(a, haringey, start=date(2024, 1, 1), out=True, host=kent)
    a1 = make_episode(
        a, at(2025, 10, 2, 10), at(2025, 10, 2, 20), looked_after=True, found_la=haringey
    )
    a2 = make_episode(
        a, at(2025, 10, 10, 8), at(2025, 10, 11, 9), looked_after=True, known=True, found_la=kent
    )
    a3 = make_episode(a, at(2025, 10, 12, 0), at(2025, 10, 12, 6), looked_after=True)
    make_episode(a, at(2025, 11, 3), at(2025, 11, 4), looked_after=True)  # next month
    grade(a1, "low", at(2025, 10, 2, 10, 30), world.met)
    grade(a1, "high", at(2025, 10, 2, 12), world.met)
    # Completed exactly 72 hours after A1's return: within the deadline.
    first = interview(
        a, [a1], offered_at=at(2025, 10, 3, 9), org=world.charity, completed_at=at(2025, 10, 5, 20)
    )
    disclose(first, "cse")
    disclose(first, "cce", indicator=False)
    # One interview covering A2 and A3, completed 72 hours and 1 minute after A2's return
    # (late for A2) and well within 72 hours of A3's.
    interview(
        a,
        [a2, a3],
        offered_at=at(2025, 10, 11, 12),
        org=world.charity,
        completed_at=at(2025, 10, 14, 9, 1),
    )
    # B: Haringey child at home, still missing; and an episode that began at 00:30 UK time on
    # 1 October (23:30 UTC on 30 September).
    b = make_child(haringey, dob=date(2012, 11, 20), sex="M")
    make_episode(b, at(2025, 10, 5), None)
    make_episode(b, at(2025, 9, 30, 23, 30), at(2025, 10, 1, 3), known=True)
    # C: a Brighton child found in Haringey (not Haringey's child).
    c = make_child(brighton, sex="M")
    make_episode(c, at(2025, 10, 7), at(2025, 10, 8), found_la=haringey)
    # D: home authority Brighton, placed by Haringey in its own area: Haringey's responsibility.
    d = make_child(brighton, dob=date(2009, 1, 1), sex="M", looked_after=True)
    make_placement(d, haringey, start=date(2025, 1, 1))
    make_episode(d, at(2025, 10, 20), at(2025, 10, 29), looked_after=True, found_la=kent)
    # E: 16 on 15 October; last seen 00:30 UK time that day (23:30 UTC on the 14th).
    e = make_child(haringey, dob=date(2009, 10, 15), sex="F")
    make_episode(e, at(2025, 10, 14, 23, 30), at(2025, 10, 15, 10), known=True)
    return world


def rows_of(table):
    return {row[0]: row[1:] for row in table.rows}


def test_categories_show_incidents_and_distinct_children(data):
    result = monthly_figures(data.haringey, OCTOBER)
    table = rows_of(result.table("categories"))
    assert table["Missing from home"] == [1, 1]
    assert table["Away from home without authorisation"] == [2, 2]
    assert table["Missing from care"] == [3, 2]
    assert table["Away from placement without authorisation"] == [1, 1]
    assert table["All episodes"] == [7, 4]


def test_headline_stats_and_repeat_rate(data):
    result = monthly_figures(data.haringey, OCTOBER)
    assert result.stat("incidents").value == 7
    assert result.stat("children").value == 4
    assert result.stat("per_child").value == 1.8
    assert result.stat("repeat_rate").value == 50.0  # A and B out of A, B, D, E
    assert result.stat("repeat_rate").text == "2 (50%)"


def test_episode_at_half_past_midnight_uk_time_counts_in_that_uk_month(data):
    september = monthly_figures(data.haringey, Period.months_to(2025, 9))
    assert september.stat("incidents").value == 0


def test_other_councils_children_are_not_counted_but_children_placed_are(data):
    brighton = monthly_figures(data.brighton, OCTOBER)
    # Brighton: C (home) and D (home Brighton, placed by Haringey) - both Brighton's children.
    assert brighton.stat("incidents").value == 2
    assert brighton.stat("children").value == 2


def test_durations_use_the_same_bands_as_the_episode_rules(data):
    table = rows_of(monthly_figures(data.haringey, OCTOBER).table("durations"))
    assert table == {
        "Under 24 hours": [4],
        "1 to 2 days": [1],
        "2 to 7 days": [0],
        "Over 7 days": [1],
        figures.NOT_RETURNED: [1],
    }


@pytest.mark.parametrize("index", range(len(figures.DURATION_EDGES_HOURS)))
def test_duration_edges_match_rules_duration_band(index):
    edges = figures.DURATION_EDGES_HOURS
    low = timedelta(hours=edges[index])
    assert rules.duration_band(low) != rules.duration_band(low - timedelta(seconds=1)) or index == 0
    if index + 1 < len(edges):
        high = timedelta(hours=edges[index + 1]) - timedelta(seconds=1)
        assert rules.duration_band(high) == rules.duration_band(low)


def test_return_interviews_within_72_hours_to_the_minute(data):
    table = rows_of(monthly_figures(data.haringey, OCTOBER).table("rhi"))
    assert table["Episodes that ended (child returned or found)"][0] == 6
    assert table["Return interview offered"][0] == 3
    assert table["Offered within 72 hours of return"][0] == 3
    assert table["Accepted by the child"][0] == 3
    assert table["Completed"][0] == 3
    # A1 completed exactly at 72 hours (in time), A3 in time, A2 one minute late.
    assert table["Completed within 72 hours of return"][0] == 2


def test_risk_uses_the_latest_police_grading_and_age_on_the_day(data):
    table = rows_of(monthly_figures(data.haringey, OCTOBER).table("risk"))
    columns = monthly_figures(data.haringey, OCTOBER).table("risk").columns[1:]
    female_10_15 = dict(zip(columns, table["Female, 10 to 15"], strict=True))
    assert female_10_15["High"] == 1 and female_10_15["Low"] == 0
    assert female_10_15[figures.NOT_GRADED] == 2
    # E turned 16 on the UK date the episode began (still 15 by the UTC date).
    assert dict(zip(columns, table["Female, 16 and over"], strict=True))["All"] == 1


def test_exploitation_counts_only_marked_indicators(data):
    table = rows_of(monthly_figures(data.haringey, OCTOBER).table("exploitation"))
    assert table == {"Child sexual exploitation: Female": [1, 0]}  # 10 to 15, 16 and over


def test_out_of_area_counts_episodes_while_placed_outside_the_area(data):
    table = rows_of(monthly_figures(data.haringey, OCTOBER).table("out_of_area"))
    assert table["Missing from care"] == [2, 1]
    assert table["Away from placement without authorisation"] == [1, 1]
    assert table["All episodes while placed out of area"] == [3, 1]


def test_flows_out_and_in(data):
    result = monthly_figures(data.haringey, OCTOBER)
    assert rows_of(result.table("flows")) == {
        "Brighton and Hove to Kent": [1, 1],
        "Haringey to Kent": [1, 1],
    }
    assert rows_of(result.table("flows_in")) == {"Brighton and Hove": [1, 1]}


def test_trend_counts_each_month(data):
    trend = monthly_figures(data.haringey, Period.months_to(2025, 11)).table("trend")
    by_month = {row[0]: sum(row[1:]) for row in trend.rows}
    assert len(trend.rows) == 12
    assert by_month["Oct 2025"] == 7
    assert by_month["Nov 2025"] == 1
    assert by_month["Sep 2025"] == 0


def test_national_figures_include_everyone_and_break_down_by_authority(data):
    result = monthly_figures(None, OCTOBER)
    assert result.stat("incidents").value == 8
    by_la = rows_of(result.table("by_authority"))
    assert by_la["Haringey"][-1] == 6  # A, B and E; C and D's home authority is Brighton
    assert by_la["Brighton and Hove"][-1] == 2


def test_every_statistic_has_a_definition_naming_its_dates(data):
    result = monthly_figures(data.haringey, OCTOBER)
    for item in [*result.stats, *result.tables]:
        assert item.definition
    assert "October 2025" in result.table("categories").definition


def test_csv_rows_carry_definitions(data):
    rows = monthly_figures(data.haringey, OCTOBER).csv_rows()
    assert all(len(r) == len(figures.Figures.CSV_HEADER) for r in rows)
    assert [
        "Haringey",
        "October 2025",
        "Episodes and children by category",
        "Missing from care",
        "Incidents",
        3,
    ] in [r[:6] for r in rows]


def test_period_of_several_months():
    period = Period.months_to(2025, 2, 3)
    assert period.label == "December 2024 to February 2025"
    assert period.month_count == 3
    assert period.dates_text == "1 December 2024 to 28 February 2025 (UK time)"
