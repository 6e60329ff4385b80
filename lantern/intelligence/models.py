"""Intelligence: places, people of concern, phones, vehicles, the links between them and children,
cross-border notifications and street-level crime counts.

Every intelligence item and every link carries where it came from (free text and organisation),
a 3x5x2 grading and an access level. Police-only items never leave police forces
(see ``lantern.intelligence.access``, the one place that filters them).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from lantern.accounts.models import Organisation
from lantern.common.models import TimeStampedModel
from lantern.episodes.models import MissingEpisode
from lantern.interviews.models import ReturnInterview
from lantern.people.models import Child


class SourceEvaluation(models.TextChoices):
    """3x5x2 source evaluation (College of Policing APP, intelligence management, 2016 onwards).

    1 Reliable: the source has proved reliable in the past, without doubt.
    2 Untested: the source has not been used before, or its reliability cannot yet be judged.
    3 Not reliable: there are doubts about the source's reliability.
    """

    RELIABLE = "1", "1: Reliable"
    UNTESTED = "2", "2: Untested"
    NOT_RELIABLE = "3", "3: Not reliable"


class IntelligenceAssessment(models.TextChoices):
    """3x5x2 intelligence assessment: how the source came to know the information."""

    KNOWN_DIRECTLY = "A", "A: Known directly to the source"
    INDIRECT_CORROBORATED = "B", "B: Known indirectly to the source but corroborated"
    INDIRECT = "C", "C: Known indirectly to the source"
    NOT_KNOWN = "D", "D: Not known"
    SUSPECTED_FALSE = "E", "E: Suspected to be false or malicious"


class HandlingCode(models.TextChoices):
    """3x5x2 handling code: whether the item may be shared onwards."""

    PERMITTED = "P", "P: Lawful sharing permitted"
    CONDITIONS = "C", "C: Lawful sharing permitted subject to conditions"


class AccessLevel(models.TextChoices):
    """Who may see an item: every partner organisation, or police forces only (AC5)."""

    PARTNERS = "partners", "Partner organisations"
    POLICE_ONLY = "police", "Police only"


class Origin(models.TextChoices):
    """How an item or link came to be: typed by someone, or derived from a record."""

    MANUAL = "manual", "Recorded by hand"
    EPISODE = "episode", "From a missing episode"
    INTERVIEW = "interview", "From a return interview"


class IntelItem(TimeStampedModel):
    """Source, grading and access level: what every intelligence item carries."""

    source = models.CharField(
        max_length=300, blank=True, help_text="Where this came from, in a few words"
    )
    source_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_evaluation = models.CharField(
        max_length=1, choices=SourceEvaluation.choices, default=SourceEvaluation.UNTESTED
    )
    assessment = models.CharField(
        max_length=1,
        choices=IntelligenceAssessment.choices,
        default=IntelligenceAssessment.NOT_KNOWN,
    )
    handling_code = models.CharField(
        max_length=1, choices=HandlingCode.choices, default=HandlingCode.PERMITTED
    )
    access_level = models.CharField(
        max_length=8, choices=AccessLevel.choices, default=AccessLevel.PARTNERS
    )
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recording_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def grading(self) -> str:
        """The 3x5x2 grade in its usual short form, for example "2C P"."""
        return f"{self.source_evaluation}{self.assessment} {self.handling_code}"

    @property
    def is_police_only(self) -> bool:
        return self.access_level == AccessLevel.POLICE_ONLY


class PlaceType(models.TextChoices):
    HOME = "home", "Home address"
    PLACEMENT = "placement", "Care placement"
    HOTSPOT = "hotspot", "Hotspot"
    HOTEL = "hotel", "Hotel or short let"
    CUCKOOED = "cuckooed", "Cuckooed address"
    TRANSPORT_HUB = "transport", "Transport hub"
    PARK = "park", "Park or open space"
    SHOP = "shop", "Shop or takeaway"
    SCHOOL = "school", "School or college"
    FOUND_AREA = "found_area", "Area where children were found"
    OTHER = "other", "Somewhere else"


# Place types that warn of exploitation wherever they are (placement checks, hotspot maps).
RISK_PLACE_TYPES = frozenset(
    {PlaceType.HOTSPOT, PlaceType.HOTEL, PlaceType.CUCKOOED, PlaceType.FOUND_AREA}
)


class RiskStatus(models.TextChoices):
    NONE = "none", "No known risk"
    SUSPECTED = "suspected", "Suspected"
    CONFIRMED = "confirmed", "Confirmed"
    DISRUPTED = "disrupted", "Disrupted"
    CLOSED = "closed", "Closed: no longer a concern"


class Place(IntelItem):
    """A place: an address or a postcode, geocoded offline to its postcode sector.

    Maps never show addresses or full postcodes: only the sector or district and its centroid.
    """

    label = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    sector = models.CharField(max_length=6, blank=True, db_index=True)
    district = models.CharField(max_length=4, blank=True, db_index=True)
    latitude = models.FloatField(null=True, blank=True, help_text="Sector centroid")
    longitude = models.FloatField(null=True, blank=True, help_text="Sector centroid")
    easting = models.FloatField(null=True, blank=True, help_text="Sector centroid")
    northing = models.FloatField(null=True, blank=True, help_text="Sector centroid")
    lad_code = models.CharField(max_length=9, blank=True)
    la = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place_type = models.CharField(max_length=12, choices=PlaceType.choices)
    risk_status = models.CharField(
        max_length=10, choices=RiskStatus.choices, default=RiskStatus.NONE
    )
    # Derived places (one per found postcode sector) are found again by this key.
    derived_key = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["label", "id"]
        indexes = [
            models.Index(fields=["la", "place_type"]),
            models.Index(fields=["easting", "northing"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["derived_key"], condition=~Q(derived_key=""), name="place_derived_once"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def reference(self) -> str:
        return f"PL{self.pk:07d}" if self.pk else "PL (new)"


class DisruptionAction(TimeStampedModel):
    """Something done to disrupt exploitation at a place (closure order, CAWN, visit, ...)."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="disruptions")
    taken_on = models.DateField()
    action = models.CharField(max_length=300)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-taken_on", "-id"]

    def __str__(self) -> str:
        return self.action


