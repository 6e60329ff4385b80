from django.http import HttpRequest

from lantern.accounts import policy


def acting(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "acting_membership": getattr(user, "acting_membership", None),
        "can_open_records": policy.can_open_records(user),
        "can_change_records": policy.can_change_records(user),
        "is_analyst": policy.is_analyst(user),
    }
