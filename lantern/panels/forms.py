"""Forms for panels. Rules live in services.py; these only collect and convert what was typed."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from lantern.accounts.models import Organisation
from lantern.common.forms import DateInput
from lantern.common.forms import add_service_errors as add_service_errors  # for panels.views
from lantern.interviews.models import ExploitationType
from lantern.panels.models import (
    ActionStatus,
    NrmStatus,
    Outcome,
    Panel,
    ReferralRule,
    Remit,
    RuleKind,
    RuleRemit,
)
from lantern.risk.models import Level

SAFETY_ROWS = 3
ACTION_ROWS = 3
MINUTE_ROWS = 2  # one open section and one restricted section, by default

CHILD_REFERENCE_REQUIRED = "Enter the child's Lantern reference, like LC0000123"
CHILD_REFERENCE_NOT_FOUND = "No child with that reference that you can see"


def member_organisations(panel: Panel) -> Any:
    return Organisation.objects.filter(panel_memberships__panel=panel).order_by("name")


class MeetingForm(forms.Form):
    date = forms.DateField(
        label="Date of the meeting",
        widget=DateInput(),
        error_messages={"required": "Enter the date of the meeting"},
    )


class AttendanceForm(forms.Form):
    name = forms.CharField(label="Name", max_length=150)
    organisation = forms.ModelChoiceField(
        label="Organisation they represent",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
    )
    apologies = forms.BooleanField(label="Sent apologies (not attending)", required=False)

    def __init__(self, *args: Any, panel: Panel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = member_organisations(panel)  # type: ignore[attr-defined]
        self.fields["name"].error_messages["required"] = "Enter the name of the person"
        self.fields["organisation"].error_messages["required"] = (
            "Choose the organisation they represent"
        )


class ReferralForm(forms.Form):
    reference = forms.CharField(
        label="Child's Lantern reference",
        help_text="For example LC0000123. It is on the child's page.",
        max_length=20,
        required=False,
    )
    reason = forms.CharField(
        label="Why are you referring the child?",
        help_text="What has happened and what you are worried about. The panel reads this out.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter why you are referring the child to the panel"},
    )
    remit = forms.ChoiceField(label="Which part of the panel's remit?", required=False)
    restricted = forms.BooleanField(
        label="Restricted: only members with full sharing may read the reason",
        help_text="For example, police intelligence that partners cannot see.",
        required=False,
    )

    def __init__(self, *args: Any, panel: Panel, with_reference: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["remit"].choices = [("", "Let the panel decide")] + [  # type: ignore[attr-defined]
            (r, Remit(r).label) for r in panel.remit_values
        ]
        if not with_reference:
            del self.fields["reference"]

    def clean_reference(self) -> str:
        value = self.cleaned_data.get("reference", "").strip().upper()
        if not value:
            raise ValidationError(CHILD_REFERENCE_REQUIRED)
        return value


class RuleForm(forms.Form):
    description = forms.CharField(label="Description", max_length=300)
    count = forms.IntegerField(label="Number of episodes", min_value=1, required=False)
    days = forms.IntegerField(
        label="In the last (days)",
        min_value=1,
        max_value=3650,
        required=False,
        help_text="Leave blank to count evidence of any age",
    )
    level = forms.ChoiceField(
        label="Screening level at least",
        choices=[("", "Not used")] + [(v, label) for v, label in Level.choices if v != "none"],
        required=False,
    )
    age_months = forms.IntegerField(
        label="Age in months", min_value=1, max_value=300, required=False, help_text="210 is 17½"
    )
    exploitation_types = forms.MultipleChoiceField(
        label="Types of exploitation",
        choices=ExploitationType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    remit = forms.ChoiceField(label="Routes to", choices=RuleRemit.choices)
    order = forms.IntegerField(label="Order", min_value=0, max_value=10000)
    active = forms.BooleanField(label="In use", required=False)

    # The parameters each kind uses; the others are not shown.
    USES: dict[str, tuple[str, ...]] = {
        RuleKind.EPISODES_IN_WINDOW: ("count", "days"),
        RuleKind.POLICE_HIGH: ("days",),
        RuleKind.SCREENING_AT_LEAST: ("level",),
        RuleKind.FOUND_OUT_OF_AREA: ("days",),
        RuleKind.NEW_DISCLOSURE: ("exploitation_types",),
        RuleKind.APPROACHING_ADULTHOOD: ("age_months",),
        RuleKind.NRM_REFERRAL: (),
        RuleKind.EXPLOITATION_FLAG: ("exploitation_types",),
    }

    def __init__(self, *args: Any, rule: ReferralRule, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "description": rule.description,
                "count": rule.count,
                "days": rule.days,
                "level": rule.level,
                "age_months": rule.age_months,
                "exploitation_types": rule.type_values,
                "remit": rule.remit,
                "order": rule.order,
                "active": rule.active,
            },
        )
        super().__init__(*args, **kwargs)
        uses = self.USES.get(rule.kind, ())
        for name in ("count", "days", "level", "age_months", "exploitation_types"):
            if name not in uses:
                del self.fields[name]


def _yes_no(label: str, required_message: str) -> forms.TypedChoiceField:
    """A required Yes/No radio question whose cleaned value is True or False."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": required_message},
    )


