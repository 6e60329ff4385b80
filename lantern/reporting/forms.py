"""Choosing what to report on: a month and period, a collection year, a region."""

from datetime import date
from typing import cast

from django import forms
from django.utils import timezone

from lantern.common.forms import DateInput
from lantern.reporting import queries
from lantern.reporting.figures import Period

MONTH_INVALID = "Enter a month as a year and month, like 2025-10"
MONTH_FUTURE = "Choose this month or an earlier one"
MONTH_TOO_EARLY = "Choose a month from April 2014 onwards"
YEAR_INVALID = "Select a collection year from the list"
REGION_INVALID = "Select a region from the list"
DATE_INVALID = "Enter a real date"
DATE_FUTURE = "The date must be today or in the past"
FIRST_YEAR = 2015  # missing incidents were first collected in the 2014-15 return (domain §3.2)


def last_complete_month(today: date) -> tuple[int, int]:
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def latest_collection_year(today: date) -> int:
    """The most recent collection year to have ended (it ends on 31 March)."""
    return today.year if today.month >= 4 else today.year - 1


def year_choices(today: date) -> list[tuple[int, str]]:
    newest = latest_collection_year(today) + 1  # the year in progress, for checking early
    return [
        (y, f"{y - 1} to {y}" + (" (in progress)" if y == newest else ""))
        for y in range(newest, FIRST_YEAR - 1, -1)
    ]


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthlyForm(forms.Form):
    month = forms.CharField(
        label="Month",
        help_text="The last month of the period, for example 2025-10",
        widget=MonthInput,
        error_messages={"required": MONTH_INVALID},
    )
    months = forms.TypedChoiceField(
        label="Period",
        choices=[(1, "That month"), (3, "3 months"), (6, "6 months"), (12, "12 months")],
        coerce=int,
        initial=1,
    )

    def clean_month(self) -> tuple[int, int]:
        text = self.cleaned_data["month"].strip()
        try:
            year_text, month_text = text.split("-")
            year, month = int(year_text), int(month_text)
            date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(MONTH_INVALID) from None
        today = timezone.localdate()
        if (year, month) > (today.year, today.month):
            raise forms.ValidationError(MONTH_FUTURE)
        if (year, month) < (2014, 4):
            raise forms.ValidationError(MONTH_TOO_EARLY)
        return year, month

    def period(self) -> Period:
        year, month = self.cleaned_data["month"]
        return Period.months_to(year, month, self.cleaned_data["months"])


def monthly_initial(today: date) -> dict[str, object]:
    year, month = last_complete_month(today)
    return {"month": f"{year:04d}-{month:02d}", "months": 1}


class YearForm(forms.Form):
    year = forms.TypedChoiceField(
        label="Collection year",
        help_text="1 April to 31 March",
        coerce=int,
        error_messages={"required": YEAR_INVALID, "invalid_choice": YEAR_INVALID},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(forms.ChoiceField, self.fields["year"]).choices = year_choices(timezone.localdate())


class AnnexAForm(forms.Form):
    on = forms.DateField(
        label="Up to and including",
        help_text="Annex A counts the 12 months to this date",
        widget=DateInput,
        error_messages={"required": DATE_INVALID, "invalid": DATE_INVALID},
    )

    def clean_on(self) -> date:
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError(DATE_FUTURE)
        return on


class RegionalForm(YearForm):
    region = forms.ChoiceField(
        label="Region",
        error_messages={"required": REGION_INVALID, "invalid_choice": REGION_INVALID},
    )
    breakdown = forms.ChoiceField(
        label="Show incidents by",
        choices=[("category", "Category"), ("month", "Month")],
        widget=forms.RadioSelect,
        initial="category",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = list(queries.regions().items())
