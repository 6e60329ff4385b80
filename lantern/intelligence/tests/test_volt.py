"""VOLT problem profile counts on a crafted dataset."""

from datetime import timedelta

from django.utils import timezone

from lantern.accounts.models import Organisation
from lantern.intelligence.tests.conftest import episode, make_child
from lantern.intelligence.volt import volt_profile

SOUTHEND = "E06000033"


def _profile(user, la, days=30):
    today = timezone.localdate()
    return volt_profile(user, la=la, start=today - timedelta(days=days), end=today)


def test_southend_profile_from_the_story(world, story):
    southend = Organisation.objects.get(ons_code=SOUTHEND)
    profile = _profile(world.sam, southend)
    assert {v.child.pk for v in profile.victims} == {story.kai.pk, story.tyler.pk}
    kai = next(v for v in profile.victims if v.child.pk == story.kai.pk)
    assert kai.episodes == 1 and kai.found_elsewhere == 1 and kai.exploited
    assert kai.exploitation == ["County lines"]
    assert [o.person.pk for o in profile.offenders] == [story.partner_person.pk]
    assert profile.offenders[0].children == 1 and profile.offenders[0].places == 1
    labels = {loc.label: loc for loc in profile.locations}
    assert labels["Found area SS1 1"].episodes == 2
    assert "Flat above the takeaway" in labels
    themes = {(t.group, t.label): t.count for t in profile.themes}
    assert themes[("Exploitation disclosed", "County lines")] == 1
    assert themes[("Pattern", "Found outside their home authority (episodes)")] == 2
    assert themes[("Pattern", "Found together with another child (links)")] == 1
    assert profile.totals == {
        "children": 2,
        "episodes": 2,
        "exploited": 1,
        "offenders": 1,
        "locations": len(profile.locations),
    }


def test_police_profile_includes_police_only_offender(world, story):
    southend = Organisation.objects.get(ons_code=SOUTHEND)
    profile = _profile(world.pete, southend)
    assert {o.person.pk for o in profile.offenders} == {
        story.partner_person.pk,
        story.police_person.pk,
    }


def test_unrelated_organisation_gets_an_empty_victim_list(world, story):
    southend = Organisation.objects.get(ons_code=SOUTHEND)
    assert _profile(world.bella, southend).victims == []


def test_period_outside_the_episodes_is_empty(world):
    child = make_child(world, "Old", "Case")
    episode(
        world, child, start=timezone.now() - timedelta(days=100), hours=5, found_postcode="SS1 1AA"
    )
    southend = Organisation.objects.get(ons_code=SOUTHEND)
    assert _profile(world.sam, southend, days=30).victims == []
    assert len(_profile(world.sam, southend, days=120).victims) == 1


def test_home_la_profile_counts_its_children_found_elsewhere(world, story):
    profile = _profile(world.sam, world.haringey)
    assert profile.totals["children"] == 2
