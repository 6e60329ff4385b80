"""What the API shows and accepts. Every serializer names its fields (AP5: no ``__all__``).

Read serializers turn rows into JSON. Input serializers only type what a client sent: the rules
(dates in order, no overlaps, real postcodes) are the services', and their messages come back on
the same field names. Where a serializer must reject a value itself (an unknown code), it uses the
service's own message so a client sees one wording whichever layer answered.
"""

from datetime import datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lantern.accounts.models import Organisation, OrgType
from lantern.episodes import services as episode_services
from lantern.episodes.models import (
    Category,
    Grade,
    GradingScheme,
    MissingEpisode,
    PoliceGrading,
    ReporterKind,
    ReturnHow,
    Setting,
    Whereabouts,
)
from lantern.interviews import services as interview_services
from lantern.interviews.models import (
    Direction,
    ExploitationType,
    Factor,
    NotCompletedReason,
    ReturnInterview,
    Status,
)
from lantern.people.codes import (
    CareStatus,
    Ethnicity,
    LegalStatus,
    PlacementProvider,
    PlacementType,
    Sex,
)
from lantern.people.models import Child, ChildAlias, ChildIdentifier, Placement, PlacementLocation
from lantern.risk.models import Assessment, Level

DATETIME_INVALID = "Enter a real date and time, like 2025-06-01T14:30:00Z"
DATETIME_RANGE = "Enter a date and time between 1900 and 2100"
DATE_INVALID = "Enter a real date, like 2025-06-01"
ORGANISATION_INVALID = "Select an organisation that Lantern knows"
CHILD_REQUIRED = "Enter the id of the child"
VERSION_REQUIRED = "Give the version of the record you read, so no one else's changes are lost"
CHOICE_INVALID = "Select one of the listed values"


class SaneDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time from 1900 to 2100; naive values are read as UK local time.

    The bounds are far outside any real record and inside what every database and time zone can
    hold (year 1 in UTC is year 0 in London's 1847 offset, which Python cannot represent).
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("invalid", DATETIME_INVALID)
        kwargs["error_messages"].setdefault("overflow", DATETIME_RANGE)
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> datetime:
        parsed = super().to_internal_value(value)
        if not 1900 <= parsed.year <= 2100:
            self.fail("overflow")
        return parsed


class SaneDateField(serializers.DateField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("invalid", DATE_INVALID)
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> Any:
        parsed = super().to_internal_value(value)
        if not 1900 <= parsed.year <= 2100:
            raise serializers.ValidationError(DATE_INVALID)
        return parsed


def choice(choices: Any, message: str = CHOICE_INVALID, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=choices,
        error_messages={"invalid_choice": message, "required": message, "null": message},
        **kwargs,
    )


def text(max_length: int | None = None, **kwargs: Any) -> serializers.CharField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    kwargs.setdefault("default", "")
    if kwargs["required"]:
        kwargs.pop("default")
    return serializers.CharField(max_length=max_length, trim_whitespace=False, **kwargs)


def organisation_field(
    queryset: Any = None, message: str = ORGANISATION_INVALID, **kwargs: Any
) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=queryset if queryset is not None else Organisation.objects.filter(active=True),
        error_messages={
            "does_not_exist": message,
            "incorrect_type": message,
            "required": message,
        },
        **kwargs,
    )


class VersionField(serializers.IntegerField):
    def __init__(self) -> None:
        super().__init__(
            min_value=1,
            max_value=2**31 - 1,
            error_messages={
                "required": VERSION_REQUIRED,
                "invalid": VERSION_REQUIRED,
                "null": VERSION_REQUIRED,
                "min_value": VERSION_REQUIRED,
                "max_value": VERSION_REQUIRED,
            },
        )


# --- Reading ------------------------------------------------------------------------------------


def blank_or(choices: Any) -> serializers.ChoiceField:
    """A read-only code that may be blank: DRF drops ``allow_blank`` from read-only model fields,
    and then the schema would promise a code where the row has none."""
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True)


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ("id", "name", "type", "ons_code", "dfe_la_code", "region_code", "police_force")
        read_only_fields = fields


class IdentifierSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChildIdentifier
        fields = ("kind", "value", "issuing_organisation")
        read_only_fields = fields


class AliasSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChildAlias
        fields = ("kind", "first_name", "last_name")
        read_only_fields = fields


class ChildSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    identifiers = IdentifierSerializer(many=True, read_only=True)
    aliases = AliasSerializer(many=True, read_only=True)
    legal_status = blank_or(LegalStatus.choices)

    class Meta:
        model = Child
        fields = (
            "id",
            "reference",
            "first_name",
            "middle_names",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "sex",
            "gender",
            "ethnicity",
            "home_la",
            "home_postcode",
            "care_status",
            "legal_status",
            "learning_disability",
            "identifiers",
            "aliases",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class EpisodeSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    category = serializers.ChoiceField(choices=Category.choices, read_only=True)
    return_how = blank_or(ReturnHow.choices)

    class Meta:
        model = MissingEpisode
        fields = (
            "id",
            "reference",
            "child",
            "category",
            "setting",
            "whereabouts",
            "looked_after",
            "last_seen_at",
            "last_seen_place",
            "last_seen_postcode",
            "missing_from_la",
            "reported_at",
            "reporter_kind",
            "reporter_name",
            "reporting_organisation",
            "reported_to_police",
            "police_force",
            "police_reference",
            "circumstances",
            "returned_at",
            "return_how",
            "found_place",
            "found_postcode",
            "found_la",
            "found_force",
            "found_with",
            "recording_organisation",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class GradingSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="episode.child_id", read_only=True)

    class Meta:
        model = PoliceGrading
        fields = (
            "id",
            "episode",
            "child",
            "grade",
            "scheme",
            "graded_at",
            "graded_by_name",
            "organisation",
            "rationale",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class InterviewSerializer(serializers.ModelSerializer):
    """Disclosure text stays on the page: the API gives how many there were and their types."""

    episodes = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    not_completed_reason = blank_or(NotCompletedReason.choices)
    push_factors = serializers.SerializerMethodField()
    pull_factors = serializers.SerializerMethodField()
    disclosure_count = serializers.SerializerMethodField()
    exploitation_indicators = serializers.SerializerMethodField()

    class Meta:
        model = ReturnInterview
        fields = (
            "id",
            "child",
            "episodes",
            "status",
            "offered_at",
            "offered_by_name",
            "offered_by_organisation",
            "conducted_by_organisation",
            "conducted_by_name",
            "conducted_by_role",
            "independent",
            "completed_at",
            "not_completed_reason",
            "not_completed_detail",
            "where_child_was",
            "with_whom",
            "how_travelled",
            "harm",
            "agreed_actions",
            "push_factors",
            "pull_factors",
            "disclosure_count",
            "exploitation_indicators",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def _factors(self, interview: ReturnInterview, direction: str) -> list[str]:
        return sorted(f.factor for f in interview.factors.all() if f.direction == direction)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Factor.choices)))
    def get_push_factors(self, interview: ReturnInterview) -> list[str]:
        return self._factors(interview, Direction.PUSH)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Factor.choices)))
    def get_pull_factors(self, interview: ReturnInterview) -> list[str]:
        return self._factors(interview, Direction.PULL)

    @extend_schema_field(serializers.IntegerField(min_value=0))
    def get_disclosure_count(self, interview: ReturnInterview) -> int:
        return len(interview.disclosures.all())

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(ExploitationType.choices))
    )
    def get_exploitation_indicators(self, interview: ReturnInterview) -> list[str]:
        return sorted(
            {
                d.exploitation_type
                for d in interview.disclosures.all()
                if d.is_exploitation_indicator and d.exploitation_type
            }
        )


