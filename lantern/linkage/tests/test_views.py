"""The review queue, a pair's page, the decision, the child's notice and undoing a merge."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from conftest import PASSWORD
from lantern.accounts.roles import Role
from lantern.accounts.services import user_create
from lantern.audit.models import AuditEvent
from lantern.linkage import queries
from lantern.linkage.models import MergeRecord, PairStatus
from lantern.people.models import Child

pytestmark = pytest.mark.django_db


def _same(pair) -> dict:
    """The form data for "the same child", keeping the older record."""
    return {"decision": "same", "survivor": str(pair.left_child_id)}


@pytest.fixture
def brighton_manager(world):
    return user_create(
        username="bob",
        password=PASSWORD,
        organisation=world.brighton,
        role=Role.MANAGER,
        display_name="Bob",
    )


def test_manager_sees_the_proposed_pair_with_its_reasons(client, world, proposed):
    client.force_login(world.maria)
    response = client.get(reverse("linkage:queue"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kayden" in page and "Kaiden" in page
    assert "Date of birth: day and month swapped (+" in page
    assert reverse("linkage:pair", args=[proposed.pk]) in page


def test_viewing_the_queue_is_audited_with_the_pairs_shown(client, world, proposed):
    client.force_login(world.maria)
    client.get(reverse("linkage:queue"))
    event = AuditEvent.objects.get(summary="Viewed possible matches waiting for review")
    assert event.detail["shown"] == [proposed.pk]


@pytest.mark.parametrize("persona", ["sam", "pete", "rita", "andy", "olive"])
def test_only_managers_and_panel_chairs_review(client, world, proposed, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("linkage:queue")).status_code == 404
    assert client.get(reverse("linkage:pair", args=[proposed.pk])).status_code == 404


def test_an_unrelated_manager_sees_no_pairs_and_cannot_confirm(client, proposed, brighton_manager):
    client.force_login(brighton_manager)
    response = client.get(reverse("linkage:queue"))
    assert response.status_code == 200
    assert "Kayden" not in response.content.decode()
    url = reverse("linkage:pair", args=[proposed.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _same(proposed)).status_code == 404
    proposed.refresh_from_db()
    assert proposed.status == PairStatus.PROPOSED


def test_pair_page_shows_both_records_and_every_field(client, world, proposed):
    client.force_login(world.chris)
    page = client.get(reverse("linkage:pair", args=[proposed.pk])).content.decode()
    for field in ("First name", "Surname and address", "Date of birth", "NHS number or UPN"):
        assert field in page
    assert proposed.left_child.reference in page and proposed.right_child.reference in page


def test_a_decision_is_required(client, world, proposed):
    client.force_login(world.maria)
    response = client.post(reverse("linkage:pair", args=[proposed.pk]), {})
    assert response.status_code == 200
    assert "Select whether these records are the same child" in response.content.decode()


def test_confirm_merges_and_the_child_page_shows_both_histories(
    client, world, duplicates, proposed
):
    client.force_login(world.maria)
    response = client.post(
        reverse("linkage:pair", args=[proposed.pk]),
        {"decision": "same", "survivor": str(duplicates.original.pk), "note": "Same school"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[duplicates.original.pk])
    page = client.get(response["Location"]).content.decode()
    for episode in duplicates.original.episodes.all():
        assert episode.reference in page
    assert duplicates.original.episodes.count() == 2
    assert Child.objects.get(pk=duplicates.duplicate.pk).merged_into_id == duplicates.original.pk


def test_the_merged_record_is_no_longer_visible(client, world, duplicates, proposed):
    client.force_login(world.maria)
    client.post(reverse("linkage:pair", args=[proposed.pk]), _same(proposed))
    response = client.get(reverse("people:detail", args=[duplicates.duplicate.pk]))
    assert response.status_code == 404


def test_reject_returns_to_the_queue(client, world, proposed):
    client.force_login(world.maria)
    response = client.post(reverse("linkage:pair", args=[proposed.pk]), {"decision": "different"})
    assert response["Location"] == reverse("linkage:queue")
    proposed.refresh_from_db()
    assert proposed.status == PairStatus.REJECTED


def test_child_notice_shows_a_possible_duplicate_with_reasons(rf, world, duplicates, proposed):
    notice = queries.child_notice(world.maria, duplicates.original)
    html = render_to_string("linkage/_child_notice.html", {"notice": notice})
    assert "Possible duplicate" in html
    assert "Date of birth: day and month swapped" in html
    assert reverse("linkage:pair", args=[proposed.pk]) in html


def test_child_notice_tells_a_practitioner_without_a_review_link(world, duplicates, proposed):
    notice = queries.child_notice(world.sam, duplicates.original)
    html = render_to_string("linkage/_child_notice.html", {"notice": notice})
    assert "Possible duplicate" in html
    assert reverse("linkage:pair", args=[proposed.pk]) not in html


def test_child_notice_is_empty_for_someone_who_cannot_see_the_other_record(
    world, duplicates, proposed
):
    notice = queries.child_notice(world.rita, duplicates.original)
    assert notice.possible_duplicates == []


def test_child_notice_says_merged_from_after_a_merge(client, world, duplicates, proposed):
    client.force_login(world.maria)
    client.post(reverse("linkage:pair", args=[proposed.pk]), _same(proposed))
    notice = queries.child_notice(world.maria, duplicates.original)
    html = render_to_string("linkage/_child_notice.html", {"notice": notice})
    assert f"Merged from {duplicates.duplicate.reference}" in html
    assert "1 missing episode," in html
    merge = MergeRecord.objects.get()
    assert reverse("linkage:unmerge", args=[merge.pk]) in html


def test_unmerge_page_and_undo(client, world, duplicates, proposed):
    client.force_login(world.maria)
    client.post(reverse("linkage:pair", args=[proposed.pk]), _same(proposed))
    merge = MergeRecord.objects.get()
    url = reverse("linkage:unmerge", args=[merge.pk])
    assert "Undo the merge" in client.get(url).content.decode()
    response = client.post(url, {})
    assert "Enter why the merge is being undone" in response.content.decode()
    response = client.post(url, {"reason": "Confirmed with school: two children"})
    assert response.status_code == 302
    assert Child.objects.get(pk=duplicates.duplicate.pk).merged_into_id is None
    assert client.get(url).status_code == 404


def test_a_practitioner_cannot_undo_a_merge(client, world, duplicates, proposed):
    client.force_login(world.maria)
    client.post(reverse("linkage:pair", args=[proposed.pk]), _same(proposed))
    merge = MergeRecord.objects.get()
    client.force_login(world.sam)
    assert (
        client.post(reverse("linkage:unmerge", args=[merge.pk]), {"reason": "x"}).status_code == 404
    )
    assert MergeRecord.objects.get().unmerged_at is None


def test_template_tag_renders_the_notice_for_the_signed_in_user(rf, world, duplicates, proposed):
    from django.template import Context, Template

    request = rf.get("/")
    request.user = world.maria
    html = Template("{% load linkage %}{% linkage_notice child %}").render(
        Context({"request": request, "child": duplicates.original})
    )
    assert "Possible duplicate" in html
    request.user = world.rita
    html = Template("{% load linkage %}{% linkage_notice child %}").render(
        Context({"request": request, "child": duplicates.original})
    )
    assert "Possible duplicate" not in html
