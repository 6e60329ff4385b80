from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lantern.audit.models import Action, AuditEvent
from lantern.common.errors import ConcurrentEditError
from lantern.episodes import rules, services
from lantern.episodes.models import MissingEpisode, PoliceGrading
from lantern.episodes.tests.factories import (
    home_child,
    local_input,
    open_episode,
    returned_episode,
    to_minute,
)
from lantern.episodes.views import format_datetime


def report_data(world, **overrides):
    now = timezone.now()
    data = {
        "setting": "care",
        "whereabouts": "unknown",
        "last_seen_at": local_input(now - timedelta(hours=6)),
        "last_seen_place": "Bruce Grove station",
        "last_seen_postcode": "n17 6aa",
        "reported_at": local_input(now - timedelta(hours=5)),
        "reporter_kind": "foster_carer",
        "reporter_name": "Mrs Able",
        "reporting_organisation": "",
        "reported_to_police": "on",
        "police_force": str(world.met.pk),
        "police_reference": "CAD 1234/21",
        "circumstances": "Left after a phone call and did not come back for tea.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def sam_client(client, world):
    client.force_login(world.sam)
    return client


# --- Report ---------------------------------------------------------------------------------


def test_report_form_defaults_reporting_organisation_to_users(sam_client, world, child):
    response = sam_client.get(reverse("episodes:report", kwargs={"child_pk": child.pk}))
    assert response.status_code == 200
    assert response.context["form"]["reporting_organisation"].value() == world.haringey.pk


def test_report_form_explains_what_whereabouts_decides(sam_client, child):
    response = sam_client.get(reverse("episodes:report", kwargs={"child_pk": child.pk}))
    assert "missing from care" in response.context["form"].fields["whereabouts"].help_text


def test_report_creates_episode_and_redirects(sam_client, world, child):
    url = reverse("episodes:report", kwargs={"child_pk": child.pk})
    response = sam_client.post(url, report_data(world))
    episode = MissingEpisode.objects.get(child=child)
    assert response.status_code == 302
    assert response["Location"] == reverse("episodes:detail", kwargs={"pk": episode.pk})
    assert episode.category == "missing_care"
    assert episode.last_seen_postcode == "N17 6AA"
    assert episode.police_force == world.met
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_id=str(episode.pk), child_id=child.pk
    ).exists()


def test_report_success_message_names_the_category(sam_client, world, child):
    url = reverse("episodes:report", kwargs={"child_pk": child.pk})
    response = sam_client.post(url, report_data(world, whereabouts="known"), follow=True)
    assert "away from placement without authorisation" in response.content.decode()


@pytest.mark.parametrize(
    ("looked_after", "whereabouts", "category"),
    [
        (True, "unknown", "missing_care"),
        (True, "known", "away_placement"),
        (False, "unknown", "missing_home"),
        (False, "known", "away_home"),
    ],
)
def test_report_derives_category(sam_client, world, child, looked_after, whereabouts, category):
    subject = child if looked_after else home_child(world)
    url = reverse("episodes:report", kwargs={"child_pk": subject.pk})
    sam_client.post(url, report_data(world, whereabouts=whereabouts, setting="home"))
    assert MissingEpisode.objects.get(child=subject).category == category


def test_report_in_future_shows_error_and_keeps_typed_values(sam_client, world, child):
    url = reverse("episodes:report", kwargs={"child_pk": child.pk})
    future = local_input(timezone.now() + timedelta(days=2))
    data = report_data(world, last_seen_at=future, reported_at=future)
    response = sam_client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert services.LAST_SEEN_FUTURE in page
    assert services.REPORTED_FUTURE in page
    assert "There is a problem" in page
    assert 'value="Bruce Grove station"' in page
    assert future in page
    assert "did not come back for tea" in page
    assert not MissingEpisode.objects.exists()


def test_report_overlapping_an_open_episode_is_refused(sam_client, world, child):
    open_episode(world, child, hours_ago=30)
    url = reverse("episodes:report", kwargs={"child_pk": child.pk})
    response = sam_client.post(url, report_data(world))
    assert services.EPISODE_OVERLAP in response.content.decode()
    assert MissingEpisode.objects.filter(child=child).count() == 1


