"""AD2, AD10: every intelligence page that shows children (networks, patterns, item pages, maps,
VOLT, placement checks, notifications) puts the viewer in each shown child's "who has seen this
record" log, with one event for the request."""

import pytest
from django.test import Client
from django.urls import reverse

from lantern.audit.models import AuditEvent, AuditEventChild
from lantern.audit.queries import child_access_log
from lantern.intelligence.models import Phone
from lantern.intelligence.tests.conftest import SHARED_PHONE


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, story) -> str:
    phone = Phone.objects.filter(normalised=SHARED_PHONE.replace(" ", "")).first()
    return {
        "child_network": reverse("intelligence:child_network", args=[story.kai.pk]),
        "network": reverse("intelligence:network"),
        "patterns": reverse("intelligence:patterns"),
        "person_detail": reverse("intelligence:person_detail", args=[story.partner_person.pk]),
        "phone_detail": reverse("intelligence:phone_detail", args=[phone.pk]),
        "map_flows": reverse("intelligence:map_flows"),
        "map_found": reverse("intelligence:map_found"),
        "map_episodes": reverse("intelligence:map_episodes"),
        "map_svg": reverse("intelligence:map_image", kwargs={"kind": "flows", "fmt": "svg"}),
        "volt": reverse("intelligence:volt"),
        "notifications": reverse("intelligence:notifications"),
    }[name]


# The page, and the story's children it must name (Kai and Tyler: "both"; Kai alone: "kai").
PAGES = [
    ("child_network", "both"),
    ("network", "both"),
    ("patterns", "both"),
    ("person_detail", "kai"),
    ("phone_detail", "both"),
    ("map_flows", "both"),
    ("map_found", "both"),
    ("map_episodes", "both"),
    ("map_svg", "both"),
    ("volt", "kai"),
    ("notifications", "both"),
]


@pytest.mark.parametrize("name, expected", PAGES)
def test_each_child_shown_has_the_viewer_in_their_log(world, story, name, expected):
    response = _client(world.sam).get(_url(name, story))
    assert response.status_code == 200
    _assert_logged(world.sam, response["X-Request-Id"], story, expected)


def test_a_placement_check_is_in_each_childs_log(world, story):
    response = _client(world.sam).post(
        reverse("intelligence:placement_check"), {"postcode": "ss1 1ad", "radius_km": "2.0"}
    )
    assert response.status_code == 200
    _assert_logged(world.sam, response["X-Request-Id"], story, "both")


def _assert_logged(user, request_id: str, story, expected: str) -> None:
    (event,) = AuditEvent.objects.filter(request_id=request_id)
    named = set(AuditEventChild.objects.filter(event=event).values_list("child_id", flat=True))
    wanted = {story.kai.pk, story.tyler.pk} if expected == "both" else {story.kai.pk}
    assert wanted <= named, (event.summary, named)
    # Only children the page could show: the detail lists them, the rows match it.
    assert named == set(event.detail["shown"])
    for child_id in named:
        assert any(e.pk == event.pk for e in child_access_log(child_id=child_id))
        assert event.user_id == user.pk


def test_the_clusters_page_names_only_the_children_it_lists(world, story):
    """A force's network holds far more children than the page names (a dozen per cluster);
    the log records the children named, and how many the network held."""
    response = _client(world.pete).get(reverse("intelligence:network"))
    event = AuditEvent.objects.get(request_id=response["X-Request-Id"])
    named = set(AuditEventChild.objects.filter(event=event).values_list("child_id", flat=True))
    text = response.content.decode()
    assert named == {story.kai.pk, story.tyler.pk}
    assert story.kai.reference in text and story.tyler.reference in text
    assert event.detail["children_in_network"] >= len(named)
