"""Forms for intelligence pages: thin, GOV.UK style; rules live in services and queries."""

import re
from datetime import timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from lantern.accounts import policy
from lantern.accounts.models import Organisation, OrgType
from lantern.common.forms import DateInput, add_service_errors
from lantern.geo import postcodes
from lantern.intelligence import access, maps, rules
from lantern.intelligence.models import (
    AccessLevel,
    HandlingCode,
    IntelligenceAssessment,
    LinkKind,
    PersonKind,
    PersonOfConcern,
    Phone,
    PhoneKind,
    Place,
    PlaceType,
    Relation,
    RiskStatus,
    SourceEvaluation,
    Vehicle,
)
from lantern.intelligence.placement import DEFAULT_RADIUS_KM
from lantern.intelligence.services import Grading

REF_INVALID = (
    "Enter a Lantern reference you can see, like LC0000012, PL0000003 or PC0000007, "
    "or a phone number or registration already recorded"
)
LINK_PAIR_INVALID = "Lantern cannot link these two kinds of thing; choose a child, person or place"
END_BEFORE_START = "The end date must be after the start date"
PERIOD_TOO_LONG = "Choose a period of up to 2 years"
POSTCODE_REQUIRED = "Enter the placement postcode"
POSTCODE_UNKNOWN = "Enter a postcode that exists, like SS1 1AA"

# The shared helper, under the name this app's views (and linkage's) import.
apply_service_errors = add_service_errors


def _radios(label: str, choices: Any, initial: str) -> forms.ChoiceField:
    """A required radio question with an answer already chosen."""
    return forms.ChoiceField(
        label=label, choices=choices, initial=initial, widget=forms.RadioSelect
    )


class GradingForm(forms.Form):
    """Source, 3x5x2 grading and access level: the fields every intelligence form ends with."""

    source = forms.CharField(
        label="Source",
        max_length=300,
        required=False,
        help_text="Where this came from, for example 'return interview' or 'police intelligence report'",
    )
    source_organisation = forms.ModelChoiceField(
        label="Source organisation",
        queryset=Organisation.objects.none(),
        required=False,
        help_text="Leave empty if it is your own organisation",
    )
    source_evaluation = _radios(
        "Source evaluation", SourceEvaluation.choices, SourceEvaluation.UNTESTED
    )
    assessment = _radios(
        "Intelligence assessment", IntelligenceAssessment.choices, IntelligenceAssessment.NOT_KNOWN
    )
    handling_code = _radios("Handling code", HandlingCode.choices, HandlingCode.PERMITTED)
    access_level = _radios("Who may see this", AccessLevel.choices, AccessLevel.PARTNERS)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source_organisation"].queryset = Organisation.objects.filter(active=True)
        if not access.is_police(user):
            # Partners cannot record what only police may see.
            self.fields["access_level"].choices = [
                (AccessLevel.PARTNERS, AccessLevel.PARTNERS.label)
            ]

    def grading(self) -> Grading:
        data = self.cleaned_data
        return Grading(
            source=data.get("source", ""),
            source_organisation=data.get("source_organisation"),
            source_evaluation=data["source_evaluation"],
            assessment=data["assessment"],
            handling_code=data["handling_code"],
            access_level=data["access_level"],
        )


class PlaceForm(GradingForm):
    field_order = ["label", "place_type", "address", "postcode", "risk_status"]
    label = forms.CharField(
        label="Name of the place", max_length=200, help_text="For example 'Flat above the takeaway'"
    )
    place_type = forms.ChoiceField(
        label="Type of place",
        choices=[(v, label) for v, label in PlaceType.choices if v != PlaceType.FOUND_AREA],
    )
    address = forms.CharField(
        label="Address", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=8,
        required=False,
        help_text="Maps only ever show the postcode sector, never the address",
    )
    risk_status = forms.ChoiceField(
        label="Risk status", choices=RiskStatus.choices, initial=RiskStatus.SUSPECTED
    )


class PersonForm(GradingForm):
    field_order = [
        "first_name",
        "last_name",
        "known_as",
        "aliases",
        "kind",
        "date_of_birth",
        "description",
        "restricted",
    ]
    first_name = forms.CharField(label="First name", max_length=100, required=False)
    last_name = forms.CharField(label="Last name", max_length=100, required=False)
    known_as = forms.CharField(
        label="Known as", max_length=100, required=False, help_text="A nickname or street name"
    )
    aliases = forms.CharField(
        label="Other names",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One name on each line",
    )
    kind = forms.ChoiceField(
        label="Adult or peer", choices=PersonKind.choices, widget=forms.RadioSelect
    )
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DateInput())
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    restricted = forms.BooleanField(
        label="Restricted: only my organisation and police forces may see this person",
        required=False,
    )


