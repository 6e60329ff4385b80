"""Home worklist and the About page."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from lantern.accounts import policy
from lantern.accounts.roles import DESCRIPTIONS, Role
from lantern.audit.models import Action
from lantern.audit.services import audit_record
from lantern.home import queries


@require_http_methods(["GET"])
def worklist(request: HttpRequest) -> HttpResponse:
    """What needs doing now. Roles that cannot open records (analysts, administrators) get a
    page saying what they can do, with no child data (AC10)."""
    if not policy.can_open_records(request.user):
        membership = policy.acting_membership(request.user)
        return render(
            request,
            "home/worklist.html",
            {
                "membership": membership,
                "role_description": DESCRIPTIONS.get(Role(membership.role), "")
                if membership
                else "",
            },
        )
    worklist = queries.worklist_for(request.user, now=timezone.now())
    # The worklist names children, so it is a read of each of them (AD1), audited in the
    # request's transaction (AD7) with a row per child for their "who has seen" pages (AD10).
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        object_type="home.worklist",
        summary="Viewed the worklist",
        detail={"children": worklist.child_ids},
        child_ids=worklist.child_ids,
    )
    return render(request, "home/worklist.html", {"worklist": worklist})


@login_not_required
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "home/about.html", {})
