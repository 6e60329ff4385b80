from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lantern.audit.models import Action, AuditEvent
from lantern.people import queries, services
from lantern.people.tests.helpers import make_child


def found(user, query):
    return [hit.child for hit in queries.child_search(user=user, query=query).hits]


@pytest.fixture
def nhs_child(world, child):
    services.alias_add(
        actor=world.sam, child=child, kind="street", first_name="Kaz", last_name="Dee"
    )
    return child


def test_typo_in_both_names_finds_the_child(world, child):
    assert found(world.sam, "Kaiden Smith") == [child]


def test_partial_name_finds_the_child(world, child):
    assert child in found(world.sam, "Kay")
    assert child in found(world.sam, "smy")


def test_alias_finds_the_child_and_says_so(world, nhs_child):
    result = queries.child_search(user=world.sam, query="Kaz")
    assert [h.child for h in result.hits] == [nhs_child]
    assert "Alias: Kaz Dee" in result.hits[0].reasons


def test_identifier_finds_the_child_typed_with_spaces(world):
    child = make_child(
        world.sam,
        first_name="Amira",
        last_name="Hassan",
        home_la=world.haringey,
        identifiers=[services.IdentifierInput("nhs", "9434765919", world.haringey)],
    )
    result = queries.child_search(user=world.sam, query="943 476 5919")
    assert [h.child for h in result.hits] == [child]
    assert result.hits[0].reasons == ("NHS number (Haringey)",)


@pytest.mark.parametrize("typed", ["{d:%d/%m/%Y}", "{d:%Y-%m-%d}", "{d.day}/{d.month}/{d.year}"])
def test_date_of_birth_finds_the_child_in_either_format(world, child, typed):
    assert found(world.sam, typed.format(d=child.date_of_birth)) == [child]


def test_name_with_date_of_birth_needs_both_to_match(world, child):
    make_child(
        world.sam,
        first_name="Zara",
        last_name="Ali",
        home_la=world.haringey,
        date_of_birth=child.date_of_birth,
    )
    assert found(world.sam, f"Kayden {child.date_of_birth:%d/%m/%Y}") == [child]


def test_lantern_reference_finds_the_child(world, child):
    assert found(world.sam, child.reference) == [child]
    assert found(world.sam, child.reference.lower()) == [child]


def test_closest_spelling_ranks_first(world, child):
    smith = make_child(world.sam, first_name="Kayden", last_name="Smith", home_la=world.haringey)
    make_child(world.sam, first_name="Kylie", last_name="Smart", home_la=world.haringey)
    assert found(world.sam, "Kayden Smith")[:2] == [smith, child]


def test_unrelated_organisations_find_nothing(world, child):
    for user in (world.bella, world.priya):
        assert found(user, "Kayden Smyth") == []
        assert found(user, child.reference) == []
        assert found(user, f"{child.date_of_birth:%d/%m/%Y}") == []


def test_search_returns_only_visible_children_among_namesakes(world, child):
    brighton_kayden = make_child(
        world.bella, first_name="Kayden", last_name="Smyth", home_la=world.brighton
    )
    assert found(world.sam, "Kayden Smyth") == [child]
    assert found(world.bella, "Kayden Smyth") == [brighton_kayden]


def test_analyst_search_returns_nothing(world, child):
    assert found(world.andy, "Kayden Smyth") == []


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("Kayden Smith", "name"),
        ("14/03/2011", "date_of_birth"),
        ("Kayden 2011-03-14", "date_of_birth+name"),
        ("LC0000123", "reference"),
        ("9434765919", "identifier"),
        ("   ", "empty"),
    ],
)
def test_query_kind_names_the_parts_only(query, kind):
    assert queries.search_parse(query).kind == kind


def test_impossible_date_is_not_a_date_of_birth():
    assert queries.search_parse("31/02/2011").dates == ()


@pytest.mark.parametrize(
    ("token", "bound"), [("smi", "smj"), ("kaz", "kb"), ("a9", "aa"), ("zz", None)]
)
def test_prefix_upper_bound(token, bound):
    assert queries._prefix_upper_bound(token) == bound


# --- The search page ---------------------------------------------------------------------------


def test_search_page_shows_the_form(client, world):
    client.force_login(world.sam)
    response = client.get(reverse("people:search"))
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert not AuditEvent.objects.filter(action=Action.SEARCH).exists()


def test_search_by_post_shows_results_and_audits_ids_not_the_query(client, world, child):
    client.force_login(world.sam)
    response = client.post(reverse("people:search"), {"query": "Kaiden Smith"})
    assert response.status_code == 200
    assert reverse("people:detail", args=[child.pk]).encode() in response.content
    event = AuditEvent.objects.get(action=Action.SEARCH)
    assert event.user_id == world.sam.pk
    assert event.detail["shown"] == [child.pk]
    assert event.detail["query_kind"] == "name"
    assert "Kaiden" not in str(event.detail) + event.summary


def test_search_with_a_date_of_birth_does_not_store_it(client, world, child):
    client.force_login(world.sam)
    typed = f"{child.date_of_birth:%d/%m/%Y}"
    client.post(reverse("people:search"), {"query": typed})
    event = AuditEvent.objects.get(action=Action.SEARCH)
    assert event.detail["query_kind"] == "date_of_birth"
    assert typed not in str(event.detail)
    assert str(child.date_of_birth) not in str(event.detail)


def test_search_by_unrelated_user_shows_nothing_and_audits_empty(client, world, child):
    client.force_login(world.bella)
    response = client.post(reverse("people:search"), {"query": "Kayden Smyth"})
    assert b"No children found" in response.content
    assert b"Smyth" not in response.content.replace(b'value="Kayden Smyth"', b"")
    assert AuditEvent.objects.get(action=Action.SEARCH).detail["shown"] == []


def test_empty_search_shows_an_error_linked_to_the_field(client, world):
    client.force_login(world.sam)
    response = client.post(reverse("people:search"), {"query": ""})
    content = response.content.decode()
    assert "There is a problem" in content
    assert 'href="#id_query"' in content
    assert "Enter a name, date of birth, identifier or Lantern reference" in content


@pytest.mark.parametrize("persona", ["andy", "olive"])
def test_analysts_and_admins_are_told_they_cannot_search(client, world, child, persona):
    client.force_login(getattr(world, persona))
    response = client.post(reverse("people:search"), {"query": "Kayden"})
    assert response.status_code == 403
    assert b"cannot open children" in response.content
    assert b"Smyth" not in response.content
    assert not AuditEvent.objects.filter(action=Action.SEARCH).exists()


def _count_search_queries(client, query):
    with CaptureQueriesContext(connection) as captured:
        response = client.post(reverse("people:search"), {"query": query})
    assert response.status_code == 200
    return len(captured), response


def test_search_makes_the_same_number_of_queries_for_1_or_30_matches(client, world, child):
    client.force_login(world.sam)
    one, _ = _count_search_queries(client, "Kayden Smyth")
    for n in range(29):
        make_child(
            world.sam,
            first_name="Kayden",
            last_name="Smyth",
            home_la=world.haringey,
            date_of_birth=date(2011, 1, 1 + n % 28),
            aliases=[("alias", f"K{n}", "Dee")],
        )
    thirty, response = _count_search_queries(client, "Kayden Smyth")
    assert response.content.count(b"Kayden Smyth</a>") == 30
    assert thirty == one <= 20
