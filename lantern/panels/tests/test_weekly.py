"""The weekly tracking report on a crafted dataset, on screen and as a PDF."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from lantern.audit.models import AuditEvent
from lantern.panels import queries
from lantern.panels.tests.conftest import episode, grade, interview, make_child
from lantern.panels.tests.pdftext import pdf_text
from lantern.people.services import placement_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(world):
    """A: missing now, graded high, placed out of area by Haringey. B: frequently missing, back
    five days ago with no interview. C: disclosed sexual exploitation (high). H: a Brighton child
    placed in Haringey, missing now. X: a Brighton child Haringey has no link to."""
    looked_after = {"care_status": "lac", "legal_status": "C2"}
    a = make_child(world, first="Aisha", last="Away", **looked_after)
    placement_add(
        actor=world.sam,
        child=a,
        placing_la=world.haringey,
        place="K2",
        provider="PR4",
        postcode="BN1 1AA",
        started_on=timezone.localdate() - timedelta(days=100),
    )
    grade(world, episode(world, a, days_ago=2, hours=None))
    b = make_child(world, first="Ben", last="Back")
    for days in (60, 45, 5):
        episode(world, b, days_ago=days)
    c = make_child(world, first="Cara", last="Disclosed")
    e = episode(world, c, days_ago=40)
    interview(world, c, [e], [("An older man gives her money and alcohol", "cse")])
    h = make_child(world, first="Hana", last="Hosted", home_la=world.brighton, **looked_after)
    placement_add(
        actor=world.bella,
        child=h,
        placing_la=world.brighton,
        place="K2",
        provider="PR4",
        postcode="N17 6AA",
        started_on=timezone.localdate() - timedelta(days=50),
    )
    episode(world, h, days_ago=1, hours=None, actor=world.bella)
    x = make_child(world, first="Xavier", last="Elsewhere", home_la=world.brighton)
    for days in (30, 20, 2):
        episode(world, x, days_ago=days, actor=world.bella)
    return {"a": a, "b": b, "c": c, "h": h, "x": x}


def report(user, la):
    lantern = settings.LANTERN
    return queries.weekly_report(
        user,
        la=la,
        now=timezone.now(),
        frequent_count=lantern["FREQUENT_MISSING_COUNT"],
        frequent_days=lantern["FREQUENT_MISSING_DAYS"],
        rhi_hours=lantern["RHI_DUE_HOURS"],
    )


def names(section) -> set[str]:
    return {r.child.first_name for r in section.rows}


def test_weekly_figures_on_a_crafted_dataset(world, dataset):
    r = report(world.sam, world.haringey)
    assert names(r.section("missing_now")) == {"Aisha", "Hana"}
    assert names(r.section("missing_week")) == {"Aisha", "Ben", "Hana"}
    assert names(r.section("frequent")) == {"Ben"}
    assert names(r.section("high_risk")) == {"Cara"}
    assert names(r.section("interviews_overdue")) == {"Ben"}
    assert names(r.section("out_of_area")) == {"Aisha", "Hana"}
    details = {row.child.first_name: row.detail for row in r.section("out_of_area").rows}
    assert details["Aisha"].endswith("placed out of area by Haringey")
    assert details["Hana"].endswith("placed in Haringey by Brighton and Hove")


def test_weekly_report_counts_only_what_the_user_may_see(world, dataset):
    # The charity sees only children it has interviewed.
    r = report(world.rita, world.haringey)
    assert [s.count for s in r.sections] == [0, 0, 0, 1, 0, 0]


def test_weekly_page_and_pdf(client, world, dataset):
    client.force_login(world.sam)
    page = client.get(reverse("panels:weekly"))
    assert page.status_code == 200
    assert "Aisha Away" in page.content.decode() and "Xavier" not in page.content.decode()
    pdf = client.get(reverse("panels:weekly_pdf") + f"?la={world.haringey.pk}")
    text = pdf_text(pdf.content)
    assert "Weekly tracking report" in text
    assert "Missing now (2)" in text and "Frequently missing (1)" in text
    assert "Ben Back" in text and "Xavier" not in text
    views = AuditEvent.objects.filter(summary__startswith="Viewed the weekly tracking report")
    prints = AuditEvent.objects.filter(action="print")
    assert views.get().detail["children"] == sorted(dataset[k].pk for k in ("a", "b", "c", "h"))
    assert prints.get().detail["what"] == "weekly_report"


def test_weekly_report_for_an_la_the_user_has_no_panel_with_is_404(client, world, dataset):
    client.force_login(world.sam)
    response = client.get(reverse("panels:weekly") + f"?la={world.brighton.pk}")
    assert response.status_code == 404


def test_analysts_cannot_see_the_weekly_report(client, world):
    client.force_login(world.andy)
    assert client.get(reverse("panels:weekly")).status_code == 404
