"""Missing episodes and police risk gradings."""

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When

from lantern.accounts.models import Organisation
from lantern.common.models import TimeStampedModel, VersionedModel
from lantern.people.models import Child


class Setting(models.TextChoices):
    """Where the child was expected to be (domain §1.2 build note)."""

    HOME = "home", "Home"
    CARE_PLACEMENT = "care", "Care placement"
    SUPPORTED_ACCOMMODATION = "supported", "Supported accommodation"
    EDUCATION = "education", "School or college"
    HOSPITAL = "hospital", "Hospital"
    OTHER = "other", "Somewhere else"


class Whereabouts(models.TextChoices):
    UNKNOWN = "unknown", "Not known"
    KNOWN = "known", "Known"


class Category(models.TextChoices):
    """Derived from whether the child was looked after and whether their whereabouts were known.

    Maps to 903 MISSING codes: missing from care = M, away from placement without authorisation = A.
    "Away from home" is the Haringey wording for a child at home whose whereabouts are known.
    """

    MISSING_FROM_HOME = "missing_home", "Missing from home"
    AWAY_FROM_HOME = "away_home", "Away from home without authorisation"
    MISSING_FROM_CARE = "missing_care", "Missing from care"
    AWAY_FROM_PLACEMENT = "away_placement", "Away from placement without authorisation"


class ReporterKind(models.TextChoices):
    PARENT_CARER = "parent_carer", "Parent or carer"
    FOSTER_CARER = "foster_carer", "Foster carer"
    CHILDRENS_HOME = "childrens_home", "Children's home or supported accommodation staff"
    SOCIAL_WORKER = "social_worker", "Social worker"
    SCHOOL = "school", "School or college"
    POLICE = "police", "Police"
    CHARITY = "charity", "Charity or voluntary organisation"
    HEALTH = "health", "Health"
    SELF = "self", "The child"
    OTHER = "other", "Someone else"


class ReturnHow(models.TextChoices):
    RETURNED_SELF = "self", "Returned by themselves"
    FOUND_POLICE = "police", "Found by police"
    FOUND_CARER_FAMILY = "carer_family", "Found by carer or family"
    FOUND_OTHER_AGENCY = "other_agency", "Found by another agency"
    UNKNOWN = "unknown", "Not known"


class MissingEpisode(VersionedModel):
    # Indexed by Meta's (child, last_seen_at), which serves lookups by child alone too.
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="episodes", db_index=False
    )
    setting = models.CharField(max_length=10, choices=Setting.choices)
    whereabouts = models.CharField(max_length=7, choices=Whereabouts.choices)
    # Whether the child was looked after when the episode began; kept so the category does not
    # change when the child's care status later does.
    looked_after = models.BooleanField()
    category = models.GeneratedField(
        expression=Case(
            When(Q(looked_after=True, whereabouts="unknown"), then=Value("missing_care")),
            When(Q(looked_after=True), then=Value("away_placement")),
            When(Q(whereabouts="unknown"), then=Value("missing_home")),
            default=Value("away_home"),
        ),
        output_field=models.CharField(max_length=16, choices=Category.choices),
        db_persist=True,
    )
    last_seen_at = models.DateTimeField()
    last_seen_place = models.CharField(max_length=200, blank=True)
    last_seen_postcode = models.CharField(max_length=8, blank=True)
    # The LA the child went missing from: derived from the last-seen postcode, else the placement.
    missing_from_la = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField()
    reporter_kind = models.CharField(max_length=16, choices=ReporterKind.choices)
    reporter_name = models.CharField(max_length=150, blank=True)
    reporting_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="episodes_reported",
    )
    reported_to_police = models.BooleanField(default=False)
    police_force = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="episodes_policed",
        help_text="The force the child was reported missing to",
    )
    police_reference = models.CharField(max_length=40, blank=True)
    circumstances = models.TextField(blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    found_place = models.CharField(max_length=200, blank=True)
    found_postcode = models.CharField(max_length=8, blank=True)
    found_la = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="episodes_found_in",
    )
    found_force = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="episodes_found_in_force",
    )
    found_with = models.CharField(max_length=300, blank=True)
    return_how = models.CharField(max_length=12, choices=ReturnHow.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recording_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="episodes_recorded",
    )

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        indexes = [
            models.Index(fields=["child", "last_seen_at"]),
            models.Index(fields=["returned_at"]),
            models.Index(fields=["last_seen_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gt=models.F("last_seen_at")),
                name="episode_return_after_last_seen",
            ),
            models.CheckConstraint(
                condition=Q(reported_at__gte=models.F("last_seen_at")),
                name="episode_reported_after_last_seen",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"ME{self.pk:08d}" if self.pk else "ME (new)"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None


class Grade(models.TextChoices):
    """Police risk grades as recorded, current and legacy (domain §2.2)."""

    VERY_LOW = "very_low", "Very low"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    NO_APPARENT_RISK_ABSENT = "nar_absent", "No apparent risk (absent), 2017 scheme"
    ABSENT_2013 = "absent_2013", "Absent, 2013 to 2017 scheme"


class GradingScheme(models.TextChoices):
    APP_CURRENT = "app_current", "College of Policing APP (very low to high)"
    APP_2017 = "app_2017", "APP 2017 (no apparent risk to high)"
    ACPO_2013 = "acpo_2013", "ACPO 2013 (absent or missing)"
    ACPO_2010 = "acpo_2010", "ACPO 2005/2010 (low, medium, high)"


class PoliceGrading(TimeStampedModel):
    """One police risk grading; reviewed through the case, so kept as a dated history."""

    episode = models.ForeignKey(MissingEpisode, on_delete=models.CASCADE, related_name="gradings")
    grade = models.CharField(max_length=12, choices=Grade.choices)
    scheme = models.CharField(
        max_length=12, choices=GradingScheme.choices, default=GradingScheme.APP_CURRENT
    )
    graded_at = models.DateTimeField()
    graded_by_name = models.CharField(max_length=150)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-graded_at", "-id"]
        indexes = [models.Index(fields=["episode", "graded_at"])]

    def __str__(self) -> str:
        return f"{self.get_grade_display()} at {self.graded_at:%d/%m/%Y %H:%M}"
