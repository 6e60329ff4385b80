"""Scoring: the shipped rules one by one, and the worked examples of domain §4.3 (no database)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from lantern.risk import scoring
from lantern.risk.tests import specs

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
EXAMPLES = yaml.safe_load((Path(__file__).parent / "fixtures" / "worked_examples.yaml").read_text())


def episode(
    n: int,
    days_ago: float,
    hours: float = 3,
    *,
    out_of_area: bool = False,
    items: tuple[str, ...] = (),
    with_others: bool = False,
    police_high: bool = False,
) -> scoring.EpisodeFact:
    start = NOW - timedelta(days=days_ago)
    return scoring.EpisodeFact(
        id=n,
        started_at=start,
        ended_at=start + timedelta(hours=hours),
        found_out_of_area=out_of_area,
        found_items=frozenset(items),
        found_with_others=with_others,
        police_high=police_high,
    )


def answer(code: str, value: int | None, days_ago: int = 5) -> scoring.AnswerFact:
    return scoring.AnswerFact(
        specs.indicators()[code], value, (NOW - timedelta(days=days_ago)).date()
    )


def run(*, age: int = 15, ld: bool = False, answers=(), episodes=(), disclosures=(), **kw):
    return scoring.score(
        answers=answers,
        thresholds=specs.thresholds(),
        child=scoring.ChildFacts(age, ld),
        episodes=episodes,
        disclosures=disclosures,
        rules=specs.rules(),
        repeat_rules=specs.repeat_rules(),
        now=NOW,
        **kw,
    )


@pytest.mark.parametrize("case", EXAMPLES, ids=[c["name"] for c in EXAMPLES])
def test_worked_example(case):
    answers = [answer(a["code"], a["value"], a["days_ago"]) for a in case.get("answers", [])]
    episodes = [
        episode(
            n,
            e["days_ago"],
            e["hours"],
            out_of_area=e.get("found_out_of_area", False),
            items=tuple(e.get("items", [])),
        )
        for n, e in enumerate(case.get("episodes", []), start=1)
    ]
    disclosures = [
        scoring.DisclosureFact(n, d["type"], NOW - timedelta(days=d["days_ago"]))
        for n, d in enumerate(case.get("disclosures", []), start=1)
    ]
    child = case["child"]
    result = run(
        age=child["age"],
        ld=child.get("learning_disability", False),
        answers=answers,
        episodes=episodes,
        disclosures=disclosures,
    )
    assert result.level == case["expect"]
    if "frequently_missing" in case:
        assert result.frequently_missing is case["frequently_missing"]


# --- Each default rule ----------------------------------------------------------------------


def test_disclosure_rule_makes_a_cse_disclosure_high_and_names_it():
    result = run(disclosures=[scoring.DisclosureFact(7, "cse", NOW - timedelta(days=1))])
    reason = next(c for c in result.contributions if c.code == "disclosure-sexual-or-criminal")
    assert result.level == scoring.HIGH
    assert reason.evidence == (scoring.Evidence("disclosure", 7),)
    assert result.suggests_strategy_discussion and result.suggests_panel_referral


def test_disclosure_rule_ignores_disclosures_recorded_after_now():
    later = scoring.DisclosureFact(7, "cse", NOW + timedelta(days=1))
    assert run(disclosures=[later]).level == scoring.NONE


def test_other_disclosure_rule_makes_any_other_type_medium():
    result = run(disclosures=[scoring.DisclosureFact(1, "radicalisation", NOW)])
    assert result.level == scoring.MEDIUM
    assert "disclosure-other" in result.matched_rules


def test_found_out_of_area_with_items_rule_is_at_least_medium():
    result = run(episodes=[episode(1, 10, out_of_area=True, items=("drugs",))])
    assert result.level == scoring.MEDIUM
    assert "found-out-of-area-with-items" in result.matched_rules


def test_found_out_of_area_with_items_rule_needs_the_episode_in_the_last_90_days():
    result = run(episodes=[episode(1, 120, out_of_area=True, items=("cash",))])
    assert "found-out-of-area-with-items" not in result.matched_rules


def test_found_out_of_area_with_only_a_weapon_is_not_the_items_rule():
    result = run(episodes=[episode(1, 10, out_of_area=True, items=("weapon",))])
    assert "found-out-of-area-with-items" not in result.matched_rules
    assert result.level == scoring.LOW


def test_police_high_rule_is_at_least_medium():
    result = run(episodes=[episode(1, 10, police_high=True)])
    assert result.level == scoring.MEDIUM
    assert result.suggests_strategy_discussion


def test_found_out_of_area_rule_is_low():
    result = run(episodes=[episode(1, 10, out_of_area=True)])
    assert result.level == scoring.LOW
    assert result.matched_rules == ("found-out-of-area",)


def test_missing_over_24_hours_rule_is_low():
    assert run(episodes=[episode(1, 10, hours=25)]).level == scoring.LOW


def test_missing_exactly_24_hours_is_not_over_24_hours():
    assert run(episodes=[episode(1, 10, hours=24)]).level == scoring.NONE


def test_an_open_episode_counts_its_time_missing_so_far():
    open_episode = scoring.EpisodeFact(id=1, started_at=NOW - timedelta(hours=30))
    assert run(episodes=[open_episode]).matched_rules == ("missing-over-24-hours",)


def test_found_with_others_rule_is_low():
    result = run(episodes=[episode(1, 10, with_others=True)])
    assert result.matched_rules == ("found-with-others",)
    assert result.level == scoring.LOW


def test_under_13_rule_lifts_low_to_medium():
    result = run(age=12, episodes=[episode(1, 10, with_others=True)])
    assert result.level == scoring.MEDIUM
    assert "under-13-never-low" in result.matched_rules


def test_under_13_rule_leaves_no_concern_at_none():
    assert run(age=12).level == scoring.NONE


def test_under_13_rule_does_not_touch_high():
    result = run(age=12, disclosures=[scoring.DisclosureFact(1, "cse", NOW)])
    assert result.level == scoring.HIGH


def test_learning_disability_rule_lifts_low_to_medium():
    result = run(ld=True, episodes=[episode(1, 10, hours=30)])
    assert result.level == scoring.MEDIUM
    assert "learning-disability-never-low" in result.matched_rules


def test_repeat_rule_marks_frequently_missing_and_suggests_panel_and_strategy():
    result = run(episodes=[episode(n, d) for n, d in enumerate((70, 29, 2), start=1)])
    assert result.frequently_missing
    assert result.level == scoring.MEDIUM
    assert result.suggests_panel_referral and result.suggests_strategy_discussion
    assert result.count_in(30) == 2 and result.count_in(90) == 3 and result.count_in(365) == 3


def test_repeat_rule_counts_a_rolling_window():
    result = run(episodes=[episode(n, d) for n, d in enumerate((95, 30, 2), start=1)])
    assert not result.frequently_missing
    assert result.count_in(90) == 2


def test_repeat_rule_explains_its_inputs():
    result = run(episodes=[episode(n, d) for n, d in enumerate((70, 30, 2), start=1)])
    reason = next(c for c in result.contributions if c.kind == "repeat")
    assert "3 episodes began in the last 90 days" in reason.explanation
    assert "3 or more in 90 days" in reason.explanation
    assert [e.source_id for e in reason.evidence] == [1, 2, 3]


# --- Indicators and explanations ------------------------------------------------------------


def test_points_follow_the_tool_thresholds():
    low = run(answers=[answer("G", 3), answer("S", 1)])
    medium = run(answers=[answer("G", 3), answer("S", 2)])
    assert (low.points, low.level) == (4, scoring.LOW)
    assert (medium.points, medium.level) == (5, scoring.MEDIUM)


def test_stale_answers_are_listed_as_not_counted():
    result = run(answers=[answer("self_harm", 1, days_ago=91)])
    reason = result.contributions[0]
    assert not reason.counted
    assert "No longer current" in reason.explanation


def test_an_answer_observed_exactly_at_the_edge_still_counts():
    assert run(answers=[answer("self_harm", 1, days_ago=89)]).level == scoring.MEDIUM


def test_every_contributing_indicator_and_rule_is_explained():
    result = run(
        age=12,
        answers=[answer("missing_ladder", 2)],
        episodes=[episode(1, 10, with_others=True)],
    )
    assert [(c.kind, c.code) for c in result.contributions] == [
        ("indicator", "missing_ladder"),
        ("threshold", "points"),
        ("rule", "found-with-others"),
        ("rule", "under-13-never-low"),
    ]
    assert result.contributions[0].explanation.startswith(
        "How often the child goes missing, and whether contact is kept: 2 (Occasionally missing"
    )


def test_standing_flags_keep_the_level_up():
    result = run(standing_level=scoring.HIGH)
    assert result.level == scoring.HIGH
    assert result.contributions[0].kind == "flags"


def test_a_low_flag_on_a_child_under_13_still_makes_medium():
    result = run(age=12, standing_level=scoring.LOW)
    assert result.level == scoring.MEDIUM
    assert [c.code for c in result.contributions] == ["flags", "under-13-never-low"]


def test_never_low_rules_apply_last_whatever_their_order():
    rules = [specs.rule("under-13-never-low"), specs.rule("found-with-others")]
    result = scoring.score(
        child=scoring.ChildFacts(12),
        episodes=[episode(1, 5, with_others=True)],
        rules=rules,
        now=NOW,
    )
    assert result.level == scoring.MEDIUM


def test_confirmed_low_is_refused_for_a_child_under_13():
    refused = scoring.confirmed_level_refused_by(
        scoring.LOW, child=scoring.ChildFacts(12), rules=specs.rules()
    )
    assert refused is not None and refused.code == "under-13-never-low"


def test_confirmed_none_and_medium_are_allowed_for_a_child_under_13():
    for level in (scoring.NONE, scoring.MEDIUM):
        assert (
            scoring.confirmed_level_refused_by(
                level, child=scoring.ChildFacts(12), rules=specs.rules()
            )
            is None
        )


def test_age_on_counts_birthdays():
    born = datetime(2010, 6, 2).date()
    assert scoring.age_on(born, datetime(2025, 6, 1).date()) == 14
    assert scoring.age_on(born, datetime(2025, 6, 2).date()) == 15


def test_the_episode_horizon_of_the_shipped_rules_is_a_year():
    assert scoring.episode_horizon_days(specs.rules(), specs.repeat_rules()) == 365


def test_an_episode_rule_with_no_time_limit_has_no_horizon():
    unlimited = scoring.RuleSpec("x", "x", scoring.MIN_LEVEL, scoring.FOUND_OOA, scoring.LOW)
    assert scoring.episode_horizon_days([unlimited], []) is None
