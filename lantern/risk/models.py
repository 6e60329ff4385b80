"""Exploitation screening, override and repeat-missing rules, flags and language guidance.

Screening tools are versioned data (domain §4.3 build note): tool → domains → indicators. A
published version is never edited; a change publishes a new version with new rows, so every
completed assessment keeps pointing at exactly the questions it answered.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from lantern.accounts.models import Organisation
from lantern.common.models import TimeStampedModel, VersionedModel
from lantern.episodes.models import MissingEpisode
from lantern.interviews.models import ExploitationType
from lantern.people.models import Child


class Level(models.TextChoices):
    """Overall exploitation risk (domain §7 ExploitationRisk)."""

    NONE = "none", "None identified"
    LOW = "low", "Low (emerging)"
    MEDIUM = "medium", "Medium (escalating)"
    HIGH = "high", "High (serious)"


LEVEL_RANK: dict[str, int] = {Level.NONE: 0, Level.LOW: 1, Level.MEDIUM: 2, Level.HIGH: 3}


class ToolStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class Scale(models.TextChoices):
    YES_NO_DK = "yes_no_dk", "Yes, no or don't know"
    ZERO_TO_THREE = "zero_to_three", "0 to 3 (none, low, medium, high)"
    LADDER = "ladder", "Graded ladder"


class PresetLevel(models.TextChoices):
    """A 'national risk level' printed beside an indicator (domain §4.3, 3)."""

    NONE = "none", "No preset level"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class ScreeningTool(TimeStampedModel):
    name = models.CharField(max_length=150)
    version = models.PositiveIntegerField()
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=ToolStatus.choices, default=ToolStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    # Points at or above which the indicator total reaches each level: configuration [L].
    low_from_points = models.PositiveSmallIntegerField(default=1)
    medium_from_points = models.PositiveSmallIntegerField(default=5)
    high_from_points = models.PositiveSmallIntegerField(default=10)
    # Hash of the shipped data this version was loaded from; blank when built in admin.
    source_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="tool_version_unique"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(status="published"), name="tool_one_published"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="tool_published_has_time",
            ),
            models.CheckConstraint(
                condition=Q(low_from_points__gte=1)
                & Q(medium_from_points__gte=models.F("low_from_points"))
                & Q(high_from_points__gte=models.F("medium_from_points")),
                name="tool_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, version {self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == ToolStatus.DRAFT


class ToolDomain(models.Model):
    tool = models.ForeignKey(ScreeningTool, on_delete=models.CASCADE, related_name="domains")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["tool", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tool", "code"], name="domain_code_unique_in_tool"),
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    domain = models.ForeignKey(ToolDomain, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(max_length=60)
    text = models.CharField(max_length=300)
    guidance = models.TextField(blank=True)
    scale = models.CharField(max_length=14, choices=Scale.choices)
    # Points per step of the answer: a yes scores weight, a 2 on a 0-3 scale scores 2 x weight.
    weight = models.PositiveSmallIntegerField(default=1)
    preset_level = models.CharField(
        max_length=6, choices=PresetLevel.choices, default=PresetLevel.NONE
    )
    # An observation older than this no longer counts ("within the last 3 months", §4.3).
    current_for_days = models.PositiveSmallIntegerField(default=90)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["domain__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "code"], name="indicator_code_unique"),
            models.CheckConstraint(condition=Q(current_for_days__gte=1), name="indicator_current"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def max_value(self) -> int:
        if self.scale == Scale.YES_NO_DK:
            return 1
        if self.scale == Scale.ZERO_TO_THREE:
            return 3
        return max((s.value for s in self.steps.all()), default=0)


class LadderStep(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="steps")
    value = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=200)

    class Meta:
        ordering = ["indicator", "value"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "value"], name="ladder_step_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.value}: {self.label}"


class IndicatorExploitationType(models.Model):
    """The types of exploitation a positive answer suggests (offered, never ticked for the user)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="suggested_types"
    )
    exploitation_type = models.CharField(max_length=16, choices=ExploitationType.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "exploitation_type"], name="indicator_type_once"
            ),
        ]

    def __str__(self) -> str:
        return self.get_exploitation_type_display()


