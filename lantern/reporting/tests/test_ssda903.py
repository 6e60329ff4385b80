"""The 903 Missing builder (tricky cases) and each DfE rule on a crafted bad row and a good one."""

from datetime import UTC, date, datetime

import pytest

from lantern.reporting import ssda903
from lantern.reporting.ssda903 import (
    ChildInput,
    CollectionYear,
    EpisodeSpan,
    PlacementSpan,
    missing_rows,
    uk_date,
    validate,
)

Y2025 = CollectionYear(2025)
TODAY = date(2026, 6, 1)


def at(y, m, d, hh=12, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def child(episodes, placements=None, dob=date(2010, 5, 4), child_id="C1"):
    return ChildInput(
        child=child_id,
        dob=dob,
        placements=placements or [PlacementSpan(date(2020, 1, 1), None)],
        episodes=episodes,
    )


def csv_rows(result):
    return [row.as_csv() for row in result.rows]


def test_collection_year_runs_april_to_march():
    assert (Y2025.start, Y2025.end) == (date(2024, 4, 1), date(2025, 3, 31))


def test_uk_date_of_a_late_summer_evening_is_the_next_day():
    assert uk_date(datetime(2025, 6, 30, 23, 30, tzinfo=UTC)) == date(2025, 7, 1)
    assert uk_date(datetime(2025, 1, 31, 23, 30, tzinfo=UTC)) == date(2025, 1, 31)


def test_closed_period_in_the_year_is_one_row_with_dates_in_dd_mm_yyyy():
    result = missing_rows(
        [child([EpisodeSpan("ME1", "M", at(2024, 11, 13), at(2024, 11, 25))])], Y2025, today=TODAY
    )
    assert csv_rows(result) == [
        {
            "CHILD": "C1",
            "DOB": "04/05/2010",
            "MISSING": "M",
            "MIS_START": "13/11/2024",
            "MIS_END": "25/11/2024",
        }
    ]
    assert result.problems == []


def test_open_at_year_end_is_carried_with_the_same_start_and_blank_end():
    episodes = [EpisodeSpan("ME1", "A", at(2025, 3, 20), at(2025, 4, 5))]
    this_year = missing_rows([child(episodes)], Y2025, today=TODAY)
    next_year = missing_rows([child(episodes)], CollectionYear(2026), today=TODAY)
    assert [(r["MIS_START"], r["MIS_END"]) for r in csv_rows(this_year)] == [("20/03/2025", "")]
    assert [(r["MIS_START"], r["MIS_END"]) for r in csv_rows(next_year)] == [
        ("20/03/2025", "05/04/2025")
    ]
    # Next year's file passes 576 against this year's, and every other rule.
    problems = validate(
        csv_rows(next_year),
        year=CollectionYear(2026),
        header=next_year.header,
        episodes=next_year.episodes,
        last_year=csv_rows(this_year),
    )
    assert problems == []


def test_still_open_episode_stays_open_with_blank_end():
    result = missing_rows(
        [child([EpisodeSpan("ME1", "M", at(2025, 3, 30), None)])], Y2025, today=TODAY
    )
    assert csv_rows(result)[0]["MIS_END"] == ""


def test_episode_ended_before_the_year_is_not_in_the_file():
    result = missing_rows(
        [child([EpisodeSpan("ME1", "M", at(2024, 3, 1), at(2024, 3, 2))])], Y2025, today=TODAY
    )
    assert result.rows == []


def test_eighteenth_birthday_while_missing_ends_the_period_and_asks_for_e8():
    dob = date(2006, 6, 10)
    result = missing_rows(
        [child([EpisodeSpan("ME1", "M", at(2024, 6, 1), None)], dob=dob)], Y2025, today=TODAY
    )
    row = csv_rows(result)[0]
    assert (row["MIS_START"], row["MIS_END"]) == ("01/06/2024", "10/06/2024")
    assert result.rows[0].closed_by == "18th birthday"
    # The Episodes rows Lantern derives end care on the birthday: with REC blank the check is a
    # reminder (warning); REC E8 passes; anything else is an error.
    checks = validate(csv_rows(result), year=Y2025, episodes=result.episodes, header=result.header)
    assert [(p.rule, p.severity) for p in checks] == [("580", ssda903.WARNING)]
    with_e8 = [{**e, "REC": "E8"} for e in result.episodes]
    assert validate(csv_rows(result), year=Y2025, episodes=with_e8) == []
    with_e4a = [{**e, "REC": "E4A"} for e in result.episodes]
    assert [
        (p.rule, p.severity) for p in validate(csv_rows(result), year=Y2025, episodes=with_e4a)
    ] == [("580", "error")]


def test_birthday_in_the_future_does_not_close_an_open_period():
    dob = date(2007, 3, 1)  # 18 on 1 March 2025
    result = missing_rows(
        [child([EpisodeSpan("ME1", "M", at(2025, 2, 1), None)], dob=dob)],
        Y2025,
        today=date(2025, 2, 15),
    )
    assert csv_rows(result)[0]["MIS_END"] == ""
    assert result.problems == []


def test_placement_ending_mid_episode_closes_the_period_on_that_day():
    placements = [
        PlacementSpan(date(2023, 1, 1), date(2024, 6, 15)),
        PlacementSpan(date(2024, 6, 15), None),
    ]
    result = missing_rows(
        [child([EpisodeSpan("ME1", "M", at(2024, 6, 10), at(2024, 6, 20))], placements)],
        Y2025,
        today=TODAY,
    )
    row = csv_rows(result)[0]
    assert (row["MIS_START"], row["MIS_END"]) == ("10/06/2024", "15/06/2024")
    assert result.rows[0].closed_by == "placement ended"
    assert validate(csv_rows(result), year=Y2025, episodes=result.episodes) == []


def test_care_ending_while_missing_closes_the_period_when_care_ended():
    placements = [PlacementSpan(date(2023, 1, 1), date(2024, 9, 1))]
    result = missing_rows(
        [child([EpisodeSpan("ME1", "A", at(2024, 8, 30), None)], placements)], Y2025, today=TODAY
    )
    assert csv_rows(result)[0]["MIS_END"] == "01/09/2024"
    assert validate(csv_rows(result), year=Y2025, episodes=result.episodes) == []


def test_missing_then_away_back_to_back_gives_two_rows_that_pass_574():
    episodes = [
        EpisodeSpan("ME1", "A", at(2024, 5, 1, 10), at(2024, 5, 3, 12)),
        EpisodeSpan("ME2", "M", at(2024, 5, 3, 12), at(2024, 5, 4, 9)),
    ]
    result = missing_rows([child(episodes)], Y2025, today=TODAY)
    assert [(r["MISSING"], r["MIS_START"], r["MIS_END"]) for r in csv_rows(result)] == [
        ("A", "01/05/2024", "03/05/2024"),
        ("M", "03/05/2024", "04/05/2024"),
    ]
    assert ssda903.rule_574(csv_rows(result)) == []


def test_overlapping_episodes_are_rejected_not_exported():
    episodes = [
        EpisodeSpan("ME1", "M", at(2024, 5, 1), at(2024, 5, 5)),
        EpisodeSpan("ME2", "M", at(2024, 5, 3), at(2024, 5, 4)),
    ]
    result = missing_rows([child(episodes)], Y2025, today=TODAY)
    assert [r.source for r in result.rows] == ["ME1"]
    assert [(p.rule, p.source) for p in result.problems] == [("574", "ME2")]


def test_episode_outside_any_placement_is_left_out_and_reported():
    placements = [PlacementSpan(date(2024, 9, 1), None)]
    result = missing_rows(
        [child([EpisodeSpan("ME1", "M", at(2024, 5, 1), at(2024, 5, 2))], placements)],
        Y2025,
        today=TODAY,
    )
    assert result.rows == []
    assert [(p.rule, p.severity) for p in result.problems] == [("581", ssda903.LEFT_OUT)]


# --- Each rule: fires on a bad row, silent on a good one -------------------------------------


def row(child="C1", dob="04/05/2010", missing="M", start="01/06/2024", end="05/06/2024"):
    return {"CHILD": child, "DOB": dob, "MISSING": missing, "MIS_START": start, "MIS_END": end}


def episode(child="C1", decom="01/01/2024", dec="", rec=""):
    return {"CHILD": child, "DECOM": decom, "DEC": dec, "REC": rec}


def rules_of(problems):
    return [p.rule for p in problems]


@pytest.mark.parametrize(
    ("check", "bad", "good"),
    [
        (ssda903.rule_564, row(start=""), row()),
        (ssda903.rule_564, row(missing="a", start=""), row(missing="", start="")),
        (ssda903.rule_565, row(missing=""), row()),
        (ssda903.rule_566, row(missing="", start=""), row(end="")),
        (ssda903.rule_567, row(start="06/06/2024", end="05/06/2024"), row(end="01/06/2024")),
        (ssda903.rule_586, row(start="04/05/2010"), row(start="05/05/2010", end="")),
        (ssda903.rule_1004, row(start="2024-06-01"), row()),
        (ssda903.rule_1004, row(start="31/02/2024"), row()),
        (ssda903.rule_1005, row(end="5/6/2024"), row(end="")),
        (ssda903.rule_1006, row(missing="X"), row(missing="A")),
    ],
)
def test_single_table_rule(check, bad, good):
    assert [p.line for p in check([good, bad])] == [3]


def test_rule_1004_fires_on_blank_start():
    assert rules_of(ssda903.rule_1004([row(start="")])) == ["1004"]


def test_rule_570_start_after_year_end():
    assert rules_of(ssda903.rule_570([row(start="01/04/2025", end="")], Y2025)) == ["570"]
    assert ssda903.rule_570([row(start="31/03/2025", end="")], Y2025) == []


def test_rule_571_end_outside_the_year():
    assert rules_of(ssda903.rule_571([row(start="01/03/2024", end="31/03/2024")], Y2025)) == ["571"]
    assert rules_of(ssda903.rule_571([row(start="30/03/2025", end="01/04/2025")], Y2025)) == ["571"]
    assert ssda903.rule_571([row(start="01/03/2024", end="01/04/2024")], Y2025) == []


def test_rule_574_overlap_and_start_while_open():
    overlapping = [
        row(start="01/06/2024", end="05/06/2024"),
        row(start="04/06/2024", end="09/06/2024"),
    ]
    assert [p.line for p in ssda903.rule_574(overlapping)] == [3]
    while_open = [row(start="01/06/2024", end=""), row(start="07/06/2024", end="09/06/2024")]
    # Sorted by end (or start when open): the open period comes first and the next one starts
    # while it is open.
    assert rules_of(ssda903.rule_574(while_open)) == ["574"]
    back_to_back = [row(start="01/06/2024", end="05/06/2024"), row(start="05/06/2024", end="")]
    assert ssda903.rule_574(back_to_back) == []
    other_child = [
        row(start="01/06/2024", end="05/06/2024"),
        row(child="C2", start="02/06/2024", end="03/06/2024"),
    ]
    assert ssda903.rule_574(other_child) == []


def test_rule_575_open_period_from_an_ended_placement():
    episodes = [episode(decom="01/01/2024", dec="10/06/2024"), episode(decom="10/06/2024")]
    assert rules_of(ssda903.rule_575([row(start="05/06/2024", end="")], episodes)) == ["575"]
    assert ssda903.rule_575([row(start="05/06/2024", end="10/06/2024")], episodes) == []
    assert ssda903.rule_575([row(start="11/06/2024", end="")], episodes) == []


def test_rule_576_carried_period_must_keep_its_start():
    last_year = [row(start="20/03/2024", end="")]
    assert rules_of(ssda903.rule_576([row(start="21/03/2024", end="02/04/2024")], last_year)) == [
        "576"
    ]
    assert ssda903.rule_576([row(start="20/03/2024", end="02/04/2024")], last_year) == []


def test_rule_577_period_outside_every_period_of_care():
    episodes = [episode(decom="01/01/2024", dec="30/06/2024")]
    # (a) care ended but no end date; (c) ends after care ended.
    assert rules_of(ssda903.rule_577([row(start="01/06/2024", end="")], episodes)) == ["577"]
    assert rules_of(ssda903.rule_577([row(start="01/06/2024", end="02/07/2024")], episodes)) == [
        "577"
    ]
    assert ssda903.rule_577([row(start="01/06/2024", end="30/06/2024")], episodes) == []
    # A later, open period of care makes an open row fit.
    with_open = [*episodes, episode(decom="01/09/2024")]
    assert ssda903.rule_577([row(start="05/09/2024", end="")], with_open) == []


def test_rule_578_start_outside_care():
    episodes = [episode(decom="01/01/2024", dec="30/06/2024")]
    assert rules_of(ssda903.rule_578([row(start="01/07/2024", end="02/07/2024")], episodes)) == [
        "578"
    ]
    assert ssda903.rule_578([row(start="30/06/2024", end="30/06/2024")], episodes) == []


def test_rule_581_start_between_episodes():
    episodes = [episode(decom="01/01/2024", dec="30/04/2024"), episode(decom="10/05/2024")]
    assert rules_of(ssda903.rule_581([row(start="05/05/2024", end="06/05/2024")], episodes)) == [
        "581"
    ]
    assert ssda903.rule_581([row(start="10/05/2024", end="11/05/2024")], episodes) == []


def test_rule_580_rec_must_be_e8_when_missing_at_18():
    missing = [row(dob="10/06/2006", start="01/06/2024", end="10/06/2024")]
    assert rules_of(ssda903.rule_580(missing, [episode(dec="10/06/2024", rec="E13")])) == ["580"]
    assert ssda903.rule_580(missing, [episode(dec="10/06/2024", rec="E8")]) == []


def test_int04_child_missing_from_header():
    header = [{"CHILD": "C1", "DOB": "04/05/2010"}]
    assert rules_of(ssda903.rule_int04([row(child="C9")], header)) == ["INT04"]
    assert ssda903.rule_int04([row()], header) == []


def test_int13_dob_differs_from_header():
    header = [{"CHILD": "C1", "DOB": "04/05/2010"}]
    assert rules_of(ssda903.rule_int13([row(dob="05/05/2010")], header)) == ["INT13"]
    assert ssda903.rule_int13([row()], header) == []


def test_validate_names_line_rule_and_message():
    problems = validate([row(), row(missing="Q", start="06/06/2024", end="")], year=Y2025)
    assert [(p.rule, p.line, p.child) for p in problems] == [("1006", 3, "C1")]
    assert "M (missing" in problems[0].message