class PlacementSerializer(serializers.ModelSerializer):
    location = blank_or(PlacementLocation.choices)

    class Meta:
        model = Placement
        fields = (
            "id",
            "child",
            "placing_la",
            "place",
            "provider",
            "postcode",
            "urn",
            "started_on",
            "ended_on",
            "host_la",
            "host_area_code",
            "location",
            "distance_miles",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class ScreeningSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    tool_name = serializers.CharField(source="tool.name", read_only=True)
    tool_version = serializers.IntegerField(source="tool.version", read_only=True)
    exploitation_types = serializers.SerializerMethodField()
    computed_level = blank_or(Level.choices)
    confirmed_level = blank_or(Level.choices)

    class Meta:
        model = Assessment
        fields = (
            "id",
            "reference",
            "child",
            "tool",
            "tool_name",
            "tool_version",
            "assessed_at",
            "organisation",
            "status",
            "computed_level",
            "confirmed_level",
            "rationale",
            "professional_judgement",
            "completed_at",
            "exploitation_types",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(ExploitationType.choices))
    )
    def get_exploitation_types(self, assessment: Assessment) -> list[str]:
        return sorted(t.exploitation_type for t in assessment.exploitation_types.all())


# --- Filters on lists ---------------------------------------------------------------------------


class ListFilterSerializer(serializers.Serializer):
    updated_since = SaneDateTimeField(
        required=False,
        help_text="Only rows changed at or after this moment (ISO 8601, e.g. 2025-06-01T09:00:00Z).",
    )
    child = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Only rows about this child.",
        error_messages={"invalid": CHILD_REQUIRED, "min_value": CHILD_REQUIRED},
    )


class ChildListFilterSerializer(serializers.Serializer):
    updated_since = SaneDateTimeField(
        required=False,
        help_text="Only children changed at or after this moment (ISO 8601).",
    )


# --- Writing ------------------------------------------------------------------------------------


class ChildUpdateSerializer(serializers.Serializer):
    version = VersionField()
    first_name = text(100, required=False, allow_blank=False)
    middle_names = text(100, required=False)
    last_name = text(100, required=False, allow_blank=False)
    preferred_name = text(100, required=False)
    date_of_birth = SaneDateField(required=False)
    sex = choice(Sex.choices, required=False)
    gender = text(60, required=False)
    ethnicity = choice(Ethnicity.choices, required=False)
    home_la = organisation_field(
        Organisation.objects.filter(active=True, type=OrgType.LOCAL_AUTHORITY),
        "Home local authority must be a local authority",
        required=False,
    )
    home_postcode = text(10, required=False)
    care_status = choice(CareStatus.choices, required=False)
    legal_status = serializers.ChoiceField(
        choices=LegalStatus.choices,
        required=False,
        allow_blank=True,
        error_messages={"invalid_choice": CHOICE_INVALID},
    )
    learning_disability = serializers.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Partial updates: only what the client sent, never a default in its place.
        for field in self.fields.values():
            if field.field_name != "version":
                field.default = serializers.empty


class EpisodeCreateSerializer(serializers.Serializer):
    child = serializers.IntegerField(
        min_value=1,
        error_messages={
            "required": CHILD_REQUIRED,
            "invalid": CHILD_REQUIRED,
            "min_value": CHILD_REQUIRED,
        },
    )
    setting = choice(Setting.choices, episode_services.SETTING_REQUIRED)
    whereabouts = choice(Whereabouts.choices, episode_services.WHEREABOUTS_REQUIRED)
    last_seen_at = SaneDateTimeField()
    last_seen_place = text(200)
    last_seen_postcode = text(10)
    reported_at = SaneDateTimeField()
    reporter_kind = choice(ReporterKind.choices, episode_services.REPORTER_KIND_REQUIRED)
    reporter_name = text(150)
    reported_to_police = serializers.BooleanField(required=False, default=False)
    police_force = organisation_field(
        Organisation.objects.filter(active=True, type=OrgType.POLICE),
        episode_services.POLICE_FORCE_NOT_FORCE,
        required=False,
        allow_null=True,
        default=None,
    )
    police_reference = text(40)
    circumstances = text()