def test_report_without_answers_uses_plain_messages(sam_client, world, child):
    url = reverse("episodes:report", kwargs={"child_pk": child.pk})
    response = sam_client.post(url, {})
    page = response.content.decode()
    for message in (
        services.SETTING_REQUIRED,
        services.WHEREABOUTS_REQUIRED,
        services.REPORTER_KIND_REQUIRED,
        "Enter the date and time the child was last seen",
    ):
        assert message in page
    # The summary links to the first radio of a group, which exists on the page.
    assert 'href="#id_setting_0"' in page and 'id="id_setting_0"' in page


def test_report_police_without_force_is_refused(sam_client, world, child):
    url = reverse("episodes:report", kwargs={"child_pk": child.pk})
    response = sam_client.post(url, report_data(world, police_force=""))
    assert services.POLICE_FORCE_REQUIRED in response.content.decode()


# --- Episode page ----------------------------------------------------------------------------


def test_episode_page_is_audited(sam_client, world, child):
    episode = open_episode(world, child)
    response = sam_client.get(reverse("episodes:detail", kwargs={"pk": episode.pk}))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        action=Action.VIEW, object_id=str(episode.pk), child_id=child.pk, user_id=world.sam.pk
    ).exists()


def test_episode_page_shows_gradings_newest_first(sam_client, world, child, now):
    episode = open_episode(world, child, hours_ago=30)
    for hours, grade, why in ((20, "medium", "First view"), (2, "high", "Seen with older men")):
        services.grading_record(
            actor=world.pete,
            episode=episode,
            grade=grade,
            graded_at=now - timedelta(hours=hours),
            graded_by_name="PS Patel",
            rationale=why,
        )
    page = sam_client.get(reverse("episodes:detail", kwargs={"pk": episode.pk})).content.decode()
    assert page.index("Seen with older men") < page.index("First view")
    assert "Metropolitan Police" in page


def test_episode_page_shows_found_area_duration_and_clock(sam_client, world, child):
    episode = open_episode(world, child, hours_ago=30)
    returned_at = timezone.now() - timedelta(hours=4)
    episode = services.episode_record_return(
        actor=world.sam,
        episode=episode,
        version=episode.version,
        returned_at=returned_at,
        return_how="police",
        found_postcode="BN1 1AA",
    )
    page = sam_client.get(reverse("episodes:detail", kwargs={"pk": episode.pk})).content.decode()
    assert "Brighton and Hove" in page
    assert "Sussex Police" in page
    assert rules.format_duration(episode.returned_at - episode.last_seen_at) in page
    assert format_datetime(returned_at + timedelta(hours=72)) in page
    assert rules.rhi_clock(returned_at, timezone.now()).text in page


# --- Grading ---------------------------------------------------------------------------------


def grade_data(**overrides):
    data = {
        "grade": "high",
        "scheme": "app_current",
        "graded_at": local_input(timezone.now() - timedelta(hours=1)),
        "graded_by_name": "DS Kaur",
        "organisation": "",
        "rationale": "Known links to an older male; phone switched off.",
    }
    data.update(overrides)
    return data


def test_grading_is_recorded(sam_client, world, child):
    episode = open_episode(world, child)
    url = reverse("episodes:grade", kwargs={"pk": episode.pk})
    response = sam_client.post(url, grade_data(organisation=str(world.met.pk)))
    grading = PoliceGrading.objects.get(episode=episode)
    assert response["Location"] == reverse("episodes:detail", kwargs={"pk": episode.pk})
    assert (grading.grade, grading.organisation, grading.graded_by_name) == (
        "high",
        world.met,
        "DS Kaur",
    )
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(grading.pk)).exists()


def test_grading_form_offers_legacy_grades_under_older_gradings(sam_client, world, child):
    episode = open_episode(world, child)
    page = sam_client.get(reverse("episodes:grade", kwargs={"pk": episode.pk})).content.decode()
    older = page.index("Older gradings")
    assert page.index('value="very_low"') < older < page.index('value="absent_2013"')


def test_grading_without_rationale_is_refused(sam_client, world, child):
    episode = open_episode(world, child)
    url = reverse("episodes:grade", kwargs={"pk": episode.pk})
    response = sam_client.post(url, grade_data(rationale="  "))
    page = response.content.decode()
    assert services.RATIONALE_REQUIRED in page
    assert 'value="DS Kaur"' in page
    assert not PoliceGrading.objects.exists()


