"""Panel pages: thin adapters over panels.access, queries and services.

A panel the user may not see is a 404, whatever the page (``access.panel_get_for``). Every page
that shows children (suggestions, agenda, minutes, item, worklist, weekly report) and every PDF
writes an audit event in the request's transaction, naming the children shown in its detail and
with a row per child (``child_ids``) that the child's "who has seen this record" page reads.
"""

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from lantern.accounts import policy
from lantern.audit.models import Action as AuditAction
from lantern.audit.services import audit_record
from lantern.panels import access, queries, services
from lantern.panels.forms import (
    ACTION_ROWS,
    CHILD_REFERENCE_NOT_FOUND,
    MINUTE_ROWS,
    SAFETY_ROWS,
    ActionForm,
    ActionStatusForm,
    AttendanceForm,
    DecisionForm,
    MeetingForm,
    NrmForm,
    ReferralForm,
    RuleForm,
    WeeklyForm,
    add_service_errors,
)
from lantern.panels.models import (
    AgendaItem,
    Decision,
    NrmRecord,
    ReferralRule,
)
from lantern.panels.pdf import render_pdf
from lantern.risk.queries import language_rules, language_warnings

_REFERENCE = re.compile(r"^LC0*(\d{1,12})$")


def _audit_children(
    user: Any, action: str, obj: Any, summary: str, child_ids: list[int], **extra: Any
) -> None:
    audit_record(
        actor=user,
        action=action,
        obj=obj,
        summary=summary,
        detail={"children": sorted(child_ids), **extra},
        child_ids=child_ids,
    )


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Panels ---------------------------------------------------------------------------------


@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    if not policy.can_open_records(request.user):
        raise Http404("No page found")
    panels = list(access.panels_visible_to(request.user).select_related("lead_la"))
    today = timezone.localdate()
    return render(
        request,
        "panels/index.html",
        {
            "rows": [(p, queries.next_meeting(p, today)) for p in panels],
            "report_las": queries.report_las_for(request.user),
        },
    )


@require_http_methods(["GET"])
def panel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    panel = access.panel_get_for(request.user, pk)
    today = timezone.localdate()
    return render(
        request,
        "panels/panel.html",
        {
            "panel": panel,
            "memberships": panel.memberships.select_related("organisation"),
            "meetings": panel.meetings.all()[:20],
            "next": queries.next_meeting(panel, today),
            "can_chair": access.can_chair(request.user, panel),
            "sees_restricted": access.sees_restricted(request.user, panel),
            "rules": ReferralRule.objects.filter(panel=panel).prefetch_related("types"),
        },
    )


@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    panel = access.chair_panel_get_for(request.user, pk)
    rule = ReferralRule.objects.filter(panel=panel, pk=rule_pk).prefetch_related("types").first()
    if rule is None:
        raise Http404("No rule found")
    form = RuleForm(request.POST if request.method == "POST" else None, rule=rule)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.rule_update(
                actor=request.user,
                rule=rule,
                description=data["description"],
                count=data.get("count"),
                days=data.get("days"),
                level=data.get("level", ""),
                age_months=data.get("age_months"),
                remit=data["remit"],
                active=data["active"],
                order=data["order"],
                exploitation_types=data.get("exploitation_types", []),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Referral criterion saved")
            return redirect("panels:panel", pk=panel.pk)
    return render(request, "panels/rule_edit.html", {"panel": panel, "rule": rule, "form": form})


@require_http_methods(["GET"])
def suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    """Children the criteria suggest for the next meeting, with the reasons."""
    panel = access.panel_get_for(request.user, pk)
    found = queries.suggestions_for(request.user, panel, now=timezone.now())
    _audit_children(
        request.user,
        AuditAction.VIEW,
        panel,
        "Viewed the children suggested for the panel",
        found.child_ids,
    )
    return render(
        request,
        "panels/suggestions.html",
        {
            "panel": panel,
            "found": found,
            "can_chair": access.can_chair(request.user, panel),
            "can_refer": access.can_refer(request.user, panel),
        },
    )


def _child_from_reference(user: Any, reference: str) -> Any:
    match = _REFERENCE.match(reference)
    if not match:
        return None
    try:
        return policy.child_get_for(user, int(match.group(1)))
    except Http404:
        return None


@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest, pk: int, child_pk: int | None = None) -> HttpResponse:
    """Refer a child by hand with a reason (any member, for a child they may see). The child is
    chosen by reference in the form, or comes from a child page link (an id, never a name)."""
    panel = access.panel_get_for(request.user, pk)
    if not access.can_refer(request.user, panel):
        raise Http404("No panel found")
    child = policy.child_get_for(request.user, child_pk) if child_pk is not None else None
    form = ReferralForm(
        request.POST if request.method == "POST" else None,
        panel=panel,
        with_reference=child is None,
    )
    if form.is_bound and form.is_valid():
        target = child or _child_from_reference(request.user, form.cleaned_data["reference"])
        if target is None:
            form.add_error("reference", CHILD_REFERENCE_NOT_FOUND)
        else:
            try:
                services.referral_make(
                    actor=request.user,
                    panel=panel,
                    child=target,
                    reason=form.cleaned_data["reason"],
                    remit=form.cleaned_data["remit"],
                    restricted=form.cleaned_data["restricted"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{target.reference} referred to {panel}. The chair adds the child to the "
                    "next meeting's agenda when they build it.",
                )
                return redirect("panels:panel", pk=panel.pk)
    if child is not None:
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            obj=child,
            child_id=child.pk,
            summary=f"Opened the form to refer the child to {panel}",
        )
    warnings = language_warnings(request.POST.get("reason", "")) if form.is_bound else []
    return render(
        request,
        "panels/refer.html",
        {"panel": panel, "child": child, "form": form, "warnings": warnings},
    )


