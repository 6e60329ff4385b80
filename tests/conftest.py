"""Shared fixtures for the cross-cutting security tests (the persona cast is in ../conftest.py)."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from lantern.episodes.models import MissingEpisode, PoliceGrading
from lantern.episodes.services import episode_record_return, episode_report, grading_record
from lantern.interviews.models import ReturnInterview
from lantern.interviews.services import DisclosureInput, interview_record
from lantern.people.models import Child, Placement
from lantern.people.services import placement_add


@dataclass
class Case:
    """A Haringey child with one of everything, made through the services as real users would."""

    child: Child
    placement: Placement
    returned_episode: MissingEpisode
    open_episode: MissingEpisode
    grading: PoliceGrading
    interview: ReturnInterview

    def ids(self) -> dict[str, list[int]]:
        """Object kind -> ids, for filling URL arguments."""
        return {
            "child": [self.child.pk],
            "placement": [self.placement.pk],
            "episode": [self.returned_episode.pk, self.open_episode.pk],
            "grading": [self.grading.pk],
            "interview": [self.interview.pk],
        }


@pytest.fixture
def case(world, child, now) -> Case:
    """Links: Haringey (home, placing and host LA), the Met (police force, found force) and the
    charity (offered and conducted the interview). Brighton, Sussex Police and the school have
    none."""
    placement = placement_add(
        actor=world.sam,
        child=child,
        placing_la=world.haringey,
        place="U4",
        provider="PR1",
        postcode="N15 4AB",
        started_on=(now - timedelta(days=200)).date(),
    )
    returned = episode_report(
        actor=world.sam,
        child=child,
        setting="care",
        whereabouts="unknown",
        last_seen_at=now - timedelta(days=10),
        reported_at=now - timedelta(days=10) + timedelta(hours=1),
        reporter_kind="foster_carer",
        police_force=world.met,
        police_reference="CAD1234",
    )
    grading = grading_record(
        actor=world.pete,
        episode=returned,
        grade="medium",
        graded_at=now - timedelta(days=10) + timedelta(hours=2),
        graded_by_name="PS Pete",
        rationale="Previous episodes and links to older males",
    )
    returned = episode_record_return(
        actor=world.pete,
        episode=returned,
        version=returned.version,
        returned_at=now - timedelta(days=9),
        return_how="police",
        found_postcode="N17 8AB",
    )
    interview = interview_record(
        actor=world.rita,
        child=child,
        episodes=[returned],
        status="completed",
        offered_at=now - timedelta(days=9) + timedelta(hours=5),
        offered_by_name="Rita",
        offered_by_organisation=world.charity,
        conducted_by_organisation=world.charity,
        completed_at=now - timedelta(days=8),
        push_factors=["family_conflict"],
        pull_factors=["money"],
        disclosures=[
            DisclosureInput(
                text="Was given a phone", exploitation_type="cce", is_exploitation_indicator=True
            )
        ],
    )
    open_episode = episode_report(
        actor=world.sam,
        child=child,
        setting="care",
        whereabouts="unknown",
        last_seen_at=now - timedelta(hours=3),
        reported_at=now - timedelta(hours=2),
        reporter_kind="foster_carer",
        police_force=world.met,
    )
    return Case(child, placement, returned, open_episode, grading, interview)
