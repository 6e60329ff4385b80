"""Property at the service level: adding an episode never lowers the child's level on the panel
and never removes (or deactivates) a flag, through the real signals and flag refresh."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lantern.accounts.models import Organisation
from lantern.episodes.models import MissingEpisode, PoliceGrading
from lantern.episodes.rules import overlaps
from lantern.risk import queries, scoring, services
from lantern.risk.models import EpisodeFinding, Flag

pytestmark = pytest.mark.django_db

PLACES = {"": None, "home": "E09000014", "brighton": "E06000043", "manchester": "E08000003"}


@st.composite
def episode_specs(draw):
    return {
        "days_ago": draw(st.floats(0.05, 400)),
        "hours": draw(st.one_of(st.none(), st.floats(0.5, 100))),
        "found": draw(st.sampled_from(sorted(PLACES))),
        "found_with": draw(st.sampled_from(["", "Older men"])),
        "grade": draw(st.sampled_from([None, "high", "medium", "low"])),
        "items": draw(st.sets(st.sampled_from(["drugs", "cash", "second_phone", "weapon"]))),
    }


def add_episode(world, child, spec, now) -> bool:
    """Add an episode as specified, unless it would overlap one the child already has."""
    start = now - timedelta(days=spec["days_ago"])
    returned = None if spec["hours"] is None else start + timedelta(hours=spec["hours"])
    if returned is not None and returned > now:
        returned = None
    existing = MissingEpisode.objects.filter(child=child).values_list("last_seen_at", "returned_at")
    if any(overlaps(start, returned, seen, back) for seen, back in existing):
        return False  # the database refuses overlapping episodes (PostgreSQL exclusion)
    code = PLACES[spec["found"]]
    found_la = Organisation.objects.get(ons_code=code) if code and returned else None
    episode = MissingEpisode.objects.create(
        child=child,
        setting="home",
        whereabouts="unknown",
        looked_after=False,
        last_seen_at=start,
        reported_at=start,
        reporter_kind="police",
        returned_at=returned,
        found_la=found_la,
        found_with=spec["found_with"] if returned else "",
    )
    if spec["grade"]:
        PoliceGrading.objects.create(
            episode=episode,
            grade=spec["grade"],
            graded_at=start,
            graded_by_name="PC",
            organisation=world.met,
            rationale="r",
        )
    EpisodeFinding.objects.bulk_create(
        EpisodeFinding(episode=episode, item=i) for i in spec["items"]
    )
    services.flags_refresh_for_child(child=child, now=now)
    return True


def state(world, child, now):
    panel = queries.child_risk_panel(child=child, user=world.sam, now=now)
    active = set(Flag.objects.filter(child=child, active=True).values_list("pk", flat=True))
    return panel, active


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(before=st.lists(episode_specs(), max_size=5), added=episode_specs())
def test_adding_an_episode_never_lowers_the_level_or_removes_a_flag(
    world, child, tool, before, added
):
    now = timezone.now()
    savepoint = transaction.savepoint()
    try:
        for spec in before:
            add_episode(world, child, spec, now)
        old_panel, old_flags = state(world, child, now)
        if not add_episode(world, child, added, now):
            return
        new_panel, new_flags = state(world, child, now)
        assert scoring.RANK[new_panel.level] >= scoring.RANK[old_panel.level]
        assert scoring.RANK[new_panel.rule_level] >= scoring.RANK[old_panel.rule_level]
        assert old_flags <= new_flags
        assert new_panel.frequently_missing or not old_panel.frequently_missing
    finally:
        transaction.savepoint_rollback(savepoint)
