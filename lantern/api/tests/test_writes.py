"""Writes go through the services: their rules, their messages, their audit, their versions."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from lantern.api.serializers import VERSION_REQUIRED
from lantern.audit.models import Action, AuditEvent
from lantern.common.errors import ConcurrentEditError
from lantern.episodes import services as episode_services
from lantern.episodes.models import MissingEpisode, PoliceGrading
from lantern.interviews import services as interview_services
from lantern.people import services as people_services
from lantern.people.models import Placement

pytestmark = pytest.mark.django_db


def iso(moment) -> str:
    return moment.isoformat()


def episode_body(child, **overrides):
    now = timezone.now()
    body = {
        "child": child.pk,
        "setting": "care",
        "whereabouts": "unknown",
        "last_seen_at": iso(now - timedelta(hours=6)),
        "reported_at": iso(now - timedelta(hours=5)),
        "reporter_kind": "foster_carer",
        "police_force": None,
        "last_seen_postcode": "n17 6aa",
    }
    body.update(overrides)
    return body


def test_reporting_an_episode_runs_the_service(api, world, child):
    answer = api(world.sam).post("/api/episodes/", episode_body(child, police_force=world.met.pk))
    assert answer.status_code == 201, answer.json()
    episode = MissingEpisode.objects.get(pk=answer.json()["id"])
    assert answer.json()["category"] == "missing_care"
    assert episode.last_seen_postcode == "N17 6AA"  # normalised by the service
    assert episode.recording_organisation == world.haringey
    event = AuditEvent.objects.filter(
        action=Action.CREATE, object_type="episodes.missingepisode", object_id=str(episode.pk)
    ).get()
    assert event.summary == "Reported a missing episode"
    assert event.child_id == child.pk


def test_service_rules_come_back_as_400_with_their_messages(api, world, child):
    future = timezone.now() + timedelta(hours=2)
    answer = api(world.sam).post(
        "/api/episodes/",
        episode_body(child, last_seen_at=iso(future), reported_at=iso(future)),
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "last_seen_at": [episode_services.LAST_SEEN_FUTURE],
        "reported_at": [episode_services.REPORTED_FUTURE],
    }
    assert not MissingEpisode.objects.exists()


def test_unknown_codes_get_the_services_message(api, world, child):
    answer = api(world.sam).post("/api/episodes/", episode_body(child, setting="pub"))
    assert answer.status_code == 400
    assert answer.json() == {"setting": [episode_services.SETTING_REQUIRED]}


def test_overlapping_episodes_are_refused(api, world, child):
    client = api(world.sam)
    assert client.post("/api/episodes/", episode_body(child)).status_code == 201
    again = client.post(
        "/api/episodes/",
        episode_body(
            child,
            last_seen_at=iso(timezone.now() - timedelta(hours=3)),
            reported_at=iso(timezone.now() - timedelta(hours=2)),
        ),
    )
    assert again.status_code == 400
    assert again.json() == {"last_seen_at": [episode_services.EPISODE_OVERLAP]}
    assert MissingEpisode.objects.count() == 1


def test_an_unknown_police_force_is_refused_in_the_services_words(api, world, child):
    answer = api(world.sam).post(
        "/api/episodes/", episode_body(child, police_force=world.brighton.pk)
    )
    assert answer.status_code == 400
    assert answer.json() == {"police_force": [episode_services.POLICE_FORCE_NOT_FORCE]}


def _open_episode(world, child):
    now = timezone.now()
    return episode_services.episode_report(
        actor=world.sam,
        child=child,
        setting="care",
        whereabouts="unknown",
        last_seen_at=now - timedelta(hours=10),
        reported_at=now - timedelta(hours=9),
        reporter_kind="foster_carer",
        police_force=world.met,
    )


def test_recording_the_return_bumps_the_version(api, world, child):
    episode = _open_episode(world, child)
    answer = api(world.sam).post(
        f"/api/episodes/{episode.pk}/return/",
        {
            "version": episode.version,
            "returned_at": iso(timezone.now() - timedelta(hours=1)),
            "return_how": "police",
            "found_postcode": "N17 6AA",
        },
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["version"] == episode.version + 1
    assert answer.json()["found_la"] == world.haringey.pk
    event = AuditEvent.objects.filter(
        action=Action.UPDATE, object_type="episodes.missingepisode", object_id=str(episode.pk)
    ).get()
    assert "returned_at" in event.detail["changes"]


def test_a_stale_version_is_a_409_and_changes_nothing(api, world, child):
    episode = _open_episode(world, child)
    answer = api(world.sam).post(
        f"/api/episodes/{episode.pk}/return/",
        {
            "version": episode.version + 5,
            "returned_at": iso(timezone.now() - timedelta(hours=1)),
            "return_how": "police",
        },
    )
    assert answer.status_code == 409
    assert answer.json() == {"detail": ConcurrentEditError.MESSAGE}
    episode.refresh_from_db()
    assert episode.returned_at is None


def test_updates_need_the_version(api, world, child):
    episode = _open_episode(world, child)
    answer = api(world.sam).post(
        f"/api/episodes/{episode.pk}/return/",
        {"returned_at": iso(timezone.now()), "return_how": "police"},
    )
    assert answer.status_code == 400
    assert answer.json() == {"version": [VERSION_REQUIRED]}


def test_changing_a_child_uses_the_version(api, world, child):
    client = api(world.sam)
    changed = client.patch(
        f"/api/children/{child.pk}/", {"version": child.version, "preferred_name": "Kay"}
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["preferred_name"] == "Kay"
    assert changed.json()["first_name"] == "Kayden"  # untouched fields stay as they were
    stale = client.patch(
        f"/api/children/{child.pk}/", {"version": child.version, "preferred_name": "K"}
    )
    assert stale.status_code == 409
    child.refresh_from_db()
    assert child.preferred_name == "Kay"


def test_a_child_update_that_breaks_a_rule_is_a_400(api, world, child):
    answer = api(world.sam).patch(
        f"/api/children/{child.pk}/",
        {"version": child.version, "date_of_birth": (date.today() + timedelta(days=3)).isoformat()},
    )
    assert answer.status_code == 400
    assert answer.json() == {"date_of_birth": [people_services.DOB_IN_FUTURE]}


def test_recording_a_grading(api, world, child):
    episode = _open_episode(world, child)
    answer = api(world.pete).post(
        "/api/gradings/",
        {
            "episode": episode.pk,
            "grade": "high",
            "graded_at": iso(timezone.now() - timedelta(hours=8)),
            "graded_by_name": "Insp Hale",
            "rationale": "Known to associate with older males",
        },
    )
    assert answer.status_code == 201, answer.json()
    grading = PoliceGrading.objects.get(pk=answer.json()["id"])
    assert grading.organisation == world.met  # the caller's organisation, as on the page


def test_a_grading_without_a_rationale_is_refused(api, world, child):
    episode = _open_episode(world, child)
    answer = api(world.pete).post(
        "/api/gradings/",
        {
            "episode": episode.pk,
            "grade": "high",
            "graded_at": iso(timezone.now() - timedelta(hours=8)),
            "graded_by_name": "Insp Hale",
            "rationale": "   ",
        },
    )
    assert answer.status_code == 400
    assert answer.json() == {"rationale": [episode_services.RATIONALE_REQUIRED]}


def test_recording_an_interview(api, world, records):
    episode = records.episode
    answer = api(world.rita).post(
        "/api/interviews/",
        {
            "child": records.child.pk,
            "episodes": [episode.pk],
            "status": "completed",
            "offered_at": iso(episode.returned_at + timedelta(hours=2)),
            "offered_by_name": "Rita",
            "completed_at": iso(episode.returned_at + timedelta(hours=20)),
            "push_factors": ["school"],
            "disclosures": [
                {
                    "text": "Was told to carry a bag",
                    "exploitation_type": "cce",
                    "is_exploitation_indicator": True,
                }
            ],
        },
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["offered_by_organisation"] == world.charity.pk
    assert body["push_factors"] == ["school"]
    assert body["disclosure_count"] == 1
    assert body["exploitation_indicators"] == ["cce"]
    assert "Was told" not in answer.content.decode()


def test_an_interview_for_an_open_episode_is_refused(api, world, child):
    episode = _open_episode(world, child)
    answer = api(world.sam).post(
        "/api/interviews/",
        {
            "child": child.pk,
            "episodes": [episode.pk],
            "status": "offered",
            "offered_at": iso(timezone.now() - timedelta(hours=1)),
            "offered_by_name": "Sam",
        },
    )
    assert answer.status_code == 400
    assert answer.json() == {"episodes": [interview_services.EPISODE_NOT_RETURNED]}


def test_an_interview_cannot_name_another_childs_episode(api, world, records, child):
    other = people_services.child_create(
        actor=world.sam,
        first_name="Other",
        last_name="Child",
        date_of_birth=date(2012, 1, 1),
        home_la=world.haringey,
    )
    answer = api(world.sam).post(
        "/api/interviews/",
        {
            "child": other.pk,
            "episodes": [records.episode.pk],
            "status": "offered",
            "offered_at": iso(timezone.now() - timedelta(hours=1)),
            "offered_by_name": "Sam",
        },
    )
    assert answer.status_code == 400
    assert answer.json() == {"episodes": [interview_services.EPISODE_OTHER_CHILD]}


def test_adding_and_ending_a_placement(api, world, child):
    client = api(world.sam)
    added = client.post(
        "/api/placements/",
        {
            "child": child.pk,
            "place": "K2",
            "provider": "PR4",
            "postcode": "BN1 1AA",
            "started_on": (date.today() - timedelta(days=30)).isoformat(),
        },
    )
    assert added.status_code == 201, added.json()
    assert added.json()["placing_la"] == world.haringey.pk
    assert added.json()["location"] == "OUT"
    assert added.json()["host_la"] == world.brighton.pk
    pk, version = added.json()["id"], added.json()["version"]
    ended_on = (date.today() - timedelta(days=1)).isoformat()
    stale = client.post(
        f"/api/placements/{pk}/end/", {"version": version + 1, "ended_on": ended_on}
    )
    assert stale.status_code == 409
    ended = client.post(f"/api/placements/{pk}/end/", {"version": version, "ended_on": ended_on})
    assert ended.status_code == 200
    assert Placement.objects.get(pk=pk).ended_on.isoformat() == ended_on


def test_a_placement_with_an_unknown_postcode_is_refused(api, world, child):
    answer = api(world.sam).post(
        "/api/placements/",
        {
            "child": child.pk,
            "place": "K2",
            "provider": "PR4",
            "postcode": "ZZ99 9ZZ",
            "started_on": "2025-01-01",
        },
    )
    assert answer.status_code == 400
    assert answer.json() == {"postcode": [people_services.POSTCODE_INVALID]}


def test_a_police_user_cannot_place_a_child(api, world, records):
    answer = api(world.pete).post(
        "/api/placements/",
        {
            "child": records.child.pk,
            "place": "K2",
            "provider": "PR4",
            "postcode": "N17 6AA",
            "started_on": "2025-01-01",
        },
    )
    assert answer.status_code == 400
    assert answer.json() == {"placing_la": [people_services.PLACING_LA_NOT_LA]}


def test_screenings_are_read_only(api, world, records):
    client = api(world.sam)
    assert client.post("/api/screenings/", {}).status_code == 405
    assert client.delete(records.path("screenings")).status_code == 405
