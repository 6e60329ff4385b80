"""The review queue, one possible match, and undoing a merge.

Thin adapters: who may see what is decided in linkage.queries (on top of the access policy);
decisions are made by linkage.services. Viewing the queue or a pair is audited here, in the
request's transaction, like every other view of children's records.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from lantern.accounts import policy
from lantern.audit.models import Action
from lantern.audit.services import audit_record
from lantern.linkage import queries, services
from lantern.linkage.forms import SAME, PairDecisionForm, UnmergeForm
from lantern.people.forms import apply_service_errors
from lantern.people.models import Child


@require_http_methods(["GET"])
def queue(request: HttpRequest) -> HttpResponse:
    """Possible matches waiting for a decision, most likely first (managers and panel chairs)."""
    if not queries.can_review(request.user):
        raise Http404("No page found")
    pairs = queries.review_queue(request.user)
    rows = [
        (pair, queries.describe(pair.left), queries.describe(pair.right),
         queries.reasons_summary(pair))
        for pair in pairs
    ]  # fmt: skip
    children = sorted({c for p in pairs for c in (p.left_child_id, p.right_child_id) if c})
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        object_type="linkage.candidatepair",
        summary="Viewed possible matches waiting for review",
        detail={"shown": [p.pk for p in pairs], "children": children},
        child_ids=children,
    )
    return render(request, "linkage/queue.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def pair(request: HttpRequest, pk: int) -> HttpResponse:
    """One possible match: both records side by side, the reasons, and the decision."""
    candidate = queries.pair_get_for(request.user, pk)
    form = PairDecisionForm(request.POST if request.method == "POST" else None, pair=candidate)
    if request.method == "GET":
        for child_id in services.audit_children(candidate):
            audit_record(
                actor=request.user,
                action=Action.VIEW,
                obj=candidate,
                child_id=child_id,
                summary="Viewed a possible match",
            )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == SAME:
                survivor = None
                if data.get("survivor"):
                    survivor = Child.objects.get(pk=int(data["survivor"]))
                outcome = services.pair_confirm(
                    actor=request.user,
                    pair=candidate,
                    survivor=survivor,
                    import_episode=bool(data.get("import_episode")),
                    note=data["note"],
                )
            else:
                services.pair_reject(actor=request.user, pair=candidate, note=data["note"])
                outcome = None
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if outcome is None:
                messages.success(request, "Recorded: these are different children")
                return redirect("linkage:queue")
            if outcome.merge is not None:
                messages.success(
                    request,
                    f"Records merged: {outcome.merge.merged.reference} is now part of "
                    f"{outcome.merge.survivor.reference}",
                )
            else:
                text = "Recorded: these are the same child"
                if outcome.episode is not None:
                    text += f". Missing episode {outcome.episode.reference} added"
                messages.success(request, text)
            if outcome.child is not None and policy.access_reasons(request.user, outcome.child):
                return redirect("people:detail", pk=outcome.child.pk)
            return redirect("linkage:queue")
    return render(
        request,
        "linkage/pair.html",
        {
            "pair": candidate,
            "left": queries.describe(candidate.left),
            "right": queries.describe(candidate.right),
            "reasons": queries.reasons(candidate),
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def unmerge(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a merge: both records become separate again, each with its own rows."""
    merge = queries.merge_get_for(request.user, pk)
    if not merge.is_active:
        raise Http404("No merge found")
    form = UnmergeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.merge_undo(actor=request.user, merge=merge, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Merge undone: {merge.merged.reference} and {merge.survivor.reference} are "
                "separate records again",
            )
            return redirect("people:detail", pk=merge.survivor_id)
    moved = queries.child_notice(request.user, merge.survivor)
    counts = next((m.moved for m in moved.merged_from if m.merge.pk == merge.pk), [])
    return render(request, "linkage/unmerge.html", {"merge": merge, "form": form, "counts": counts})
