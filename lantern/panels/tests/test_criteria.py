"""The referral criteria as pure functions: each default fires on crafted facts, and not otherwise."""

from datetime import UTC, date, datetime, timedelta

import pytest

from lantern.panels import criteria as c

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
SINCE = NOW - timedelta(days=21)

EPISODES = c.Rule("1", c.EPISODES_IN_WINDOW, count=3, days=90, remit=c.MISSING)
POLICE = c.Rule("2", c.POLICE_HIGH, days=90, remit=c.MISSING)
SCREENING = c.Rule("3", c.SCREENING_AT_LEAST, level="medium")
FOUND = c.Rule("4", c.FOUND_OUT_OF_AREA, days=90)
DISCLOSURE = c.Rule("5", c.NEW_DISCLOSURE)
ADULTHOOD = c.Rule("6", c.APPROACHING_ADULTHOOD, age_months=210, remit=c.ADULTHOOD)
NRM = c.Rule("7", c.NRM_REFERRAL)
FLAG = c.Rule(
    "8", c.EXPLOITATION_FLAG, exploitation_types=frozenset({"cse", "cce", "county_lines"})
)
DEFAULTS = [EPISODES, POLICE, SCREENING, FOUND, DISCLOSURE, ADULTHOOD, NRM, FLAG]


def facts(**fields) -> c.ChildFacts:
    fields.setdefault("date_of_birth", date(2012, 5, 1))
    return c.ChildFacts(child_id=1, **fields)


def ep(days_ago: float, **fields) -> c.EpisodeFact:
    return c.EpisodeFact(NOW - timedelta(days=days_ago), **fields)


def hits(child: c.ChildFacts, rules=DEFAULTS) -> list[c.Hit]:
    return c.evaluate(child, rules, now=NOW, today=TODAY, since=SINCE)


def kinds(child: c.ChildFacts) -> list[str]:
    return [h.kind for h in hits(child)]


def test_a_child_with_nothing_recorded_meets_no_criterion():
    assert hits(facts()) == []


def test_three_episodes_in_90_days_fires_with_the_count():
    found = hits(facts(episodes=(ep(5), ep(40), ep(89))))
    assert [h.kind for h in found] == [c.EPISODES_IN_WINDOW]
    assert found[0].reason == "3 missing episodes in the last 90 days (the criterion is 3 or more)"
    assert found[0].remit == c.MISSING


def test_two_episodes_in_90_days_or_a_third_outside_the_window_does_not_fire():
    assert kinds(facts(episodes=(ep(5), ep(40)))) == []
    assert kinds(facts(episodes=(ep(5), ep(40), ep(91)))) == []


def test_a_high_police_grading_in_the_window_fires():
    found = hits(facts(episodes=(ep(10, police_high=True),)))
    assert [h.kind for h in found] == [c.POLICE_HIGH]
    assert found[0].reason == "Graded high risk by the police in the last 90 days"


def test_a_high_grading_outside_the_window_or_a_lower_grading_does_not_fire():
    assert kinds(facts(episodes=(ep(120, police_high=True),))) == []
    assert kinds(facts(episodes=(ep(10, police_high=False),))) == []


@pytest.mark.parametrize("level", ["medium", "high"])
def test_a_medium_or_high_screening_fires(level):
    found = hits(facts(screening_level=level))
    assert [h.kind for h in found] == [c.SCREENING_AT_LEAST]
    assert found[0].reason.startswith(f"Latest screening: {level.title()}")


@pytest.mark.parametrize("level", ["none", "low"])
def test_a_low_screening_or_none_does_not_fire(level):
    assert kinds(facts(screening_level=level)) == []


def test_found_out_of_area_fires_and_says_how_often():
    found = hits(facts(episodes=(ep(3, found_out_of_area=True), ep(30, found_out_of_area=True))))
    assert [h.kind for h in found] == [c.FOUND_OUT_OF_AREA]
    assert found[0].reason == "Found out of area 2 times in the last 90 days"


def test_found_in_area_or_out_of_area_long_ago_does_not_fire():
    assert kinds(facts(episodes=(ep(3, found_out_of_area=False),))) == []
    assert kinds(facts(episodes=(ep(100, found_out_of_area=True),))) == []


def test_a_disclosure_since_the_last_meeting_fires_with_its_type():
    found = hits(facts(disclosures=(c.DisclosureFact(NOW - timedelta(days=2), "county_lines"),)))
    assert [h.kind for h in found] == [c.NEW_DISCLOSURE]
    assert "since the last meeting (county lines)" in found[0].reason


