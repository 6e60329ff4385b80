"""Organisations, people who sign in, their roles, and explicit sharing decisions."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from lantern.accounts.roles import Role


class OrgType(models.TextChoices):
    LOCAL_AUTHORITY = "la", "Local authority"
    POLICE = "police", "Police force"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    VOLUNTARY = "voluntary", "Voluntary or charity"
    OTHER = "other", "Other"


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=OrgType.choices)
    # ONS GSS code: E09000014 for Haringey (upper-tier LA), E23000001 for the Met (police force area).
    ons_code = models.CharField(max_length=9, blank=True, default="")
    # DfE 3-digit "old LA code" (309 for Haringey), for local authorities only.
    dfe_la_code = models.CharField(max_length=3, blank=True, default="")
    region_code = models.CharField(max_length=9, blank=True, default="")
    # The police force area that covers a local authority (for cross-border notifications).
    police_force = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="covered_las"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ons_code"], condition=~Q(ons_code=""), name="org_unique_ons_code"
            ),
        ]
        indexes = [models.Index(fields=["type", "name"])]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. What they may see depends on their memberships."""

    display_name = models.CharField(max_length=150, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}, {self.organisation}"


class ShareDecision(models.TextChoices):
    SHARE = "share", "Share"
    NOT_SHARE = "not_share", "Do not share"


class LawfulBasis(models.TextChoices):
    PUBLIC_TASK = "6_1_e", "UK GDPR Art 6(1)(e) public task"
    LEGAL_OBLIGATION = "6_1_c", "UK GDPR Art 6(1)(c) legal obligation"
    VITAL_INTERESTS = "6_1_d", "UK GDPR Art 6(1)(d) vital interests"
    LEGITIMATE_INTERESTS = "6_1_f", "UK GDPR Art 6(1)(f) legitimate interests"
    LAW_ENFORCEMENT = "dpa_part3", "DPA 2018 Part 3 law enforcement"


class Condition(models.TextChoices):
    SCH1_PARA18 = "sch1_18", "DPA 2018 Sch 1 para 18: safeguarding of children"
    SCH1_PARA6 = "sch1_6", "DPA 2018 Sch 1 para 6: statutory purposes"
    SCH1_PARA10 = "sch1_10", "DPA 2018 Sch 1 para 10: preventing or detecting unlawful acts"
    SCH8_PARA4 = "sch8_4", "DPA 2018 Sch 8 para 4: safeguarding of children (police)"
    NOT_SPECIAL = "none", "No special category data shared"


class Share(models.Model):
    """An explicit decision to share a child's record with another organisation, or not to.

    Golden rules 6 and 7 (domain §5.2): who decided, with whom, why, on what lawful basis and for
    how long; decisions *not* to share are recorded as well and grant nothing.
    """

    child = models.ForeignKey("people.Child", on_delete=models.CASCADE, related_name="shares")
    from_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    to_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=ShareDecision.choices)
    purpose = models.CharField(max_length=300)
    lawful_basis = models.CharField(max_length=12, choices=LawfulBasis.choices)
    condition = models.CharField(max_length=12, choices=Condition.choices)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at"]
        indexes = [models.Index(fields=["to_organisation", "child"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="not_share") | Q(expires_at__isnull=False),
                name="share_grant_has_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.from_organisation} to {self.to_organisation}"
