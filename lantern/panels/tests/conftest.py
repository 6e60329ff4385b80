"""Fixtures for the panel tests: a Haringey panel with full and restricted members, and helpers
that make real episodes, gradings, interviews and screenings through the apps' own services."""

from contextlib import nullcontext
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from lantern.accounts.models import Organisation, OrgType
from lantern.accounts.roles import Role
from lantern.accounts.services import user_create
from lantern.episodes.services import episode_record_return, episode_report, grading_record
from lantern.interviews.services import DisclosureInput, interview_record
from lantern.panels import services
from lantern.panels.models import Meeting, MeetingStatus, Panel, Remit, Sharing
from lantern.people.services import child_create
from lantern.risk.signals import refresh_suspended


@pytest.fixture
def health(world) -> Organisation:
    return Organisation.objects.create(name="North London Community Health", type=OrgType.HEALTH)


@pytest.fixture
def panel(world, health) -> Panel:
    """Haringey's panel: Haringey, the Met and health with full sharing; the charity and the
    school with restricted items excluded."""
    return services.panel_create(
        actor=world.chris,
        name="Haringey exploitation panel",
        lead_la=world.haringey,
        members=[
            (world.met, Sharing.FULL),
            (health, Sharing.FULL),
            (world.charity, Sharing.RESTRICTED_EXCLUDED),
            (world.school, Sharing.RESTRICTED_EXCLUDED),
        ],
        remits=Remit.values,
        cadence_days=21,
    )


@pytest.fixture
def meeting(panel) -> Meeting:
    """The next meeting, today, with a closed meeting three weeks ago before it."""
    today = timezone.localdate()
    Meeting.objects.create(
        panel=panel,
        date=today - timedelta(days=21),
        status=MeetingStatus.CLOSED,
        closed_at=timezone.now() - timedelta(days=21),
    )
    return Meeting.objects.create(panel=panel, date=today)


@pytest.fixture
def school_member(world):
    """A practitioner at the school, a restricted-excluded member organisation."""
    return user_create(
        username="sid",
        password=PASSWORD,
        organisation=world.school,
        role=Role.PANEL_MEMBER,
        display_name="Sid School",
    )


@pytest.fixture
def met_member(world):
    return user_create(
        username="molly",
        password=PASSWORD,
        organisation=world.met,
        role=Role.PANEL_MEMBER,
        display_name="Molly Met",
    )


def make_child(world, *, first="Ayo", last="Test", age_days: int = 14 * 365 + 40, **extra):
    fields = {
        "first_name": first,
        "last_name": last,
        "date_of_birth": date.today() - timedelta(days=age_days),
        "home_la": world.haringey,
        "sex": "F",
        "home_postcode": "N17 6AA",
        "care_status": "none",
    }
    fields.update(extra)
    return child_create(actor=world.sam, **fields)


def age_days(years: int, months: int) -> int:
    """Days old to be a little past ``years`` and ``months``."""
    return int(years * 365.25 + months * 30.5) + 3


def episode(
    world,
    child,
    *,
    days_ago: float,
    hours: float | None = 3,
    found_postcode: str = "",
    actor=None,
):
    """An episode that began ``days_ago`` and, unless ``hours`` is None, has a return."""
    actor = actor or world.sam
    start = timezone.now() - timedelta(days=days_ago)
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
        )
    return e


def grade(world, e, level: str = "high", *, at: datetime | None = None):
    return grading_record(
        actor=world.pete,
        episode=e,
        grade=level,
        graded_at=at or e.last_seen_at + timedelta(minutes=45),
        graded_by_name="PS Jones",
        rationale="Graded on what was known",
    )


def interview(world, child, episodes, disclosures=()):
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
            DisclosureInput(text=text, exploitation_type=kind, is_exploitation_indicator=bool(kind))
            for text, kind in disclosures
        ],
    )
