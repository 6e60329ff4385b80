"""Who may call the row-level API: the same role rules as the pages (lantern.accounts.policy)."""

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from lantern.accounts import policy

NO_RECORDS = (
    "Your role sees figures only, not individual children's records. "
    "Ask your organisation's administrator if you need a different role."
)
NO_CHANGES = "Your role can read records but not change them."


class CanOpenRecords(BasePermission):
    """Signed in with a case role; analysts and organisation administrators get 403 (AC10)."""

    message = NO_RECORDS

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated) and policy.can_open_records(
            request.user
        )


class CanChangeRecordsToWrite(BasePermission):
    """Reads for every case role; writes only for roles that may change records."""

    message = NO_CHANGES

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return policy.can_change_records(request.user)
