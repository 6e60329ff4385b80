"""The generator on its own: deterministic, realistic in shape, and within every rule."""

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest

from lantern.demo import reference
from lantern.demo import rules as demo_rules
from lantern.demo.generator import demo_config, generate, national_config, shape
from lantern.demo.records import GenChild
from lantern.episodes import rules
from lantern.geo import postcodes

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_children() -> list[GenChild]:
    return list(generate(demo_config(children=3000, seed=7, now=NOW)))


@pytest.fixture(scope="module")
def national_children() -> list[GenChild]:
    return list(generate(national_config(children=3000, seed=7, now=NOW)))


def _all(request: pytest.FixtureRequest) -> list[GenChild]:
    return request.getfixturevalue("demo_children") + request.getfixturevalue("national_children")


# --- Determinism --------------------------------------------------------------------------------


def test_the_same_seed_gives_identical_children():
    first = list(generate(demo_config(children=150, seed=11, now=NOW)))
    second = list(generate(demo_config(children=150, seed=11, now=NOW)))
    assert first == second


def test_a_different_seed_gives_different_children():
    first = list(generate(demo_config(children=150, seed=11, now=NOW)))
    second = list(generate(demo_config(children=150, seed=12, now=NOW)))
    assert [c.episodes for c in first[4:]] != [c.episodes for c in second[4:]]
    assert [c.first_name for c in first[4:]] != [c.first_name for c in second[4:]]


def test_a_child_does_not_depend_on_how_many_are_generated():
    fewer = list(generate(national_config(children=40, seed=3, now=NOW)))
    more = list(generate(national_config(children=80, seed=3, now=NOW)))
    assert more[:40] == fewer


def test_the_global_random_generator_is_left_alone():
    import random

    random.seed(99)
    expected = random.random()
    random.seed(99)
    list(generate(demo_config(children=30, seed=1, now=NOW)))
    assert random.random() == expected


# --- Shapes (domain §3.5, §6.2) -----------------------------------------------------------------


@pytest.mark.parametrize("which", ["demo_children", "national_children"])
def test_about_65_percent_of_episodes_in_a_year_are_repeats(request, which):
    result = shape(request.getfixturevalue(which), NOW)
    assert 0.60 <= result.repeat_share <= 0.70


@pytest.mark.parametrize("which", ["demo_children", "national_children"])
def test_about_6_percent_of_children_account_for_a_third_of_episodes(request, which):
    result = shape(request.getfixturevalue(which), NOW)
    assert 0.28 <= result.top_share <= 0.38


@pytest.mark.parametrize("which", ["demo_children", "national_children"])
def test_episodes_are_mostly_of_children_aged_12_to_17(request, which):
    assert shape(request.getfixturevalue(which), NOW).age_12_17_share >= 0.85


@pytest.mark.parametrize("which", ["demo_children", "national_children"])
def test_about_63_percent_of_return_interviews_are_completed_within_72_hours(request, which):
    assert 0.58 <= shape(request.getfixturevalue(which), NOW).rhi_in_time_share <= 0.68


def test_looked_after_children_are_over_represented(demo_children):
    # Around 0.7% of children in England are looked after; here a large minority are.
    assert 0.3 <= shape(demo_children, NOW).looked_after_share <= 0.6


def test_some_children_are_missing_now_but_only_a_few(demo_children):
    result = shape(demo_children, NOW)
    assert 1 <= result.open_episodes <= result.episodes * 0.01


def test_national_scale_has_about_five_episodes_per_child(national_children):
    # 200,000 children and about 1,000,000 episodes.
    result = shape(national_children, NOW)
    assert 4.5 <= result.episodes / result.children <= 5.5


def test_national_scale_spreads_children_over_local_authorities_by_size(national_children):
    homes = [c.home_la for c in national_children]
    assert len(set(homes)) >= 130
    assert homes.count("E10000016") > homes.count("E06000017")  # Kent has more than Rutland


def test_demo_scale_is_haringey_and_its_neighbours_mostly_haringey(demo_children):
    homes = [c.home_la for c in demo_children]
    assert set(homes) == {reference.HARINGEY, *reference.DEMO_NEIGHBOURS}
    assert 0.55 <= homes.count(reference.HARINGEY) / len(homes) <= 0.65


def test_some_children_are_placed_out_of_area(demo_children):
    placements = [p for c in demo_children for p in c.placements]
    out = [p for p in placements if p.location == "OUT"]
    assert 0.25 <= len(out) / len(placements) <= 0.6
    assert all(p.host_la != p.placing_la for p in out)


def test_city_children_are_found_far_away_in_county_lines_towns(national_children):
    towns = {d.town for d in reference.DESTINATIONS.values()}
    far = [
        (c.home_la, e.far_town)
        for c in national_children
        for e in c.episodes
        if e.far_town and e.returned_at
    ]
    assert far
    assert {town for _, town in far} <= towns
    assert all(reference.routes_for(home) for home, _ in far)