# --- Meetings -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    panel = access.chair_panel_get_for(request.user, pk)
    form = MeetingForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            meeting = services.meeting_schedule(
                actor=request.user, panel=panel, date=form.cleaned_data["date"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Meeting scheduled for {meeting.date:%d %B %Y}")
            return redirect("panels:meeting", pk=meeting.pk)
    return render(request, "panels/meeting_new.html", {"panel": panel, "form": form})


@require_http_methods(["GET"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting page: the agenda grouped by remit, ordered by risk. Audited as a view of
    the agenda, naming every child shown."""
    meeting = access.meeting_get_for(request.user, pk)
    agenda = queries.agenda_for(request.user, meeting)
    _audit_children(
        request.user,
        AuditAction.VIEW,
        meeting,
        "Viewed the panel agenda",
        agenda.child_ids,
        what="agenda",
    )
    return render(
        request,
        "panels/meeting.html",
        {
            "meeting": meeting,
            "panel": meeting.panel,
            "agenda": agenda,
            "can_chair": agenda.can_chair,
        },
    )


@require_POST
def meeting_build(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.meeting_get_for(request.user, pk)
    if not access.can_chair(request.user, meeting.panel):
        raise Http404("No meeting found")
    try:
        built = services.agenda_build(actor=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Agenda built: {built.children} children ({built.added} added, {built.removed} "
            f"no longer meeting the criteria). Shared with the member organisations: "
            f"{built.shares} new shares.",
        )
    return redirect("panels:meeting", pk=meeting.pk)


@require_POST
def meeting_status(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.meeting_get_for(request.user, pk)
    if not access.can_chair(request.user, meeting.panel):
        raise Http404("No meeting found")
    try:
        services.meeting_set_status(
            actor=request.user, meeting=meeting, status=request.POST.get("status", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Meeting {meeting.get_status_display().lower()}")
    return redirect("panels:meeting", pk=meeting.pk)


@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.meeting_get_for(request.user, pk)
    if not access.can_chair(request.user, meeting.panel):
        raise Http404("No meeting found")
    form = AttendanceForm(request.POST if request.method == "POST" else None, panel=meeting.panel)
    if form.is_bound and form.is_valid():
        try:
            services.attendance_add(
                actor=request.user,
                meeting=meeting,
                name=form.cleaned_data["name"],
                organisation=form.cleaned_data["organisation"],
                apologies=form.cleaned_data["apologies"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved")
            return redirect(reverse("panels:meeting", kwargs={"pk": meeting.pk}) + "#attendance")
    return render(
        request,
        "panels/attendance.html",
        {"meeting": meeting, "panel": meeting.panel, "form": form},
    )


@require_http_methods(["GET"])
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting's decisions and minutes (restricted sections for full-sharing members)."""
    meeting = access.meeting_get_for(request.user, pk)
    agenda = queries.agenda_for(request.user, meeting)
    _audit_children(
        request.user,
        AuditAction.VIEW,
        meeting,
        "Viewed the panel minutes",
        agenda.child_ids,
        what="minutes",
        restricted_sections=agenda.sees_restricted,
    )
    return render(
        request,
        "panels/minutes.html",
        {"meeting": meeting, "panel": meeting.panel, "agenda": agenda},
    )


@require_http_methods(["GET"])
def pack(request: HttpRequest, pk: int, version: str) -> HttpResponse:
    """The panel pack PDF: the agenda and a one-page summary per child. The full version (with
    restricted items) is for full-sharing members only; anyone on the panel may print the
    restricted version. Audited as a print, naming every child in it."""
    meeting = access.meeting_get_for(request.user, pk)
    if version not in ("full", "restricted"):
        raise Http404("No pack found")
    restricted_version = version == "restricted"
    if not restricted_version and not access.sees_restricted(request.user, meeting.panel):
        raise Http404("No pack found")
    now = timezone.now()
    agenda, summaries = queries.pack_for(
        request.user, meeting, restricted_version=restricted_version, now=now
    )
    _audit_children(
        request.user,
        AuditAction.PRINT,
        meeting,
        f"Printed the panel pack ({version} version)",
        agenda.child_ids,
        what="pack",
        version=version,
    )
    pdf = render_pdf(
        "panels/pack.html",
        {
            "meeting": meeting,
            "panel": meeting.panel,
            "agenda": agenda,
            "summaries": summaries,
            "version": version,
            "printed_at": now,
            "printed_by": request.user,
            "organisation": policy.acting_membership(request.user),
        },
        request,
    )
    return _pdf_response(pdf, f"panel-pack-{meeting.date:%Y-%m-%d}-{version}.pdf")


# --- Agenda items, decisions and actions ----------------------------------------------------


def _item_context(request: HttpRequest, item: Any) -> dict[str, Any]:
    agenda = queries.agenda_for(request.user, item.meeting, with_attendance=False)
    view = next((v for v in agenda.items if v.item.pk == item.pk), None)
    if view is None:
        raise Http404("No agenda item found")
    return {
        "item": item,
        "view": view,
        "meeting": item.meeting,
        "panel": item.meeting.panel,
        "agenda": agenda,
        "can_chair": agenda.can_chair,
        "nrm": NrmRecord.objects.filter(child=item.child).select_related("first_responder"),
        "action_statuses": [("done", "Mark done"), ("cancelled", "Cancel")],
    }


@require_http_methods(["GET"])
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.item_get_for(request.user, pk)
    context = _item_context(request, item)
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=item,
        child_id=item.child_id,
        summary="Viewed the child's panel agenda item",
    )
    return render(request, "panels/item.html", context)


def _chair_item(request: HttpRequest, pk: int) -> Any:
    item = access.item_get_for(request.user, pk)
    if not access.can_chair(request.user, item.meeting.panel):
        raise Http404("No agenda item found")
    return item


def _decision_initial(decision: Decision | None, item: Any) -> dict[str, Any]:
    if decision is None:
        # Start from the panel's last decision about the child, else the lead LA.
        panel = item.meeting.panel
        last = queries.latest_decisions(panel, [item.child_id], before=item.meeting.date)
        previous = last.get(item.child_id)
        return {
            "agreed_risk_level": item.risk_level,
            "lead_agency": previous.lead_agency_id if previous else panel.lead_la_id,
            "lead_professional_name": previous.lead_professional_name if previous else "",
        }
    initial: dict[str, Any] = {
        "agreed_risk_level": decision.agreed_risk_level,
        "lead_agency": decision.lead_agency_id,
        "lead_professional_name": decision.lead_professional_name,
        "nrm_referral": "yes" if decision.nrm_referral else "no",
        "strategy_discussion": "yes" if decision.strategy_discussion else "no",
        "outcome": decision.outcome,
        "review_date": decision.review_date,
    }
    open_sections = [m.text for m in decision.minutes.all() if not m.restricted]
    restricted = [m.text for m in decision.minutes.all() if m.restricted]
    initial["minute-0-text"] = "\n\n".join(open_sections)
    initial["minute-1-text"] = "\n\n".join(restricted)
    for n, s in enumerate(decision.safety_plan.all()[:SAFETY_ROWS]):
        initial[f"safety-{n}-description"] = s.description
        initial[f"safety-{n}-owner_name"] = s.owner_name
        initial[f"safety-{n}-owner_organisation"] = str(s.owner_organisation_id)
        initial[f"safety-{n}-due_date"] = s.due_date
    return initial


@require_http_methods(["GET", "POST"])
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair records the panel's structured decision. Language guidance on the minutes is
    shown as gentle warnings; it never stops the decision being saved."""
    item = _chair_item(request, pk)
    existing = Decision.objects.filter(item=item).prefetch_related("minutes", "safety_plan").first()
    panel = item.meeting.panel
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        panel=panel,
        initial=_decision_initial(existing, item),
    )
    checking = request.method == "POST" and "check_language" in request.POST
    if form.is_bound and form.is_valid() and not checking:
        data = form.cleaned_data
        try:
            services.decision_record(
                actor=request.user,
                item=item,
                version=int(request.POST.get("version") or 0) or None,
                agreed_risk_level=data["agreed_risk_level"],
                lead_agency=data["lead_agency"],
                lead_professional_name=data["lead_professional_name"],
                nrm_referral=data["nrm_referral"],
                strategy_discussion=data["strategy_discussion"],
                review_date=data["review_date"],
                outcome=data["outcome"],
                minutes=[
                    services.MinuteInput(data[f"minute-{n}-text"], form.minute_restricted(n))
                    for n in range(MINUTE_ROWS)
                ],
                safety_plan=[
                    services.SafetyPlanInput(
                        data[f"safety-{n}-description"],
                        data[f"safety-{n}-owner_name"],
                        form.org(data[f"safety-{n}-owner_organisation"]),
                        data[f"safety-{n}-due_date"],
                    )
                    for n in range(SAFETY_ROWS)
                ],
                actions=[
                    services.ActionInput(
                        data[f"action-{n}-description"],
                        data[f"action-{n}-owner_name"],
                        form.org(data[f"action-{n}-owner_organisation"]),
                        data[f"action-{n}-due_date"],
                    )
                    for n in range(ACTION_ROWS)
                ],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Decision recorded")
            return redirect("panels:item", pk=item.pk)
    rules = language_rules()
    texts = {
        n: (
            request.POST.get(f"minute-{n}-text", "")
            if form.is_bound
            else form.initial.get(f"minute-{n}-text", "")
        )
        for n in range(MINUTE_ROWS)
    }
    warnings = {n: language_warnings(text, rules) for n, text in texts.items()}
    context = _item_context(request, item)
    context.update(
        {
            "form": form,
            "decision": existing,
            "minute_rows": [
                (field, form.minute_restricted(n), warnings[n])
                for n, field in enumerate(form.minute_fields)
            ],
            "checked": checking,
        }
    )
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=item,
        child_id=item.child_id,
        summary="Opened the panel decision form",
    )
    return render(request, "panels/decision.html", context)


def _item_form_page(
    request: HttpRequest,
    pk: int,
    *,
    form_class: Callable[..., forms.Form],
    template: str,
    save: Callable[[AgendaItem, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """A chair's form about one agenda item: checked, saved through the service, then back to
    the item; the service's own refusals are shown on the form's fields."""
    item = _chair_item(request, pk)
    panel = item.meeting.panel
    form = form_class(request.POST if request.method == "POST" else None, panel=panel)
    if form.is_bound and form.is_valid():
        try:
            save(item, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("panels:item", pk=item.pk)
    return render(
        request, template, {"item": item, "meeting": item.meeting, "panel": panel, "form": form}
    )


@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, pk: int) -> HttpResponse:
    def save(item: AgendaItem, data: dict[str, Any]) -> object:
        return services.action_create(
            actor=request.user,
            item=item,
            description=data["description"],
            owner_name=data["owner_name"],
            owner_organisation=data["owner_organisation"],
            due_date=data["due_date"],
        )

    return _item_form_page(
        request,
        pk,
        form_class=ActionForm,
        template="panels/action_new.html",
        save=save,
        done="Action added",
    )


@require_POST
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    """The "handover to adult safeguarding" button for a child approaching 18."""
    item = _chair_item(request, pk)
    try:
        action = services.action_handover_create(actor=request.user, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Handover action added for {action.owner_name}, {action.owner_organisation}, due "
            f"{action.due_date:%d %B %Y}",
        )
    return redirect("panels:item", pk=item.pk)


@require_POST
def item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = _chair_item(request, pk)
    try:
        services.agenda_item_remove(actor=request.user, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("panels:item", pk=item.pk)
    messages.success(request, f"{item.child.reference} taken off the agenda")
    return redirect("panels:meeting", pk=item.meeting_id)


@require_http_methods(["GET", "POST"])
def nrm(request: HttpRequest, pk: int) -> HttpResponse:
    def save(item: AgendaItem, data: dict[str, Any]) -> object:
        return services.nrm_record(
            actor=request.user,
            item=item,
            status=data["status"],
            status_on=data["status_on"],
            first_responder=data["first_responder"],
            county_lines=data["county_lines"],
            notes=data["notes"],
        )

    return _item_form_page(
        request,
        pk,
        form_class=NrmForm,
        template="panels/nrm.html",
        save=save,
        done="NRM status recorded",
    )


@require_http_methods(["GET"])
def actions(request: HttpRequest) -> HttpResponse:
    """The organisation's worklist of panel actions: overdue first, then open."""
    if not policy.can_open_records(request.user):
        raise Http404("No page found")
    worklist = queries.worklist_for(request.user, today=timezone.localdate())
    shown = [
        r.action.child_id
        for r in worklist.overdue + worklist.open + worklist.recently_closed
        if r.child_visible
    ]
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="panels.action",
        summary="Viewed the organisation's panel actions",
        detail={"children": sorted(set(shown))},
        child_ids=shown,
    )
    return render(request, "panels/actions.html", {"worklist": worklist})


@require_POST
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.action_get_for(request.user, pk)
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose done or cancelled")
    else:
        try:
            services.action_set_status(
                actor=request.user,
                action=action,
                version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionError:
            raise Http404("No action found") from None
        else:
            messages.success(request, f"Action marked {form.cleaned_data['status']}")
    target = request.POST.get("next", "")
    return redirect(target if _safe_next(request) else reverse("panels:actions"))


def _safe_next(request: HttpRequest) -> bool:
    target = request.POST.get("next", "")
    return target.startswith("/panels/") and "//" not in target


# --- Weekly tracking report -----------------------------------------------------------------


def _weekly(request: HttpRequest) -> tuple[WeeklyForm, Any]:
    if not policy.can_open_records(request.user):
        raise Http404("No page found")
    las = queries.report_las_for(request.user)
    if not las:
        raise Http404("No report found")
    form = WeeklyForm(request.GET or None, las=las)
    la = las[0]
    if form.is_bound and form.is_valid():
        la = form.cleaned_data["la"]
    elif form.is_bound:
        raise Http404("No report found")
    lantern = settings.LANTERN
    report = queries.weekly_report(
        request.user,
        la=la,
        now=timezone.now(),
        frequent_count=lantern["FREQUENT_MISSING_COUNT"],
        frequent_days=lantern["FREQUENT_MISSING_DAYS"],
        rhi_hours=lantern["RHI_DUE_HOURS"],
    )
    return form, report


@require_http_methods(["GET"])
def weekly(request: HttpRequest) -> HttpResponse:
    form, report = _weekly(request)
    _audit_children(
        request.user,
        AuditAction.VIEW,
        report.la,
        f"Viewed the weekly tracking report for {report.la}",
        report.child_ids,
        what="weekly_report",
    )
    return render(request, "panels/weekly.html", {"form": form, "report": report})


@require_http_methods(["GET"])
def weekly_pdf(request: HttpRequest) -> HttpResponse:
    _form, report = _weekly(request)
    _audit_children(
        request.user,
        AuditAction.PRINT,
        report.la,
        f"Printed the weekly tracking report for {report.la}",
        report.child_ids,
        what="weekly_report",
    )
    pdf = render_pdf(
        "panels/weekly_pdf.html",
        {"report": report, "printed_by": request.user, "printed_at": report.generated_at},
        request,
    )
    return _pdf_response(pdf, f"weekly-tracking-{report.generated_at:%Y-%m-%d}.pdf")
