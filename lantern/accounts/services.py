"""Organisations, memberships and sharing decisions."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lantern.accounts.models import Membership, Organisation, OrgType, Share, ShareDecision, User
from lantern.accounts.policy import acting_membership
from lantern.audit.models import Action
from lantern.audit.services import audit_record, snapshot
from lantern.geo import areas

SHARE_EXPIRY_REQUIRED = "Enter when the share ends"
SHARE_EXPIRY_PAST = "The share must end in the future"
SHARE_EXPIRY_TOO_LONG = "A share can last up to {days} days; renew it if it is still needed"
SHARE_SAME_ORG = "Choose an organisation other than your own"
SHARE_PURPOSE_REQUIRED = "Enter why the information is being shared"
SHARE_REASON_REQUIRED = "Enter why you decided not to share"


def organisations_seed(model: Any = Organisation) -> tuple[int, int]:
    """Load the 153 English upper-tier LAs and the police forces; idempotent. Returns (LAs, forces).

    ``model`` lets a data migration pass its historical Organisation model.
    """
    forces = {}
    for pfa in areas.police_force_areas():
        if not pfa.ons_code.startswith("E23"):
            continue  # English forces only; Welsh forces can be added as 'other' partners
        org, _ = model.objects.update_or_create(
            ons_code=pfa.ons_code,
            defaults={"name": _force_name(pfa.name), "type": OrgType.POLICE},
        )
        forces[pfa.ons_code] = org
    police_for = areas.utla_police_force()
    for la in areas.upper_tier_las():
        model.objects.update_or_create(
            ons_code=la.ons_code,
            defaults={
                "name": la.name,
                "type": OrgType.LOCAL_AUTHORITY,
                "dfe_la_code": la.dfe_la_code,
                "region_code": la.region_code,
                "police_force": forces.get(police_for.get(la.ons_code, "")),
            },
        )
    return len(areas.upper_tier_las()), len(forces)


def _force_name(pfa_name: str) -> str:
    special = {
        "London, City of": "City of London Police",
        "Metropolitan Police": "Metropolitan Police Service",
    }
    if pfa_name in special:
        return special[pfa_name]
    return (
        pfa_name if pfa_name.lower().endswith(("police", "constabulary")) else f"{pfa_name} Police"
    )


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    organisation: Organisation,
    role: str,
    display_name: str = "",
    email: str = "",
) -> User:
    user = User.objects.create_user(username=username, password=password, email=email)
    user.display_name = display_name
    user.save(update_fields=["display_name"])
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@transaction.atomic
def share_decide(
    *,
    actor: Any,
    child: Any,
    to_organisation: Organisation,
    decision: str,
    purpose: str,
    lawful_basis: str,
    condition: str,
    reason: str = "",
    expires_at: datetime | None = None,
) -> Share:
    """Record a decision to share a child's record with another organisation, or not to.

    Golden rule 7: decisions not to share are recorded with their reasons too. A share always
    expires; the maximum length is configuration (LANTERN_SHARE_MAX_DAYS).
    """
    membership = acting_membership(actor)
    if membership is None:
        raise PermissionError("No acting organisation")
    now = timezone.now()
    errors: dict[str, str] = {}
    if to_organisation.pk == membership.organisation_id:
        errors["to_organisation"] = SHARE_SAME_ORG
    if not purpose.strip():
        errors["purpose"] = SHARE_PURPOSE_REQUIRED
    if decision == ShareDecision.SHARE:
        max_days = settings.LANTERN["SHARE_MAX_DAYS"]
        if expires_at is None:
            errors["expires_at"] = SHARE_EXPIRY_REQUIRED
        elif expires_at <= now:
            errors["expires_at"] = SHARE_EXPIRY_PAST
        elif expires_at > now + timedelta(days=max_days):
            errors["expires_at"] = SHARE_EXPIRY_TOO_LONG.format(days=max_days)
    else:
        expires_at = None
        if not reason.strip():
            errors["reason"] = SHARE_REASON_REQUIRED
    if errors:
        raise ValidationError(errors)
    share = Share.objects.create(
        child=child,
        from_organisation=membership.organisation,
        to_organisation=to_organisation,
        decision=decision,
        purpose=purpose.strip(),
        lawful_basis=lawful_basis,
        condition=condition,
        reason=reason.strip(),
        decided_by=actor,
        decided_at=now,
        expires_at=expires_at,
    )
    audit_record(
        actor=actor,
        action=Action.SHARE if decision == ShareDecision.SHARE else Action.DECLINE_SHARE,
        obj=share,
        child_id=child.pk,
        summary=f"{share.get_decision_display()} with {to_organisation}",
        detail={"after": snapshot(share)},
    )
    return share


@transaction.atomic
def share_revoke(*, actor: Any, share: Share) -> Share:
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=share,
            child_id=share.child_id,
            summary=f"Revoked the share with {share.to_organisation}",
        )
    return share
