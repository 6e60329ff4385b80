"""Multi-agency exploitation panels: members, meetings, referral rules, agendas, decisions, actions.

A panel (MACE, or Haringey's three-weekly operational panel; domain §1.7, §4.4) is led by a local
authority and has member organisations, each with a sharing level: *full* members see restricted
items (restricted minute sections and restricted referral reasons), *restricted-excluded*
members see the rest. Which children a member sees at all is never decided here: the access
policy decides, and putting a child on an agenda records explicit shares (``accounts.Share``) for
the panel's purpose.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from lantern.accounts.models import Organisation
from lantern.common.models import TimeStampedModel, VersionedModel
from lantern.interviews.models import ExploitationType
from lantern.people.models import Child
from lantern.risk.models import Level


class Remit(models.TextChoices):
    """What a panel covers (domain §7 PanelRemit). Choices order is the agenda's group order."""

    CSE = "cse", "Child sexual exploitation"
    CCE_GANGS = "cce_gangs", "Criminal exploitation and gangs"
    RADICALISATION = "radicalisation", "Radicalisation"
    MISSING = "missing", "Missing"
    ADULTHOOD = "adulthood", "Young people approaching adulthood"


class RuleRemit(models.TextChoices):
    """Where a referral rule routes a child: a remit, or by the type of exploitation known."""

    BY_TYPE = "by_type", "By the type of exploitation known (missing when none)"
    CSE = Remit.CSE.value, Remit.CSE.label
    CCE_GANGS = Remit.CCE_GANGS.value, Remit.CCE_GANGS.label
    RADICALISATION = Remit.RADICALISATION.value, Remit.RADICALISATION.label
    MISSING = Remit.MISSING.value, Remit.MISSING.label
    ADULTHOOD = Remit.ADULTHOOD.value, Remit.ADULTHOOD.label


class Sharing(models.TextChoices):
    FULL = "full", "Full: includes restricted items"
    RESTRICTED_EXCLUDED = "restricted_excluded", "Restricted items excluded"


class Panel(TimeStampedModel):
    name = models.CharField(max_length=200)
    lead_la = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="panels_led", verbose_name="Lead LA"
    )
    organisations = models.ManyToManyField(
        Organisation, through="PanelMembership", related_name="panels"
    )
    # Local practice (domain §1.7: Haringey's panel met every three weeks, MACE monthly).
    cadence_days = models.PositiveSmallIntegerField(default=21)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="panel_name_unique"),
            models.CheckConstraint(condition=Q(cadence_days__gte=1), name="panel_cadence_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def remit_values(self) -> list[str]:
        chosen = {r.remit for r in self.remits.all()}
        return [r for r in Remit.values if r in chosen]

    @property
    def remit_labels(self) -> list[str]:
        return [Remit(r).label for r in self.remit_values]


class PanelRemit(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="remits")
    remit = models.CharField(max_length=16, choices=Remit.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["panel", "remit"], name="panel_remit_once"),
        ]

    def __str__(self) -> str:
        return self.get_remit_display()


class PanelMembership(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="panel_memberships"
    )
    sharing = models.CharField(max_length=20, choices=Sharing.choices, default=Sharing.FULL)
    joined_on = models.DateField(auto_now_add=True)

    class Meta:
        ordering = ["panel", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "organisation"], name="panel_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_sharing_display()})"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"


class Meeting(TimeStampedModel):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    status = models.CharField(
        max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    agenda_built_at = models.DateTimeField(null=True, blank=True)
    # "Since the last meeting" starts here when the last meeting was closed.
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "date"], name="meeting_one_per_day"),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="meeting_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.panel}, {self.date:%d/%m/%Y}"

    @property
    def is_closed(self) -> bool:
        return self.status == MeetingStatus.CLOSED