def test_grading_in_future_is_refused(sam_client, world, child):
    episode = open_episode(world, child)
    url = reverse("episodes:grade", kwargs={"pk": episode.pk})
    future = local_input(timezone.now() + timedelta(hours=3))
    response = sam_client.post(url, grade_data(graded_at=future))
    assert services.GRADED_FUTURE in response.content.decode()
    assert not PoliceGrading.objects.exists()


# --- Return ----------------------------------------------------------------------------------


def return_data(episode, **overrides):
    data = {
        "version": str(episode.version),
        "returned_at": local_input(timezone.now() - timedelta(hours=3)),
        "return_how": "police",
        "found_place": "Churchill Square",
        "found_postcode": "BN1 1AA",
        "found_with": "Two older males",
        "whereabouts_known_during": "",
    }
    data.update(overrides)
    return data


def test_return_is_recorded_and_rhi_due_shown(sam_client, world, child):
    episode = open_episode(world, child)
    returned_at = to_minute(timezone.now() - timedelta(hours=3))
    url = reverse("episodes:return", kwargs={"pk": episode.pk})
    data = return_data(episode, returned_at=local_input(returned_at))
    response = sam_client.post(url, data, follow=True)
    episode.refresh_from_db()
    assert episode.returned_at == returned_at
    assert episode.found_la == world.brighton
    due = format_datetime(returned_at + timedelta(hours=72))
    assert f"The return interview is due by {due}" in response.content.decode()
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(episode.pk)).exists()


def test_return_before_last_seen_is_refused(sam_client, world, child):
    episode = open_episode(world, child, hours_ago=30)
    url = reverse("episodes:return", kwargs={"pk": episode.pk})
    early = local_input(episode.last_seen_at - timedelta(hours=2))
    response = sam_client.post(url, return_data(episode, returned_at=early))
    page = response.content.decode()
    assert services.RETURNED_BEFORE_LAST_SEEN in page
    assert 'value="Two older males"' in page
    episode.refresh_from_db()
    assert episode.returned_at is None


def test_return_in_future_is_refused(sam_client, world, child):
    episode = open_episode(world, child)
    url = reverse("episodes:return", kwargs={"pk": episode.pk})
    future = local_input(timezone.now() + timedelta(hours=2))
    response = sam_client.post(url, return_data(episode, returned_at=future))
    assert services.RETURNED_FUTURE in response.content.decode()


def test_return_saved_by_someone_else_shows_conflict(sam_client, world, child):
    episode = open_episode(world, child)
    url = reverse("episodes:return", kwargs={"pk": episode.pk})
    stale = sam_client.get(url).context["form"]["version"].value()
    # Pete records the return while Sam still has the form open.
    services.episode_record_return(
        actor=world.pete,
        episode=episode,
        version=episode.version,
        returned_at=timezone.now() - timedelta(hours=1),
        return_how="self",
    )
    response = sam_client.post(url, return_data(episode, version=str(stale)))
    page = response.content.decode()
    assert ConcurrentEditError.MESSAGE in page
    assert 'value="Churchill Square"' in page
    episode.refresh_from_db()
    assert episode.return_how == "self"


def test_return_form_for_returned_episode_goes_back_to_episode(sam_client, world, child):
    episode = returned_episode(world, child)
    response = sam_client.get(reverse("episodes:return", kwargs={"pk": episode.pk}))
    assert response["Location"] == reverse("episodes:detail", kwargs={"pk": episode.pk})


def test_episode_page_queries_do_not_grow_with_history(
    sam_client, world, child, django_assert_num_queries
):
    episode = open_episode(world, child, hours_ago=30)
    url = reverse("episodes:detail", kwargs={"pk": episode.pk})

    def grade(hours):
        services.grading_record(
            actor=world.pete,
            episode=episode,
            grade="low",
            graded_at=timezone.now() - timedelta(hours=hours),
            graded_by_name="PC Lee",
            rationale="Review",
        )

    grade(20)
    sam_client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        sam_client.get(url)
    for hours in (10, 8, 6, 4):
        grade(hours)
    with django_assert_num_queries(len(one.captured_queries)):
        sam_client.get(url)