class PhoneForm(GradingForm):
    field_order = ["kind", "value", "platform", "deal_line"]
    kind = _radios("Number or handle", PhoneKind.choices, PhoneKind.NUMBER)
    value = forms.CharField(
        label="Phone number or handle",
        max_length=100,
        help_text="For example 07700 900123 or @name",
    )
    platform = forms.CharField(
        label="App or platform",
        max_length=60,
        required=False,
        help_text="For handles: Snapchat, Instagram, …",
    )
    deal_line = forms.BooleanField(
        label="This is a deal line (a number used to take drug orders)", required=False
    )


class VehicleForm(GradingForm):
    field_order = ["vrm", "make", "model", "colour"]
    vrm = forms.CharField(label="Registration", max_length=10, help_text="For example AB12 CDE")
    make = forms.CharField(label="Make", max_length=60, required=False)
    model = forms.CharField(label="Model", max_length=60, required=False)
    colour = forms.CharField(label="Colour", max_length=40, required=False)


# Which link kind joins two kinds of thing, and which end goes in which column.
_PAIRS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("child", "person"): (LinkKind.CHILD_PERSON, "child", "person"),
    ("child", "place"): (LinkKind.CHILD_PLACE, "child", "place"),
    ("child", "phone"): (LinkKind.CHILD_PHONE, "child", "phone"),
    ("child", "vehicle"): (LinkKind.CHILD_VEHICLE, "child", "vehicle"),
    ("child", "child"): (LinkKind.CHILD_CHILD, "child", "child_b"),
    ("person", "person"): (LinkKind.PERSON_PERSON, "person", "person_b"),
    ("person", "place"): (LinkKind.PERSON_PLACE, "person", "place"),
    ("person", "phone"): (LinkKind.PERSON_PHONE, "person", "phone"),
    ("person", "vehicle"): (LinkKind.PERSON_VEHICLE, "person", "vehicle"),
    ("phone", "place"): (LinkKind.PLACE_PHONE, "phone", "place"),
    ("place", "vehicle"): (LinkKind.PLACE_VEHICLE, "place", "vehicle"),
}
_ORDER = ["child", "person", "phone", "place", "vehicle"]
_REF_RE = re.compile(r"^(LC|PL|PC|PH|VE)0*(\d{1,12})$", re.I)


def resolve_reference(user: Any, text: str) -> tuple[str, Any] | None:
    """A reference, phone number or registration to something the user may see; else None."""
    value = (text or "").strip().replace(" ", "")
    match = _REF_RE.match(value)
    try:
        if match:
            prefix, number = match.group(1).upper(), int(match.group(2))
            if prefix == "LC":
                return "child", policy.child_get_for(user, number)
            model = {"PL": Place, "PC": PersonOfConcern, "PH": Phone, "VE": Vehicle}[prefix]
            kind = {"PL": "place", "PC": "person", "PH": "phone", "VE": "vehicle"}[prefix]
            return kind, access.item_get_for(user, model, number)
    except Http404:  # missing and hidden look the same
        return None
    phone = rules.phone_normalise(text) or rules.handle_normalise(text)
    if phone:
        found = access.phones_visible_to(user).filter(normalised=phone).order_by("id").first()
        if found:
            return "phone", found
    vrm = rules.vrm_normalise(text)
    if vrm:
        found = access.vehicles_visible_to(user).filter(vrm=vrm).order_by("id").first()
        if found:
            return "vehicle", found
    return None