class Attendance(models.Model):
    """Someone at a meeting, or who sent apologies, with the organisation they represented."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=150)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    apologies = models.BooleanField(default=False)

    class Meta:
        ordering = ["apologies", "organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(user__isnull=False),
                name="attendance_user_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.organisation}"


class RuleKind(models.TextChoices):
    """Referral criteria (issue 4 defaults; domain §1.6 typical local triggers [L])."""

    EPISODES_IN_WINDOW = "episodes_in_window", "Missing episodes in a window"
    POLICE_HIGH = "police_high", "Graded high risk by the police"
    SCREENING_AT_LEAST = "screening_at_least", "Screening at or above a level"
    FOUND_OUT_OF_AREA = "found_out_of_area", "Found out of area"
    NEW_DISCLOSURE = "new_disclosure", "New disclosure in a return interview since the last meeting"
    APPROACHING_ADULTHOOD = "approaching_adulthood", "Approaching adulthood with open concerns"
    NRM_REFERRAL = "nrm_referral", "National Referral Mechanism referral"
    EXPLOITATION_FLAG = "exploitation_flag", "Active exploitation flag of a type"


class ReferralRule(TimeStampedModel):
    """One row of a panel's editable referral criteria (domain §1.6 build note)."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(max_length=24, choices=RuleKind.choices)
    description = models.CharField(max_length=300)
    # Parameters, each used by some kinds only.
    count = models.PositiveSmallIntegerField(null=True, blank=True)
    days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Only evidence from the last N days counts"
    )
    level = models.CharField(max_length=6, choices=Level.choices, blank=True)
    age_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Age in months: 210 is 17 and a half"
    )
    remit = models.CharField(max_length=16, choices=RuleRemit.choices, default=RuleRemit.BY_TYPE)
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["panel", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="episodes_in_window") | (Q(count__gte=1) & Q(days__gte=1)),
                name="rule_episodes_has_count_and_days",
            ),
            models.CheckConstraint(
                condition=~Q(kind="approaching_adulthood") | Q(age_months__gte=1),
                name="rule_adulthood_has_age",
            ),
            models.CheckConstraint(
                condition=~Q(kind="screening_at_least") | Q(level__in=["low", "medium", "high"]),
                name="rule_screening_has_level",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def type_values(self) -> list[str]:
        return sorted(t.exploitation_type for t in self.types.all())


class ReferralRuleType(models.Model):
    rule = models.ForeignKey(ReferralRule, on_delete=models.CASCADE, related_name="types")
    exploitation_type = models.CharField(max_length=16, choices=ExploitationType.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "exploitation_type"], name="referral_rule_type_once"
            ),
        ]

    def __str__(self) -> str:
        return self.get_exploitation_type_display()


class AgendaItem(TimeStampedModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="panel_items")
    remit = models.CharField(max_length=16, choices=Remit.choices)
    order = models.PositiveIntegerField(default=0)
    # The level when the agenda was built (lantern.risk); the panel agrees its own in a decision.
    risk_level = models.CharField(max_length=6, choices=Level.choices, default=Level.NONE)
    # Start of "what changed since the last meeting".
    changes_since = models.DateTimeField()
    # Taken off the agenda by the chair: kept (with its referrals) so a rebuild does not add the
    # child back to this meeting.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "child"], name="agenda_child_once"),
        ]

    def __str__(self) -> str:
        return f"{self.child.reference} at {self.meeting}"


class ReferralSource(models.TextChoices):
    AUTO = "auto", "Suggested by the referral criteria"
    MANUAL = "manual", "Referred by a member"
    CARRIED = "carried", "Carried forward from an earlier meeting"


