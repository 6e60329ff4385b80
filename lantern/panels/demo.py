"""The demo's panel: Haringey's multi-agency exploitation panel, a meeting three weeks ago with a
decision and actions for the showcase child Kai Mensah, and the next meeting today.

Built through the ordinary services (so the same shares, audit events and checks run) on top of
the loaded demo (``demo_load``; organisations and users from ``lantern.demo.users``). Idempotent:
running it again changes nothing that exists, and adds a next meeting only when none is planned.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from lantern.accounts.models import Organisation, User
from lantern.demo.records import DEMO_CHARITY, DEMO_HEALTH, DEMO_SCHOOL
from lantern.demo.users import HARINGEY, MET, demo_organisations
from lantern.panels import queries, services
from lantern.panels.models import (
    Action,
    AgendaItem,
    Meeting,
    MeetingStatus,
    Outcome,
    Panel,
    PanelMembership,
    PanelRemit,
    Remit,
    Sharing,
)
from lantern.people.models import Child

PANEL_NAME = "Haringey Missing Children and Child Exploitation Panel (demo)"
CADENCE_DAYS = 21  # three-weekly, as in the Haringey 2016 report (domain §1.7)
CHAIR = "haringey-chair"


@dataclass
class DemoPanel:
    panel: Panel
    created: bool
    meetings_created: list[str] = field(default_factory=list)


def _members() -> list[tuple[Organisation, str]]:
    demo = demo_organisations()
    return [
        (Organisation.objects.get(ons_code=MET), Sharing.FULL),
        (demo[DEMO_HEALTH], Sharing.FULL),
        (demo[DEMO_CHARITY], Sharing.RESTRICTED_EXCLUDED),
        (demo[DEMO_SCHOOL], Sharing.RESTRICTED_EXCLUDED),
    ]


def _ensure_panel(chair: User | None) -> tuple[Panel, bool]:
    haringey = Organisation.objects.get(ons_code=HARINGEY)
    panel = Panel.objects.filter(name=PANEL_NAME).first()
    members = _members()
    if panel is None:
        panel = services.panel_create(
            actor=chair,
            name=PANEL_NAME,
            lead_la=haringey,
            members=members,
            remits=Remit.values,
            cadence_days=CADENCE_DAYS,
        )
        return panel, True
    for org, sharing in [(haringey, Sharing.FULL), *members]:
        PanelMembership.objects.get_or_create(
            panel=panel, organisation=org, defaults={"sharing": sharing}
        )
    for remit in Remit.values:
        PanelRemit.objects.get_or_create(panel=panel, remit=remit)
    services.rules_load_defaults(panel=panel)
    return panel, False


def _last_meeting(panel: Panel, chair: User, now: datetime) -> Meeting | None:
    """A closed meeting three weeks ago: Kai on the agenda, a decision, two actions (one of them
    now overdue, so it comes back on the next agenda)."""
    day = timezone.localdate(now) - timedelta(days=CADENCE_DAYS)
    kai = Child.objects.filter(first_name="Kai", last_name="Mensah", home_la=panel.lead_la).first()
    meeting = Meeting.objects.create(panel=panel, date=day, created_by=chair)
    held = datetime.combine(day, time(10, 0), tzinfo=timezone.get_current_timezone())
    services.agenda_build(actor=chair, meeting=meeting, now=held)
    item = AgendaItem.objects.filter(meeting=meeting, child=kai).first() if kai else None
    if item is not None:
        # The story is Kai's: the others the criteria suggested then are taken off that agenda,
        # so the last meeting's minutes read as a meeting that was held.
        for other in AgendaItem.objects.filter(meeting=meeting).exclude(pk=item.pk):
            services.agenda_item_remove(actor=chair, item=other)
        met = Organisation.objects.get(ons_code=MET)
        school = demo_organisations()[DEMO_SCHOOL]
        today = timezone.localdate(now)
        decision = services.decision_record(
            actor=chair,
            item=item,
            agreed_risk_level="high",
            lead_agency=panel.lead_la,
            lead_professional_name="Sam Patel",
            nrm_referral=True,
            strategy_discussion=True,
            review_date=today,
            outcome=Outcome.CONTINUE,
            minutes=[
                services.MinuteInput(
                    "Kai has been found in Southend-on-Sea again. The panel agreed he is being "
                    "criminally exploited through a county line and is a victim, not an "
                    "offender. Social care leads; police to work with Essex Police."
                ),
                services.MinuteInput(
                    "Police intelligence links the Southend address to an organised group "
                    "using a deal line. Not for wider circulation.",
                    restricted=True,
                ),
            ],
            safety_plan=[
                services.SafetyPlanInput(
                    "Return home interviews from the same worker every time",
                    "Grace Achebe",
                    demo_organisations()[DEMO_CHARITY],
                ),
                services.SafetyPlanInput(
                    "Daily attendance check, with a call to the social worker if he is absent",
                    "Nadia Brooks",
                    school,
                ),
            ],
            actions=[
                services.ActionInput(
                    "Share the Southend address with Essex Police and ask for a welfare visit",
                    "Pete Lewis",
                    met,
                    today + timedelta(days=1),
                ),
                services.ActionInput(
                    "Review Kai's placement with the Enfield children's home",
                    "Sam Patel",
                    panel.lead_la,
                    today + timedelta(days=1),
                ),
            ],
        )
        # Due a week after the meeting, so one is overdue now (the services refuse a due date
        # in the past, which is right for real work; the demo back-dates it).
        Action.objects.filter(decision=decision).update(due_date=day + timedelta(days=7))
    services.meeting_set_status(actor=chair, meeting=meeting, status=MeetingStatus.CLOSED)
    Meeting.objects.filter(pk=meeting.pk).update(closed_at=held + timedelta(hours=2))
    return meeting


@transaction.atomic
def panels_demo_ensure(now: datetime | None = None) -> DemoPanel:
    """Create the demo panel, its last meeting and its next meeting where missing."""
    now = now or timezone.now()
    chair = User.objects.filter(username=CHAIR).first()
    panel, created = _ensure_panel(chair)
    result = DemoPanel(panel, created)
    if chair is None:
        return result  # no demo users: the panel only (demo_load creates them)
    if not panel.meetings.exists():
        last = _last_meeting(panel, chair, now)
        if last is not None:
            result.meetings_created.append(f"{last.date:%d/%m/%Y} (closed)")
    today = timezone.localdate(now)
    if queries.next_meeting(panel, today) is None:
        day = today
        while Meeting.objects.filter(panel=panel, date=day).exists():
            day += timedelta(days=1)
        meeting = services.meeting_schedule(actor=chair, panel=panel, date=day)
        result.meetings_created.append(f"{meeting.date:%d/%m/%Y} (next)")
    return result