class DecisionForm(forms.Form):
    agreed_risk_level = forms.ChoiceField(
        label="Risk level the panel agreed",
        choices=Level.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the risk level the panel agreed"},
    )
    lead_agency = forms.ModelChoiceField(
        label="Lead agency",
        queryset=Organisation.objects.none(),
        empty_label="Choose the lead agency",
        error_messages={"required": "Choose the lead agency"},
    )
    lead_professional_name = forms.CharField(
        label="Lead professional",
        max_length=150,
        help_text="The person in the lead agency who leads on the child's plan",
        error_messages={"required": "Enter the name of the lead professional"},
    )
    nrm_referral = _yes_no(
        "Refer to the National Referral Mechanism?", "Say whether the panel agreed an NRM referral"
    )
    strategy_discussion = _yes_no(
        "Hold a strategy discussion?", "Say whether the panel agreed a strategy discussion"
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome"},
    )
    review_date = forms.DateField(
        label="Review date",
        widget=DateInput(),
        required=False,
        help_text="When the panel looks at the child again. Not needed if the case is closed.",
    )

    def __init__(self, *args: Any, panel: Panel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = member_organisations(panel)
        self.fields["lead_agency"].queryset = orgs  # type: ignore[attr-defined]
        org_choices = [("", "Choose an organisation")] + [(str(o.pk), o.name) for o in orgs]
        self.org_by_pk = {str(o.pk): o for o in orgs}
        # Rows of minutes, safety plan and actions, as plain named fields so the page works with
        # no JavaScript: minute-0-text, safety-0-description, action-0-due_date and so on.
        for n in range(MINUTE_ROWS):
            self.fields[f"minute-{n}-text"] = forms.CharField(
                label="Restricted minutes" if n else "Minutes",
                widget=forms.Textarea(attrs={"rows": 6}),
                required=False,
                help_text="Only members with full sharing see this section."
                if n
                else "All members of the panel see this section.",
            )
        for prefix, rows in (("safety", SAFETY_ROWS), ("action", ACTION_ROWS)):
            for n in range(rows):
                self.fields[f"{prefix}-{n}-description"] = forms.CharField(
                    label="What needs to be done" if prefix == "action" else "Safety plan item",
                    max_length=500,
                    required=False,
                )
                self.fields[f"{prefix}-{n}-owner_name"] = forms.CharField(
                    label="Person responsible", max_length=150, required=False
                )
                self.fields[f"{prefix}-{n}-owner_organisation"] = forms.ChoiceField(
                    label="Organisation responsible", choices=org_choices, required=False
                )
                self.fields[f"{prefix}-{n}-due_date"] = forms.DateField(
                    label="Due date" if prefix == "action" else "Due date (if any)",
                    widget=DateInput(),
                    required=False,
                )

    def rows(self, prefix: str, count: int) -> list[list[forms.BoundField]]:
        return [
            [
                self[f"{prefix}-{n}-{name}"]
                for name in ("description", "owner_name", "owner_organisation", "due_date")
            ]
            for n in range(count)
        ]

    @property
    def safety_rows(self) -> list[list[forms.BoundField]]:
        return self.rows("safety", SAFETY_ROWS)

    @property
    def action_rows(self) -> list[list[forms.BoundField]]:
        return self.rows("action", ACTION_ROWS)

    @property
    def minute_fields(self) -> list[forms.BoundField]:
        return [self[f"minute-{n}-text"] for n in range(MINUTE_ROWS)]

    @staticmethod
    def minute_restricted(n: int) -> bool:
        # The first section is open to every member; the second is restricted.
        return n > 0

    def org(self, value: str) -> Organisation | None:
        return self.org_by_pk.get(value or "")


class ActionForm(forms.Form):
    description = forms.CharField(
        label="What needs to be done",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what needs to be done"},
    )
    owner_name = forms.CharField(
        label="Person responsible",
        max_length=150,
        error_messages={"required": "Enter the name of the person responsible"},
    )
    owner_organisation = forms.ModelChoiceField(
        label="Organisation responsible",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages={"required": "Choose the organisation responsible"},
    )
    due_date = forms.DateField(
        label="Due date",
        widget=DateInput(),
        error_messages={"required": "Enter the date it is due"},
    )

    def __init__(self, *args: Any, panel: Panel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].queryset = member_organisations(panel)  # type: ignore[attr-defined]


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(ActionStatus.DONE, "Done"), (ActionStatus.CANCELLED, "Cancelled")]
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class NrmForm(forms.Form):
    status = forms.ChoiceField(
        label="NRM status",
        choices=NrmStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an NRM status"},
    )
    status_on = forms.DateField(
        label="Date of this step",
        widget=DateInput(),
        error_messages={"required": "Enter the date of this step"},
    )
    first_responder = forms.ModelChoiceField(
        label="First responder organisation",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Not recorded",
        help_text="Only first responder organisations (police, local authorities and some "
        "charities) may refer to the NRM.",
    )
    county_lines = forms.BooleanField(label="County lines", required=False)
    notes = forms.CharField(label="Notes", max_length=500, required=False)

    def __init__(self, *args: Any, panel: Panel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_responder"].queryset = member_organisations(panel)  # type: ignore[attr-defined]


class WeeklyForm(forms.Form):
    la = forms.ModelChoiceField(
        label="Local authority", queryset=Organisation.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, las: list[Organisation], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"la": las[0].pk if las else None})
        super().__init__(*args, **kwargs)
        self.fields["la"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in las])  # type: ignore[attr-defined]
