"""What the header navigation offers the signed-in user (each feature's own access rule)."""

from django.http import HttpRequest

from lantern.accounts import policy
from lantern.reporting.access import can_see_figures


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_reports": can_see_figures(user),
        "nav_intelligence": policy.can_open_records(user),
        "nav_review": policy.can_see_access_log(user),
    }
