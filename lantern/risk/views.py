"""Screening pages, the risk summary and chart, clearing flags and findings on return.

Every view reaches the child through ``lantern.accounts.policy`` first: a child the user may not
see (or, for the forms, may not change) is a 404 whatever the method. Every page that shows a
child's data writes a VIEW audit event in the request's transaction.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lantern.accounts import policy
from lantern.audit.models import Action
from lantern.audit.services import audit_record
from lantern.common.forms import add_service_errors
from lantern.episodes.models import MissingEpisode
from lantern.people.models import Child
from lantern.risk import facts, queries, services
from lantern.risk.forms import (
    CompleteForm,
    FindingsForm,
    FlagClearForm,
    ScreeningForm,
)
from lantern.risk.models import (
    Assessment,
    AssessmentStatus,
    EpisodeFinding,
    Flag,
)
from lantern.risk.services import answer_field


def child_url(child_pk: int) -> str:
    """The child's page (people:detail), or this app's risk summary until that page exists."""
    try:
        return reverse("people:detail", kwargs={"pk": child_pk})
    except NoReverseMatch:
        return reverse("risk:child", kwargs={"pk": child_pk})


def _audit_view(user: Any, child: Child, summary: str, obj: Any = None) -> None:
    audit_record(
        actor=user, action=Action.VIEW, obj=obj or child, child_id=child.pk, summary=summary
    )


def _posted_version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0


def _assessment_for(user: Any, pk: int, *, change: bool = False) -> tuple[Assessment, Child]:
    """A screening whose child the user may see (and, with ``change``, may change); else 404."""
    assessment = (
        Assessment.objects.select_related("tool", "assessor", "organisation").filter(pk=pk).first()
    )
    if assessment is None:
        raise Http404("No screening found")
    getter = policy.child_get_for_change if change else policy.child_get_for
    child = getter(user, assessment.child_id)
    return assessment, child


def child_risk(request: HttpRequest, pk: int) -> HttpResponse:
    """The risk summary for one child: level, why, repeat missing, flags, history."""
    child = policy.child_get_for(request.user, pk)
    panel = queries.child_risk_panel(child=child, user=request.user, now=timezone.now())
    _audit_view(request.user, child, "Viewed exploitation risk")
    return render(
        request,
        "risk/child.html",
        {"child": child, "risk": panel, "child_url": child_url(child.pk)},
    )


def child_chart(request: HttpRequest, pk: int) -> HttpResponse:
    """The risk-over-time chart as SVG (an image on the child page; prints with it)."""
    child = policy.child_get_for(request.user, pk)
    svg = queries.child_chart_svg(child, timezone.now())
    _audit_view(request.user, child, "Viewed the risk-over-time chart")
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


def assessment_start(request: HttpRequest, child_pk: int) -> HttpResponse:
    child = policy.child_get_for_change(request.user, child_pk)
    if request.method == "POST":
        try:
            assessment = services.assessment_start(actor=request.user, child=child)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("risk:assessment_detail", pk=assessment.pk)
    _audit_view(request.user, child, "Opened the page to start a screening")
    return render(
        request,
        "risk/assessment_start.html",
        {
            "child": child,
            "tool": services.tool_current(),
            "draft": Assessment.objects.filter(
                child=child, assessor_id=request.user.pk, status=AssessmentStatus.DRAFT
            ).first(),
            "child_url": child_url(child.pk),
        },
    )


def _screening_warnings(form: ScreeningForm, texts: dict[str, str]) -> dict[str, list[Any]]:
    rules = queries.language_rules()
    return {
        name: found
        for name, text in texts.items()
        if (found := queries.language_warnings(text, rules))
    }


def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A screening: the answers form while it is a draft, the record once completed."""
    assessment, child = _assessment_for(request.user, pk)
    editable = assessment.status == AssessmentStatus.DRAFT and policy.can_change_records(
        request.user
    )
    indicators = queries.assessment_indicators(assessment)
    context_factors = assessment.tool.context.all()
    answers = list(assessment.answers.select_related("indicator"))
    version = assessment.version
    if request.method == "POST":
        assessment, child = _assessment_for(request.user, pk, change=True)
        if assessment.status != AssessmentStatus.DRAFT:
            messages.error(request, services.ALREADY_COMPLETED)
            return redirect("risk:assessment_detail", pk=assessment.pk)
        version = _posted_version(request)
        form = ScreeningForm(request.POST, indicators=indicators, context=context_factors)
        if form.is_valid():
            try:
                services.assessment_answer(
                    actor=request.user,
                    assessment=assessment,
                    version=version,
                    answers=form.answer_inputs(),
                    exploitation_types=form.cleaned_data["exploitation_types"],
                    context_factor_ids=[c.pk for c in form.cleaned_data["context_factors"]],
                    professional_judgement=form.cleaned_data["professional_judgement"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if "complete" in request.POST:
                    return redirect("risk:assessment_complete", pk=assessment.pk)
                messages.success(request, "Your answers have been saved.")
                return redirect("risk:assessment_detail", pk=assessment.pk)
    else:
        initial = ScreeningForm.initial_from(answers)
        initial["exploitation_types"] = [
            t.exploitation_type for t in assessment.exploitation_types.all()
        ]
        initial["context_factors"] = list(assessment.context_factors.all())
        initial["professional_judgement"] = assessment.professional_judgement
        form = ScreeningForm(initial=initial, indicators=indicators, context=context_factors)
        _audit_view(request.user, child, f"Viewed screening {assessment.reference}", assessment)
    texts = {answer_field(a.indicator_id, "evidence"): a.evidence for a in answers}
    texts["professional_judgement"] = assessment.professional_judgement
    texts["rationale"] = assessment.rationale
    if form.is_bound:
        texts.update({k: request.POST.get(k, "") for k in request.POST if k.endswith("_evidence")})
        texts["professional_judgement"] = request.POST.get("professional_judgement", "")
    warnings = _screening_warnings(form, texts)
    return render(
        request,
        "risk/assessment_detail.html",
        {
            "assessment": assessment,
            "child": child,
            "child_url": child_url(child.pk),
            "form": form,
            "editable": editable,
            "version": version,
            "domains": form.domains(warnings),
            "answers": answers,
            "judgement_warnings": warnings.get("professional_judgement", []),
            "rationale_warnings": warnings.get("rationale", []),
            "reasons": assessment.reasons.all(),
            "types": [
                t.get_exploitation_type_display() for t in assessment.exploitation_types.all()
            ],
            "level_tag": queries.level_tag,
            "computed_tag": queries.level_tag(assessment.computed_level),
            "confirmed_tag": queries.level_tag(assessment.confirmed_level),
        },
    )


def assessment_complete(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, child = _assessment_for(request.user, pk, change=True)
    if assessment.status != AssessmentStatus.DRAFT:
        return redirect("risk:assessment_detail", pk=assessment.pk)
    now = timezone.now()
    result = facts.score_child(child, now, assessment)
    if request.method == "POST":
        form = CompleteForm(request.POST)
        if form.is_valid():
            try:
                services.assessment_complete(
                    actor=request.user,
                    assessment=assessment,
                    version=_posted_version(request),
                    confirmed_level=form.cleaned_data["confirmed_level"],
                    rationale=form.cleaned_data["rationale"],
                    now=now,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Screening {assessment.reference} completed.")
                return redirect("risk:assessment_detail", pk=assessment.pk)
    else:
        form = CompleteForm(initial={"confirmed_level": result.level})
        _audit_view(
            request.user,
            child,
            f"Opened screening {assessment.reference} to complete it",
            assessment,
        )
    return render(
        request,
        "risk/assessment_complete.html",
        {
            "assessment": assessment,
            "child": child,
            "child_url": child_url(child.pk),
            "form": form,
            "result": result,
            "level_label": queries.level_label(result.level),
            "level_tag": queries.level_tag(result.level),
            "rationale_warnings": queries.language_warnings(request.POST.get("rationale", ""))
            if request.method == "POST"
            else [],
        },
    )


def flag_clear(request: HttpRequest, pk: int) -> HttpResponse:
    flag = Flag.objects.filter(pk=pk).first()
    if flag is None:
        raise Http404("No flag found")
    child = policy.child_get_for_change(request.user, flag.child_id)
    if request.method == "POST":
        form = FlagClearForm(request.POST)
        if form.is_valid():
            try:
                services.flag_clear(
                    actor=request.user, flag=flag, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Flag cleared: {flag.get_kind_display()}.")
                return redirect(child_url(child.pk))
    else:
        form = FlagClearForm()
        _audit_view(request.user, child, "Opened the form to clear a flag", flag)
    return render(
        request,
        "risk/flag_clear.html",
        {
            "flag": flag,
            "child": child,
            "form": form,
            "child_url": child_url(child.pk),
            "tag": queries.level_tag(flag.level),
        },
    )


def findings_record(request: HttpRequest, episode_pk: int) -> HttpResponse:
    """Record what the child was found with on return (drugs, cash, a second phone, a weapon)."""
    if not policy.can_change_records(request.user):
        raise Http404("No episode found")
    episode: MissingEpisode = policy.episode_get_for(request.user, episode_pk)
    child = episode.child
    if request.method == "POST":
        form = FindingsForm(request.POST)
        if form.is_valid():
            try:
                services.episode_findings_set(
                    actor=request.user, episode=episode, items=form.cleaned_data["items"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "What the child was found with has been recorded.")
                try:
                    return redirect("episodes:detail", pk=episode.pk)
                except NoReverseMatch:
                    return redirect(child_url(child.pk))
    else:
        current = list(
            EpisodeFinding.objects.filter(episode=episode).values_list("item", flat=True)
        )
        form = FindingsForm(initial={"items": current})
        _audit_view(
            request.user, child, "Opened the form to record what the child was found with", episode
        )
    return render(
        request,
        "risk/findings.html",
        {"episode": episode, "child": child, "form": form, "child_url": child_url(child.pk)},
    )


@require_POST
def language_check(request: HttpRequest) -> HttpResponse:
    """Warnings for a piece of free text, for progressive enhancement; saves nothing.

    Reads ``text``, or else the one other field posted, so a textarea can post itself:
    ``<textarea name="notes" hx-post="..." hx-trigger="keyup changed delay:800ms"
    hx-target="#notes-language">``.
    """
    if not policy.can_open_records(request.user):
        raise Http404()
    text = request.POST.get("text")
    if text is None:
        others = [k for k in request.POST if k != "csrfmiddlewaretoken"]
        text = request.POST.get(others[0], "") if len(others) == 1 else ""
    warnings = queries.language_warnings(text[:20000])
    return render(request, "risk/_language_warnings.html", {"warnings": warnings})