def test_police_gradings_are_mostly_low_or_medium(national_children):
    grades = [
        g.grade
        for c in national_children
        for e in c.episodes
        for g in e.gradings
        if g.scheme == "app_current"
    ]
    share = {grade: grades.count(grade) / len(grades) for grade in set(grades)}
    assert share["low"] + share["medium"] >= 0.7
    assert 0.05 <= share["high"] <= 0.25
    assert 0 < share["very_low"] <= 0.1


def test_old_episodes_carry_legacy_grading_codes(national_children):
    legacy = [
        g
        for c in national_children
        for e in c.episodes
        for g in e.gradings
        if g.grade in ("nar_absent", "absent_2013")
    ]
    assert legacy
    assert all(g.graded_at < demo_rules.APP_CURRENT_FROM for g in legacy)


def test_reporters_are_of_every_kind_not_only_police(demo_children):
    kinds = [e.reporter_kind for c in demo_children for e in c.episodes]
    assert {"parent_carer", "foster_carer", "childrens_home", "school", "police", "charity"} <= (
        set(kinds)
    )
    assert kinds.count("police") / len(kinds) < 0.2


def test_interviews_record_outcomes_factors_and_indicator_disclosures(demo_children):
    interviews = [i for c in demo_children for i in c.interviews]
    statuses = {i.status for i in interviews}
    assert {"completed", "declined", "not_completed"} <= statuses
    assert all(i.not_completed_reason for i in interviews if i.status == "not_completed")
    assert any(i.push for i in interviews) and any(i.pull for i in interviews)
    indicators = [d for i in interviews for d in i.disclosures if d.is_exploitation_indicator]
    assert indicators and all(d.exploitation_type for d in indicators)
    assert any(len(i.episodes) > 1 for i in interviews)  # one interview, several episodes


def test_some_children_have_several_lead_professional_changes(demo_children):
    assert max(len(c.leads) for c in demo_children) >= 4


def test_some_children_have_aliases_and_street_names(demo_children):
    kinds = {a.kind for c in demo_children for a in c.aliases}
    assert {"known_as", "street", "previous"} <= kinds


# --- Never real people --------------------------------------------------------------------------


def _nhs_valid(number: str) -> bool:
    """The NHS number modulus-11 check, written independently of the generator."""
    total = sum(int(number[i]) * (10 - i) for i in range(9))
    check = (11 - total % 11) % 11
    return check != 10 and check == int(number[9])


def test_the_nhs_check_used_here_accepts_a_valid_number():
    assert _nhs_valid("9434765919")  # the NHS's own published example


def test_nhs_numbers_are_ten_digits_and_fail_the_check(request):
    numbers = [i.value for c in _all(request) for i in c.identifiers if i.kind == "nhs"]
    assert len(numbers) > 5000
    assert all(len(n) == 10 and n.isdigit() for n in numbers)
    assert not any(_nhs_valid(n) for n in numbers)


def _upn_valid(upn: str) -> bool:
    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
    total = sum(int(ch) * weight for ch, weight in zip(upn[1:], range(2, 14), strict=True))
    return upn[0] == letters[total % 23]


def test_upns_are_upn_shaped_but_fail_the_check_letter(demo_children):
    upns = [i.value for c in demo_children for i in c.identifiers if i.kind == "upn"]
    assert upns
    assert all(re.fullmatch(r"[A-HJ-NP-RT-Z]\d{12}", u) for u in upns)
    assert not any(_upn_valid(u) for u in upns)


def test_identifiers_are_unique_per_kind_and_issuer(request):
    keys = [(i.kind, i.value, i.issuer) for c in _all(request) for i in c.identifiers]
    # The two fixtures number children from 1 each, so compare within one fixture.
    demo = [
        (i.kind, i.value, i.issuer)
        for c in request.getfixturevalue("demo_children")
        for i in c.identifiers
    ]
    assert len(set(demo)) == len(demo)
    assert keys


def test_names_come_from_the_synthetic_lists(demo_children):
    names = reference.names()
    given = set(names.female) | set(names.male)
    assert all(c.first_name in given for c in demo_children)
    assert all(c.last_name in names.surnames for c in demo_children)


def test_postcodes_are_real_and_in_the_local_authority_recorded(demo_children):
    # Only postcodes in areas N, E and S, so the check loads little of the postcode directory.
    pairs = [(c.home_postcode, c.home_la) for c in demo_children]
    pairs += [(p.postcode, p.host_la) for c in demo_children for p in c.placements]
    pairs += [(e.found_postcode, e.found_la) for c in demo_children for e in c.episodes]
    pairs = sorted({(pc, la) for pc, la in pairs if pc and pc[0] in "NES"})
    assert len(pairs) > 200
    for postcode, la in pairs[::5]:
        info = postcodes.lookup(postcode)
        assert info is not None and info.area_code == la, postcode


