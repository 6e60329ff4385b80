"""The return home interview form. Wording is plain English and centred on the child: what
happened to them and what they told you, never what they "chose" (domain §1.4)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateformat import format as date_format

from lantern.accounts.models import Organisation
from lantern.common.forms import DateTimeField
from lantern.episodes.forms import DATETIME_INVALID, ORGANISATION_INVALID
from lantern.episodes.models import Category, MissingEpisode
from lantern.interviews import services
from lantern.interviews.models import ExploitationType, Factor, NotCompletedReason, Status

MAX_DISCLOSURES = 3
FACTOR_INVALID = "Select factors from the list"
EPISODE_INVALID = "Select episodes from the list"
REASON_INVALID = "Select a reason from the list"
TYPE_INVALID = "Select a type of exploitation from the list"
DISCLOSURE_TEXT_REQUIRED = "Enter what the child told you"
ORGANISATION_REQUIRED = "Select the organisation"
_WHEN = r"j F Y \a\t H:i"


def _when(value: Any) -> str:
    return date_format(timezone.localtime(value), _WHEN)


class EpisodeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: MissingEpisode) -> str:
        return (
            f"{obj.reference}: {Category(obj.category).label.lower()}, last seen "
            f"{_when(obj.last_seen_at)}, back {_when(obj.returned_at)}"
        )


def _organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(active=True).order_by("name")


def _factors(label: str, help_text: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        help_text=help_text,
        choices=Factor.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": FACTOR_INVALID},
    )


def _text(label: str, help_text: str = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class InterviewForm(forms.Form):
    episodes = EpisodeChoiceField(
        label="Which missing episodes does this interview cover?",
        help_text="Select more than one if the child went missing again before the interview",
        queryset=MissingEpisode.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": services.EPISODES_REQUIRED,
            "invalid_choice": EPISODE_INVALID,
            "invalid_pk_value": EPISODE_INVALID,
        },
    )
    status = forms.ChoiceField(
        label="What happened with the interview?",
        choices=Status.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": services.STATUS_REQUIRED,
            "invalid_choice": services.STATUS_REQUIRED,
        },
    )
    offered_at = DateTimeField(
        label="Date and time the interview was offered",
        help_text="Use the 24-hour clock, for example 16:00",
        error_messages={
            "required": "Enter the date and time the interview was offered",
            "invalid": DATETIME_INVALID,
        },
    )
    offered_by_name = forms.CharField(
        label="Name of the person who offered it",
        max_length=150,
        error_messages={"required": services.OFFERED_BY_REQUIRED},
    )
    offered_by_organisation = forms.ModelChoiceField(
        label="Organisation that offered it",
        queryset=_organisations(),
        error_messages={"required": ORGANISATION_REQUIRED, "invalid_choice": ORGANISATION_INVALID},
    )
    conducted_by_organisation = forms.ModelChoiceField(
        label="Organisation carrying out the interview",
        queryset=_organisations(),
        error_messages={"required": ORGANISATION_REQUIRED, "invalid_choice": ORGANISATION_INVALID},
    )
    conducted_by_name = forms.CharField(
        label="Name of the interviewer", required=False, max_length=150
    )
    conducted_by_role = forms.CharField(
        label="Interviewer's role",
        required=False,
        max_length=100,
        help_text="For example, return interview worker",
    )
    independent = forms.BooleanField(
        label="The interviewer is independent",
        required=False,
        initial=True,
        help_text="Return interviews should be carried out by someone who is not involved in "
        "caring for the child and is trained to do them. Untick this if the child asked to "
        "talk to a trusted carer or social worker instead.",
    )
    completed_at = DateTimeField(
        label="Date and time the interview was completed",
        required=False,
        help_text="Only if the interview was completed. It should be within 72 hours of the "
        "child coming back.",
        error_messages={"invalid": DATETIME_INVALID},
    )
    not_completed_reason = forms.ChoiceField(
        label="Why was the interview not completed?",
        required=False,
        choices=NotCompletedReason.choices,
        widget=forms.RadioSelect,
        help_text="Only if the interview was not completed",
        error_messages={"invalid_choice": REASON_INVALID},
    )
    not_completed_detail = forms.CharField(
        label="More about why it was not completed",
        required=False,
        max_length=300,
        help_text="Include any attempts to make contact, and anything the family or carers told you",
    )
    where_child_was = _text("Where was the child while they were away?")
    with_whom = _text(
        "Who was the child with?",
        "Names, nicknames or descriptions of anyone the child was with or met",
    )
    how_travelled = forms.CharField(
        label="How did the child travel?",
        required=False,
        max_length=300,
        help_text="For example, train, bus, taxi or driven by someone. Include who paid if known.",
    )
    harm = _text(
        "Has the child been harmed?",
        "Include any harm the child told you about that they did not tell the police",
    )
    push_factors = _factors(
        "What made it hard for the child to stay? (push factors)",
        "Things at home, in their placement or at school that pushed the child away",
    )
    pull_factors = _factors(
        "What drew the child away? (pull factors)",
        "People, places or things the child was drawn towards, including anyone who may be "
        "grooming or exploiting them",
    )
    agreed_actions = _text(
        "What was agreed?",
        "What will happen next, who will do it, and the support the child asked for",
    )

    def __init__(self, *args: Any, episodes: QuerySet[MissingEpisode], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["episodes"].queryset = episodes  # type: ignore[attr-defined]


class DisclosureForm(forms.Form):
    text = _text("What the child told you", rows=3)
    exploitation_type = forms.ChoiceField(
        label="Type of exploitation it may show",
        required=False,
        choices=[("", "Not known or none"), *ExploitationType.choices],
        error_messages={"invalid_choice": TYPE_INVALID},
    )
    is_exploitation_indicator = forms.BooleanField(
        label="This is an indicator of exploitation", required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_text = bool((data.get("text") or "").strip())
        if data.get("is_exploitation_indicator") and not data.get("exploitation_type"):
            self.add_error("exploitation_type", services.DISCLOSURE_TYPE_REQUIRED)
        if not has_text and (
            data.get("exploitation_type") or data.get("is_exploitation_indicator")
        ):
            self.add_error("text", DISCLOSURE_TEXT_REQUIRED)
        return data


DisclosureFormSet = forms.formset_factory(
    DisclosureForm, extra=MAX_DISCLOSURES, max_num=MAX_DISCLOSURES, validate_max=True
)
