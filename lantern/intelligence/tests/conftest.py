"""Fixtures for the intelligence tests: real children, episodes and interviews made through the
services (so the derivation signals run as they do in the app), and a small network around them.

The story: Kai and Tyler, two Haringey children, go missing hours apart and are both found in
Southend-on-Sea (postcode sector SS1 1); both return interviews name the same phone number, and
Kai disclosed county-lines exploitation. The Met police reported both episodes, so Pete (Met)
sees them; Bella (Brighton) and Priya (Sussex Police) have no link to either child.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from lantern.episodes.models import MissingEpisode
from lantern.episodes.services import episode_record_return, episode_report
from lantern.intelligence import services
from lantern.intelligence.models import AccessLevel, Link, PersonOfConcern, Place
from lantern.interviews.services import DisclosureInput, interview_record
from lantern.people.models import Child
from lantern.people.services import child_create

SHARED_PHONE = "07700 900123"


def make_child(world, first: str, last: str, *, home_la=None, care_status: str = "none") -> Child:
    return child_create(
        actor=world.sam,
        first_name=first,
        last_name=last,
        date_of_birth=date.today() - timedelta(days=15 * 365),
        home_la=home_la or world.haringey,
        sex="M",
        home_postcode="N17 6AA",
        care_status=care_status,
        legal_status="C2" if care_status == "lac" else "",
    )


def episode(
    world,
    child: Child,
    *,
    start: datetime,
    hours: float | None = 20,
    found_postcode: str = "",
    last_seen_postcode: str = "",
    actor=None,
    police=True,
) -> MissingEpisode:
    actor = actor or world.sam
    e = episode_report(
        actor=actor,
        child=child,
        setting="home",
        whereabouts="unknown",
        last_seen_at=start,
        reported_at=start + timedelta(minutes=30),
        reporter_kind="parent_carer",
        last_seen_postcode=last_seen_postcode,
        reported_to_police=police,
        police_force=world.met if police else None,
    )
    if hours is not None:
        e = episode_record_return(
            actor=actor,
            episode=e,
            version=e.version,
            returned_at=start + timedelta(hours=hours),
            return_how="police",
            found_postcode=found_postcode,
        )
    return e


def interview(
    world, child: Child, ep: MissingEpisode, *, where: str = "", with_whom: str = "", disclosures=()
):
    assert ep.returned_at is not None
    return interview_record(
        actor=world.rita,
        child=child,
        episodes=[ep],
        status="completed",
        offered_at=ep.returned_at + timedelta(hours=2),
        offered_by_name="Rita",
        offered_by_organisation=world.charity,
        conducted_by_organisation=world.charity,
        completed_at=ep.returned_at + timedelta(hours=30),
        where_child_was=where,
        with_whom=with_whom,
        disclosures=disclosures,
    )


@dataclass
class Story:
    kai: Child
    tyler: Child
    kai_episode: MissingEpisode
    tyler_episode: MissingEpisode
    partner_person: PersonOfConcern
    police_person: PersonOfConcern
    police_link: Link
    hotspot: Place


@pytest.fixture
def story(world) -> Story:
    start = timezone.now() - timedelta(days=3)
    kai = make_child(world, "Kai", "Menson")
    tyler = make_child(world, "Tyler", "Brookes")
    kai_ep = episode(world, kai, start=start, hours=20, found_postcode="SS1 1AA")
    tyler_ep = episode(
        world, tyler, start=start + timedelta(hours=2), hours=19, found_postcode="SS1 1AB"
    )
    interview(
        world,
        kai,
        kai_ep,
        where="A flat in Southend, near SS1 2AB",
        with_whom=f"Older males; they gave him a phone, the number was {SHARED_PHONE}",
        disclosures=[DisclosureInput("Was told to sell drugs in Southend", "county_lines", True)],
    )
    interview(
        world, tyler, tyler_ep, with_whom=f"Friends. Someone kept calling from {SHARED_PHONE}"
    )
    partner_person = services.person_create(actor=world.sam, known_as="Dee", kind="adult")
    hotspot = services.place_create(
        actor=world.sam, label="Flat above the takeaway", place_type="cuckooed", postcode="SS1 2AA"
    )
    services.link_create(
        actor=world.sam,
        kind="person_place",
        ends={"person": partner_person, "place": hotspot},
        observed_on=timezone.localdate(),
        evidence="Seen going in and out by neighbours",
    )
    services.link_create(
        actor=world.sam,
        kind="child_person",
        ends={"child": kai, "person": partner_person},
        observed_on=timezone.localdate(),
        evidence="Kai named Dee as the person who bought his train ticket",
    )
    police_person = services.person_create(
        actor=world.pete,
        first_name="Marcus",
        last_name="Vell",
        kind="adult",
        grading=services.Grading(
            access_level=AccessLevel.POLICE_ONLY, source_evaluation="1", assessment="B"
        ),
    )
    police_link = services.link_create(
        actor=world.pete,
        kind="child_person",
        ends={"child": kai, "person": police_person},
        observed_on=timezone.localdate(),
        evidence="Covert source: Kai is running a line for Vell",
        grading=services.Grading(access_level=AccessLevel.POLICE_ONLY),
    )
    return Story(kai, tyler, kai_ep, tyler_ep, partner_person, police_person, police_link, hotspot)
