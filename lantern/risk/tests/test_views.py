"""Views: access through the policy (404 otherwise), GOV.UK forms, audit, the SVG chart."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from lantern.accounts.roles import Role
from lantern.accounts.services import user_create
from lantern.audit.models import AuditEvent
from lantern.risk import services
from lantern.risk.models import Answer, Assessment, Flag, Indicator
from lantern.risk.services import answer_field
from lantern.risk.tests.conftest import episode, grade

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def screening(world, child, tool) -> Assessment:
    return services.assessment_start(actor=world.sam, child=child)


@pytest.fixture
def flagged(world, child, tool):
    e = episode(world, child, days_ago=5, found_with="Older men")
    return e, Flag.objects.get(child=child)


def urls(child, screening, flagged) -> list[tuple[str, str]]:
    e, flag = flagged
    return [
        ("get", reverse("risk:child", args=[child.pk])),
        ("get", reverse("risk:child_chart", args=[child.pk])),
        ("get", reverse("risk:assessment_start", args=[child.pk])),
        ("post", reverse("risk:assessment_start", args=[child.pk])),
        ("get", reverse("risk:assessment_detail", args=[screening.pk])),
        ("post", reverse("risk:assessment_detail", args=[screening.pk])),
        ("get", reverse("risk:assessment_complete", args=[screening.pk])),
        ("post", reverse("risk:assessment_complete", args=[screening.pk])),
        ("get", reverse("risk:flag_clear", args=[flag.pk])),
        ("post", reverse("risk:flag_clear", args=[flag.pk])),
        ("get", reverse("risk:findings", args=[e.pk])),
        ("post", reverse("risk:findings", args=[e.pk])),
    ]


@pytest.mark.parametrize("persona", ["bella", "priya", "andy"])
def test_every_risk_page_is_a_404_for_people_with_no_link_to_the_child(
    client, world, child, screening, flagged, persona
):
    client.force_login(getattr(world, persona))
    for method, url in urls(child, screening, flagged):
        response = getattr(client, method)(url, {"reason": "x", "confirmed_level": "none"})
        assert response.status_code == 404, (persona, method, url)
    assert Flag.objects.get().active


def test_a_missing_screening_is_a_404(client, world, tool):
    client.force_login(world.sam)
    assert client.get(reverse("risk:assessment_detail", args=[999999])).status_code == 404


def test_a_panel_member_can_read_but_not_start_a_screening(client, world, child, tool):
    reader = user_create(
        username="pam",
        password="correct-horse-battery-staple",
        organisation=world.haringey,
        role=Role.PANEL_MEMBER,
        display_name="Pam",
    )
    client.force_login(reader)
    assert client.get(reverse("risk:child", args=[child.pk])).status_code == 200
    assert client.get(reverse("risk:assessment_start", args=[child.pk])).status_code == 404


def test_the_risk_page_shows_the_level_why_and_flags_and_is_audited(client, world, child, tool):
    for days in (60, 30, 5):
        last = episode(world, child, days_ago=days, found_with="Older men" if days == 5 else "")
    client.force_login(world.sam)
    response = client.get(reverse("risk:child", args=[child.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Frequently missing" in body
    assert "3 episodes began in the last 90 days" in body
    assert "Found with other people" in body
    assert f'href="{reverse("episodes:detail", args=[last.pk])}"' in body
    assert reverse("risk:child_chart", args=[child.pk]) in body
    assert AuditEvent.objects.filter(
        action="view", child_id=child.pk, summary="Viewed exploitation risk"
    ).exists()


def test_the_chart_is_valid_labelled_svg_and_audited(client, world, child, tool):
    e = episode(world, child, days_ago=20)
    grade(world, e, "high")
    open_episode = episode(world, child, days_ago=1, hours=None)
    assert open_episode.returned_at is None
    client.force_login(world.sam)
    response = client.get(reverse("risk:child_chart", args=[child.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own server-side output
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == f"Risk over time for {child.reference}"
    assert "2 missing episodes, 1 police gradings" in root.find(f"{SVG}desc").text
    assert child.first_name not in response.content.decode()
    assert AuditEvent.objects.filter(child_id=child.pk, summary__contains="risk-over-time").exists()


def test_the_chart_for_a_child_with_nothing_recorded_is_still_valid_svg(client, world, child, tool):
    client.force_login(world.sam)
    ET.fromstring(client.get(reverse("risk:child_chart", args=[child.pk])).content)  # noqa: S314


def test_starting_a_screening_creates_a_draft_and_opens_it(client, world, child, tool):
    client.force_login(world.sam)
    response = client.post(reverse("risk:assessment_start", args=[child.pk]))
    assessment = Assessment.objects.get(child=child)
    assert response.status_code == 302
    assert response["Location"] == reverse("risk:assessment_detail", args=[assessment.pk])
    assert assessment.tool == tool and assessment.organisation == world.haringey


def test_the_answers_form_shows_every_domain_and_saves(client, world, child, screening, tool):
    client.force_login(world.sam)
    page = client.get(reverse("risk:assessment_detail", args=[screening.pk])).content.decode()
    assert "SAFEGUARD warning signs" in page and "Money and possessions" in page
    sti = Indicator.objects.get(domain__tool=tool, code="sti")
    today = timezone.localdate()
    response = client.post(
        reverse("risk:assessment_detail", args=[screening.pk]),
        {
            "version": screening.version,
            answer_field(sti.pk, "value"): "1",
            answer_field(sti.pk, "evidence"): "Clinic letter",
            answer_field(sti.pk, "observed_on"): today.isoformat(),
            answer_field(sti.pk, "source"): "other",
            "exploitation_types": ["cse"],
        },
    )
    assert response.status_code == 302
    answer = Answer.objects.get(assessment=screening)
    assert (answer.value, answer.evidence, answer.source) == (1, "Clinic letter", "other")
    assert list(screening.exploitation_types.values_list("exploitation_type", flat=True)) == ["cse"]


def test_a_yes_without_evidence_shows_the_error_naming_the_indicator_and_keeps_the_answer(
    client, world, child, screening, tool
):
    client.force_login(world.sam)
    sti = Indicator.objects.get(domain__tool=tool, code="sti")
    response = client.post(
        reverse("risk:assessment_detail", args=[screening.pk]),
        {"version": screening.version, answer_field(sti.pk, "value"): "1"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Has a sexually transmitted infection: enter the evidence for this answer" in body
    # Every link in the error summary goes to an element on the page.
    summary = body.split('class="ln-error-summary__list"', 1)[1].split("</ul>", 1)[0]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert targets and all(f'id="{target}"' in body for target in targets)
    assert re.search(
        rf'<input[^>]*name="{answer_field(sti.pk, "value")}"[^>]*value="1"[^>]*checked', body
    )
    assert not Answer.objects.exists()


def test_language_guidance_is_shown_beside_evidence_and_never_blocks(
    client, world, child, screening, tool
):
    client.force_login(world.sam)
    g = Indicator.objects.get(domain__tool=tool, code="G")
    response = client.post(
        reverse("risk:assessment_detail", args=[screening.pk]),
        {
            "version": screening.version,
            answer_field(g.pk, "value"): "2",
            answer_field(g.pk, "evidence"): "Hanging around with older boys, a lifestyle choice",
            answer_field(g.pk, "observed_on"): timezone.localdate().isoformat(),
            answer_field(g.pk, "source"): "screening",
        },
        follow=True,
    )
    body = response.content.decode()
    assert Answer.objects.filter(assessment=screening, value=2).exists()
    assert "Language guidance" in body
    assert "being exploited; groomed" in body
    assert "being groomed by; associated with; under the control of" in body


def test_completing_needs_a_rationale_then_keeps_both_levels(client, world, child, screening, tool):
    client.force_login(world.sam)
    url = reverse("risk:assessment_complete", args=[screening.pk])
    page = client.get(url).content.decode()
    assert "Lantern computes" in page
    response = client.post(url, {"version": screening.version, "confirmed_level": "medium"})
    assert services.RATIONALE_CHANGE_REQUIRED in response.content.decode()
    response = client.post(
        url,
        {
            "version": screening.version,
            "confirmed_level": "medium",
            "rationale": "Her social worker is worried about a new older boyfriend",
        },
    )
    assert response.status_code == 302
    screening.refresh_from_db()
    assert (screening.computed_level, screening.confirmed_level) == ("none", "medium")
    detail = client.get(reverse("risk:assessment_detail", args=[screening.pk])).content.decode()
    assert "Computed level" in detail and "Confirmed level" in detail


def test_a_flag_is_cleared_only_with_a_reason(client, world, child, flagged):
    _, flag = flagged
    client.force_login(world.sam)
    url = reverse("risk:flag_clear", args=[flag.pk])
    response = client.post(url, {"reason": ""})
    assert services.CLEAR_REASON_REQUIRED in response.content.decode()
    client.post(url, {"reason": "Her uncle and his friend, known to the family"})
    flag.refresh_from_db()
    assert not flag.active


def test_recording_findings_on_return_raises_the_out_of_area_with_items_flag(
    client, world, child, tool
):
    e = episode(world, child, days_ago=5, found_postcode="BN1 1AA")
    client.force_login(world.sam)
    client.post(reverse("risk:findings", args=[e.pk]), {"items": ["second_phone"]})
    assert Flag.objects.filter(child=child, kind="found_ooa_items", level="medium").exists()


def test_the_police_force_that_graded_the_child_can_see_the_risk_page(client, world, child, tool):
    e = episode(world, child, days_ago=5)
    e.police_force = world.met
    e.save()
    client.force_login(world.pete)
    assert client.get(reverse("risk:child", args=[child.pk])).status_code == 200


def test_language_check_returns_warnings_for_posted_text(client, world, tool):
    client.force_login(world.sam)
    response = client.post(reverse("risk:language_check"), {"text": "a child prostitute"})
    assert "child experiencing sexual exploitation" in response.content.decode()


def test_language_check_reads_a_textarea_posting_itself(client, world, tool):
    client.force_login(world.sam)
    response = client.post(reverse("risk:language_check"), {"notes": "seen as a runaway"})
    assert "child who is missing" in response.content.decode()


def test_language_check_is_not_for_analysts(client, world, tool):
    client.force_login(world.andy)
    assert client.post(reverse("risk:language_check"), {"text": "x"}).status_code == 404
