"""Forms for finding and recording children. Validation of rules lives in people.services;
these forms check only what a form can (something entered, a real date) and show the services'
errors on the right fields."""

from typing import Any

from django import forms

from lantern.accounts.models import Organisation, OrgType
from lantern.common.forms import DateInput, add_service_errors
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

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]

SEARCH_REQUIRED = "Enter a name, date of birth, identifier or Lantern reference"
FIRST_NAME_REQUIRED = "Enter the child's first name"
LAST_NAME_REQUIRED = "Enter the child's last name"
DOB_REQUIRED = "Enter the child's date of birth"
DATE_INVALID = "Enter a real date, like 14/03/2011"
HOME_LA_REQUIRED = "Select the child's home local authority"
IDENTIFIER_KIND_REQUIRED = "Select the type of identifier"
IDENTIFIER_VALUE_REQUIRED = "Enter the identifier"
IDENTIFIER_ISSUER_REQUIRED = "Select the organisation that issued the identifier"
PLACING_LA_REQUIRED = "Select the local authority that made the placement"
PLACE_REQUIRED = "Select the placement type"
PROVIDER_REQUIRED = "Select the placement provider"
POSTCODE_REQUIRED = "Enter the postcode of the placement"
STARTED_ON_REQUIRED = "Enter the date the placement started"
ENDED_ON_REQUIRED = "Enter the date the placement ended"
LEAD_NAME_REQUIRED = "Enter the lead professional's name"
LEAD_ORG_REQUIRED = "Select the lead professional's organisation"
LEAD_START_REQUIRED = "Enter the date they became lead professional"

# The shared helper, under the name this app's views (and linkage's) import.
apply_service_errors = add_service_errors


def _date_field(label: str, required_message: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput(),
        input_formats=DATE_FORMATS,
        error_messages={"required": required_message, "invalid": DATE_INVALID},
        **kwargs,
    )


def _choice(label: str, choices: Any, message: str, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, error_messages={"required": message}, **kwargs
    )


def local_authorities() -> Any:
    return Organisation.objects.filter(type=OrgType.LOCAL_AUTHORITY, active=True).order_by("name")


class ChildSearchForm(forms.Form):
    query = forms.CharField(
        label="Name, date of birth, identifier or Lantern reference",
        help_text=(
            "For example Kayden Smith, 14/03/2011, an NHS number or LC0000123. "
            "You can give part of a name, and spelling mistakes are allowed."
        ),
        max_length=200,
        error_messages={"required": SEARCH_REQUIRED},
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}
        ),
    )


class ChildCreateForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": FIRST_NAME_REQUIRED}
    )
    middle_names = forms.CharField(label="Middle names", max_length=100, required=False)
    last_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": LAST_NAME_REQUIRED}
    )
    preferred_name = forms.CharField(
        label="Preferred name",
        max_length=100,
        required=False,
        help_text="The name the child likes to be called, if different",
    )
    date_of_birth = _date_field("Date of birth", DOB_REQUIRED, help_text="For example, 14/03/2011")
    sex = _choice(
        "Sex", Sex.choices, "Select the child's sex", widget=forms.RadioSelect, initial=Sex.UNKNOWN
    )
    gender = forms.CharField(
        label="Gender",
        max_length=60,
        required=False,
        help_text="How the child describes their gender, in their words",
    )
    ethnicity = _choice(
        "Ethnicity",
        Ethnicity.choices,
        "Select the child's ethnicity",
        initial=Ethnicity.NOBT,
        help_text="Codes used in the SSDA903 return",
    )
    home_la = forms.ModelChoiceField(
        label="Home local authority",
        queryset=local_authorities(),
        empty_label="Select a local authority",
        help_text="The council responsible for the child",
        error_messages={"required": HOME_LA_REQUIRED},
    )
    home_postcode = forms.CharField(
        label="Home postcode",
        max_length=8,
        required=False,
        help_text="Used to work out how far away placements are",
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "ln-input--postcode"}),
    )
    care_status = _choice(
        "Care status",
        CareStatus.choices,
        "Select the child's care status",
        initial=CareStatus.NONE,
        widget=forms.RadioSelect,
    )
    legal_status = forms.ChoiceField(
        label="Legal status",
        choices=[("", "Select a legal status"), *LegalStatus.choices],
        required=False,
        help_text="Only for a child who is looked after",
    )
    learning_disability = forms.BooleanField(
        label="The child has a learning disability", required=False
    )
    alias_first_name = forms.CharField(label="Alias first name", max_length=100, required=False)
    alias_last_name = forms.CharField(label="Alias last name", max_length=100, required=False)
    alias_kind = forms.ChoiceField(
        label="Type of alias", choices=AliasKind.choices, initial=AliasKind.ALIAS, required=False
    )
    identifier_kind = forms.ChoiceField(
        label="Identifier type",
        choices=[("", "No identifier"), *IdentifierKind.choices],
        required=False,
    )
    identifier_value = forms.CharField(
        label="Identifier",
        max_length=40,
        required=False,
        help_text="For example an NHS number or your council's child ID",
    )
    identifier_issuer = forms.ModelChoiceField(
        label="Issued by",
        queryset=Organisation.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label="Select an organisation",
    )

    def __init__(self, *args: Any, organisation: Organisation | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if organisation is not None:
            self.fields["identifier_issuer"].initial = organisation.pk
            if organisation.type == OrgType.LOCAL_AUTHORITY:
                self.fields["home_la"].initial = organisation.pk

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("identifier_value") and not data.get("identifier_kind"):
            self.add_error("identifier_kind", IDENTIFIER_KIND_REQUIRED)
        if data.get("identifier_kind") and not data.get("identifier_value"):
            self.add_error("identifier_value", IDENTIFIER_VALUE_REQUIRED)
        if data.get("identifier_value") and not data.get("identifier_issuer"):
            self.add_error("identifier_issuer", IDENTIFIER_ISSUER_REQUIRED)
        return data


class PlacementAddForm(forms.Form):
    placing_la = forms.ModelChoiceField(
        label="Placing local authority",
        queryset=local_authorities(),
        empty_label="Select a local authority",
        help_text="The council that made the placement",
        error_messages={"required": PLACING_LA_REQUIRED},
    )
    place = _choice(
        "Placement type",
        [("", "Select a placement type"), *PlacementType.choices],
        PLACE_REQUIRED,
    )
    provider = _choice(
        "Placement provider",
        [("", "Select a provider"), *PlacementProvider.choices],
        PROVIDER_REQUIRED,
    )
    postcode = forms.CharField(
        label="Postcode of the placement",
        max_length=8,
        help_text="Lantern works out the host authority, whether it is out of area and the distance",
        error_messages={"required": POSTCODE_REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "ln-input--postcode"}),
    )
    urn = forms.CharField(
        label="Ofsted URN",
        max_length=8,
        required=False,
        help_text="For children's homes and other registered provision",
    )
    started_on = _date_field("Start date", STARTED_ON_REQUIRED, help_text="For example, 01/09/2025")
    ended_on = _date_field(
        "End date",
        ENDED_ON_REQUIRED,
        required=False,
        help_text="Leave blank if the child is still in this placement",
    )


class PlacementEndForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    ended_on = _date_field("Date the placement ended", ENDED_ON_REQUIRED)


class LeadChangeForm(forms.Form):
    name = forms.CharField(
        label="Name of the new lead professional",
        max_length=150,
        error_messages={"required": LEAD_NAME_REQUIRED},
    )
    job_title = forms.CharField(label="Job title", max_length=100, required=False)
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.filter(active=True).order_by("name"),
        empty_label="Select an organisation",
        error_messages={"required": LEAD_ORG_REQUIRED},
    )
    started_on = _date_field(
        "Date they became lead professional",
        LEAD_START_REQUIRED,
        help_text="For example, 01/09/2025",
    )
    reason_for_change = forms.CharField(
        label="Reason for the change",
        max_length=200,
        required=False,
        help_text="For example, social worker left the team. Each change is counted on the record",
    )