def test_haringey_children_have_no_link_to_sussex_in_the_demo(demo_children):
    sussex = {la for la, f in reference.force_for_la().items() if f == reference.SUSSEX_POLICE}
    for child in demo_children:
        if child.home_la != reference.HARINGEY:
            continue
        assert not any(p.host_la in sussex for p in child.placements)
        assert not any(
            reference.SUSSEX_POLICE in (e.police_force, e.found_force) for e in child.episodes
        )


# --- Every record keeps the rules the services enforce ------------------------------------------


def test_every_episode_keeps_the_episode_rules(request):
    for child in _all(request):
        episodes = sorted(child.episodes, key=lambda e: e.last_seen_at)
        assert episodes, "every child has at least one episode"
        for e in episodes:
            assert e.last_seen_at <= NOW and e.reported_at <= NOW
            assert e.last_seen_at.date() > child.date_of_birth
            assert e.reported_at >= e.last_seen_at
            if e.returned_at is not None:
                assert e.last_seen_at < e.returned_at <= NOW
            for g in e.gradings:
                assert e.last_seen_at <= g.graded_at <= NOW
            assert not hasattr(e, "category")  # derived by the database, never typed
            assert bool(e.police_force) == e.reported_to_police
        for a, b in itertools.pairwise(episodes):
            assert not rules.overlaps(a.last_seen_at, a.returned_at, b.last_seen_at, b.returned_at)
        assert all(e.returned_at is not None for e in episodes[:-1])


def test_every_interview_follows_its_returns(request):
    for child in _all(request):
        for i in child.interviews:
            covered = [child.episodes[k] for k in i.episodes]
            assert all(e.returned_at is not None for e in covered)
            assert i.offered_at >= min(e.returned_at for e in covered)
            assert i.offered_at <= NOW
            if i.status == "completed":
                assert i.offered_at <= i.completed_at <= NOW
            else:
                assert i.completed_at is None


def test_every_placement_and_lead_period_is_in_order(request):
    today = NOW.date()
    for child in _all(request):
        placements = sorted(child.placements, key=lambda p: p.started_on)
        for p in placements:
            assert child.date_of_birth <= p.started_on <= today
            assert p.ended_on is None or p.started_on <= p.ended_on <= today
        for a, b in itertools.pairwise(placements):
            assert a.ended_on is not None and a.ended_on <= b.started_on
        assert sum(1 for lead in child.leads if lead.ended_on is None) <= 1
        for lead in child.leads:
            assert lead.ended_on is None or lead.started_on <= lead.ended_on <= today
        if child.legal_status:
            assert child.care_status == "lac"
        assert child.created_at <= NOW


# --- Showcase children --------------------------------------------------------------------------


def _showcase(children: list[GenChild], tag: str) -> GenChild:
    return next(c for c in children if c.showcase == tag)


def test_showcase_frequently_missing_child_placed_out_of_area(demo_children):
    kai = _showcase(demo_children, "frequently_missing_out_of_area")
    assert kai.care_status == "lac" and kai.home_la == reference.HARINGEY
    current = next(p for p in kai.placements if p.ended_on is None)
    assert current.location == "OUT" and current.host_la == "E09000010"  # Enfield
    recent = [e for e in kai.episodes if e.last_seen_at > NOW - timedelta(days=90)]
    assert len(recent) >= 4
    assert sum(e.far_town == "Southend-on-Sea" for e in recent) >= 3
    completed = [i for i in kai.interviews if i.status == "completed"]
    kinds = {
        d.exploitation_type for i in completed for d in i.disclosures if d.is_exploitation_indicator
    }
    assert {"county_lines", "cce"} <= kinds
    assert any(
        i.completed_at - min(kai.episodes[k].returned_at for k in i.episodes) <= timedelta(hours=72)
        for i in completed
        if i.disclosures
    )
    assert len(kai.leads) >= 4


def test_showcase_interview_overdue(demo_children):
    ruby = _showcase(demo_children, "interview_overdue")
    last = ruby.episodes[-1]
    assert timedelta(hours=99) <= NOW - last.returned_at <= timedelta(hours=101)
    assert not any(len(ruby.episodes) - 1 in i.episodes for i in ruby.interviews)


def test_showcase_missing_now_graded_high(demo_children):
    leah = _showcase(demo_children, "missing_now")
    assert leah.episodes[-1].returned_at is None
    assert leah.episodes[-1].gradings[-1].grade == "high"


def test_showcase_interview_due(demo_children):
    mason = _showcase(demo_children, "interview_due")
    assert timedelta(hours=19) <= NOW - mason.episodes[-1].returned_at <= timedelta(hours=21)
    assert mason.interviews == []
