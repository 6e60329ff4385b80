from datetime import date, timedelta

import pytest
from django.urls import reverse

from lantern.audit.models import Action, AuditEvent
from lantern.common.errors import ConcurrentEditError
from lantern.people import services
from lantern.people.models import Child, LeadProfessional, Placement


@pytest.fixture
def signed_in(client, world):
    client.force_login(world.sam)
    return client


# --- Who has seen this record ----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["maria", "chris"])
def test_managers_and_panel_chairs_see_who_has_seen_the_record(client, world, child, persona):
    client.force_login(world.sam)
    client.get(reverse("people:detail", args=[child.pk]))
    client.force_login(getattr(world, persona))
    response = client.get(reverse("people:access_log", args=[child.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Viewed the child&#x27;s record" in content
    assert "<td>sam</td>" in content
    assert "Practitioner" in content


def test_viewing_the_access_log_is_audited(client, world, child):
    client.force_login(world.maria)
    client.get(reverse("people:access_log", args=[child.pk]))
    event = AuditEvent.objects.get(user_id=world.maria.pk, action=Action.VIEW)
    assert event.child_id == child.pk
    assert event.summary == "Viewed who has seen this record"


@pytest.mark.parametrize("persona", ["sam", "pete", "rita", "bella", "andy", "olive"])
def test_access_log_is_404_for_everyone_else(client, world, child, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("people:access_log", args=[child.pk])).status_code == 404


def test_access_log_link_is_shown_to_managers_only(client, world, child):
    url = reverse("people:access_log", args=[child.pk]).encode()
    client.force_login(world.maria)
    assert url in client.get(reverse("people:detail", args=[child.pk])).content
    client.force_login(world.sam)
    assert url not in client.get(reverse("people:detail", args=[child.pk])).content


# --- New child record ------------------------------------------------------------------------

CHILD_FORM = {
    "first_name": "Amira",
    "last_name": "Hassan",
    "date_of_birth": "2011-03-14",
    "sex": "F",
    "ethnicity": "BAFR",
    "home_postcode": "n17 6aa",
    "care_status": "lac",
    "legal_status": "C2",
    "alias_first_name": "Mimi",
    "alias_kind": "known_as",
    "identifier_kind": "nhs",
    "identifier_value": "9434765919",
}


def test_create_form_defaults_home_authority_to_the_users_council(signed_in, world):
    response = signed_in.get(reverse("people:create"))
    assert response.context["form"]["home_la"].value() == world.haringey.pk


def test_create_makes_the_record_with_alias_and_identifier(signed_in, world):
    data = {**CHILD_FORM, "home_la": world.haringey.pk, "identifier_issuer": world.haringey.pk}
    response = signed_in.post(reverse("people:create"), data)
    child = Child.objects.get(first_name="Amira")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[child.pk])
    assert (child.home_postcode, child.legal_status) == ("N17 6AA", "C2")
    assert [str(a) for a in child.aliases.all()] == ["Mimi"]
    assert child.identifiers.get().issuing_organisation == world.haringey
    assert AuditEvent.objects.filter(action=Action.CREATE, child_id=child.pk).exists()


def test_create_errors_keep_what_was_typed(signed_in, world):
    data = {**CHILD_FORM, "home_la": world.haringey.pk, "identifier_issuer": world.haringey.pk}
    data.update(first_name="", date_of_birth="2011-02-31", home_postcode="not a postcode")
    response = signed_in.post(reverse("people:create"), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content
    assert '<a href="#id_first_name">Enter the child&#x27;s first name</a>' in content
    assert '<a href="#id_date_of_birth">Enter a real date, like 14/03/2011</a>' in content
    assert 'value="Hassan"' in content
    assert 'value="not a postcode"' in content
    assert not Child.objects.filter(last_name="Hassan").exists()


def test_create_shows_service_errors_on_the_right_field(signed_in, world):
    data = {**CHILD_FORM, "home_la": world.haringey.pk, "identifier_issuer": world.haringey.pk}
    data.update(care_status="cin", home_postcode="N17")
    content = signed_in.post(reverse("people:create"), data).content.decode()
    assert (
        '<a href="#id_legal_status">Only give a legal status for a child who is looked after'
        in content
    )
    assert not Child.objects.filter(last_name="Hassan").exists()


def test_create_is_404_for_a_panel_member_without_write_access(client, world):
    from lantern.accounts.models import Membership

    Membership.objects.filter(user=world.chris).update(role="panel_member")
    client.force_login(world.chris)
    assert client.get(reverse("people:create")).status_code == 404


# --- Placements ------------------------------------------------------------------------------


def test_placement_add_derives_host_authority_and_out_of_area(signed_in, world, child):
    started = date.today() - timedelta(days=3)
    response = signed_in.post(
        reverse("people:placement_add", args=[child.pk]),
        {
            "placing_la": world.haringey.pk,
            "place": "K2",
            "provider": "PR4",
            "postcode": "bn1 1aa",
            "started_on": started.isoformat(),
        },
    )
    assert response.status_code == 302
    placement = child.placements.get()
    assert (placement.postcode, placement.host_la, placement.location) == (
        "BN1 1AA",
        world.brighton,
        "OUT",
    )
    assert placement.distance_miles > 40
    page = signed_in.get(response["Location"]).content.decode()
    assert "Placement added in Brighton and Hove. It is out of area" in page


def test_placement_form_defaults_placing_authority(signed_in, world, child):
    response = signed_in.get(reverse("people:placement_add", args=[child.pk]))
    assert response.context["form"]["placing_la"].value() == world.haringey.pk


def test_placement_errors_are_summarised_and_typed_values_kept(signed_in, world, child):
    response = signed_in.post(
        reverse("people:placement_add", args=[child.pk]),
        {
            "placing_la": world.haringey.pk,
            "place": "K2",
            "provider": "",
            "postcode": "ZZ9 9ZZ",
            "started_on": (date.today() + timedelta(days=5)).isoformat(),
        },
    )
    content = response.content.decode()
    assert "There is a problem" in content
    assert '<a href="#id_provider">Select the placement provider</a>' in content
    assert 'value="ZZ9 9ZZ"' in content
    assert not child.placements.exists()


def test_service_errors_are_shown_on_their_fields(signed_in, world, child):
    response = signed_in.post(
        reverse("people:placement_add", args=[child.pk]),
        {
            "placing_la": world.haringey.pk,
            "place": "K2",
            "provider": "PR4",
            "postcode": "ZZ9 9ZZ",
            "started_on": (date.today() + timedelta(days=5)).isoformat(),
        },
    )
    content = response.content.decode()
    assert '<a href="#id_postcode">Enter a real postcode, like N17 6AA</a>' in content
    assert (
        '<a href="#id_started_on">Placement start date must be today or in the past</a>' in content
    )


@pytest.mark.parametrize("persona", ["bella", "andy"])
def test_placement_forms_are_404_for_users_who_cannot_change_the_record(
    client, world, child, persona
):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("people:placement_add", args=[child.pk])).status_code == 404


@pytest.fixture
def placement(world, child):
    return services.placement_add(
        actor=world.sam,
        child=child,
        placing_la=world.haringey,
        place="U6",
        provider="PR1",
        postcode="N17 6AA",
        started_on=date.today() - timedelta(days=30),
    )


def test_placement_end_ends_the_placement(signed_in, child, placement):
    ended = date.today() - timedelta(days=1)
    response = signed_in.post(
        reverse("people:placement_end", args=[child.pk, placement.pk]),
        {"version": placement.version, "ended_on": ended.isoformat()},
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.ended_on == ended


def test_placement_end_after_someone_else_saved_shows_the_conflict(
    signed_in, world, child, placement
):
    form_version = placement.version
    services.placement_end(
        actor=world.maria,
        placement=placement,
        version=placement.version,
        ended_on=date.today() - timedelta(days=2),
    )
    response = signed_in.post(
        reverse("people:placement_end", args=[child.pk, placement.pk]),
        {"version": form_version, "ended_on": (date.today() - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200
    assert ConcurrentEditError.MESSAGE.encode() in response.content.replace(b"&#x27;", b"'")
    placement.refresh_from_db()
    assert placement.ended_on == date.today() - timedelta(days=2)


def test_placement_end_form_carries_the_version(signed_in, child, placement):
    response = signed_in.get(reverse("people:placement_end", args=[child.pk, placement.pk]))
    assert f'name="version" value="{placement.version}"'.encode() in response.content


def test_placement_of_another_child_is_404(signed_in, world, child, placement):
    from lantern.people.tests.helpers import make_child

    other = make_child(world.sam, first_name="Ali", last_name="Khan", home_la=world.haringey)
    url = reverse("people:placement_end", args=[other.pk, placement.pk])
    assert signed_in.get(url).status_code == 404


# --- Lead professional -----------------------------------------------------------------------


def test_lead_change_records_the_new_lead_and_ends_the_old(signed_in, world, child):
    services.lead_professional_assign(
        actor=world.sam,
        child=child,
        name="Jo Brown",
        organisation=world.haringey,
        started_on=date.today() - timedelta(days=200),
    )
    response = signed_in.post(
        reverse("people:lead_change", args=[child.pk]),
        {
            "name": "Lee Green",
            "job_title": "Social worker",
            "organisation": world.haringey.pk,
            "started_on": date.today().isoformat(),
            "reason_for_change": "Jo left the team",
        },
    )
    assert response.status_code == 302
    leads = list(LeadProfessional.objects.filter(child=child))
    assert [(lead.name, lead.ended_on) for lead in leads] == [
        ("Lee Green", None),
        ("Jo Brown", date.today()),
    ]
    page = signed_in.get(response["Location"]).content.decode()
    assert "1 change of lead professional in the last 12 months" in page


def test_lead_change_errors_keep_what_was_typed(signed_in, world, child):
    response = signed_in.post(
        reverse("people:lead_change", args=[child.pk]),
        {
            "name": "",
            "job_title": "Youth worker",
            "organisation": world.haringey.pk,
            "started_on": (date.today() + timedelta(days=3)).isoformat(),
        },
    )
    content = response.content.decode()
    assert '<a href="#id_name">Enter the lead professional&#x27;s name</a>' in content
    assert 'value="Youth worker"' in content
    assert not LeadProfessional.objects.filter(child=child).exists()


def test_lead_change_shows_the_service_error_for_a_future_date(signed_in, world, child):
    response = signed_in.post(
        reverse("people:lead_change", args=[child.pk]),
        {
            "name": "Lee Green",
            "organisation": world.haringey.pk,
            "started_on": (date.today() + timedelta(days=3)).isoformat(),
        },
    )
    assert b"must be today or in the past" in response.content
    assert not Placement.objects.exists()
    assert not LeadProfessional.objects.filter(child=child).exists()
