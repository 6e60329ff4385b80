"""Links derived from episodes and interviews, and the patterns found in them."""

from datetime import timedelta

from django.utils import timezone

from lantern.intelligence import queries, signals
from lantern.intelligence.models import Link, LinkKind, Origin, Place, PlaceType, Relation
from lantern.intelligence.tests.conftest import SHARED_PHONE, episode, interview, make_child


def test_found_postcode_links_the_child_to_the_found_area(world, story):
    link = Link.objects.get(episode=story.kai_episode, relation=Relation.FOUND_AT)
    assert link.kind == LinkKind.CHILD_PLACE
    assert link.child_id == story.kai.pk
    assert link.place.place_type == PlaceType.FOUND_AREA
    assert link.place.sector == "SS1 1"
    assert link.origin == Origin.EPISODE


def test_found_area_is_kept_at_sector_resolution(world, story):
    place = Place.objects.get(derived_key="found:SS1 1")
    assert place.postcode == ""
    assert place.la.ons_code == "E06000033"


def test_overlapping_episodes_found_in_the_same_sector_are_found_together(world, story):
    link = Link.objects.get(relation=Relation.FOUND_TOGETHER)
    assert {link.child_id, link.child_b_id} == {story.kai.pk, story.tyler.pk}
    assert {link.episode_id, link.episode_b_id} == {story.kai_episode.pk, story.tyler_episode.pk}


def test_episodes_far_apart_in_time_are_not_found_together(world):
    a = make_child(world, "Ann", "One")
    b = make_child(world, "Bea", "Two")
    start = timezone.now() - timedelta(days=20)
    episode(world, a, start=start, hours=5, found_postcode="SS1 1AA")
    episode(world, b, start=start + timedelta(days=5), hours=5, found_postcode="SS1 1AA")
    assert not Link.objects.filter(relation=Relation.FOUND_TOGETHER).exists()


def test_episodes_in_different_sectors_are_not_found_together(world):
    a = make_child(world, "Ann", "One")
    b = make_child(world, "Bea", "Two")
    start = timezone.now() - timedelta(days=20)
    episode(world, a, start=start, hours=5, found_postcode="SS1 1AA")
    episode(world, b, start=start + timedelta(hours=1), hours=5, found_postcode="SS1 2AA")
    assert not Link.objects.filter(relation=Relation.FOUND_TOGETHER).exists()


def test_interview_phone_numbers_become_child_phone_links(world, story):
    links = Link.objects.filter(kind=LinkKind.CHILD_PHONE, origin=Origin.INTERVIEW)
    assert {link.child_id for link in links} == {story.kai.pk, story.tyler.pk}
    assert {link.phone.normalised for link in links} == {"07700900123"}
    assert all(link.interview_id for link in links)


def test_interview_postcodes_become_child_place_links(world, story):
    link = Link.objects.get(kind=LinkKind.CHILD_PLACE, origin=Origin.INTERVIEW)
    assert link.child_id == story.kai.pk
    assert link.place.sector == "SS1 2"


def test_deriving_again_creates_nothing_new(world, story):
    before = Link.objects.count()
    signals.episode_changed(story.kai_episode.pk, None)
    signals.interview_changed(story.kai_episode.interviews.get().pk)
    assert Link.objects.count() == before


def test_recurring_phone_is_found_with_both_children_as_evidence(world, story):
    result = queries.patterns(world.sam)
    assert len(result.recurring_phones) == 1
    recurring = result.recurring_phones[0]
    assert recurring.label == SHARED_PHONE
    assert {c.pk for c in recurring.children} == {story.kai.pk, story.tyler.pk}
    assert len(recurring.links) == 2


def test_recurring_found_place(world, story):
    result = queries.patterns(world.sam)
    assert [r.label for r in result.recurring_places] == ["Found area SS1 1"]


def test_peer_one_step_from_exploited_child(world, story):
    result = queries.patterns(world.sam)
    assert [(peer.pk, exploited.pk) for peer, exploited, _ in result.peers_of_exploited] == [
        (story.tyler.pk, story.kai.pk)
    ]


def test_exploited_children_come_from_exploitation_disclosures(world, story):
    assert queries.exploited_child_ids([story.kai.pk, story.tyler.pk]) == {story.kai.pk}


def test_missing_together_needs_the_same_last_seen_sector(world):
    a = make_child(world, "Ann", "One")
    b = make_child(world, "Bea", "Two")
    start = timezone.now() - timedelta(days=10)
    episode(world, a, start=start, hours=5, last_seen_postcode="N17 6AA")
    episode(world, b, start=start + timedelta(hours=1), hours=5, last_seen_postcode="N17 6AB")
    pairs = queries.patterns(world.sam).missing_together
    assert [{p.a.pk, p.b.pk} for p in pairs] == [{a.pk, b.pk}]


def test_interview_without_phone_or_postcode_derives_nothing(world):
    child = make_child(world, "Ann", "One")
    ep = episode(world, child, start=timezone.now() - timedelta(days=4), hours=5)
    interview(world, child, ep, where="At a friend's house", with_whom="A friend from school")
    assert not Link.objects.filter(origin=Origin.INTERVIEW).exists()