class PersonKind(models.TextChoices):
    ADULT = "adult", "Adult"
    PEER = "peer", "Peer (under 18)"
    UNKNOWN = "unknown", "Age not known"


class PersonOfConcern(IntelItem):
    """An adult or peer thought to exploit or endanger children.

    Restricted people are seen only by the organisation that recorded them and by police forces.
    """

    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    known_as = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=8, choices=PersonKind.choices, default=PersonKind.ADULT)
    date_of_birth = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    restricted = models.BooleanField(default=False)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "people of concern"
        constraints = [
            models.CheckConstraint(
                condition=~Q(first_name="") | ~Q(last_name="") | ~Q(known_as=""),
                name="person_has_a_name",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        if self.known_as:
            return f"{name} (known as {self.known_as})" if name else f"Known as {self.known_as}"
        return name

    @property
    def reference(self) -> str:
        return f"PC{self.pk:07d}" if self.pk else "PC (new)"


class PersonAlias(TimeStampedModel):
    person = models.ForeignKey(PersonOfConcern, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=150)

    class Meta:
        verbose_name_plural = "person aliases"

    def __str__(self) -> str:
        return self.name


class PhoneKind(models.TextChoices):
    NUMBER = "number", "Phone number"
    HANDLE = "handle", "Social media or messaging handle"


class Phone(IntelItem):
    """A phone number (normalised to 0 followed by ten digits) or a messaging handle."""

    kind = models.CharField(max_length=8, choices=PhoneKind.choices, default=PhoneKind.NUMBER)
    value = models.CharField(max_length=100, help_text="As first recorded")
    # Not unique: a police-only row and a partner row may hold the same number without either
    # revealing the other. The network treats rows with one normalised value as one node.
    normalised = models.CharField(max_length=100, db_index=True)
    platform = models.CharField(max_length=60, blank=True)
    deal_line = models.BooleanField(
        default=False, help_text="A branded line used to take drug orders (domain §4.1)"
    )

    class Meta:
        ordering = ["normalised"]

    def __str__(self) -> str:
        return self.normalised

    @property
    def reference(self) -> str:
        return f"PH{self.pk:07d}" if self.pk else "PH (new)"


class Vehicle(IntelItem):
    # Not unique, for the same reason as Phone.normalised.
    vrm = models.CharField("Registration", max_length=10, db_index=True, help_text="Normalised")
    make = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=60, blank=True)
    colour = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["vrm"]

    def __str__(self) -> str:
        return self.vrm

    @property
    def reference(self) -> str:
        return f"VE{self.pk:07d}" if self.pk else "VE (new)"


class LinkKind(models.TextChoices):
    """Which two kinds of thing a link joins; the endpoint columns that must be set follow."""

    CHILD_PERSON = "child_person", "Child and person of concern"
    CHILD_PLACE = "child_place", "Child and place"
    CHILD_PHONE = "child_phone", "Child and phone"
    CHILD_VEHICLE = "child_vehicle", "Child and vehicle"
    CHILD_CHILD = "child_child", "Child and child"
    PERSON_PERSON = "person_person", "Person and person"
    PERSON_PLACE = "person_place", "Person and place"
    PERSON_PHONE = "person_phone", "Person and phone"
    PERSON_VEHICLE = "person_vehicle", "Person and vehicle"
    PLACE_PHONE = "place_phone", "Place and phone"
    PLACE_VEHICLE = "place_vehicle", "Place and vehicle"


# The endpoint columns each kind sets; every other endpoint column stays empty.
LINK_ENDPOINTS: dict[str, tuple[str, str]] = {
    LinkKind.CHILD_PERSON: ("child", "person"),
    LinkKind.CHILD_PLACE: ("child", "place"),
    LinkKind.CHILD_PHONE: ("child", "phone"),
    LinkKind.CHILD_VEHICLE: ("child", "vehicle"),
    LinkKind.CHILD_CHILD: ("child", "child_b"),
    LinkKind.PERSON_PERSON: ("person", "person_b"),
    LinkKind.PERSON_PLACE: ("person", "place"),
    LinkKind.PERSON_PHONE: ("person", "phone"),
    LinkKind.PERSON_VEHICLE: ("person", "vehicle"),
    LinkKind.PLACE_PHONE: ("place", "phone"),
    LinkKind.PLACE_VEHICLE: ("place", "vehicle"),
}
ENDPOINT_COLUMNS = ("child", "child_b", "person", "person_b", "place", "phone", "vehicle")


class Relation(models.TextChoices):
    ASSOCIATE = "associate", "Associate of"
    FOUND_AT = "found_at", "Found at"
    FOUND_TOGETHER = "found_together", "Found together"
    MISSING_TOGETHER = "missing_together", "Missing together"
    SEEN_WITH = "seen_with", "Seen with"
    USES = "uses", "Uses or used"
    CONTACTED_BY = "contacted_by", "Contacted by"
    LIVES_AT = "lives_at", "Lives or stays at"
    VISITS = "visits", "Visits"
    MENTIONED = "mentioned", "Mentioned in a return interview"
    DRIVES = "drives", "Drives or is driven in"
    OTHER = "other", "Other"


def _endpoint_check(kind: str, cols: tuple[str, str]) -> Q:
    condition = Q(kind=kind)
    for column in ENDPOINT_COLUMNS:
        condition &= Q(**{f"{column}__isnull": column not in cols})
    return condition


_ENDPOINTS_MATCH_KIND = Q()
for _kind, _cols in LINK_ENDPOINTS.items():
    _ENDPOINTS_MATCH_KIND |= _endpoint_check(_kind, _cols)


class Link(IntelItem):
    """A typed, dated connection between two things, with its evidence and where it came from.

    Derived links point at the episode or interview they came from (provenance) and carry a
    ``derived_key`` so deriving again never duplicates them.
    """

    kind = models.CharField(max_length=16, choices=LinkKind.choices)
    relation = models.CharField(max_length=16, choices=Relation.choices, default=Relation.ASSOCIATE)
    child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.CASCADE, related_name="intel_links"
    )
    child_b = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.CASCADE, related_name="intel_links_b"
    )
    person = models.ForeignKey(
        PersonOfConcern, null=True, blank=True, on_delete=models.CASCADE, related_name="links"
    )
    person_b = models.ForeignKey(
        PersonOfConcern, null=True, blank=True, on_delete=models.CASCADE, related_name="links_b"
    )
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.CASCADE, related_name="links"
    )
    phone = models.ForeignKey(
        Phone, null=True, blank=True, on_delete=models.CASCADE, related_name="links"
    )
    vehicle = models.ForeignKey(
        Vehicle, null=True, blank=True, on_delete=models.CASCADE, related_name="links"
    )
    observed_on = models.DateField(help_text="When the connection was seen or reported")
    ended_on = models.DateField(null=True, blank=True)
    evidence = models.TextField()
    episode = models.ForeignKey(
        MissingEpisode, null=True, blank=True, on_delete=models.CASCADE, related_name="intel_links"
    )
    episode_b = models.ForeignKey(
        MissingEpisode, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    interview = models.ForeignKey(
        ReturnInterview,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="intel_links",
    )
    derived_key = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["-observed_on", "-id"]
        indexes = [
            models.Index(fields=["kind", "relation"]),
            models.Index(fields=["observed_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=_ENDPOINTS_MATCH_KIND, name="link_endpoints_match"),
            models.CheckConstraint(
                condition=Q(child_b__isnull=True) | ~Q(child=models.F("child_b")),
                name="link_not_to_same_child",
            ),
            models.CheckConstraint(
                condition=Q(person_b__isnull=True) | ~Q(person=models.F("person_b")),
                name="link_not_to_same_person",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("observed_on")),
                name="link_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["derived_key"], condition=~Q(derived_key=""), name="link_derived_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_relation_display()}"

    @property
    def reference(self) -> str:
        return f"LK{self.pk:07d}" if self.pk else "LK (new)"


class NotificationKind(models.TextChoices):
    FOUND_OUT_OF_AREA = "found_ooa", "Child found in another area"
    PLACED_OUT_OF_AREA_MISSING = "placed_ooa_missing", "Child placed out of area is missing"


class RecipientRole(models.TextChoices):
    HOME_LA = "home_la", "Home local authority"
    HOST_LA = "host_la", "Local authority where the child is or was found"
    HOST_POLICE = "host_police", "Police force for that area"


class Notification(models.Model):
    """An in-app notice to one organisation about a child crossing a border.

    One per organisation, episode and kind. Unacknowledged notices escalate to the organisation's
    managers after a configurable time (``notifications_escalate``).
    """

    recipient = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="intel_notifications"
    )
    recipient_role = models.CharField(max_length=12, choices=RecipientRole.choices)
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="intel_notifications")
    episode = models.ForeignKey(
        MissingEpisode, on_delete=models.CASCADE, related_name="intel_notifications"
    )
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "acknowledged_at"]),
            models.Index(fields=["acknowledged_at", "escalated_at", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "episode", "kind"], name="notification_once_per_org"
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_by__isnull=False),
                name="notification_acknowledged_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient}"


class CrimeCount(models.Model):
    """Street-level crimes from data.police.uk, counted by LSOA, month and crime type.

    The position is the mean of the crimes' own (already anonymised) map points, in British
    National Grid metres, so distances are simple arithmetic.
    """

    month = models.DateField(help_text="First day of the month")
    reported_by = models.CharField(max_length=100)
    lsoa_code = models.CharField(max_length=9, blank=True)
    lsoa_name = models.CharField(max_length=100, blank=True)
    crime_type = models.CharField(max_length=60)
    count = models.PositiveIntegerField()
    easting = models.FloatField(null=True, blank=True)
    northing = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["month", "lsoa_code", "crime_type"]
        indexes = [
            models.Index(fields=["easting", "northing"]),
            models.Index(fields=["reported_by", "month"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reported_by", "month", "lsoa_code", "crime_type"],
                name="crime_count_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.lsoa_code} {self.crime_type}: {self.count}"


class CrimeImport(models.Model):
    """One imported data.police.uk file, for provenance."""

    file_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.file_name