class LinkForm(GradingForm):
    field_order = ["first", "second", "relation", "observed_on", "ended_on", "evidence"]
    first = forms.CharField(
        label="First thing", max_length=40, help_text="A Lantern reference, like LC0000012"
    )
    second = forms.CharField(
        label="Second thing",
        max_length=40,
        help_text="A reference (LC, PL, PC, PH or VE), a phone number or a registration",
    )
    relation = forms.ChoiceField(
        label="How they are linked",
        choices=[
            (v, label) for v, label in Relation.choices if v not in (Relation.FOUND_TOGETHER,)
        ],
    )
    observed_on = forms.DateField(label="Date seen or reported", widget=DateInput())
    ended_on = forms.DateField(label="Date the link ended", required=False, widget=DateInput())
    evidence = forms.CharField(
        label="Evidence",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was seen or said, by whom and when. Separate fact from opinion.",
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        ends = {}
        for name in ("first", "second"):
            if name in data:
                resolved = resolve_reference(self.user, data[name])
                if resolved is None:
                    self.add_error(name, REF_INVALID)
                else:
                    ends[name] = resolved
        if len(ends) == 2:
            (kind_a, a), (kind_b, b) = ends["first"], ends["second"]
            if _ORDER.index(kind_a) > _ORDER.index(kind_b):
                (kind_a, a), (kind_b, b) = (kind_b, b), (kind_a, a)
            pair = _PAIRS.get((kind_a, kind_b))
            if pair is None:
                self.add_error("second", LINK_PAIR_INVALID)
            else:
                kind, column_a, column_b = pair
                data["kind"] = kind
                data["ends"] = {column_a: a, column_b: b}
        return data


class DisruptionForm(forms.Form):
    taken_on = forms.DateField(label="Date of the action", widget=DateInput())
    action = forms.CharField(
        label="What was done",
        max_length=300,
        help_text="For example 'Closure order granted' or 'Child Abduction Warning Notice served'",
    )
    outcome = forms.CharField(label="Outcome", max_length=300, required=False)


class RiskStatusForm(forms.Form):
    risk_status = forms.ChoiceField(label="Risk status", choices=RiskStatus.choices)


class MapForm(forms.Form):
    """Map filters. Always bound: what the URL does not say takes the default."""

    DEFAULTS = {"days": "365", "region": "", "resolution": maps.SECTOR, "measure": "from"}

    days = forms.TypedChoiceField(label="Period", choices=list(maps.PERIODS.items()), coerce=int)
    region = forms.ChoiceField(label="Region", required=False)
    resolution = forms.ChoiceField(
        label="Show places by",
        choices=[(maps.SECTOR, "Postcode sector"), (maps.DISTRICT, "Postcode district")],
    )
    measure = forms.ChoiceField(
        label="Count episodes by",
        choices=[
            ("from", "Where the child went missing from"),
            ("found", "Where the child was found"),
        ],
    )

    def __init__(self, query: Any = None) -> None:
        data = dict(self.DEFAULTS)
        if query is not None:
            data.update({k: query.get(k) for k in self.DEFAULTS if query.get(k) is not None})
        super().__init__(data)
        self.fields["region"].choices = [("", "All of England"), *maps.regions()]

    def values(self) -> dict[str, Any]:
        if self.is_valid():
            data = self.cleaned_data
            return {
                "days": data["days"],
                "region": data["region"],
                "resolution": data["resolution"],
                "measure": data["measure"],
            }
        return {"days": 365, "region": "", "resolution": maps.SECTOR, "measure": "from"}


class VoltForm(forms.Form):
    la = forms.ModelChoiceField(
        label="Local authority", queryset=Organisation.objects.filter(type=OrgType.LOCAL_AUTHORITY)
    )
    start = forms.DateField(label="From", widget=DateInput())
    end = forms.DateField(label="To", widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", END_BEFORE_START)
            elif end - start > timedelta(days=731):
                self.add_error("start", PERIOD_TOO_LONG)
        return data


def volt_initial(user: Any) -> dict[str, Any]:
    membership = policy.acting_membership(user)
    today = timezone.localdate()
    la = (
        membership.organisation
        if membership and membership.organisation.type == OrgType.LOCAL_AUTHORITY
        else None
    )
    return {"la": la.pk if la else None, "start": today - timedelta(days=90), "end": today}


class PlacementCheckForm(forms.Form):
    postcode = forms.CharField(
        label="Placement postcode",
        max_length=8,
        help_text="The postcode of a planned or current placement, like SS1 1AA",
        error_messages={"required": POSTCODE_REQUIRED},
    )
    radius_km = forms.TypedChoiceField(
        label="Look within",
        choices=[(1.0, "1 km"), (2.0, "2 km"), (3.0, "3 km"), (5.0, "5 km"), (10.0, "10 km")],
        coerce=float,
        initial=DEFAULT_RADIUS_KM,
    )

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"]
        normal = postcodes.normalise_postcode(value)
        if normal is None or postcodes.lookup(normal) is None:
            raise ValidationError(POSTCODE_UNKNOWN)
        return normal
