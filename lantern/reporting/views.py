"""Report pages and downloads: thin adapters over figures, queries and services.

Who may see what is decided in reporting.access (anything else is a 404). Pages show counts;
the one page with rows (the 903 validation report) is for managers. Downloads are POSTed, so a
link preview or prefetch never exports anything, and each one is audited by its service.
"""

from collections import Counter
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from lantern.audit.models import Action
from lantern.audit.services import audit_record
from lantern.reporting import access, charts, queries, services, ssda903
from lantern.reporting.figures import monthly_figures
from lantern.reporting.forms import (
    AnnexAForm,
    MonthlyForm,
    RegionalForm,
    YearForm,
    latest_collection_year,
    monthly_initial,
)

RULE_MEANINGS = {
    "564": "Missing or away, but no start date",
    "565": "Start date but no missing or away code",
    "566": "End date but no missing or away code",
    "567": "Ends before it starts",
    "570": "Starts after the collection year",
    "571": "Ends outside the collection year",
    "574": "Overlaps another period, or starts while one is open",
    "575": "Still open although the placement has ended",
    "576": "Open last year but not carried over with the same start",
    "577": "Does not fit inside a period of care",
    "578": "Starts outside a period of care",
    "580": "Missing at 18: the Episodes table must give REC E8",
    "581": "Starts outside any episode of care",
    "586": "Starts on or before the date of birth",
    "1004": "Start date missing or not a real date",
    "1005": "End date not a real date",
    "1006": "Code other than M or A",
    "INT04": "Child not in the Header table",
    "INT13": "Date of birth differs from the Header table",
}


def _download(export: services.ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    if not access.can_see_figures(request.user):
        raise Http404("No page found")
    return render(
        request,
        "reporting/index.html",
        {
            "council": access.figures_council_for(request.user),
            "can_produce_returns": access.can_produce_returns(request.user),
        },
    )


def _monthly_form(data: Any) -> MonthlyForm:
    if "month" in data:
        return MonthlyForm(data)
    return MonthlyForm(monthly_initial(timezone.localdate()))


@require_GET
def monthly(request: HttpRequest) -> HttpResponse:
    """A council's figures for a month or period, with charts, tables and definitions."""
    council = access.figures_council_for(request.user, request.GET.get("la"))
    form = _monthly_form(request.GET)
    figures = chart_set = None
    if form.is_valid():
        figures = monthly_figures(council, form.period())
        chart_set = charts.for_figures(figures)
    return render(
        request,
        "reporting/monthly.html",
        {
            "council": council,
            "form": form,
            "figures": figures,
            "tables": {t.key: t for t in figures.tables} if figures else {},
            "charts": chart_set,
        },
    )


@require_POST
def monthly_csv(request: HttpRequest) -> HttpResponse:
    council = access.figures_council_for(request.user, request.POST.get("la"))
    form = MonthlyForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "reporting/monthly.html",
            {"council": council, "form": form, "figures": None, "charts": None},
            status=400,
        )
    figures = monthly_figures(council, form.period())
    return _download(
        services.figures_export(actor=request.user, figures=figures, code=council.ons_code)
    )


def _year(data: Any) -> tuple[YearForm, int | None]:
    form = YearForm(
        data if "year" in data else {"year": latest_collection_year(timezone.localdate())}
    )
    return form, (form.cleaned_data["year"] if form.is_valid() else None)


def _findings(problems: list[ssda903.Problem]) -> list[dict[str, object]]:
    counts = Counter((p.rule, p.severity, p.table) for p in problems)
    return [
        {
            "rule": rule,
            "severity": severity,
            "table": table,
            "count": count,
            "meaning": RULE_MEANINGS.get(rule, ""),
        }
        for (rule, severity, table), count in sorted(
            counts.items(), key=lambda kv: ssda903.RULES.index(kv[0][0])
        )
    ]


