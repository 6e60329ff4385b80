from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lantern.audit.models import Action, AuditEvent
from lantern.episodes.models import MissingEpisode
from lantern.episodes.tests.factories import (
    home_child,
    local_input,
    open_episode,
    returned_episode,
)
from lantern.interviews import services
from lantern.interviews.forms import EPISODE_INVALID, DisclosureForm, InterviewForm
from lantern.interviews.models import Direction, ReturnInterview, Status


@pytest.fixture
def sam_client(client, world):
    client.force_login(world.sam)
    return client


def formset_data(*disclosures):
    data = {
        "disclosure-TOTAL_FORMS": "3",
        "disclosure-INITIAL_FORMS": "0",
        "disclosure-MIN_NUM_FORMS": "0",
        "disclosure-MAX_NUM_FORMS": "3",
    }
    for i, (text, kind, indicator) in enumerate(disclosures):
        data[f"disclosure-{i}-text"] = text
        data[f"disclosure-{i}-exploitation_type"] = kind
        if indicator:
            data[f"disclosure-{i}-is_exploitation_indicator"] = "on"
    return data


def interview_data(world, episodes, **overrides):
    now = timezone.now()
    data = {
        "episodes": [str(e.pk) for e in episodes],
        "status": "completed",
        "offered_at": local_input(now - timedelta(minutes=90)),
        "offered_by_name": "Rita Rowe",
        "offered_by_organisation": str(world.haringey.pk),
        "conducted_by_organisation": str(world.charity.pk),
        "conducted_by_name": "Rita Rowe",
        "conducted_by_role": "Return interview worker",
        "independent": "on",
        "completed_at": local_input(now - timedelta(minutes=30)),
        "not_completed_reason": "",
        "where_child_was": "A flat in Margate",
        "with_whom": "A man called 'T'",
        "how_travelled": "Train, ticket bought for them",
        "harm": "Bruising on arm",
        "push_factors": ["family_conflict"],
        "pull_factors": ["money", "affection"],
        "agreed_actions": "Referral to the exploitation panel",
    }
    data.update(formset_data(("Was told to hold a package", "county_lines", True)))
    data.update(overrides)
    return data


def record_url(child):
    return reverse("interviews:record", kwargs={"child_pk": child.pk})


def test_form_lists_returned_episodes_without_completed_interview_newest_first(
    sam_client, world, child
):
    # Episodes are reported oldest first: an open episode may not overlap a later one.
    older = returned_episode(world, child, hours_ago=200, back_hours_ago=190)
    covered = returned_episode(world, child, hours_ago=100, back_hours_ago=90)
    newer = returned_episode(world, child, hours_ago=30, back_hours_ago=20)
    services.interview_record(
        actor=world.sam,
        child=child,
        episodes=[covered],
        status="completed",
        offered_at=timezone.now() - timedelta(hours=80),
        completed_at=timezone.now() - timedelta(hours=79),
        offered_by_name="Sam",
        offered_by_organisation=world.haringey,
        conducted_by_organisation=world.charity,
    )
    open_episode(world, child, hours_ago=5)
    form = sam_client.get(record_url(child)).context["form"]
    assert list(form.fields["episodes"].queryset) == [newer, older]


def test_form_preselects_episode_from_query(sam_client, world, child):
    episode = returned_episode(world, child)
    response = sam_client.get(record_url(child) + f"?episode={episode.pk}")
    assert response.context["form"]["episodes"].value() == [episode.pk]
    assert response.context["form"]["conducted_by_organisation"].value() == world.haringey.pk


def test_interview_is_recorded_with_factors_and_disclosures(sam_client, world, child):
    episode = returned_episode(world, child)
    response = sam_client.post(record_url(child), interview_data(world, [episode]))
    interview = ReturnInterview.objects.get(child=child)
    assert response["Location"] == reverse("interviews:detail", kwargs={"pk": interview.pk})
    assert interview.status == Status.COMPLETED
    assert interview.conducted_by_organisation == world.charity
    assert set(
        interview.factors.filter(direction=Direction.PULL).values_list("factor", flat=True)
    ) == {
        "money",
        "affection",
    }
    disclosure = interview.disclosures.get()
    assert (disclosure.exploitation_type, disclosure.is_exploitation_indicator) == (
        "county_lines",
        True,
    )
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(interview.pk)).exists()


