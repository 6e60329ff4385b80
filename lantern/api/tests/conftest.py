"""A Haringey child with one of every record the API serves, made through the real services."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from lantern.episodes import services as episode_services
from lantern.episodes.models import MissingEpisode, PoliceGrading
from lantern.interviews import services as interview_services
from lantern.interviews.models import ReturnInterview
from lantern.people import services as people_services
from lantern.people.models import Child, Placement
from lantern.risk import services as risk_services
from lantern.risk.models import Assessment


@dataclass
class Records:
    child: Child
    placement: Placement
    episode: MissingEpisode
    grading: PoliceGrading
    interview: ReturnInterview
    screening: Assessment

    def path(self, resource: str) -> str:
        obj = {
            "children": self.child,
            "placements": self.placement,
            "episodes": self.episode,
            "gradings": self.grading,
            "interviews": self.interview,
            "screenings": self.screening,
        }[resource]
        return f"/api/{resource}/{obj.pk}/"


RESOURCES = ("children", "episodes", "gradings", "interviews", "placements", "screenings")


@pytest.fixture
def records(world, child) -> Records:
    now = timezone.now()
    placement = people_services.placement_add(
        actor=world.sam,
        child=child,
        placing_la=world.haringey,
        place="U6",
        provider="PR1",
        postcode="N17 6AA",
        started_on=date.today() - timedelta(days=200),
    )
    episode = episode_services.episode_report(
        actor=world.sam,
        child=child,
        setting="care",
        whereabouts="unknown",
        last_seen_at=now - timedelta(days=3),
        reported_at=now - timedelta(days=3) + timedelta(hours=1),
        reporter_kind="foster_carer",
        police_force=world.met,
    )
    grading = episode_services.grading_record(
        actor=world.pete,
        episode=episode,
        grade="medium",
        graded_at=now - timedelta(days=3) + timedelta(hours=2),
        graded_by_name="PS Grey",
        rationale="Young and vulnerable",
    )
    episode = episode_services.episode_record_return(
        actor=world.sam,
        episode=episode,
        version=episode.version,
        returned_at=now - timedelta(days=2),
        return_how="police",
    )
    interview = interview_services.interview_record(
        actor=world.rita,
        child=child,
        episodes=[episode],
        status="completed",
        offered_at=now - timedelta(days=2) + timedelta(hours=3),
        offered_by_name="Rita",
        offered_by_organisation=world.charity,
        conducted_by_organisation=world.charity,
        completed_at=now - timedelta(days=1),
        push_factors=["family_conflict"],
        pull_factors=["money"],
        disclosures=[
            interview_services.DisclosureInput(
                text="Was given a phone by older boys",
                exploitation_type="cce",
                is_exploitation_indicator=True,
            )
        ],
    )
    risk_services.defaults_load(actor=None)
    screening = risk_services.assessment_start(actor=world.sam, child=child)
    return Records(child, placement, episode, grading, interview, screening)


def token_for(user: Any) -> str:
    return Token.objects.get_or_create(user=user)[0].key


@pytest.fixture
def api():
    """A client that calls as a user with their token: api(world.sam).get(...)."""

    def make(user: Any = None, token: str | None = None) -> APIClient:
        client = APIClient()
        if user is not None or token is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token or token_for(user)}")
        return client

    return make