class ReturnSerializer(serializers.Serializer):
    version = VersionField()
    returned_at = SaneDateTimeField()
    return_how = choice(ReturnHow.choices, episode_services.RETURN_HOW_REQUIRED)
    found_place = text(200)
    found_postcode = text(10)
    found_with = text(300)
    whereabouts_known_during = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Whether the child's whereabouts turned out to be known while they were away",
    )


class GradingCreateSerializer(serializers.Serializer):
    episode = serializers.IntegerField(min_value=1)
    grade = choice(Grade.choices, episode_services.GRADE_INVALID)
    scheme = choice(
        GradingScheme.choices,
        episode_services.SCHEME_INVALID,
        required=False,
        default=GradingScheme.APP_CURRENT,
    )
    graded_at = SaneDateTimeField()
    graded_by_name = text(150, required=True)
    rationale = text(required=True)
    organisation = organisation_field(required=False, allow_null=True, default=None)


class DisclosureInputSerializer(serializers.Serializer):
    text = text(required=True, allow_blank=False)
    exploitation_type = serializers.ChoiceField(
        choices=ExploitationType.choices,
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid_choice": interview_services.DISCLOSURE_TYPE_REQUIRED},
    )
    is_exploitation_indicator = serializers.BooleanField(required=False, default=False)


class InterviewCreateSerializer(serializers.Serializer):
    child = serializers.IntegerField(
        min_value=1, error_messages={"required": CHILD_REQUIRED, "invalid": CHILD_REQUIRED}
    )
    episodes = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=True,
        max_length=100,
        error_messages={"required": interview_services.EPISODES_REQUIRED},
    )
    status = choice(Status.choices, interview_services.STATUS_REQUIRED)
    offered_at = SaneDateTimeField()
    offered_by_name = text(150, required=True)
    offered_by_organisation = organisation_field(required=False, allow_null=True, default=None)
    conducted_by_organisation = organisation_field(required=False, allow_null=True, default=None)
    conducted_by_name = text(150)
    conducted_by_role = text(100)
    independent = serializers.BooleanField(required=False, default=True)
    completed_at = SaneDateTimeField(required=False, allow_null=True, default=None)
    not_completed_reason = serializers.ChoiceField(
        choices=NotCompletedReason.choices,
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid_choice": interview_services.REASON_REQUIRED},
    )
    not_completed_detail = text(300)
    where_child_was = text()
    with_whom = text()
    how_travelled = text(300)
    harm = text()
    agreed_actions = text()
    push_factors = serializers.ListField(
        child=choice(Factor.choices), required=False, default=list, max_length=len(Factor.values)
    )
    pull_factors = serializers.ListField(
        child=choice(Factor.choices), required=False, default=list, max_length=len(Factor.values)
    )
    disclosures = DisclosureInputSerializer(many=True, required=False, default=list)


class PlacementCreateSerializer(serializers.Serializer):
    child = serializers.IntegerField(
        min_value=1, error_messages={"required": CHILD_REQUIRED, "invalid": CHILD_REQUIRED}
    )
    placing_la = organisation_field(
        Organisation.objects.filter(active=True, type=OrgType.LOCAL_AUTHORITY),
        "Placing authority must be a local authority",
        required=False,
        allow_null=True,
        default=None,
    )
    place = choice(PlacementType.choices)
    provider = choice(PlacementProvider.choices)
    postcode = text(10, required=True, allow_blank=False)
    urn = text(8)
    started_on = SaneDateField()
    ended_on = SaneDateField(required=False, allow_null=True, default=None)


class PlacementEndSerializer(serializers.Serializer):
    version = VersionField()
    ended_on = SaneDateField()