class ContextFactor(models.Model):
    """Vulnerability factors (domain §4.2): recorded as context, never scored."""

    tool = models.ForeignKey(ScreeningTool, on_delete=models.CASCADE, related_name="context")
    code = models.CharField(max_length=60)
    text = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["tool", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tool", "code"], name="context_code_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "In progress"
    COMPLETED = "completed", "Completed"


class Assessment(VersionedModel):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="risk_assessments")
    # PROTECT: a tool version that has been used can never disappear from under its assessments.
    tool = models.ForeignKey(ScreeningTool, on_delete=models.PROTECT, related_name="assessments")
    assessed_at = models.DateTimeField()
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    context_factors = models.ManyToManyField(ContextFactor, blank=True, related_name="+")
    computed_level = models.CharField(max_length=6, choices=Level.choices, blank=True)
    confirmed_level = models.CharField(max_length=6, choices=Level.choices, blank=True)
    rationale = models.TextField(blank=True)
    # Recorded apart from the evidence, as the tools ask (domain §4.3, 5).
    professional_judgement = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        indexes = [models.Index(fields=["child", "status", "completed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft")
                | (
                    Q(completed_at__isnull=False)
                    & ~Q(computed_level="")
                    & ~Q(confirmed_level="")
                    & ~Q(rationale="")
                ),
                name="assessment_completed_is_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"Screening {self.pk}"

    @property
    def reference(self) -> str:
        return f"SC{self.pk:07d}" if self.pk else "SC (new)"

    @property
    def level_changed(self) -> bool:
        return bool(self.confirmed_level) and self.confirmed_level != self.computed_level


class AssessmentExploitationType(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="exploitation_types"
    )
    exploitation_type = models.CharField(max_length=16, choices=ExploitationType.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "exploitation_type"], name="assessment_type_once"
            ),
        ]

    def __str__(self) -> str:
        return self.get_exploitation_type_display()