@require_GET
def returns(request: HttpRequest) -> HttpResponse:
    """Statutory returns: the 903 Missing file with Lantern's checks (as counts), Annex A, SSD."""
    council = access.returns_council_for(request.user)
    form, year = _year(request.GET)
    summary = None
    if year is not None:
        built, problems = services.ssda903_check(council, year)
        summary = {
            "year": ssda903.CollectionYear(year),
            "rows": len(built.rows),
            "children": len({r.child for r in built.rows}),
            "open_at_year_end": sum(1 for r in built.rows if r.end is None),
            "findings": _findings(problems),
            "errors": sum(1 for p in problems if p.severity == ssda903.ERROR),
        }
    return render(
        request,
        "reporting/returns.html",
        {
            "council": council,
            "form": form,
            "year": year,
            "summary": summary,
            "annex_form": AnnexAForm(initial={"on": timezone.localdate()}),
            "can_see_rows": access.can_see_return_rows(request.user),
        },
    )


@require_GET
def checks(request: HttpRequest) -> HttpResponse:
    """The 903 validation report with each failing row: managers only (it names children)."""
    council = access.return_rows_council_for(request.user)
    _, year = _year(request.GET)
    if year is None:
        raise Http404("No page found")
    _, problems = services.ssda903_check(council, year)
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        object_type="reporting.ssda903_validation",
        object_id=f"{council.ons_code}/{year}",
        summary=f"Viewed the SSDA903 Missing validation report, {year - 1} to {year}",
        detail={"rows": len(problems), "children": sorted({p.child for p in problems})},
        child_ids=queries.child_pks(council, (p.child for p in problems)),
    )
    return render(
        request,
        "reporting/checks.html",
        {
            "council": council,
            "year": ssda903.CollectionYear(year),
            "problems": [(p, _episode_pk(p.source)) for p in problems],
            "meanings": RULE_MEANINGS,
        },
    )


def _episode_pk(reference: str) -> int | None:
    """ME00001234 -> 1234, to link a finding to the episode page (which checks access)."""
    return int(reference[2:]) if reference.startswith("ME") and reference[2:].isdigit() else None


def _posted_year(request: HttpRequest) -> int:
    form = YearForm(request.POST)
    if not form.is_valid():
        raise Http404("No page found")
    return form.cleaned_data["year"]


@require_POST
def ssda903_csv(request: HttpRequest) -> HttpResponse:
    council = access.returns_council_for(request.user)
    year = _posted_year(request)
    return _download(services.ssda903_export(actor=request.user, la=council, year=year))


@require_POST
def ssda903_checks_csv(request: HttpRequest) -> HttpResponse:
    council = access.returns_council_for(request.user)
    year = _posted_year(request)
    return _download(services.ssda903_report_export(actor=request.user, la=council, year=year))


@require_POST
def annex_a_csv(request: HttpRequest) -> HttpResponse:
    council = access.returns_council_for(request.user)
    form = AnnexAForm(request.POST)
    if not form.is_valid():
        raise Http404("No page found")
    return _download(
        services.annex_a_export(actor=request.user, la=council, on=form.cleaned_data["on"])
    )


@require_POST
def ssd_csv(request: HttpRequest) -> HttpResponse:
    council = access.returns_council_for(request.user)
    year = _posted_year(request)
    return _download(services.ssd_export(actor=request.user, la=council, year=year))


def _regional_form(request: HttpRequest, data: Any) -> RegionalForm:
    if "region" in data:
        return RegionalForm(data)
    council = access.figures_council_for(request.user)
    return RegionalForm(
        {
            "region": council.region_code,
            "year": latest_collection_year(timezone.localdate()),
            "breakdown": "category",
        }
    )


@require_GET
def regional(request: HttpRequest) -> HttpResponse:
    """Incidents by council across a region, suppressed and rounded for sharing."""
    access.regional_allowed(request.user)
    form = _regional_form(request, request.GET)
    counts = table = None
    if form.is_valid():
        counts, table = queries.regional_table(
            form.cleaned_data["region"], form.cleaned_data["year"], form.cleaned_data["breakdown"]
        )
    return render(
        request, "reporting/regional.html", {"form": form, "counts": counts, "table": table}
    )


@require_POST
def regional_csv(request: HttpRequest) -> HttpResponse:
    access.regional_allowed(request.user)
    form = RegionalForm(request.POST)
    if not form.is_valid():
        raise Http404("No page found")
    return _download(
        services.regional_export(
            actor=request.user,
            region=form.cleaned_data["region"],
            year=form.cleaned_data["year"],
            breakdown=form.cleaned_data["breakdown"],
        )
    )
