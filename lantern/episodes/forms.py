"""Forms for reporting a missing episode, grading the risk and recording the return.

Forms only collect and type what was entered; the rules (dates in order, no overlaps, postcodes)
live in ``episodes.services`` and their errors are put back on the fields with
``add_service_errors`` so the page shows them beside what the person typed.
"""

from typing import Any

from django import forms

from lantern.accounts.models import Organisation, OrgType
from lantern.common.forms import DateTimeField
from lantern.episodes import rules, services
from lantern.episodes.models import (
    Category,
    Grade,
    GradingScheme,
    ReporterKind,
    ReturnHow,
    Setting,
    Whereabouts,
)
from lantern.people.models import Child

DATETIME_INVALID = "Enter a real date and time"
ORGANISATION_INVALID = "Select an organisation from the list"
FORCE_INVALID = "Select a police force from the list"
# Grades from before the current College of Policing scheme (domain §2.2), kept for old records.
LEGACY_GRADES = frozenset({Grade.NO_APPARENT_RISK_ABSENT, Grade.ABSENT_2013})


def _datetime(label: str, required_message: str, help_text: str = "") -> DateTimeField:
    return DateTimeField(
        label=label,
        help_text=help_text,
        error_messages={"required": required_message, "invalid": DATETIME_INVALID},
    )


def _radios(choices: Any, label: str, required_message: str, help_text: str = "") -> Any:
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


def police_forces() -> Any:
    return Organisation.objects.filter(type=OrgType.POLICE, active=True).order_by("name")


