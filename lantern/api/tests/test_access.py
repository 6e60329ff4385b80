"""The API obeys the persona matrix and refuses every operation without valid credentials."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from lantern.api.tests.conftest import RESOURCES
from lantern.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["sam", "maria", "chris", "pete", "rita"])
def test_linked_organisations_see_the_child(api, world, records, name):
    client = api(getattr(world, name))
    for resource in RESOURCES:
        listed = client.get(f"/api/{resource}/")
        assert listed.status_code == 200
        assert [row["id"] for row in listed.json()["results"]] == [
            int(records.path(resource).split("/")[3])
        ], resource
        assert client.get(records.path(resource)).status_code == 200, resource


@pytest.mark.parametrize("name", ["bella", "priya"])
def test_unrelated_organisations_get_an_empty_list_and_404(api, world, records, name):
    client = api(getattr(world, name))
    for resource in RESOURCES:
        listed = client.get(f"/api/{resource}/")
        assert listed.status_code == 200
        assert listed.json()["results"] == [], resource
        detail = client.get(records.path(resource))
        assert detail.status_code == 404, resource
        assert set(detail.json()) == {"detail"}


@pytest.mark.parametrize("name", ["bella", "priya"])
def test_unrelated_organisations_cannot_write_and_change_nothing(api, world, records, name):
    client = api(getattr(world, name))
    before = AuditEvent.objects.count()
    episode, placement, child = records.episode, records.placement, records.child
    answers = [
        client.patch(f"/api/children/{child.pk}/", {"version": child.version, "first_name": "X"}),
        client.post(
            f"/api/episodes/{episode.pk}/return/",
            {"version": episode.version, "returned_at": "2020-01-01T00:00Z", "return_how": "self"},
        ),
        client.post(
            f"/api/placements/{placement.pk}/end/",
            {"version": placement.version, "ended_on": "2026-01-01"},
        ),
        client.post(
            "/api/episodes/",
            {
                "child": child.pk,
                "setting": "care",
                "whereabouts": "unknown",
                "last_seen_at": "2026-01-01T10:00Z",
                "reported_at": "2026-01-01T11:00Z",
                "reporter_kind": "police",
            },
        ),
        client.post(
            "/api/gradings/",
            {
                "episode": episode.pk,
                "grade": "high",
                "graded_at": "2026-01-01T10:00Z",
                "graded_by_name": "PC",
                "rationale": "Because",
            },
        ),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers)
    child.refresh_from_db()
    assert child.first_name == "Kayden"
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("name", ["andy", "olive"])
def test_analysts_and_administrators_get_403_on_row_level_endpoints(api, world, records, name):
    client = api(getattr(world, name))
    for resource in RESOURCES:
        for answer in (client.get(f"/api/{resource}/"), client.get(records.path(resource))):
            assert answer.status_code == 403, resource
            assert set(answer.json()) == {"detail"}


def test_analyst_cannot_write_either(api, world, records):
    answer = api(world.andy).patch(
        f"/api/children/{records.child.pk}/", {"version": 1, "first_name": "X"}
    )
    assert answer.status_code == 403


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, methods in schema["paths"].items():
        for method in methods:
            yield path, method


def _concrete(path: str, records) -> str:
    # Fill {id} with a real record's id so a refusal cannot be a 404 in disguise.
    resource = path.split("/")[2]
    if "{id}" not in path:
        return path
    pk = records.path(resource).split("/")[3]
    return re.sub(r"\{id\}", pk, path)


@pytest.mark.parametrize(
    "credentials",
    [None, "Token 0123456789abcdef0123456789abcdef01234567", "Token ", "Bearer abc", "Basic x"],
)
def test_every_operation_refuses_missing_or_invalid_credentials(api, world, records, credentials):
    operations = list(_operations())
    assert len(operations) >= 15
    before = AuditEvent.objects.count()
    for path, method in operations:
        client = api()
        if credentials is not None:
            client.credentials(HTTP_AUTHORIZATION=credentials)
        answer = getattr(client, method)(_concrete(path, records), {}, format="json")
        assert answer.status_code in (401, 403), (method, path, answer.status_code)
        assert set(answer.json()) == {"detail"}, (method, path)
    assert AuditEvent.objects.count() == before


def test_the_schema_needs_credentials_too(api, world):
    assert api().get("/api/schema/").status_code == 401
    assert api(world.sam).get("/api/schema/").status_code == 200


def test_no_credentials_means_401_with_a_token_challenge_not_a_redirect(api, records):
    answer = api().get("/api/children/")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == "Token"


def test_a_deactivated_users_token_stops_working(api, world, records):
    client = api(world.sam)
    world.sam.is_active = False
    world.sam.save(update_fields=["is_active"])
    assert client.get("/api/children/").status_code == 401


def test_session_sign_in_works_for_the_browsable_api(client, world, records):
    client.force_login(world.sam)
    answer = client.get("/api/children/", HTTP_ACCEPT="application/json")
    assert answer.status_code == 200
    assert answer.json()["results"][0]["id"] == records.child.pk


def test_the_api_token_command_issues_a_working_token(api, world, records):
    out = StringIO()
    call_command("api_token", "pete", stdout=out)
    token = out.getvalue().strip()
    assert api(token=token).get("/api/children/").status_code == 200
    event = AuditEvent.objects.filter(object_type="authtoken.token").latest("id")
    assert token not in str(event.detail) and token not in event.summary
    call_command("api_token", "pete", "--revoke", stdout=StringIO())
    assert api(token=token).get("/api/children/").status_code == 401
