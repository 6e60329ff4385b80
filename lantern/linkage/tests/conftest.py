"""Fixtures for linkage: a Haringey child with a full history, and the Met's duplicate of them."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from lantern.accounts.services import share_decide
from lantern.linkage import services
from lantern.linkage.models import CandidatePair, LinkageRun
from lantern.people import services as people_services
from lantern.people.models import Child
from lantern.people.tests.helpers import make_child, make_episode, make_interview


@dataclass
class Duplicates:
    original: Child
    duplicate: Child


def _dob_that_can_swap() -> date:
    # 4 March, fourteen years ago: the swapped date (3 April) is also a real date.
    return date(timezone.localdate().year - 14, 3, 4)


@pytest.fixture
def duplicates(world) -> Duplicates:
    """Haringey's record of a child, and a record the Met created for the same child with a
    different spelling and day and month of birth swapped, each with its own history."""
    now = timezone.now()
    dob = _dob_that_can_swap()
    original = make_child(
        world.sam,
        first_name="Kayden",
        last_name="Smyth",
        date_of_birth=dob,
        home_la=world.haringey,
        sex="M",
        home_postcode="N17 6AA",
        care_status="lac",
        legal_status="C2",
    )
    people_services.alias_add(
        actor=world.sam, child=original, kind="known_as", first_name="Kay", last_name=""
    )
    people_services.placement_add(
        actor=world.sam,
        child=original,
        placing_la=world.haringey,
        place="U6",
        provider="PR1",
        postcode="N15 4RX",
        started_on=timezone.localdate() - timedelta(days=200),
    )
    people_services.lead_professional_assign(
        actor=world.sam,
        child=original,
        name="Sam Social Worker",
        organisation=world.haringey,
        started_on=timezone.localdate() - timedelta(days=100),
    )
    first = make_episode(
        world.sam,
        original,
        last_seen_at=now - timedelta(days=40),
        returned_at=now - timedelta(days=39),
        police_force=world.met,
        reported_to_police=True,
    )
    make_interview(
        world.rita,
        original,
        [first],
        status="completed",
        offered_at=now - timedelta(days=38, hours=20),
        completed_at=now - timedelta(days=38),
        organisation=world.charity,
    )
    share_decide(
        actor=world.maria,
        child=original,
        to_organisation=world.charity,
        decision="share",
        purpose="Return interviews",
        lawful_basis="6_1_e",
        condition="sch1_18",
        expires_at=now + timedelta(days=30),
    )
    duplicate = make_child(
        world.pete,
        first_name="Kaiden",
        last_name="Smith",
        date_of_birth=dob.replace(day=dob.month, month=dob.day),
        home_la=world.haringey,
        sex="M",
        home_postcode="N15 4RX",
    )
    people_services.lead_professional_assign(
        actor=world.pete,
        child=duplicate,
        name="PC Pete",
        organisation=world.met,
        started_on=timezone.localdate() - timedelta(days=10),
    )
    make_episode(
        world.pete,
        duplicate,
        last_seen_at=now - timedelta(days=5),
        returned_at=now - timedelta(days=4),
        police_force=world.met,
        reported_to_police=True,
        reporter_kind="police",
        reporting_organisation=world.met,
    )
    return Duplicates(original, duplicate)


@pytest.fixture
def proposed(duplicates) -> CandidatePair:
    """The pair as a linkage run proposes it."""
    run = services.linkage_run()
    assert isinstance(run, LinkageRun)
    return CandidatePair.objects.get(
        left_child=duplicates.original, right_child=duplicates.duplicate
    )
