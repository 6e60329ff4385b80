"""Record and read return home interviews. Every view reaches the child through the policy."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from lantern.accounts import policy
from lantern.audit.models import Action
from lantern.audit.services import audit_record
from lantern.common.forms import add_service_errors
from lantern.episodes.views import child_url
from lantern.interviews import queries, services
from lantern.interviews.forms import DisclosureFormSet, InterviewForm
from lantern.interviews.models import Direction

DISCLOSURE_PREFIX = "disclosure"


def _preselected(request: HttpRequest, episodes: Any) -> list[int]:
    wanted = request.GET.get("episode", "")
    if wanted.isdigit() and episodes.filter(pk=int(wanted)).exists():
        return [int(wanted)]
    return []


def record(request: HttpRequest, child_pk: int) -> HttpResponse:
    child = policy.child_get_for_change(request.user, child_pk)
    awaiting = queries.episodes_awaiting_interview(child)
    if request.method == "POST":
        form = InterviewForm(request.POST, episodes=awaiting)
        formset = DisclosureFormSet(request.POST, prefix=DISCLOSURE_PREFIX)
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            disclosures = [
                services.DisclosureInput(
                    text=sub.cleaned_data["text"],
                    exploitation_type=sub.cleaned_data.get("exploitation_type", ""),
                    is_exploitation_indicator=sub.cleaned_data.get(
                        "is_exploitation_indicator", False
                    ),
                )
                for sub in formset
                if (sub.cleaned_data.get("text") or "").strip()
            ]
            try:
                interview = services.interview_record(
                    actor=request.user,
                    child=child,
                    episodes=list(data.pop("episodes")),
                    disclosures=disclosures,
                    **data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Return interview recorded ({interview.get_status_display().lower()}).",
                )
                return redirect("interviews:detail", pk=interview.pk)
    else:
        membership = policy.acting_membership(request.user)
        organisation = membership.organisation if membership else None
        form = InterviewForm(
            episodes=awaiting,
            initial={
                "episodes": _preselected(request, awaiting),
                "offered_by_organisation": organisation,
                "conducted_by_organisation": organisation,
                "offered_by_name": str(request.user),
                "independent": True,
            },
        )
        formset = DisclosureFormSet(prefix=DISCLOSURE_PREFIX)
        # The form lists the child's episodes: opening it is a read of the record.
        audit_record(
            actor=request.user,
            action=Action.VIEW,
            obj=child,
            child_id=child.pk,
            summary="Opened the form to record a return interview",
        )
    return render(
        request,
        "interviews/record.html",
        {
            "form": form,
            "formset": formset,
            "child": child,
            "child_url": child_url(child.pk),
            "has_episodes": awaiting.exists(),
        },
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    interview = policy.interview_get_for(request.user, pk)
    interview = queries.interview_with_details(interview.pk)
    factors = queries.factors_by_direction(interview)
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        obj=interview,
        child_id=interview.child_id,
        summary="Viewed a return interview",
    )
    return render(
        request,
        "interviews/detail.html",
        {
            "interview": interview,
            "child": interview.child,
            "child_url": child_url(interview.child_id),
            "timeliness": queries.timeliness(interview),
            "push": factors[Direction.PUSH],
            "pull": factors[Direction.PULL],
            "disclosures": list(interview.disclosures.order_by("id")),
            "now": timezone.now(),
        },
    )
