"""Which membership a user acts under, and absolute session lifetime."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from lantern.accounts.models import Membership

SESSION_MEMBERSHIP_KEY = "lantern_membership_id"
SESSION_STARTED_KEY = "lantern_signed_in_at"


class ActingMembershipMiddleware:
    """Attach ``request.user.acting_membership``: the role the user chose at sign-in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            membership_id = request.session.get(SESSION_MEMBERSHIP_KEY)
            qs = Membership.objects.select_related("organisation").filter(
                user=user, active=True, organisation__active=True
            )
            membership = qs.filter(pk=membership_id).first() if membership_id else None
            if membership is None:
                membership = qs.order_by("id").first()
                if membership is not None:
                    request.session[SESSION_MEMBERSHIP_KEY] = membership.pk
            user.acting_membership = membership  # type: ignore[union-attr]
        return self.get_response(request)


class SessionLifetimeMiddleware:
    """End a session after one shift however active it is (SE4); idle expiry is the cookie age."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)