def test_a_disclosure_before_the_last_meeting_does_not_fire():
    old = c.DisclosureFact(SINCE - timedelta(hours=1), "cse")
    assert kinds(facts(disclosures=(old,))) == []


def test_seventeen_and_a_half_with_open_concerns_fires():
    found = hits(facts(date_of_birth=date(2009, 4, 1), open_concerns=True))
    assert [h.kind for h in found] == [c.APPROACHING_ADULTHOOD]
    assert found[0].remit == c.ADULTHOOD
    assert "turns 18 on 1 April 2027" in found[0].reason


def test_seventeen_and_a_half_without_open_concerns_or_younger_does_not_fire():
    assert kinds(facts(date_of_birth=date(2009, 4, 1), open_concerns=False)) == []
    # 17 years 5 months.
    assert kinds(facts(date_of_birth=date(2009, 6, 1), open_concerns=True)) == []


def test_eighteen_or_over_is_no_longer_approaching_adulthood():
    assert kinds(facts(date_of_birth=date(2008, 11, 1), open_concerns=True)) == []


@pytest.mark.parametrize("status", ["referred", "rg_positive", "cg_positive"])
def test_an_nrm_referral_fires(status):
    assert kinds(facts(nrm_status=status)) == [c.NRM_REFERRAL]


@pytest.mark.parametrize("status", ["not_referred", "rg_negative", "cg_negative", "withdrawn"])
def test_no_nrm_referral_or_a_negative_decision_does_not_fire(status):
    assert kinds(facts(nrm_status=status)) == []


@pytest.mark.parametrize(("kind", "remit"), [("cse", c.CSE), ("cce", c.CCE_GANGS)])
def test_a_cse_or_cce_flag_fires_and_routes_by_type(kind, remit):
    found = hits(facts(flag_types=frozenset({kind}), exploitation_types=frozenset({kind})))
    assert [h.kind for h in found] == [c.EXPLOITATION_FLAG]
    assert found[0].remit == remit


def test_a_flag_of_another_type_does_not_fire():
    assert kinds(facts(flag_types=frozenset({"online"}))) == []


def test_an_inactive_rule_list_leaves_the_child_unsuggested():
    child = facts(episodes=(ep(1), ep(2), ep(3)))
    assert c.evaluate(child, [], now=NOW, today=TODAY, since=SINCE) == []


def test_an_edited_rule_uses_its_own_parameters():
    two_in_30 = c.Rule("9", c.EPISODES_IN_WINDOW, count=2, days=30, remit=c.MISSING)
    child = facts(episodes=(ep(5), ep(20)))
    assert [h.kind for h in hits(child, [two_in_30])] == [c.EPISODES_IN_WINDOW]
    assert hits(child, [EPISODES]) == []


def test_by_type_routes_to_missing_when_no_type_is_known():
    assert hits(facts(screening_level="high"))[0].remit == c.MISSING


def test_by_type_prefers_sexual_then_criminal_exploitation():
    child = facts(screening_level="high", exploitation_types=frozenset({"cce", "cse"}))
    assert hits(child)[0].remit == c.CSE


def test_choose_remit_takes_the_first_in_agenda_order_the_panel_covers():
    assert c.choose_remit([c.MISSING, c.CCE_GANGS], list(c.REMIT_ORDER)) == c.CCE_GANGS
    assert c.choose_remit([c.CSE], [c.MISSING, c.ADULTHOOD]) == c.MISSING


def test_agenda_order_puts_high_risk_first():
    keys = sorted(
        [("low", 3, 1), ("high", 1, 2), ("medium", 5, 3), ("high", 2, 4), ("high", 1, 0)],
        key=lambda k: c.agenda_sort_key(*k),
    )
    assert [k[2] for k in keys] == [4, 0, 2, 3, 1]


@pytest.mark.parametrize(
    ("born", "on", "months"),
    [
        (date(2009, 5, 21), date(2026, 11, 21), 210),
        (date(2009, 5, 22), date(2026, 11, 21), 209),
        (date(2008, 2, 29), date(2026, 2, 28), 215),
    ],
)
def test_age_in_months(born, on, months):
    assert c.age_in_months(born, on) == months


def test_a_leap_day_birthday_turns_18_on_the_first_of_march():
    assert c.birthday(date(2008, 2, 29), 18) == date(2026, 3, 1)
