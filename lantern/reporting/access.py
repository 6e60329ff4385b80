"""Who may see which reports: decided here, over the access policy's helpers.

* **Local figures** (counts for one council): anyone acting for that council in a case role or as
  an analyst. Another council's figures are a 404, like any record outside your reach (AC1).
* **Statutory returns** (SSDA903 Missing, Annex A, SSD): files with one row per child or episode.
  Managers and analysts of the council may download them, audited; analysts produce the 903
  return but never browse rows on screen (AC10). See docs/adr/0004.
* **Rows on screen** (the 903 validation report, which names children's ids and dates): managers
  of the council only. Analysts get the same report as counts per rule, and as a download.
* **Regional and national tables**: suppressed and rounded, so anyone who may see their own
  council's figures may see them.

Organisation administrators manage people, not cases or figures; police and partner agencies
see their own work through the case pages, not council reports.
"""

from typing import Any

from django.http import Http404

from lantern.accounts import policy
from lantern.accounts.models import Membership, Organisation, OrgType
from lantern.accounts.roles import CASE_ROLES, MANAGER_ROLES, Role

FIGURE_ROLES = frozenset(CASE_ROLES | {Role.ANALYST})
RETURN_ROLES = frozenset(MANAGER_ROLES | {Role.ANALYST})
ROW_ROLES = MANAGER_ROLES


def _council_membership(user: Any, roles: frozenset[str]) -> Membership | None:
    membership = policy.acting_membership(user)
    if membership is None or membership.organisation.type != OrgType.LOCAL_AUTHORITY:
        return None
    return membership if policy.has_role(user, roles) else None


def can_see_figures(user: Any) -> bool:
    return _council_membership(user, FIGURE_ROLES) is not None


def can_produce_returns(user: Any) -> bool:
    return _council_membership(user, RETURN_ROLES) is not None


def can_see_return_rows(user: Any) -> bool:
    return _council_membership(user, ROW_ROLES) is not None


def can_see_regional(user: Any) -> bool:
    return can_see_figures(user)


def figures_council_for(user: Any, ons_code: str | None = None) -> Organisation:
    """The council whose figures the user may see: their own. Anything else is a 404."""
    membership = _council_membership(user, FIGURE_ROLES)
    if membership is None:
        raise Http404("No page found")
    council = membership.organisation
    if ons_code and ons_code != council.ons_code:
        raise Http404("No page found")
    return council


def returns_council_for(user: Any) -> Organisation:
    membership = _council_membership(user, RETURN_ROLES)
    if membership is None:
        raise Http404("No page found")
    return membership.organisation


def return_rows_council_for(user: Any) -> Organisation:
    membership = _council_membership(user, ROW_ROLES)
    if membership is None:
        raise Http404("No page found")
    return membership.organisation


def regional_allowed(user: Any) -> None:
    if not can_see_regional(user):
        raise Http404("No page found")
