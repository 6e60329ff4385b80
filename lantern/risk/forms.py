"""Forms for screenings, clearing flags and findings on return. Rules live in services.py."""

from dataclasses import dataclass
from typing import Any

from django import forms

from lantern.common.forms import DateInput
from lantern.interviews.models import ExploitationType
from lantern.risk.models import (
    Answer,
    AnswerSource,
    ContextFactor,
    FoundItem,
    Indicator,
    Level,
    Scale,
    ToolDomain,
)
from lantern.risk.services import AnswerInput, answer_field

YES_NO_DK = [("1", "Yes"), ("0", "No"), ("dk", "Don't know")]
ZERO_TO_THREE = [
    ("0", "0: no concern, or don't know"),
    ("1", "1: low"),
    ("2", "2: medium"),
    ("3", "3: high"),
]


def _choices(indicator: Indicator) -> list[tuple[str, str]]:
    if indicator.scale == Scale.YES_NO_DK:
        return YES_NO_DK
    if indicator.scale == Scale.ZERO_TO_THREE:
        return ZERO_TO_THREE
    return [(str(s.value), f"{s.value}: {s.label}") for s in indicator.steps.all()]


@dataclass
class IndicatorFields:
    indicator: Indicator
    value: forms.BoundField
    evidence: forms.BoundField
    observed_on: forms.BoundField
    source: forms.BoundField
    suggested: list[str]
    warnings: list[Any]


class ScreeningForm(forms.Form):
    """One screening's answers: a group of fields per indicator, named after its primary key."""

    exploitation_types = forms.MultipleChoiceField(
        label="Types of exploitation suspected",
        help_text="Select all that apply. Lantern suggests types from the answers, but never ticks them for you.",
        choices=ExploitationType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    context_factors = forms.ModelMultipleChoiceField(
        label="Vulnerability factors",
        help_text="Context for the screening. These are risks, not indicators, and are not scored.",
        queryset=ContextFactor.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    professional_judgement = forms.CharField(
        label="Professional judgement",
        help_text="Record any concern you have that is not yet backed by evidence (a 'gut feeling') here, apart from the evidence.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(
        self, *args: Any, indicators: list[Indicator], context: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        self._indicator_for: dict[str, Indicator] = {}
        self.fields["context_factors"].queryset = context  # type: ignore[attr-defined]
        for i in indicators:
            self.fields[answer_field(i.pk, "value")] = forms.ChoiceField(
                label=i.text,
                help_text=i.guidance,
                choices=_choices(i),
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[answer_field(i.pk, "evidence")] = forms.CharField(
                label="Evidence",
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
            )
            self.fields[answer_field(i.pk, "observed_on")] = forms.DateField(
                label="Date observed", widget=DateInput, required=False
            )
            for part in ("value", "evidence", "observed_on", "source"):
                self._indicator_for[answer_field(i.pk, part)] = i
            self.fields[answer_field(i.pk, "source")] = forms.ChoiceField(
                label="Where the evidence came from",
                choices=AnswerSource.choices,
                initial=AnswerSource.SCREENING,
                required=False,
            )

    def add_error(self, field: str | None, error: Any) -> None:
        """Name the indicator in its errors, so the error summary says which one."""
        indicator = self._indicator_for.get(field or "")
        if indicator is not None and isinstance(error, str):
            error = f"{indicator.text}: {error[0].lower()}{error[1:]}"
        super().add_error(field, error)

    @staticmethod
    def initial_from(answers: list[Answer]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for a in answers:
            initial[answer_field(a.indicator_id, "value")] = (
                "dk" if a.value is None else str(a.value)
            )
            initial[answer_field(a.indicator_id, "evidence")] = a.evidence
            initial[answer_field(a.indicator_id, "observed_on")] = a.observed_on
            initial[answer_field(a.indicator_id, "source")] = a.source
        return initial

    def answer_inputs(self) -> list[AnswerInput]:
        data = self.cleaned_data
        return [
            AnswerInput(
                indicator_id=i.pk,
                response=data.get(answer_field(i.pk, "value")) or "",
                evidence=data.get(answer_field(i.pk, "evidence")) or "",
                source=data.get(answer_field(i.pk, "source")) or AnswerSource.SCREENING,
                observed_on=data.get(answer_field(i.pk, "observed_on")),
            )
            for i in self.indicators
        ]

    def domains(
        self, warnings: dict[str, list[Any]]
    ) -> list[tuple[ToolDomain, list[IndicatorFields]]]:
        """The fields grouped by domain, in the tool's order, for the template."""
        groups: dict[int, tuple[ToolDomain, list[IndicatorFields]]] = {}
        for i in self.indicators:
            group = groups.setdefault(i.domain_id, (i.domain, []))
            group[1].append(
                IndicatorFields(
                    indicator=i,
                    value=self[answer_field(i.pk, "value")],
                    evidence=self[answer_field(i.pk, "evidence")],
                    observed_on=self[answer_field(i.pk, "observed_on")],
                    source=self[answer_field(i.pk, "source")],
                    suggested=[t.get_exploitation_type_display() for t in i.suggested_types.all()],
                    warnings=warnings.get(answer_field(i.pk, "evidence"), []),
                )
            )
        return list(groups.values())


class CompleteForm(forms.Form):
    confirmed_level = forms.ChoiceField(
        label="What level are you confirming?",
        help_text="You can confirm the computed level or change it. Lantern keeps both.",
        choices=Level.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    rationale = forms.CharField(
        label="Why is this the right level?",
        help_text="Say what the level rests on, and if you changed it, why.",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )


class FlagClearForm(forms.Form):
    reason = forms.CharField(
        label="Why are you clearing this flag?",
        help_text="The flag and its evidence stay on the record, with your reason.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class FindingsForm(forms.Form):
    items = forms.MultipleChoiceField(
        label="What was the child found with?",
        help_text="Select all that apply.",
        choices=FoundItem.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