class EpisodeReportForm(forms.Form):
    setting = _radios(
        Setting.choices,
        "Where was the child expected to be?",
        services.SETTING_REQUIRED,
    )
    whereabouts = _radios(
        [
            (Whereabouts.KNOWN, "Yes, we know where the child is"),
            (Whereabouts.UNKNOWN, "No, we do not know where the child is"),
        ],
        "Do you know where the child is?",
        services.WHEREABOUTS_REQUIRED,
    )
    last_seen_at = _datetime(
        "Date and time the child was last seen",
        "Enter the date and time the child was last seen",
        "Use the 24-hour clock, for example 21:30. If you are not sure, give your best estimate "
        "and say so in the circumstances.",
    )
    last_seen_place = forms.CharField(
        label="Where was the child last seen?",
        required=False,
        max_length=200,
        help_text="For example, the address, street, shop or station",
    )
    last_seen_postcode = forms.CharField(
        label="Postcode where the child was last seen",
        required=False,
        max_length=8,
        help_text="Lantern uses this to work out the local authority the child went missing from",
    )
    reported_at = _datetime(
        "Date and time the child was reported missing",
        "Enter the date and time the child was reported missing",
    )
    reporter_kind = _radios(
        ReporterKind.choices,
        "Who reported the child missing?",
        services.REPORTER_KIND_REQUIRED,
    )
    reporter_name = forms.CharField(
        label="Name of the person who reported it", required=False, max_length=150
    )
    reporting_organisation = forms.ModelChoiceField(
        label="Organisation that reported it",
        queryset=Organisation.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label="Not an organisation, or not known",
        help_text="Leave this empty if a parent, carer or the child reported it themselves",
        error_messages={"invalid_choice": ORGANISATION_INVALID},
    )
    reported_to_police = forms.BooleanField(
        label="The child has been reported missing to the police", required=False
    )
    police_force = forms.ModelChoiceField(
        label="Police force",
        queryset=police_forces(),
        required=False,
        empty_label="Select a police force",
        help_text="The force the child was reported missing to",
        error_messages={"invalid_choice": FORCE_INVALID},
    )
    police_reference = forms.CharField(label="Police reference", required=False, max_length=40)
    circumstances = forms.CharField(
        label="What happened?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What led up to the child going missing, and anything that worries you "
        "about their safety",
    )

    def __init__(self, *args: Any, child: Child, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.child = child
        if child.is_looked_after:
            outcome = (
                f"{child.first_name} is looked after, so Lantern records this as "
                f"“{Category.MISSING_FROM_CARE.label.lower()}” if you do not know where they are, "
                f"or “{Category.AWAY_FROM_PLACEMENT.label.lower()}” if you do."
            )
        else:
            outcome = (
                f"{child.first_name} is not looked after, so Lantern records this as "
                f"“{Category.MISSING_FROM_HOME.label.lower()}” if you do not know where they are, "
                f"or “{Category.AWAY_FROM_HOME.label.lower()}” if you do."
            )
        self.fields["whereabouts"].help_text = (
            "This decides whether the child is recorded as missing or as away without "
            f"authorisation. {outcome} You do not need to choose the category."
        )

    def category_preview(self) -> str | None:
        """The category these answers will give, to show before and after saving."""
        value = self.data.get("whereabouts") if self.is_bound else None
        if value not in Whereabouts.values:
            return None
        code = rules.category_for(
            looked_after=self.child.is_looked_after,
            whereabouts_known=value == Whereabouts.KNOWN,
        )
        return Category(code).label


class GradingForm(forms.Form):
    grade = _radios(Grade.choices, "Risk grade", services.GRADE_INVALID)
    scheme = forms.ChoiceField(
        label="Grading scheme",
        choices=GradingScheme.choices,
        initial=GradingScheme.APP_CURRENT,
        help_text="Older records may use an earlier scheme",
        error_messages={
            "required": services.SCHEME_INVALID,
            "invalid_choice": services.SCHEME_INVALID,
        },
    )
    graded_at = _datetime(
        "Date and time the risk was graded",
        "Enter the date and time the risk was graded",
        "Use the 24-hour clock, for example 21:30",
    )
    graded_by_name = forms.CharField(
        label="Name of the officer who graded the risk",
        max_length=150,
        help_text="Include their rank or role if you know it",
        error_messages={"required": services.GRADED_BY_REQUIRED},
    )
    organisation = forms.ModelChoiceField(
        label="Police force that graded the risk",
        queryset=police_forces(),
        required=False,
        empty_label="Select a police force",
        help_text="If you leave this empty, Lantern records your own organisation",
        error_messages={"invalid_choice": FORCE_INVALID},
    )
    rationale = forms.CharField(
        label="Why was the risk graded at this level?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Record the information used, who supplied it and when",
        error_messages={"required": services.RATIONALE_REQUIRED},
    )

    # The grade radios split so older grades can sit under "Older gradings".
    def grade_choices_current(self) -> list[Any]:
        return [c for c in self["grade"] if c.data["value"] not in LEGACY_GRADES]

    def grade_choices_legacy(self) -> list[Any]:
        return [c for c in self["grade"] if c.data["value"] in LEGACY_GRADES]

    def legacy_selected(self) -> bool:
        return self["grade"].value() in LEGACY_GRADES


class ReturnForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    returned_at = _datetime(
        "Date and time the child returned or was found",
        "Enter the date and time the child returned or was found",
        "Use the 24-hour clock, for example 07:15",
    )
    return_how = _radios(
        ReturnHow.choices,
        "How did the child return?",
        services.RETURN_HOW_REQUIRED,
    )
    found_place = forms.CharField(
        label="Where was the child found, or where did they return to?",
        required=False,
        max_length=200,
    )
    found_postcode = forms.CharField(
        label="Postcode where the child was found",
        required=False,
        max_length=8,
        help_text="Lantern uses this to work out the local authority and police force area",
    )
    found_with = forms.CharField(
        label="Who was the child with when they were found?",
        required=False,
        max_length=300,
        help_text="Names or descriptions of anyone the child was with",
    )
    whereabouts_known_during = forms.TypedChoiceField(
        label="While the child was away, did anyone know where they were?",
        required=False,
        choices=[
            ("", "Leave as recorded"),
            ("yes", "Yes, their whereabouts were known"),
            ("no", "No, their whereabouts were not known"),
        ],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        widget=forms.RadioSelect,
        help_text="Change this if you now know more. It decides whether the episode is "
        "recorded as missing or as away without authorisation.",
    )

    def __init__(self, *args: Any, recorded_whereabouts: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if recorded_whereabouts:
            field = self.fields["whereabouts_known_during"]
            label = Whereabouts(recorded_whereabouts).label.lower()
            field.choices = [("", f"Leave as recorded ({label})"), *field.choices[1:]]  # type: ignore[attr-defined]
