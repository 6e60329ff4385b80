"""The persona matrix for intelligence: who sees which children, items and links.

Sam (Haringey) sees Kai and Tyler and partner intelligence; Pete (Met police) sees them and the
police-only person and link too; Bella (Brighton), Priya (Sussex Police) and Andy (analyst) see
no node or edge of the Haringey children.
"""

import pytest
from django.urls import reverse

from lantern.audit.models import Action, AuditEvent
from lantern.intelligence import access, queries, services
from lantern.intelligence.models import Link, Place

UNRELATED = ["bella", "priya"]


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_practitioner_sees_the_childs_network(client, world, story):
    response = _get(client, world.sam, reverse("intelligence:child_network", args=[story.kai.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Tyler Brookes" in text
    assert "Found together" in text
    assert "Shared phone" in text


@pytest.mark.parametrize("name", [*UNRELATED, "andy", "olive"])
def test_unrelated_or_non_case_roles_get_404_for_the_network(client, world, story, name):
    response = _get(
        client, world.users[name], reverse("intelligence:child_network", args=[story.kai.pk])
    )
    assert response.status_code == 404


def test_partner_network_leaves_out_police_only_person_and_link(client, world, story):
    response = _get(client, world.sam, reverse("intelligence:child_network", args=[story.kai.pk]))
    text = response.content.decode()
    assert "Vell" not in text
    assert "Covert source" not in text
    assert "Police only" not in text


def test_police_network_includes_police_only_person_and_link(client, world, story):
    response = _get(client, world.pete, reverse("intelligence:child_network", args=[story.kai.pk]))
    text = response.content.decode()
    assert "Marcus Vell" in text
    assert "Covert source" in text


def test_police_only_person_page_is_404_for_partners(client, world, story):
    url = reverse("intelligence:person_detail", args=[story.police_person.pk])
    assert _get(client, world.sam, url).status_code == 404
    assert _get(client, world.pete, url).status_code == 200


@pytest.mark.parametrize("name", ["sam", "bella", "rita"])
def test_partners_never_see_police_only_items_in_lists(client, world, story, name):
    response = _get(client, world.users[name], reverse("intelligence:person_list"))
    assert response.status_code == 200
    assert "Vell" not in response.content.decode()
    assert "Dee" in response.content.decode()


@pytest.mark.parametrize("name", UNRELATED)
def test_unrelated_organisations_see_no_haringey_child_anywhere(client, world, story, name):
    user = world.users[name]
    pages = [
        reverse("intelligence:network"),
        reverse("intelligence:patterns"),
        reverse("intelligence:map_found"),
        reverse("intelligence:map_episodes"),
        reverse("intelligence:map_flows"),
        reverse("intelligence:notifications"),
        reverse("intelligence:phone_list"),
        reverse("intelligence:place_list"),
        reverse("intelligence:volt") + f"?la={world.haringey.pk}&start=2020-01-01&end=2021-12-31",
    ]
    for url in pages:
        response = _get(client, user, url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "Kai" not in text and "Tyler" not in text, url
        assert str(story.kai.reference) not in text, url


@pytest.mark.parametrize("name", UNRELATED)
def test_unrelated_organisations_get_no_nodes_or_edges(world, story, name):
    user = world.users[name]
    assert not access.links_visible_to(user).filter(child__isnull=False).exists()
    overview = queries.network_overview(user)
    assert overview.child_ids == []
    assert queries.patterns(user).child_ids == []


def test_derived_found_area_is_hidden_from_unrelated_organisations(client, world, story):
    place = Place.objects.get(derived_key="found:SS1 1")
    url = reverse("intelligence:place_detail", args=[place.pk])
    assert _get(client, world.bella, url).status_code == 404
    assert _get(client, world.sam, url).status_code == 200


@pytest.mark.parametrize(
    "url_name",
    [
        "intelligence:index",
        "intelligence:network",
        "intelligence:patterns",
        "intelligence:place_list",
        "intelligence:map_found",
        "intelligence:map_flows",
        "intelligence:volt",
        "intelligence:placement_check",
        "intelligence:notifications",
    ],
)
def test_analyst_gets_404_on_every_intelligence_page(client, world, url_name):
    assert _get(client, world.andy, reverse(url_name)).status_code == 404


def test_queryset_and_object_faces_agree(world, story):
    for user in [world.users[name] for name in ("sam", "pete", "bella", "priya", "rita", "andy")]:
        viewer = access.viewer_for(user)
        links = list(Link.objects.select_related("person", "person_b", "place", "phone", "vehicle"))
        visible_children = access.visible_child_ids(
            user, {c for link in links for c in (link.child_id, link.child_b_id)}
        )
        by_object = {
            link.pk for link in links if access.link_is_visible(viewer, link, visible_children)
        }
        by_query = set(access.links_visible_to(user).values_list("pk", flat=True))
        assert by_object == by_query, user.username


def test_network_view_is_audited_with_the_children_shown(client, world, story):
    _get(client, world.sam, reverse("intelligence:child_network", args=[story.kai.pk]))
    event = AuditEvent.objects.filter(action=Action.VIEW, child_id=story.kai.pk).latest("id")
    assert sorted(event.detail["shown"]) == sorted([story.kai.pk, story.tyler.pk])


def test_map_view_is_audited_with_the_children_counted(client, world, story):
    _get(client, world.sam, reverse("intelligence:map_flows"))
    event = AuditEvent.objects.filter(object_type="intelligence.map").latest("id")
    assert sorted(event.detail["shown"]) == sorted([story.kai.pk, story.tyler.pk])


def test_partner_cannot_record_police_only_intelligence(client, world):
    client.force_login(world.sam)
    response = client.post(
        reverse("intelligence:person_create"),
        {
            "known_as": "Zed",
            "kind": "adult",
            "source_evaluation": "2",
            "assessment": "D",
            "handling_code": "P",
            "access_level": "police",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_restricted_person_is_seen_by_the_recording_organisation_and_police_only(client, world):
    person = services.person_create(actor=world.sam, known_as="Kit", restricted=True)
    url = reverse("intelligence:person_detail", args=[person.pk])
    assert _get(client, world.maria, url).status_code == 200  # same organisation
    assert _get(client, world.pete, url).status_code == 200  # police
    assert _get(client, world.bella, url).status_code == 404
    assert _get(client, world.rita, url).status_code == 404
