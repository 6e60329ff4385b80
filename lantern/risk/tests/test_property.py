"""Property: for a fixed now, adding any episode never lowers the level or takes away evidence.

Checked over random children, answers, episodes, disclosures, standing flags and random rule
tables (not only the shipped ones), because partnerships edit the rules.
"""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from lantern.risk import scoring
from lantern.risk.tests import specs

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
LEVELS = st.sampled_from(scoring.LEVELS)
RULE_LEVELS = st.sampled_from((scoring.LOW, scoring.MEDIUM, scoring.HIGH))
TYPES = st.sampled_from(("cse", "cce", "county_lines", "trafficking", "online", ""))


@st.composite
def episodes(draw, first_id: int = 1, max_size: int = 8):
    count = draw(st.integers(0, max_size))
    out = []
    for n in range(count):
        start = NOW - timedelta(hours=draw(st.floats(-48, 24 * 500)))
        ended = draw(st.one_of(st.none(), st.floats(0.1, 24 * 10)))
        out.append(
            scoring.EpisodeFact(
                id=first_id + n,
                started_at=start,
                ended_at=None if ended is None else start + timedelta(hours=ended),
                found_out_of_area=draw(st.booleans()),
                found_items=frozenset(
                    draw(st.sets(st.sampled_from(("drugs", "cash", "second_phone", "weapon"))))
                ),
                found_with_others=draw(st.booleans()),
                police_high=draw(st.booleans()),
            )
        )
    return out


@st.composite
def rule_tables(draw):
    if draw(st.booleans()):
        return list(specs.rules()), list(specs.repeat_rules())
    conditions = (
        scoring.AGE_UNDER,
        scoring.LEARNING_DISABILITY,
        scoring.DISCLOSURE,
        scoring.FOUND_OOA_ITEMS,
        scoring.FOUND_OOA,
        scoring.FOUND_WITH_OTHERS,
        scoring.MISSING_OVER_HOURS,
        scoring.POLICE_HIGH,
    )
    rules = [
        scoring.RuleSpec(
            code=f"r{n}",
            description=f"rule {n}",
            kind=draw(st.sampled_from((scoring.MIN_LEVEL, scoring.MIN_LEVEL_IF_CONCERN))),
            condition=draw(st.sampled_from(conditions)),
            level=draw(RULE_LEVELS),
            age_years=draw(st.integers(10, 18)),
            hours=draw(st.integers(1, 96)),
            within_days=draw(st.one_of(st.none(), st.integers(1, 400))),
            exploitation_types=frozenset(draw(st.sets(TYPES, max_size=3))),
        )
        for n in range(draw(st.integers(0, 8)))
    ]
    repeats = [
        scoring.RepeatRuleSpec(
            code=f"p{n}",
            description=f"repeat {n}",
            count=draw(st.integers(1, 6)),
            window_days=draw(st.integers(1, 400)),
            level=draw(RULE_LEVELS),
        )
        for n in range(draw(st.integers(0, 3)))
    ]
    return rules, repeats


@st.composite
def situations(draw):
    indicator_specs = list(specs.indicators().values())
    answers = [
        scoring.AnswerFact(
            spec,
            draw(st.one_of(st.none(), st.integers(0, 5))),
            (NOW - timedelta(days=draw(st.integers(0, 200)))).date(),
        )
        for spec in draw(st.lists(st.sampled_from(indicator_specs), max_size=6, unique=True))
    ]
    disclosures = [
        scoring.DisclosureFact(n, draw(TYPES), NOW - timedelta(days=draw(st.integers(-5, 400))))
        for n in range(draw(st.integers(0, 3)))
    ]
    rules, repeats = draw(rule_tables())
    return {
        "answers": answers,
        "thresholds": specs.thresholds(),
        "child": scoring.ChildFacts(draw(st.integers(8, 17)), draw(st.booleans())),
        "disclosures": disclosures,
        "rules": rules,
        "repeat_rules": repeats,
        "standing_level": draw(LEVELS),
        "now": NOW,
    }


def evidence(result: scoring.ScoreResult) -> set[tuple[str, scoring.Evidence]]:
    return {(c.code, e) for c in result.contributions for e in c.evidence}


@settings(max_examples=400, deadline=None)
@given(situation=situations(), before=episodes(), added=episodes(first_id=100, max_size=1))
def test_adding_an_episode_never_lowers_the_level_or_removes_evidence(situation, before, added):
    old = scoring.score(episodes=before, **situation)
    new = scoring.score(episodes=[*before, *added], **situation)
    assert scoring.RANK[new.level] >= scoring.RANK[old.level]
    assert evidence(old) <= evidence(new)
    assert set(old.matched_rules) <= set(new.matched_rules)
    assert new.frequently_missing or not old.frequently_missing
    for (days, count_before), (_, count_after) in zip(old.counts, new.counts, strict=True):
        assert count_after >= count_before, days


@settings(max_examples=200, deadline=None)
@given(situation=situations(), level=LEVELS, higher=LEVELS)
def test_rules_never_lower_a_level_and_keep_order(situation, level, higher):
    for rule in situation["rules"]:
        assert scoring.RANK[scoring.apply_rule(rule, level)] >= scoring.RANK[level]
        if scoring.RANK[higher] >= scoring.RANK[level]:
            assert (
                scoring.RANK[scoring.apply_rule(rule, higher)]
                >= scoring.RANK[scoring.apply_rule(rule, level)]
            )


def may_matter(episode: scoring.EpisodeFact, since: datetime) -> bool:
    """The episodes facts.episode_facts_for reads when given ``since`` (its SQL, in Python)."""
    return episode.started_at > since or episode.ended_at is None or episode.ended_at > since


@settings(max_examples=300, deadline=None)
@given(situation=situations(), history=episodes(max_size=10))
def test_reading_only_episodes_inside_the_horizon_changes_nothing(situation, history):
    horizon = scoring.episode_horizon_days(situation["rules"], situation["repeat_rules"])
    if horizon is None:
        return
    since = NOW - timedelta(days=horizon + 1)
    recent = [e for e in history if may_matter(e, since)]
    full = scoring.score(episodes=history, **situation)
    part = scoring.score(episodes=recent, **situation)
    assert (part.level, evidence(part), part.counts) == (full.level, evidence(full), full.counts)
