"""Who may see which panel, and what in it: built on ``lantern.accounts.policy``, never beside it.

1. A panel is seen by people whose acting organisation is a member and whose role opens case
   records (analysts and administrators never do, AC10). Anyone else gets a 404, the same answer
   as for a panel that does not exist.
2. Children on an agenda are shown only when the access policy lets the viewer's organisation
   see them (``policy.children_visible_to``). Putting a child on an agenda records explicit
   shares with the member organisations for the panel's purpose (``services``), so the policy
   stays the one place that decides, and a share that is revoked or expires hides the child
   again.
3. Restricted items (restricted minute sections and referral reasons) are seen only by members
   whose organisation has full sharing. Police-only intelligence follows the intelligence app's
   own rules (``lantern.intelligence.access``).
4. Chairing (building agendas, recording decisions) needs the panel chair role in a member
   organisation.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from lantern.accounts import policy
from lantern.accounts.roles import Role
from lantern.panels.models import (
    Action,
    AgendaItem,
    Meeting,
    Panel,
    PanelMembership,
    Sharing,
)


def _org_id(user: Any) -> int | None:
    membership = policy.acting_membership(user)
    return membership.organisation_id if membership else None


def panels_visible_to(user: Any) -> QuerySet[Panel]:
    """Panels the user's acting organisation is a member of; none for roles without case access."""
    org_id = _org_id(user)
    if not policy.can_open_records(user) or org_id is None:
        return Panel.objects.none()
    return Panel.objects.filter(memberships__organisation_id=org_id, active=True)


def panel_get_for(user: Any, pk: int | str) -> Panel:
    """One panel the user may see, or Http404 (missing and forbidden look the same)."""
    try:
        return panels_visible_to(user).select_related("lead_la").get(pk=int(pk))
    except (Panel.DoesNotExist, ValueError, TypeError):
        raise Http404("No panel found") from None


def meeting_get_for(user: Any, pk: int | str) -> Meeting:
    try:
        meeting = Meeting.objects.select_related("panel", "panel__lead_la").get(pk=int(pk))
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404("No meeting found") from None
    panel_get_for(user, meeting.panel_id)
    return meeting


def item_get_for(user: Any, pk: int | str) -> AgendaItem:
    """An agenda item on a panel the user may see, whose child the policy lets them see."""
    try:
        item = AgendaItem.objects.select_related("meeting", "meeting__panel", "child").get(
            pk=int(pk)
        )
    except (AgendaItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No agenda item found") from None
    panel_get_for(user, item.meeting.panel_id)
    policy.child_get_for(user, item.child_id)
    return item


def membership_for(user: Any, panel: Panel) -> PanelMembership | None:
    org_id = _org_id(user)
    if org_id is None:
        return None
    return PanelMembership.objects.filter(panel=panel, organisation_id=org_id).first()


def sees_restricted(user: Any, panel: Panel) -> bool:
    """Full-sharing members see restricted minute sections and referral reasons."""
    if not policy.can_open_records(user):
        return False
    membership = membership_for(user, panel)
    return membership is not None and membership.sharing == Sharing.FULL


def can_chair(user: Any, panel: Panel) -> bool:
    return policy.has_role(user, {Role.PANEL_CHAIR}) and membership_for(user, panel) is not None


def chair_panel_get_for(user: Any, pk: int | str) -> Panel:
    panel = panel_get_for(user, pk)
    if not can_chair(user, panel):
        raise Http404("No panel found")
    return panel


def can_refer(user: Any, panel: Panel) -> bool:
    """Any member who may open records may refer a child they can see."""
    return policy.can_open_records(user) and membership_for(user, panel) is not None


def visible_child_ids(user: Any, candidates: Iterable[int]) -> set[int]:
    """Of these children, the ones the access policy lets the user see."""
    ids = set(candidates)
    if not ids:
        return set()
    return set(policy.children_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def actions_for_organisation(user: Any) -> QuerySet[Action]:
    """Actions owned by the user's acting organisation, on panels it is a member of."""
    org_id = _org_id(user)
    if not policy.can_open_records(user) or org_id is None:
        return Action.objects.none()
    return Action.objects.filter(
        owner_organisation_id=org_id, panel__memberships__organisation_id=org_id
    )


def action_get_for(user: Any, pk: int | str) -> Action:
    """An action the user may update: owned by their organisation, or on a panel they chair."""
    try:
        action = Action.objects.select_related("panel", "child", "owner_organisation").get(
            pk=int(pk)
        )
    except (Action.DoesNotExist, ValueError, TypeError):
        raise Http404("No action found") from None
    panel = panel_get_for(user, action.panel_id)
    if action.owner_organisation_id != _org_id(user) and not can_chair(user, panel):
        raise Http404("No action found")
    return action
