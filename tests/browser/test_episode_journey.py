"""The foundation journey in a real browser, and need-to-know seen from outside."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_report_return_interview_journey(page, world, child):
    now = timezone.now()
    sign_in(page, "sam", PASSWORD)

    # Find the child by a misspelt name.
    page.goto("/children/search/")
    page.locator("input[name=query]").fill("Kaiden Smith")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Kayden Smyth").click()
    page.get_by_role("heading", name=re.compile("Kayden Smyth")).wait_for()

    # Report an episode.
    page.get_by_role("link", name="Report a missing episode").click()
    page.get_by_label("Care placement").check()
    page.get_by_label("No, we do not know where the child is").check()
    page.get_by_label("Date and time the child was last seen").fill(
        local(now - timedelta(hours=30))
    )
    page.get_by_label("Date and time the child was reported missing").fill(
        local(now - timedelta(hours=29))
    )
    page.get_by_label("Foster carer").check()
    page.get_by_role("button", name="Report missing episode").click()
    page.get_by_text("Missing from care").first.wait_for()

    # Record the return.
    page.get_by_role("link", name="Record return or found").first.click()
    page.get_by_label("Date and time the child returned or was found").fill(
        local(now - timedelta(hours=2))
    )
    page.get_by_label("Found by police").check()
    page.get_by_label("Postcode where the child was found").fill("BN1 1AA")
    page.get_by_role("button", name="Save return").click()
    page.get_by_text(re.compile("return interview is due by", re.I)).first.wait_for()

    # The interview shows as due on the worklist, on the 72-hour clock.
    page.goto("/")
    due = page.get_by_text(re.compile(r"\b(69|70) hours left"))
    due.first.wait_for()

    # Record the interview from the child page.
    page.goto(f"/children/{child.pk}/")
    page.get_by_role("link", name="Record a return interview").first.click()
    page.get_by_label("Completed", exact=True).check()
    page.get_by_label("Date and time the interview was offered").fill(
        local(now - timedelta(hours=1))
    )
    page.get_by_label("Name of the person who offered it").fill("Rita Return")
    page.get_by_label("Date and time the interview was completed").fill(
        local(now - timedelta(minutes=30))
    )
    page.get_by_label("Money", exact=True).first.check()
    page.get_by_role("button", name="Save return interview").click()

    # It appears on the child's timeline.
    page.goto(f"/children/{child.pk}/")
    timeline = page.locator(".ln-timeline")
    assert timeline.get_by_text(re.compile("Return interview", re.I)).first.is_visible()
    assert timeline.get_by_text(re.compile("Completed", re.I)).first.is_visible()
    assert page.get_by_text(re.compile(r"\b(69|70) hours left")).count() == 0


def test_unrelated_organisation_cannot_find_or_open_the_child(page, world, child):
    sign_in(page, "bella", PASSWORD)
    page.goto("/children/search/")
    page.locator("input[name=query]").fill("Kayden Smyth")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("heading", name="No children found").wait_for()
    assert page.get_by_role("link", name="Kayden Smyth").count() == 0

    response = page.goto(f"/children/{child.pk}/")
    assert response.status == 404
    assert "Kayden" not in page.content()