def test_interview_can_cover_two_episodes(sam_client, world, child):
    first = returned_episode(world, child, hours_ago=60, back_hours_ago=50)
    second = returned_episode(world, child, hours_ago=30, back_hours_ago=10)
    sam_client.post(record_url(child), interview_data(world, [first, second]))
    interview = ReturnInterview.objects.get(child=child)
    assert set(interview.episodes.all()) == {first, second}
    for episode in (first, second):
        page = sam_client.get(reverse("episodes:detail", kwargs={"pk": episode.pk}))
        assert reverse("interviews:detail", kwargs={"pk": interview.pk}) in page.content.decode()


def test_completed_without_time_is_refused_and_keeps_typed_values(sam_client, world, child):
    episode = returned_episode(world, child)
    data = interview_data(world, [episode], completed_at="")
    response = sam_client.post(record_url(child), data)
    page = response.content.decode()
    assert services.COMPLETED_REQUIRED in page
    assert "A flat in Margate" in page
    assert "Was told to hold a package" in page
    assert response.context["form"]["pull_factors"].value() == ["money", "affection"]
    assert not ReturnInterview.objects.exists()


def test_not_completed_without_reason_is_refused(sam_client, world, child):
    episode = returned_episode(world, child)
    data = interview_data(world, [episode], status="not_completed", completed_at="")
    response = sam_client.post(record_url(child), data)
    assert services.REASON_REQUIRED in response.content.decode()
    assert not ReturnInterview.objects.exists()


def test_offer_in_future_is_refused(sam_client, world, child):
    episode = returned_episode(world, child)
    future = local_input(timezone.now() + timedelta(hours=3))
    data = interview_data(world, [episode], offered_at=future, status="offered")
    response = sam_client.post(record_url(child), data)
    assert services.OFFERED_FUTURE in response.content.decode()


def test_no_episode_selected_is_refused(sam_client, world, child):
    returned_episode(world, child)
    response = sam_client.post(record_url(child), interview_data(world, []))
    assert services.EPISODES_REQUIRED in response.content.decode()


def test_another_childs_episode_cannot_be_covered(sam_client, world, child):
    mine = returned_episode(world, child)
    other = returned_episode(world, home_child(world))
    response = sam_client.post(record_url(child), interview_data(world, [mine, other]))
    assert EPISODE_INVALID in response.content.decode()
    assert not ReturnInterview.objects.exists()


def test_indicator_without_type_is_refused(sam_client, world, child):
    episode = returned_episode(world, child)
    data = interview_data(world, [episode])
    data.update(formset_data(("Older boys give me money", "", True)))
    response = sam_client.post(record_url(child), data)
    page = response.content.decode()
    assert services.DISCLOSURE_TYPE_REQUIRED in page
    assert "Older boys give me money" in page
    assert not ReturnInterview.objects.exists()


def test_interview_page_is_audited_and_shows_72_hour_result(sam_client, world, child):
    on_time = returned_episode(world, child, hours_ago=200, back_hours_ago=100)
    recent = returned_episode(world, child, hours_ago=30, back_hours_ago=10)
    interview = services.interview_record(
        actor=world.sam,
        child=child,
        episodes=[on_time, recent],
        status="completed",
        offered_at=recent.returned_at + timedelta(hours=1),
        completed_at=recent.returned_at + timedelta(hours=5),
        offered_by_name="Sam",
        offered_by_organisation=world.haringey,
        conducted_by_organisation=world.charity,
    )
    response = sam_client.get(reverse("interviews:detail", kwargs={"pk": interview.pk}))
    page = response.content.decode()
    assert response.status_code == 200
    # Back 100 hours ago, completed 5 hours ago: 95 hours after the return, 23 hours late.
    assert "23 hours late" in page
    assert "Completed 95 hours after the return" in page
    # Back 10 hours ago: 5 hours later, with 67 hours to spare.
    assert "67 hours to spare" in page
    assert AuditEvent.objects.filter(
        action=Action.VIEW, object_id=str(interview.pk), child_id=child.pk
    ).exists()


def test_episode_page_shows_completed_interview(sam_client, world, child):
    episode = returned_episode(world, child, hours_ago=30, back_hours_ago=10)
    sam_client.post(record_url(child), interview_data(world, [episode]))
    page = sam_client.get(reverse("episodes:detail", kwargs={"pk": episode.pk})).content.decode()
    assert "within 72 hours of the return" in page


@pytest.mark.parametrize(
    "form",
    [
        lambda: InterviewForm(episodes=MissingEpisode.objects.none()),
        lambda: DisclosureForm(),
    ],
)
def test_wording_never_blames_the_child(form, db):
    for field in form().fields.values():
        words = f"{field.label} {field.help_text}".lower()
        assert "choice" not in words
        assert "putting themselves at risk" not in words
        for message in field.error_messages.values():
            assert "choice" not in str(message).lower()
