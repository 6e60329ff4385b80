"""AD2, AD10: a statutory file or report with a row per child puts whoever made it in each
child's "who has seen this record" log, although the file names children by council id."""

from datetime import date

import pytest
from django.urls import reverse

from lantern.audit.models import Action, AuditEvent, AuditEventChild
from lantern.audit.queries import child_access_log
from lantern.reporting import queries
from lantern.reporting.tests.factories import at, make_child, make_episode, make_placement


@pytest.fixture
def looked_after(world):
    """Two Haringey children in care: one with a council id, one known only by reference."""
    made = []
    for la_id in ("HAR-001", ""):
        child = make_child(world.haringey, dob=date(2011, 2, 3), looked_after=True, la_id=la_id)
        make_placement(child, world.haringey, start=date(2024, 6, 1))
        make_episode(child, at(2025, 10, 2, 10), at(2025, 10, 3, 9), looked_after=True)
        # Left out of the 903 (no placement that day), so the checks name the child too.
        make_episode(child, at(2024, 5, 1), at(2024, 5, 2), looked_after=True)
        made.append(child)
    return made


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("reporting:ssda903_csv", {"year": "2026"}),
        ("reporting:checks_csv", {"year": "2025"}),
        ("reporting:ssd_csv", {"year": "2026"}),
        ("reporting:annex_a_csv", {"on": "2026-01-31"}),
    ],
)
def test_each_child_in_a_download_has_the_downloader_in_their_log(
    client, world, looked_after, url, data
):
    client.force_login(world.andy)
    response = client.post(reverse(url), data)
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=Action.EXPORT, request_id=response["X-Request-Id"])
    named = set(AuditEventChild.objects.filter(event=event).values_list("child_id", flat=True))
    assert named == {c.pk for c in looked_after}
    for child in looked_after:
        assert event in list(child_access_log(child_id=child.pk))


def test_the_checks_page_puts_the_manager_in_each_childs_log(client, world, looked_after):
    client.force_login(world.maria)
    response = client.get(reverse("reporting:checks"), {"year": "2025"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(request_id=response["X-Request-Id"], action=Action.VIEW)
    for child in looked_after:
        assert event in list(child_access_log(child_id=child.pk))


def test_council_ids_and_references_map_back_to_lanterns_children(world, looked_after):
    with_id, by_reference = looked_after
    named = queries.child_pks(world.haringey, ["HAR-001", by_reference.reference, "", "XYZ"])
    assert named == sorted([with_id.pk, by_reference.pk])
    # Another council's id is not this council's child.
    assert queries.child_pks(world.brighton, ["HAR-001"]) == []
