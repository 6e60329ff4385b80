"""Forms and pages: recording items and links by hand, lists, detail pages, the child panel."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from lantern.audit.models import AuditEvent
from lantern.intelligence import queries
from lantern.intelligence.derive import derive_all
from lantern.intelligence.models import (
    DisruptionAction,
    Link,
    PersonOfConcern,
    Phone,
    Place,
    Vehicle,
)
from lantern.intelligence.tests.conftest import episode, make_child

GRADING = {
    "source_evaluation": "2",
    "assessment": "C",
    "handling_code": "P",
    "access_level": "partners",
}


def test_record_a_place_geocodes_to_the_sector(client, world):
    client.force_login(world.sam)
    response = client.post(
        reverse("intelligence:place_create"),
        {
            "label": "Station",
            "place_type": "transport",
            "postcode": "ss1 1aa",
            "risk_status": "suspected",
            **GRADING,
        },
    )
    place = Place.objects.get(label="Station")
    assert response.status_code == 302
    assert place.sector == "SS1 1" and place.la.ons_code == "E06000033"
    assert place.latitude is not None and place.grading == "2C P"
    assert AuditEvent.objects.filter(
        object_type="intelligence.place", object_id=str(place.pk)
    ).exists()


def test_place_needs_an_address_or_postcode(client, world):
    client.force_login(world.sam)
    response = client.post(
        reverse("intelligence:place_create"),
        {"label": "Somewhere", "place_type": "park", "risk_status": "none", **GRADING},
    )
    assert "Enter an address or a postcode" in response.content.decode()
    assert not Place.objects.exists()


def test_record_a_person_with_aliases(client, world):
    client.force_login(world.pete)
    response = client.post(
        reverse("intelligence:person_create"),
        {
            "first_name": "Jay",
            "last_name": "Cole",
            "aliases": "J\nJC",
            "kind": "adult",
            **GRADING,
            "access_level": "police",
        },
    )
    person = PersonOfConcern.objects.get()
    assert response.status_code == 302
    assert person.is_police_only
    assert sorted(a.name for a in person.aliases.all()) == ["J", "JC"]


def test_phone_is_normalised_and_not_recorded_twice(client, world):
    client.force_login(world.sam)
    data = {"kind": "number", "value": "+44 7700 900555", "deal_line": "on", **GRADING}
    client.post(reverse("intelligence:phone_create"), data)
    response = client.post(reverse("intelligence:phone_create"), {**data, "value": "07700900555"})
    assert Phone.objects.get().normalised == "07700900555"
    assert "already recorded" in response.content.decode()


def test_vehicle_registration_is_normalised(client, world):
    client.force_login(world.sam)
    client.post(
        reverse("intelligence:vehicle_create"), {"vrm": "ab12 cde", "make": "Ford", **GRADING}
    )
    assert Vehicle.objects.get().vrm == "AB12CDE"


def test_link_a_child_to_a_vehicle_by_references(client, world, story):
    client.force_login(world.sam)
    client.post(reverse("intelligence:vehicle_create"), {"vrm": "AB12CDE", **GRADING})
    response = client.post(
        reverse("intelligence:link_create"),
        {
            "first": story.kai.reference,
            "second": "ab12 cde",
            "relation": "drives",
            "observed_on": timezone.localdate().isoformat(),
            "evidence": "Seen getting into the car outside school",
            **GRADING,
        },
    )
    assert response.status_code == 302
    link = Link.objects.get(kind="child_vehicle")
    assert link.child == story.kai and link.vehicle.vrm == "AB12CDE"


def test_link_to_a_child_you_cannot_see_is_refused_like_a_missing_one(client, world, story):
    client.force_login(world.bella)
    response = client.post(
        reverse("intelligence:link_create"),
        {
            "first": story.kai.reference,
            "second": "PC0000001",
            "relation": "associate",
            "observed_on": "2026-01-01",
            "evidence": "x",
            **GRADING,
        },
    )
    assert "Enter a Lantern reference you can see" in response.content.decode()
    assert not Link.objects.filter(child=story.kai, recording_organisation=world.brighton).exists()


def test_disruption_action_is_logged(client, world, story):
    client.force_login(world.sam)
    client.post(
        reverse("intelligence:disruption_add", args=[story.hotspot.pk]),
        {"taken_on": timezone.localdate().isoformat(), "action": "Closure order granted"},
    )
    assert DisruptionAction.objects.get().action == "Closure order granted"


def test_place_page_shows_links_with_evidence(client, world, story):
    client.force_login(world.sam)
    response = client.get(reverse("intelligence:place_detail", args=[story.hotspot.pk]))
    assert "Seen going in and out by neighbours" in response.content.decode()


def test_pages_render_for_police(client, world, story):
    client.force_login(world.pete)
    for name in [
        "index",
        "network",
        "patterns",
        "place_list",
        "person_list",
        "phone_list",
        "vehicle_list",
        "map_found",
        "map_episodes",
        "volt",
        "placement_check",
        "notifications",
        "link_create",
    ]:
        assert client.get(reverse(f"intelligence:{name}")).status_code == 200, name


def test_child_panel_counts(world, story):
    panel = queries.child_panel(world.sam, story.kai)
    assert panel.found_together == 1
    assert panel.shared_phones == 1
    assert panel.link_count >= 4


def test_derive_all_recreates_links_made_without_signals(world, story):
    Link.objects.exclude(origin="manual").delete()
    result = derive_all()
    assert Link.objects.filter(relation="found_together").count() == 1
    assert Link.objects.filter(kind="child_phone").count() == 2
    assert result["links"] == Link.objects.exclude(origin="manual").count()
    assert derive_all()["links"] == 0


def test_child_without_links_has_an_empty_panel(world):
    child = make_child(world, "No", "Links")
    episode(world, child, start=timezone.now() - timedelta(days=3), hours=2)
    assert queries.child_panel(world.sam, child).link_count == 0
