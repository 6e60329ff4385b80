"""Independent return home interviews (domain §1.4)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from lantern.accounts.models import Organisation
from lantern.common.models import TimeStampedModel, VersionedModel
from lantern.episodes.models import MissingEpisode
from lantern.people.models import Child


class Status(models.TextChoices):
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    COMPLETED = "completed", "Completed"
    NOT_COMPLETED = "not_completed", "Not completed"


class NotCompletedReason(models.TextChoices):
    CHILD_DECLINED = "child_declined", "The child declined"
    NO_CONTACT = "no_contact", "Could not make contact"
    MISSING_AGAIN = "missing_again", "The child went missing again"
    CARER_REFUSED = "carer_refused", "The parent or carer refused"
    OTHER = "other", "Another reason"


class Factor(models.TextChoices):
    """Push and pull factors (domain §1.4, §1.7; Running the Risks)."""

    MONEY = "money", "Money"
    AFFECTION = "affection", "Affection or attention"
    STATUS = "status", "Status or belonging"
    DEBT = "debt", "Debt or owing someone"
    FEAR = "fear", "Fear or threats"
    RELATIONSHIPS = "relationships", "Relationships (boyfriend, girlfriend, friends)"
    FAMILY_CONFLICT = "family_conflict", "Conflict at home or in placement"
    ABUSE = "abuse", "Abuse or neglect"
    PLACEMENT = "placement", "Unhappy with placement"
    SCHOOL = "school", "Problems at school"
    SUBSTANCES = "substances", "Drugs or alcohol"
    MENTAL_HEALTH = "mental_health", "Mental health"
    BOREDOM = "boredom", "Boredom or wanting freedom"
    FAMILY_CONTACT = "family_contact", "Wanting to see family"
    OTHER = "other", "Something else"


class Direction(models.TextChoices):
    PUSH = "push", "Push (away from home or placement)"
    PULL = "pull", "Pull (towards someone or somewhere)"


class ExploitationType(models.TextChoices):
    CSE = "cse", "Child sexual exploitation"
    CCE = "cce", "Child criminal exploitation"
    COUNTY_LINES = "county_lines", "County lines"
    TRAFFICKING = "trafficking", "Trafficking or modern slavery"
    GANG = "gang", "Gang affiliation"
    RADICALISATION = "radicalisation", "Radicalisation"
    ONLINE = "online", "Online exploitation"
    LABOUR = "labour", "Labour exploitation"
    FINANCIAL = "financial", "Financial exploitation"
    OTHER = "other", "Other harm"


class ReturnInterview(VersionedModel):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="interviews")
    # One interview may cover several episodes when the child went missing again before it.
    episodes = models.ManyToManyField(MissingEpisode, related_name="interviews")
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OFFERED)
    offered_at = models.DateTimeField()
    offered_by_name = models.CharField(max_length=150)
    offered_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    conducted_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="interviews_conducted"
    )
    conducted_by_name = models.CharField(max_length=150, blank=True)
    conducted_by_role = models.CharField(max_length=100, blank=True)
    independent = models.BooleanField(
        default=True, help_text="Conducted by someone not involved in caring for the child"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    not_completed_reason = models.CharField(
        max_length=16, choices=NotCompletedReason.choices, blank=True
    )
    not_completed_detail = models.CharField(max_length=300, blank=True)
    where_child_was = models.TextField(blank=True)
    with_whom = models.TextField(blank=True)
    how_travelled = models.CharField(max_length=300, blank=True)
    harm = models.TextField(blank=True, help_text="Any harm the child experienced")
    agreed_actions = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-offered_at", "-id"]
        indexes = [models.Index(fields=["child", "offered_at"]), models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="interview_completed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_completed") | ~Q(not_completed_reason=""),
                name="interview_not_completed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Return interview {self.pk}"


class InterviewFactor(models.Model):
    interview = models.ForeignKey(ReturnInterview, on_delete=models.CASCADE, related_name="factors")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    factor = models.CharField(max_length=16, choices=Factor.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "direction", "factor"], name="factor_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.get_factor_display()}"


class Disclosure(TimeStampedModel):
    """Something the child told the interviewer; each may be marked as an exploitation indicator."""

    interview = models.ForeignKey(
        ReturnInterview, on_delete=models.CASCADE, related_name="disclosures"
    )
    text = models.TextField()
    exploitation_type = models.CharField(
        max_length=16, choices=ExploitationType.choices, blank=True
    )
    is_exploitation_indicator = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Disclosure {self.pk}"
