"""Finding children, their page, who has seen it, and placement and lead professional forms.

Thin adapters: access through lantern.accounts.policy (not visible means 404), reads through
people.queries, writes through people.services; the audit event of a view or search is written
here, inside the request's transaction (ATOMIC_REQUESTS), so page and event commit together.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from lantern.accounts import policy
from lantern.accounts.models import Organisation, OrgType
from lantern.accounts.roles import Role
from lantern.audit.models import Action
from lantern.audit.queries import child_access_log
from lantern.audit.services import audit_record
from lantern.intelligence.queries import child_panel as intelligence_child_panel
from lantern.linkage.queries import child_notice as linkage_child_notice
from lantern.panels.queries import child_panels
from lantern.people import queries, services
from lantern.people.forms import (
    ChildCreateForm,
    ChildSearchForm,
    LeadChangeForm,
    PlacementAddForm,
    PlacementEndForm,
    apply_service_errors,
)
from lantern.people.models import Child, Placement
from lantern.risk.queries import child_risk_panel


def _acting_org(user: Any) -> Organisation | None:
    membership = policy.acting_membership(user)
    return membership.organisation if membership else None


def _no_access(request: HttpRequest) -> HttpResponse:
    # Analysts and administrators are told plainly rather than shown an empty search (AC10).
    return render(request, "people/no_access.html", {}, status=403)


@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Find a child. The query travels by POST so names and dates of birth stay out of URLs and
    server logs (DP5); the audit event records the ids shown and the kind of query, not its text."""
    if not policy.can_open_records(request.user):
        return _no_access(request)
    form = ChildSearchForm(request.POST if request.method == "POST" else None)
    result = None
    if form.is_bound and form.is_valid():
        result = queries.child_search(user=request.user, query=form.cleaned_data["query"])
        audit_record(
            actor=request.user,
            action=Action.SEARCH,
            object_type="people.child",
            summary="Searched for a child",
            detail={
                "shown": result.shown_ids,
                "query_kind": result.kind,
                "candidates": result.candidates,
            },
            child_ids=result.shown_ids,
        )
    return render(
        request,
        "people/search.html",
        {"form": form, "result": result, "can_create": policy.can_change_records(request.user)},
    )


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    """Start a record for a child Lantern does not know yet."""
    if not policy.can_change_records(request.user):
        raise Http404("No page found")
    form = ChildCreateForm(
        request.POST if request.method == "POST" else None,
        organisation=_acting_org(request.user),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        aliases = []
        if data["alias_first_name"] or data["alias_last_name"]:
            aliases.append(
                (data["alias_kind"] or "alias", data["alias_first_name"], data["alias_last_name"])
            )
        identifiers = []
        if data["identifier_value"]:
            identifiers.append(
                services.IdentifierInput(
                    kind=data["identifier_kind"],
                    value=data["identifier_value"],
                    issuing_organisation=data["identifier_issuer"],
                )
            )
        try:
            child = services.child_create(
                actor=request.user,
                first_name=data["first_name"],
                middle_names=data["middle_names"],
                last_name=data["last_name"],
                preferred_name=data["preferred_name"],
                date_of_birth=data["date_of_birth"],
                sex=data["sex"],
                gender=data["gender"],
                ethnicity=data["ethnicity"],
                home_la=data["home_la"],
                home_postcode=data["home_postcode"],
                care_status=data["care_status"],
                legal_status=data["legal_status"],
                learning_disability=data["learning_disability"],
                aliases=aliases,
                identifiers=identifiers,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if policy.access_reasons(request.user, child):
                messages.success(request, f"Record {child.reference} created")
                return redirect("people:detail", pk=child.pk)
            # Created for another authority: this organisation has no link to the child yet.
            messages.success(
                request,
                f"Record {child.reference} created. Your organisation can open it once it has a "
                "link to the child, for example by reporting a missing episode.",
            )
            return redirect("people:search")
    return render(request, "people/create.html", {"form": form})


@require_http_methods(["GET"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The child's page. Every view is audited (AD1), in this request's transaction (AD7)."""
    access = policy.child_access_for(request.user, pk)
    child = access.child
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        obj=child,
        child_id=child.pk,
        summary="Viewed the child's record",
    )
    now = timezone.now()
    rows = queries.child_rows(child)
    summary = queries.child_summary(child, now=now, rows=rows)
    timeline = queries.child_timeline(child, now=now, rows=rows)
    risk = child_risk_panel(child=child, user=request.user, now=now)
    intelligence = intelligence_child_panel(request.user, child)
    duplicates = linkage_child_notice(request.user, child)
    panels = child_panels(request.user, child)
    return render(
        request,
        "people/detail.html",
        {
            "child": child,
            "reasons": access.reasons,
            "organisation": _acting_org(request.user),
            "summary": summary,
            "timeline": timeline,
            "risk": risk,
            "intelligence": intelligence,
            "duplicates": duplicates,
            "panels": panels,
            "awaiting_interview": summary.needing_interview[0]
            if summary.needing_interview
            else None,
            "can_change": policy.can_change_records(request.user),
            "can_see_access_log": policy.can_see_access_log(request.user),
        },
    )


@require_http_methods(["GET"])
def access_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has seen or changed this record (AD10): managers and panel chairs only."""
    if not policy.can_see_access_log(request.user):
        raise Http404("No child found")
    child = policy.child_get_for(request.user, pk)
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        obj=child,
        child_id=child.pk,
        summary="Viewed who has seen this record",
    )
    roles = dict(Role.choices)
    events = [
        (event, roles.get(event.role, event.role)) for event in child_access_log(child_id=child.pk)
    ]
    return render(request, "people/access_log.html", {"child": child, "events": events})


@require_http_methods(["GET", "POST"])
def placement_add(request: HttpRequest, pk: int) -> HttpResponse:
    child = policy.child_get_for_change(request.user, pk)
    organisation = _acting_org(request.user)
    placing = (
        organisation if organisation and organisation.type == OrgType.LOCAL_AUTHORITY else None
    )
    form = PlacementAddForm(
        request.POST if request.method == "POST" else None,
        initial={"placing_la": (placing or child.home_la).pk},
    )
    if form.is_bound and form.is_valid():
        try:
            placement = services.placement_add(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _placement_message(placement))
            return redirect("people:detail", pk=child.pk)
    return render(request, "people/placement_add.html", {"child": child, "form": form})


def _placement_message(placement: Placement) -> str:
    where = placement.host_la or placement.host_area_code or "an area Lantern does not know"
    text = f"Placement added in {where}"
    if placement.is_out_of_area:
        text += ". It is out of area"
    if placement.distance_miles is not None:
        text += f", {placement.distance_miles} miles from home"
    return text


@require_http_methods(["GET", "POST"])
def placement_end(request: HttpRequest, pk: int, placement_pk: int) -> HttpResponse:
    child = policy.child_get_for_change(request.user, pk)
    placement = get_object_or_404(
        Placement.objects.select_related("host_la"), pk=placement_pk, child=child
    )
    form = PlacementEndForm(
        request.POST if request.method == "POST" else None,
        initial={"version": placement.version, "ended_on": placement.ended_on},
    )
    if form.is_bound and form.is_valid():
        try:
            services.placement_end(
                actor=request.user,
                placement=placement,
                version=form.cleaned_data["version"],
                ended_on=form.cleaned_data["ended_on"],
            )
        except ValidationError as error:
            # Includes ConcurrentEditError: someone else saved first; nothing was written.
            apply_service_errors(form, error)
        else:
            messages.success(request, "Placement ended")
            return redirect("people:detail", pk=child.pk)
    return render(
        request,
        "people/placement_end.html",
        {"child": child, "placement": placement, "form": form},
    )


@require_http_methods(["GET", "POST"])
def lead_change(request: HttpRequest, pk: int) -> HttpResponse:
    child: Child = policy.child_get_for_change(request.user, pk)
    organisation = _acting_org(request.user)
    form = LeadChangeForm(
        request.POST if request.method == "POST" else None,
        initial={
            "organisation": organisation.pk if organisation else None,
            "started_on": timezone.localdate(),
        },
    )
    if form.is_bound and form.is_valid():
        try:
            services.lead_professional_assign(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Lead professional changed")
            return redirect("people:detail", pk=child.pk)
    leads = list(child.lead_professionals.select_related("organisation"))
    changes = queries.lead_changes_in_window(
        (lead.started_on for lead in leads), timezone.localdate()
    )
    return render(
        request,
        "people/lead_change.html",
        {
            "child": child,
            "form": form,
            "leads": leads,
            "current_lead": next((lead for lead in leads if lead.ended_on is None), None),
            "lead_changes_text": queries.lead_changes_text(changes),
        },
    )
