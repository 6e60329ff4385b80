"""A panel meeting end to end in a real browser: the chair builds the agenda, records a decision
with an action, and the action appears on its owner organisation's worklist."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from lantern.accounts.models import Organisation, OrgType
from lantern.episodes.services import episode_record_return, episode_report
from lantern.panels import services
from lantern.panels.models import Meeting, Remit, Sharing
from lantern.people.services import child_create
from lantern.risk.signals import refresh_suspended
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def frequently_missing_child(world):
    child = child_create(
        actor=world.sam,
        first_name="Kai",
        last_name="Mensah",
        date_of_birth=date.today() - timedelta(days=15 * 365),
        home_la=world.haringey,
        sex="M",
        home_postcode="N17 6AA",
        care_status="none",
    )
    now = timezone.now()
    for days in (40, 20, 5):
        start = now - timedelta(days=days)
        with refresh_suspended():
            episode = episode_report(
                actor=world.sam,
                child=child,
                setting="home",
                whereabouts="unknown",
                last_seen_at=start,
                reported_at=start + timedelta(minutes=30),
                reporter_kind="parent_carer",
            )
        episode_record_return(
            actor=world.sam,
            episode=episode,
            version=episode.version,
            returned_at=start + timedelta(hours=5),
            return_how="self",
        )
    return child


def test_chair_runs_a_meeting_and_the_action_reaches_its_owner(page, browser, live_server, world):
    health = Organisation.objects.create(name="Community Health", type=OrgType.HEALTH)
    panel = services.panel_create(
        actor=world.chris,
        name="Haringey exploitation panel",
        lead_la=world.haringey,
        members=[(world.met, Sharing.FULL), (health, Sharing.FULL)],
        remits=Remit.values,
    )
    Meeting.objects.create(panel=panel, date=timezone.localdate())
    child = frequently_missing_child(world)
    due = timezone.localdate() + timedelta(days=7)
    review = timezone.localdate() + timedelta(days=21)

    # The chair sees who is suggested and why, and builds the agenda.
    sign_in(page, "chris", PASSWORD)
    page.goto(f"/panels/{panel.pk}/")
    page.get_by_role("link", name="Who is suggested and why").click()
    page.get_by_text("3 missing episodes in the last 90 days").wait_for()
    page.get_by_role("button", name="Build the agenda").click()
    page.get_by_text(re.compile(r"Agenda built: 1 children")).wait_for()
    page.get_by_role("heading", name=re.compile("Missing")).first.wait_for()
    assert page.get_by_role("link", name="Kai Mensah").is_visible()

    # The chair records the decision with an action for the police.
    page.get_by_role("link", name=re.compile("Record the decision")).click()
    page.get_by_label("High (serious)").check()
    page.get_by_label("Lead professional").fill("Sam Patel")
    page.locator("input[name=nrm_referral][value=no]").check()
    page.locator("input[name=strategy_discussion][value=yes]").check()
    page.get_by_label("Continue: keep on the panel").check()
    page.get_by_label("Review date").fill(review.isoformat())
    page.locator("input[name='action-0-description']").fill("Visit the Southend flat with police")
    page.locator("input[name='action-0-owner_name']").fill("Pete Lewis")
    page.locator("select[name='action-0-owner_organisation']").select_option(
        label="Metropolitan Police Service"
    )
    page.locator("input[name='action-0-due_date']").fill(due.isoformat())
    page.locator("textarea[name='minute-0-text']").fill("Found in Southend again: a county line.")
    page.get_by_role("button", name="Save the decision").click()
    page.get_by_text("Decision recorded").first.wait_for()
    assert page.get_by_text("Visit the Southend flat with police").first.is_visible()

    # The owner, signed in separately, finds it on the Met's worklist.
    context = browser.new_context(base_url=live_server.url)
    owner = context.new_page()
    try:
        sign_in(owner, "pete", PASSWORD)
        owner.goto("/panels/actions/")
        row = owner.get_by_role("row", name=re.compile("Visit the Southend flat with police"))
        row.wait_for()
        assert "Kai Mensah" in row.inner_text()
        assert due.strftime("%-d %b %Y") in row.inner_text()
        row.get_by_role("button", name=re.compile("Mark done")).click()
        owner.get_by_text("Action marked done").wait_for()
        assert owner.get_by_text("No other open actions.").is_visible()
    finally:
        context.close()
    assert child.panel_actions.get().status == "done"
