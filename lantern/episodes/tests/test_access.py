"""Need to know (AC1): users whose organisations have no link to the child, and analysts, get
404 on every episode and interview URL, for GET and POST, and nothing is written."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lantern.audit.models import AuditEvent
from lantern.episodes.models import MissingEpisode, PoliceGrading
from lantern.episodes.tests.factories import local_input, open_episode, returned_episode
from lantern.interviews import services as interview_services
from lantern.interviews.models import Disclosure, InterviewFactor, ReturnInterview

OUTSIDERS = ["bella", "priya", "andy"]


@pytest.fixture
def records(world, child):
    returned = returned_episode(world, child, hours_ago=60, back_hours_ago=40)
    interview = interview_services.interview_record(
        actor=world.sam,
        child=child,
        episodes=[returned],
        status="offered",
        offered_at=returned.returned_at + timedelta(hours=1),
        offered_by_name="Sam",
        offered_by_organisation=world.haringey,
        conducted_by_organisation=world.haringey,
    )
    current = open_episode(world, child, hours_ago=10)
    return {"returned": returned, "open": current, "interview": interview}


def urls_and_posts(world, child, records):
    now = timezone.now()
    episode = records["open"]
    when = local_input(now - timedelta(hours=1))
    return [
        (
            reverse("episodes:report", kwargs={"child_pk": child.pk}),
            {
                "setting": "home",
                "whereabouts": "unknown",
                "last_seen_at": when,
                "reported_at": when,
                "reporter_kind": "police",
            },
        ),
        (reverse("episodes:detail", kwargs={"pk": episode.pk}), {}),
        (
            reverse("episodes:grade", kwargs={"pk": episode.pk}),
            {
                "grade": "high",
                "scheme": "app_current",
                "graded_at": when,
                "graded_by_name": "Someone",
                "rationale": "Because",
            },
        ),
        (
            reverse("episodes:return", kwargs={"pk": episode.pk}),
            {"version": str(episode.version), "returned_at": when, "return_how": "police"},
        ),
        (
            reverse("interviews:record", kwargs={"child_pk": child.pk})
            + f"?episode={records['returned'].pk}",
            {
                "episodes": [str(records["returned"].pk)],
                "status": "declined",
                "offered_at": when,
                "offered_by_name": "Someone",
                "offered_by_organisation": str(world.sussex.pk),
                "conducted_by_organisation": str(world.sussex.pk),
                "disclosure-TOTAL_FORMS": "0",
                "disclosure-INITIAL_FORMS": "0",
            },
        ),
        (reverse("interviews:detail", kwargs={"pk": records["interview"].pk}), {}),
    ]


def database_state(episode):
    episode.refresh_from_db()
    return (
        MissingEpisode.objects.count(),
        PoliceGrading.objects.count(),
        ReturnInterview.objects.count(),
        InterviewFactor.objects.count(),
        Disclosure.objects.count(),
        AuditEvent.objects.count(),
        episode.version,
        episode.returned_at,
    )


@pytest.mark.parametrize("name", OUTSIDERS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsiders_get_404_and_change_nothing(client, world, child, records, name, method):
    client.force_login(getattr(world, name))
    before = database_state(records["open"])
    for url, data in urls_and_posts(world, child, records):
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code == 404, (name, method, url)
    assert database_state(records["open"]) == before


def test_missing_records_are_404_too(client, world):
    client.force_login(world.sam)
    for name, kwargs in [
        ("episodes:report", {"child_pk": 999999}),
        ("episodes:detail", {"pk": 999999}),
        ("episodes:grade", {"pk": 999999}),
        ("episodes:return", {"pk": 999999}),
        ("interviews:record", {"child_pk": 999999}),
        ("interviews:detail", {"pk": 999999}),
    ]:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name


def test_police_force_the_child_was_reported_to_can_read_and_grade(client, world, child, records):
    client.force_login(world.pete)
    episode = records["open"]
    assert client.get(reverse("episodes:detail", kwargs={"pk": episode.pk})).status_code == 200
    assert client.get(reverse("episodes:grade", kwargs={"pk": episode.pk})).status_code == 200


def test_sign_in_is_needed(client, child, records):
    url = reverse("episodes:detail", kwargs={"pk": records["open"].pk})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
