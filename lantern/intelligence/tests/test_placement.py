"""Placement check: nearby hotspots, people of concern, children found nearby and crime."""

import io
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from lantern.audit.models import Action, AuditEvent
from lantern.intelligence import services
from lantern.intelligence.models import Place
from lantern.intelligence.placement import placement_check

CITY = Path(__file__).parent / "data" / "2024-01-city-of-london-street.csv"


def test_nearby_hotspot_and_person_of_concern(world, story):
    result = placement_check(world.sam, postcode="SS1 1AD", radius_km=2)
    found_area = Place.objects.get(derived_key="found:SS1 1")
    assert {p.place.pk for p in result.places} == {story.hotspot.pk, found_area.pk}
    assert [p.person.pk for p in result.people] == [story.partner_person.pk]
    assert result.found_episodes == 2 and result.found_children == 2


def test_police_only_person_is_not_shown_to_partners(world, story):
    services.link_create(
        actor=world.pete,
        kind="person_place",
        ends={"person": story.police_person, "place": story.hotspot},
        observed_on=timezone.localdate(),
        evidence="Seen at the flat",
    )
    assert story.police_person.pk in [
        p.person.pk for p in placement_check(world.pete, postcode="SS1 1AD").people
    ]
    result = placement_check(world.sam, postcode="SS1 1AD", radius_km=2)
    assert story.police_person.pk not in [p.person.pk for p in result.people]


def test_far_away_postcode_finds_nothing(world, story):
    result = placement_check(world.sam, postcode="BN1 1AA", radius_km=2)
    assert result.places == [] and result.people == [] and result.found_episodes == 0


def test_unrelated_organisation_sees_no_children_found_nearby(world, story):
    result = placement_check(world.bella, postcode="SS1 1AD", radius_km=2)
    assert result.found_episodes == 0 and result.child_ids == []


def test_crime_counts_from_imported_files(world):
    call_command("police_crime_import", str(CITY), stdout=io.StringIO())
    result = placement_check(world.sam, postcode="EC1A 1BB", radius_km=1)
    assert result.crime.has_data and result.crime.drugs > 0


def test_placement_check_page_posts_the_postcode_and_audits(client, world, story):
    client.force_login(world.sam)
    response = client.post(
        reverse("intelligence:placement_check"), {"postcode": "ss1 1ad", "radius_km": "2.0"}
    )
    text = response.content.decode()
    assert "<h1>Placement check</h1>" in text
    assert "Flat above the takeaway" in text
    event = AuditEvent.objects.filter(object_type="intelligence.placement_check").latest("id")
    assert event.action == Action.SEARCH
    assert sorted(event.detail["shown"]) == sorted([story.kai.pk, story.tyler.pk])
    assert "SS1 1AD" not in str(event.detail) and "SS1 1AD" not in event.summary


def test_unknown_postcode_is_an_error_on_the_field(client, world):
    client.force_login(world.sam)
    response = client.post(
        reverse("intelligence:placement_check"), {"postcode": "ZZ9 9ZZ", "radius_km": "2.0"}
    )
    assert "Enter a postcode that exists" in response.content.decode()
