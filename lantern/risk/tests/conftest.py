"""Fixtures and helpers for the risk tests: real episodes, returns and interviews via services."""

from contextlib import nullcontext
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from lantern.episodes.services import episode_record_return, episode_report, grading_record
from lantern.interviews.services import DisclosureInput, interview_record
from lantern.people.services import child_create
from lantern.risk import services
from lantern.risk.models import ScreeningTool
from lantern.risk.signals import refresh_suspended


@pytest.fixture
def tool(db) -> ScreeningTool:
    services.defaults_load(actor=None)  # already loaded by post_migrate; loading again is a no-op
    current = services.tool_current()
    assert current is not None
    return current


def make_child(world, *, age_days: int = 14 * 365 + 40, learning_disability: bool = False):
    return child_create(
        actor=world.sam,
        first_name="Ayo",
        last_name="Test",
        date_of_birth=date.today() - timedelta(days=age_days),
        home_la=world.haringey,
        sex="F",
        home_postcode="N17 6AA",
        care_status="none",
        learning_disability=learning_disability,
    )


def episode(
    world,
    child,
    *,
    days_ago: float,
    hours: float | None = 3,
    found_postcode: str = "",
    found_with: str = "",
    actor=None,
):
    """Report an episode that began ``days_ago`` and, unless ``hours`` is None, record the return."""
    actor = actor or world.sam
    start = timezone.now() - timedelta(days=days_ago)
    # Reported now but last seen days ago, an episode is (rightly) open for days at the moment it
    # is reported, which would raise "missing over 24 hours". Tests of returned episodes skip
    # that moment; tests of open episodes pass hours=None.
    with refresh_suspended() if hours is not None else nullcontext():
        e = episode_report(
            actor=actor,
            child=child,
            setting="home",
            whereabouts="unknown",
            last_seen_at=start,
            reported_at=start + timedelta(minutes=30),
            reporter_kind="parent_carer",
        )
    if hours is not None:
        e = episode_record_return(
            actor=actor,
            episode=e,
            version=e.version,
            returned_at=start + timedelta(hours=hours),
            return_how="self",
            found_postcode=found_postcode,
            found_with=found_with,
        )
    return e


def grade(world, e, level: str = "high", *, at: datetime | None = None):
    return grading_record(
        actor=world.pete,
        episode=e,
        grade=level,
        graded_at=at or e.last_seen_at + timedelta(minutes=45),
        graded_by_name="PS Jones",
        rationale="Graded on the information known",
    )


def interview(world, child, episodes, disclosures: list[tuple[str, str]]):
    returned = max(e.returned_at for e in episodes)
    return interview_record(
        actor=world.rita,
        child=child,
        episodes=episodes,
        status="completed",
        offered_at=returned + timedelta(hours=2),
        offered_by_name="Rita",
        offered_by_organisation=world.charity,
        conducted_by_organisation=world.charity,
        completed_at=returned + timedelta(hours=20),
        disclosures=[
            DisclosureInput(text=text, exploitation_type=kind, is_exploitation_indicator=True)
            for text, kind in disclosures
        ],
    )
