"""Children, their names, identifiers, lead professionals and placements."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from lantern.accounts.models import Organisation
from lantern.common.models import TimeStampedModel, VersionedModel
from lantern.people.codes import (
    AliasKind,
    CareStatus,
    Ethnicity,
    IdentifierKind,
    LegalStatus,
    PlacementProvider,
    PlacementType,
    Sex,
)

# How a child recorded without a name is shown (SSDA903 imports carry no names).
NO_NAME = "Child {reference} (no name recorded)"


class Child(VersionedModel):
    # Field classes for DP1: [identifier] names, dates of birth, identifiers, postcodes;
    # [special] ethnicity, sexual-health and exploitation data held in other apps.
    first_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    gender = models.CharField(
        max_length=60, blank=True, help_text="How the child describes their gender"
    )
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    # Indexed by Meta's (home_la, care_status), which serves lookups by home_la alone too.
    home_la = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="home_children", db_index=False
    )
    home_postcode = models.CharField(max_length=8, blank=True)
    care_status = models.CharField(
        max_length=6, choices=CareStatus.choices, default=CareStatus.NONE
    )
    legal_status = models.CharField(max_length=2, choices=LegalStatus.choices, blank=True)
    learning_disability = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when record linkage merges this record into another one; merged records stay for
    # provenance and an unmerge restores them.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "children"
        indexes = [
            models.Index(fields=["date_of_birth"]),
            models.Index(fields=["home_la", "care_status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(care_status="lac") | Q(legal_status=""),
                name="child_legal_status_only_when_looked_after",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """Lantern's reference, derived from the primary key so parallel creation cannot clash."""
        return f"LC{self.pk:07d}" if self.pk else "LC (new)"

    @property
    def full_name(self) -> str:
        """The names as recorded; empty for a child recorded without a name."""
        return " ".join(p for p in (self.first_name, self.middle_names, self.last_name) if p)

    @property
    def display_name(self) -> str:
        """The name to show people. Children created by an SSDA903 import carry no names (the
        return has none), so they are shown by their reference instead of a blank."""
        return self.full_name or NO_NAME.format(reference=self.reference)

    @property
    def name_and_reference(self) -> str:
        """For captions: "Kai Mensah, LC0000012", or the display name (which has the reference)."""
        return f"{self.full_name}, {self.reference}" if self.full_name else self.display_name

    @property
    def is_looked_after(self) -> bool:
        return self.care_status == CareStatus.LOOKED_AFTER


class ChildAlias(TimeStampedModel):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="aliases")
    kind = models.CharField(max_length=10, choices=AliasKind.choices, default=AliasKind.ALIAS)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name_plural = "child aliases"

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ChildIdentifier(TimeStampedModel):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=12, choices=IdentifierKind.choices)
    value = models.CharField(max_length=40)
    issuing_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "value", "issuing_organisation"],
                name="identifier_unique_per_issuer",
            ),
        ]
        indexes = [models.Index(fields=["value"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class ChildNameKey(models.Model):
    """Search keys for a child's names and aliases, kept by people.services.

    One row per name token: the folded token (prefix search) and its phonetic key (typo-tolerant
    search). Lets search stay an index lookup at national scale on SQLite and PostgreSQL alike.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="name_keys")
    token = models.CharField(max_length=100)
    phonetic = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["token"]), models.Index(fields=["phonetic"])]

    def __str__(self) -> str:
        return self.token


class LeadProfessional(TimeStampedModel):
    """One period in which a professional led on the child's case.

    Continuity of a trusted adult matters (domain §1.4): the number of changes is reported.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="lead_professionals")
    name = models.CharField(max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    job_title = models.CharField(max_length=100, blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason_for_change = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="lead_professional_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(ended_on__isnull=True),
                name="one_current_lead_professional",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlacementLocation(models.TextChoices):
    IN = "IN", "In area"
    OUT = "OUT", "Out of area"


class Placement(VersionedModel):
    # Indexed by Meta's (child, started_on); placing_la and host_la by their own foreign keys.
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="placements", db_index=False
    )
    placing_la = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="placements_made"
    )
    place = models.CharField("Placement type", max_length=2, choices=PlacementType.choices)
    provider = models.CharField(max_length=3, choices=PlacementProvider.choices)
    postcode = models.CharField(max_length=8)
    urn = models.CharField("Ofsted URN", max_length=8, blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    # Derived from the postcode by people.services (domain §3.4): never typed.
    host_la = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="placements_hosted",
    )
    host_area_code = models.CharField(
        max_length=9, blank=True, help_text="PL_LA: ONS code, or WAL/SCO/NIR"
    )
    location = models.CharField(max_length=3, choices=PlacementLocation.choices, blank=True)
    distance_miles = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [
            models.Index(fields=["child", "started_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="placement_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place} from {self.started_on:%d/%m/%Y}"

    @property
    def is_out_of_area(self) -> bool:
        return self.location == PlacementLocation.OUT
