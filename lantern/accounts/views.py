"""Sign in and out, and choosing which role to act in."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from lantern.accounts.middleware import SESSION_MEMBERSHIP_KEY
from lantern.accounts.models import Membership


@login_not_required
def login_view(request: HttpRequest) -> HttpResponse:
    return auth_views.LoginView.as_view(
        template_name="accounts/login.html", redirect_authenticated_user=True
    )(request)


@require_http_methods(["POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    # Ends the server-side session, not just the cookie (SE2).
    return auth_views.LogoutView.as_view()(request)


@require_http_methods(["GET", "POST"])
def roles_view(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user, active=True, organisation__active=True)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )
    if request.method == "POST":
        chosen_id = request.POST.get("membership", "")
        if not chosen_id.isdigit():
            raise Http404("No such role")
        chosen = get_object_or_404(memberships, pk=int(chosen_id))
        request.session[SESSION_MEMBERSHIP_KEY] = chosen.pk
        messages.success(request, f"You are now working as {chosen}")
        return redirect("home:worklist")
    return render(request, "accounts/roles.html", {"memberships": memberships})
