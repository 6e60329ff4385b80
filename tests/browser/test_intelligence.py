"""Issue 5 in a real browser: the police coordinator sees the peer group, the shared phone, the
county-lines flows map and a placement check, on the synthetic demo."""

import re

import pytest
from django.core.management import call_command

from lantern.accounts.services import organisations_seed
from lantern.people.models import Child
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_PASSWORD = "lantern-demo-2026"


@pytest.fixture
def demo(db):
    organisations_seed()  # transactional tests start from a flushed database
    call_command("demo_load", no_progress=True)
    call_command("intelligence_demo")
    return Child.objects.get(first_name="Kai", last_name="Mensah")


def test_police_coordinator_sees_network_flows_and_placement_check(page, demo):
    sign_in(page, "met-coordinator", DEMO_PASSWORD)

    page.goto(f"/intelligence/children/{demo.pk}/network/")
    page.get_by_text("Found together").first.wait_for()
    assert page.get_by_text("Shared phone").first.is_visible()
    assert page.get_by_text(re.compile("Tyler Grant")).first.is_visible()

    page.goto("/intelligence/maps/flows/")
    page.get_by_role("heading", name="County lines flows").wait_for()

    page.goto("/intelligence/placement-check/")
    page.get_by_role("heading", name="Placement check").wait_for()
    page.locator("input[name=postcode]").fill("SS1 1AA")
    page.get_by_role("button", name="Check this postcode").click()
    page.get_by_role("heading", name="Placement check").wait_for()
    assert "SS1 1AA" in page.content()


def test_unrelated_force_sees_no_network_for_the_child(page, demo):
    sign_in(page, "sussex-coordinator", DEMO_PASSWORD)
    response = page.goto(f"/intelligence/children/{demo.pk}/network/")
    assert response.status == 404
    assert "Kai" not in page.content()