class AnswerSource(models.TextChoices):
    SCREENING = "screening", "Screening conversation or form"
    RETURN_INTERVIEW = "return_interview", "Return home interview"
    EPISODE = "episode", "Missing episode record"
    OTHER = "other", "Another source"


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    # Yes = 1 and no = 0; a 0-3 score; or a ladder step. Null means "don't know".
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    evidence = models.TextField(blank=True)
    source = models.CharField(
        max_length=16, choices=AnswerSource.choices, default=AnswerSource.SCREENING
    )
    observed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["indicator__domain__order", "indicator__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="answer_once"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__lte=10), name="answer_value_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Answer {self.pk}"


class ReasonKind(models.TextChoices):
    INDICATOR = "indicator", "Indicator"
    RULE = "rule", "Rule"
    REPEAT = "repeat", "Repeat missing"
    THRESHOLD = "threshold", "Points total"


class AssessmentReason(models.Model):
    """Why the computed level was what it was, frozen when the screening was completed."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reasons")
    kind = models.CharField(max_length=10, choices=ReasonKind.choices)
    code = models.CharField(max_length=60)
    effect = models.CharField(max_length=120)
    explanation = models.CharField(max_length=500)
    counted = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["assessment", "order"]

    def __str__(self) -> str:
        return self.explanation


class RuleKind(models.TextChoices):
    # Rules only ever raise a level: a rule that could lower one would let a new episode lower it.
    MIN_LEVEL = "min_level", "Raise to at least the level"
    MIN_LEVEL_IF_CONCERN = "min_if_concern", "If there is any concern, raise to at least the level"


class Condition(models.TextChoices):
    AGE_UNDER = "age_under", "Child is under an age"
    LEARNING_DISABILITY = "learning_disability", "Child has a learning disability"
    DISCLOSURE = "disclosure", "Child disclosed exploitation (of the chosen types, or any)"
    FOUND_OUT_OF_AREA_WITH_ITEMS = (
        "found_ooa_items",
        "Found out of area with drugs, cash or a second phone",
    )
    FOUND_OUT_OF_AREA = "found_ooa", "Found out of area"
    FOUND_WITH_OTHERS = "found_with_others", "Found with other people"
    MISSING_OVER_HOURS = "missing_over_hours", "Missing for longer than a number of hours"
    POLICE_GRADE_HIGH = "police_high", "Graded high risk by the police"


class OverrideRule(TimeStampedModel):
    """An editable rule applied after the indicator score, in ``order`` (domain §4.3, 5)."""

    code = models.SlugField(max_length=60, unique=True)
    description = models.CharField(max_length=300)
    kind = models.CharField(max_length=14, choices=RuleKind.choices)
    condition = models.CharField(max_length=20, choices=Condition.choices)
    level = models.CharField(max_length=6, choices=Level.choices)
    # Parameters, each used by some conditions only.
    age_years = models.PositiveSmallIntegerField(null=True, blank=True)
    hours = models.PositiveIntegerField(null=True, blank=True)
    within_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Only evidence from the last N days counts; blank: any"
    )
    suggests_strategy_discussion = models.BooleanField(default=False)
    suggests_panel_referral = models.BooleanField(default=False)
    source_note = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(condition="age_under") | Q(age_years__isnull=False),
                name="rule_age_has_years",
            ),
            models.CheckConstraint(
                condition=~Q(condition="missing_over_hours") | Q(hours__isnull=False),
                name="rule_missing_has_hours",
            ),
            models.CheckConstraint(condition=~Q(level="none"), name="rule_level_not_none"),
        ]

    def __str__(self) -> str:
        return self.description


class OverrideRuleExploitationType(models.Model):
    rule = models.ForeignKey(OverrideRule, on_delete=models.CASCADE, related_name="types")
    exploitation_type = models.CharField(max_length=16, choices=ExploitationType.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "exploitation_type"], name="rule_type_once"),
        ]

    def __str__(self) -> str:
        return self.get_exploitation_type_display()


class RepeatMissingRule(TimeStampedModel):
    """'Frequently missing': ``count`` episodes in ``window_days`` (domain §1.6, §6.2; local)."""

    code = models.SlugField(max_length=60, unique=True)
    description = models.CharField(max_length=300)
    count = models.PositiveSmallIntegerField()
    window_days = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=6, choices=Level.choices, default=Level.MEDIUM)
    marks_frequently_missing = models.BooleanField(default=True)
    suggests_strategy_discussion = models.BooleanField(default=True)
    suggests_panel_referral = models.BooleanField(default=True)
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="repeat_count_positive"),
            models.CheckConstraint(condition=Q(window_days__gte=1), name="repeat_window_positive"),
        ]

    def __str__(self) -> str:
        return self.description


class FlagKind(models.TextChoices):
    SCREENING = "screening", "Screening level"
    DISCLOSURE = "disclosure", "Disclosure of exploitation"
    FOUND_OUT_OF_AREA_WITH_ITEMS = "found_ooa_items", "Found out of area with drugs, cash or phone"
    FOUND_OUT_OF_AREA = "found_ooa", "Found out of area"
    FOUND_WITH_OTHERS = "found_with_others", "Found with other people"
    MISSING_OVER_HOURS = "missing_long", "Missing for a long time"
    POLICE_GRADE_HIGH = "police_high", "Graded high risk by the police"
    FREQUENTLY_MISSING = "frequently_missing", "Frequently missing"


class SourceType(models.TextChoices):
    ASSESSMENT = "assessment", "Screening"
    DISCLOSURE = "disclosure", "Return interview disclosure"
    EPISODE = "episode", "Missing episode"


class Flag(TimeStampedModel):
    """A concern raised from one piece of evidence. Only a person clears a flag, with a reason."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="risk_flags")
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    level = models.CharField(max_length=6, choices=Level.choices)
    source_type = models.CharField(max_length=12, choices=SourceType.choices)
    source_id = models.BigIntegerField()
    raised_at = models.DateTimeField()
    raised_by_rule = models.CharField(max_length=60, blank=True)
    explanation = models.CharField(max_length=500)
    active = models.BooleanField(default=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_reason = models.TextField(blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["child", "active"])]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "kind", "source_type", "source_id"], name="flag_once_per_source"
            ),
            models.CheckConstraint(
                condition=Q(active=True)
                | (
                    Q(cleared_at__isnull=False)
                    & Q(cleared_by__isnull=False)
                    & ~Q(cleared_reason="")
                ),
                name="flag_cleared_by_someone_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_level_display()})"


class FoundItem(models.TextChoices):
    DRUGS = "drugs", "Drugs"
    CASH = "cash", "Large amount of cash"
    SECOND_PHONE = "second_phone", "A second phone or several SIM cards"
    WEAPON = "weapon", "A weapon"


class EpisodeFinding(TimeStampedModel):
    """What a child was found with on return (domain §4.2 'found with drugs or cash')."""

    episode = models.ForeignKey(
        MissingEpisode, on_delete=models.CASCADE, related_name="risk_findings"
    )
    item = models.CharField(max_length=12, choices=FoundItem.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["episode", "item"], name="finding_once"),
        ]

    def __str__(self) -> str:
        return self.get_item_display()


class LanguageRule(TimeStampedModel):
    """A victim-blaming phrase and a victim-centred alternative; shown as a warning, never a block."""

    phrase = models.CharField(max_length=100, unique=True)
    suggestion = models.CharField(max_length=300)
    explanation = models.CharField(max_length=500)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase
