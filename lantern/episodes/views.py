"""Pages for one missing episode: report it, grade the risk, record the return, and read it.

Every view reaches the child through ``lantern.accounts.policy`` first, so a child the user may
not see (or, for the forms, may not change) is a 404 whatever the method.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from lantern.accounts import policy
from lantern.accounts.models import OrgType
from lantern.audit.models import Action
from lantern.audit.services import audit_record
from lantern.common.forms import add_service_errors
from lantern.episodes import queries, rules, services
from lantern.episodes.forms import (
    EpisodeReportForm,
    GradingForm,
    ReturnForm,
)
from lantern.episodes.models import Category, Grade, MissingEpisode
from lantern.interviews import queries as interview_queries
from lantern.people.models import Child

GRADE_TAGS: dict[str, str] = {
    Grade.HIGH: "red",
    Grade.MEDIUM: "orange",
    Grade.LOW: "yellow",
    Grade.VERY_LOW: "green",
}

# "5 June 2025 at 14:30": deadlines are to the hour, so always show the time.
DATETIME_FORMAT = r"j F Y \a\t H:i"


def child_url(child_pk: int) -> str:
    return reverse("people:detail", kwargs={"pk": child_pk})


def format_datetime(value: Any) -> str:
    return date_format(timezone.localtime(value), DATETIME_FORMAT)


def _episode_for_change(user: Any, pk: int) -> MissingEpisode:
    """An episode whose child the user may see and whose role may change records; else 404."""
    if not policy.can_change_records(user):
        raise Http404("No episode found")
    return policy.episode_get_for(user, pk)


def _form_context(form: Any, episode: MissingEpisode) -> dict[str, Any]:
    return {
        "form": form,
        "episode": episode,
        "category_label": Category(episode.category).label,
        "child_url": child_url(episode.child_id),
    }


def _audit_form_opened(user: Any, child: Child, summary: str, obj: Any = None) -> None:
    # A form page shows the child's name (and sometimes episodes): it is a read of the record.
    audit_record(
        actor=user, action=Action.VIEW, obj=obj or child, child_id=child.pk, summary=summary
    )


def report(request: HttpRequest, child_pk: int) -> HttpResponse:
    child = policy.child_get_for_change(request.user, child_pk)
    membership = policy.acting_membership(request.user)
    organisation = membership.organisation if membership else None
    if request.method == "POST":
        form = EpisodeReportForm(request.POST, child=child)
        if form.is_valid():
            try:
                episode = services.episode_report(
                    actor=request.user, child=child, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Missing episode {episode.reference} reported. "
                    f"Lantern has recorded it as “{Category(episode.category).label.lower()}”.",
                )
                return redirect("episodes:detail", pk=episode.pk)
    else:
        initial: dict[str, Any] = {"reporting_organisation": organisation}
        if organisation is not None and organisation.type == OrgType.POLICE:
            initial.update(reported_to_police=True, police_force=organisation)
        form = EpisodeReportForm(initial=initial, child=child)
        _audit_form_opened(request.user, child, "Opened the form to report a missing episode")
    return render(
        request,
        "episodes/report.html",
        {"form": form, "child": child, "child_url": child_url(child.pk)},
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    episode = policy.episode_get_for(request.user, pk)
    now = timezone.now()
    episode = queries.episode_with_details(episode.pk)
    interviews = interview_queries.interviews_covering(episode)
    gradings = queries.gradings_for(episode)
    for grading in gradings:
        grading.tag = GRADE_TAGS.get(grading.grade, "grey")  # type: ignore[attr-defined]
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        obj=episode,
        child_id=episode.child_id,
        summary=f"Viewed missing episode {episode.reference}",
    )
    return render(
        request,
        "episodes/detail.html",
        {
            "episode": episode,
            "child": episode.child,
            "child_url": child_url(episode.child_id),
            "facts": queries.episode_facts(episode, now),
            "gradings": gradings,
            "current_grading": gradings[0] if gradings else None,
            "interviews": interviews,
            "rhi": interview_queries.interview_state(episode, interviews, now),
            "can_change": policy.can_change_records(request.user),
        },
    )


def grade(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode_for_change(request.user, pk)
    if request.method == "POST":
        form = GradingForm(request.POST)
        if form.is_valid():
            try:
                grading = services.grading_record(
                    actor=request.user, episode=episode, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, f"Police risk grading recorded: {grading.get_grade_display()}"
                )
                return redirect("episodes:detail", pk=episode.pk)
    else:
        membership = policy.acting_membership(request.user)
        own = membership.organisation if membership else None
        force = own if own is not None and own.type == OrgType.POLICE else episode.police_force
        form = GradingForm(initial={"organisation": force})
        _audit_form_opened(
            request.user, episode.child, "Opened the form to record a police risk grading", episode
        )
    return render(
        request,
        "episodes/grade.html",
        _form_context(form, episode),
    )


def record_return(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode_for_change(request.user, pk)
    if episode.returned_at is not None and request.method != "POST":
        messages.info(request, services.ALREADY_RETURNED)
        return redirect("episodes:detail", pk=episode.pk)
    if request.method == "POST":
        form = ReturnForm(request.POST, recorded_whereabouts=episode.whereabouts)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                episode = services.episode_record_return(
                    actor=request.user, episode=episode, version=version, **data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                due = rules.rhi_due_at(episode.returned_at)  # type: ignore[arg-type]
                messages.success(
                    request,
                    f"Return recorded. The return interview is due by {format_datetime(due)} "
                    "(72 hours after the return).",
                )
                return redirect("episodes:detail", pk=episode.pk)
    else:
        form = ReturnForm(
            initial={"version": episode.version}, recorded_whereabouts=episode.whereabouts
        )
        _audit_form_opened(
            request.user, episode.child, "Opened the form to record a return", episode
        )
    return render(
        request,
        "episodes/return.html",
        _form_context(form, episode),
    )