class Referral(TimeStampedModel):
    """Why a child is brought to the panel: one row per reason, from a rule or a person."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="referrals")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="panel_referrals")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    source = models.CharField(max_length=8, choices=ReferralSource.choices)
    rule = models.ForeignKey(
        ReferralRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule_kind = models.CharField(max_length=24, choices=RuleKind.choices, blank=True)
    # The remit a rule routed to, or a referrer asked for; blank: let the agenda decide.
    remit = models.CharField(max_length=16, choices=Remit.choices, blank=True)
    reason = models.TextField()
    # Seen only by members with full sharing (police intelligence behind a referral, say).
    restricted = models.BooleanField(default=False)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["panel", "child"])]

    def __str__(self) -> str:
        return f"Referral {self.pk}"


class ChangeKind(models.TextChoices):
    EPISODE = "episode", "Missing episode"
    INTERVIEW = "interview", "Return interview"
    GRADING = "grading", "Police risk grading"
    SCREENING = "screening", "Screening"
    ACTION_DUE = "action_due", "Action due"
    ACTION_OVERDUE = "action_overdue", "Action overdue"


class AgendaChange(models.Model):
    """What changed for a child since the last meeting, as it stood when the agenda was built."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16, choices=ChangeKind.choices)
    occurred_at = models.DateTimeField()
    text = models.CharField(max_length=500)

    class Meta:
        ordering = ["item", "occurred_at", "id"]

    def __str__(self) -> str:
        return self.text


class Outcome(models.TextChoices):
    CONTINUE = "continue", "Continue: keep on the panel"
    CLOSE = "close", "Close: no longer needs the panel"
    ESCALATE = "escalate", "Escalate"


class Decision(VersionedModel):
    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="decision")
    agreed_risk_level = models.CharField(max_length=6, choices=Level.choices)
    lead_agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    lead_professional_name = models.CharField(max_length=150)
    lead_professional_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nrm_referral = models.BooleanField(
        "NRM referral", help_text="Agreed to refer to the National Referral Mechanism"
    )
    strategy_discussion = models.BooleanField(help_text="Agreed to hold a strategy discussion")
    review_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="close") | Q(review_date__isnull=False),
                name="decision_review_unless_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"Decision for {self.item}"


class MinuteSection(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="minutes")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    restricted = models.BooleanField(default=False)

    class Meta:
        ordering = ["decision", "order", "id"]

    def __str__(self) -> str:
        return f"Minutes {self.pk}"


class SafetyPlanItem(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="safety_plan")
    order = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(max_length=500)
    owner_name = models.CharField(max_length=150)
    owner_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["decision", "order", "id"]

    def __str__(self) -> str:
        return self.description


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class ActionTemplate(models.TextChoices):
    NONE = "", "None"
    HANDOVER = "handover", "Handover to adult safeguarding"


class Action(VersionedModel):
    """A task agreed by the panel; open actions come back on every agenda until done."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="actions")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="panel_actions")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    description = models.CharField(max_length=500)
    owner_name = models.CharField(max_length=150)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="panel_actions"
    )
    due_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    template = models.CharField(max_length=10, choices=ActionTemplate.choices, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["owner_organisation", "status", "due_date"]),
            models.Index(fields=["panel", "child", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(completed_at__isnull=False),
                name="action_finished_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN

    @property
    def is_overdue(self) -> bool:
        """Open and past its due date (the local date today)."""
        return self.is_open and self.due_date < timezone.localdate()


class NrmStatus(models.TextChoices):
    """National Referral Mechanism status for a child (domain §5.1 build note)."""

    NOT_REFERRED = "not_referred", "Not referred"
    REFERRED = "referred", "Referred"
    RG_POSITIVE = "rg_positive", "Reasonable grounds: positive"
    RG_NEGATIVE = "rg_negative", "Reasonable grounds: negative"
    CG_POSITIVE = "cg_positive", "Conclusive grounds: positive"
    CG_NEGATIVE = "cg_negative", "Conclusive grounds: negative"
    WITHDRAWN = "withdrawn", "Withdrawn"


class NrmRecord(TimeStampedModel):
    """One step in a child's NRM history; the newest is the current status."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="nrm_records")
    status = models.CharField(max_length=12, choices=NrmStatus.choices)
    status_on = models.DateField()
    first_responder = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="nrm_records"
    )
    county_lines = models.BooleanField(default=False)
    notes = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-status_on", "-id"]
        indexes = [models.Index(fields=["child", "status_on"])]

    def __str__(self) -> str:
        return f"{self.get_status_display()} on {self.status_on:%d/%m/%Y}"
