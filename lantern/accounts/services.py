"""Organisations, memberships and sharing decisions."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lantern.accounts.models import (
    Condition,
    LawfulBasis,
    Membership,
    Organisation,
    OrgType,
    Share,
    ShareDecision,
    User,
)
from lantern.accounts.policy import acting_membership
from lantern.audit.models import Action
from lantern.audit.services import audit_record, snapshot
from lantern.common.bulk import rows_insert
from lantern.geo import areas

SHARE_EXPIRY_REQUIRED = "Enter when the share ends"
SHARE_EXPIRY_PAST = "The share must end in the future"
SHARE_EXPIRY_TOO_LONG = "A share can last up to {days} days; renew it if it is still needed"
SHARE_SAME_ORG = "Choose an organisation other than your own"
SHARE_PURPOSE_REQUIRED = "Enter why the information is being shared"
SHARE_REASON_REQUIRED = "Enter why you decided not to share"
SHARE_LAWFUL_BASIS_REQUIRED = "Choose the lawful basis for sharing"


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


def safeguarding_condition(organisation: Organisation) -> str:
    """The DPA 2018 condition for special-category data shared to safeguard a child: Schedule 8
    paragraph 4 when the recipient is a police force (law enforcement processing), Schedule 1
    paragraph 18 for everyone else."""
    if organisation.type == OrgType.POLICE:
        return Condition.SCH8_PARA4
    return Condition.SCH1_PARA18


_SHARE_COLUMNS = (
    "child_id",
    "from_organisation_id",
    "to_organisation_id",
    "decision",
    "purpose",
    "lawful_basis",
    "condition",
    "reason",
    "decided_by_id",
    "decided_at",
    "expires_at",
)


@transaction.atomic
def shares_grant(
    *,
    actor: Any,
    from_organisation: Organisation,
    child_ids: Sequence[int],
    to_organisations: Sequence[Organisation],
    purpose: str,
    reason: str,
    expires_at: datetime,
    summary: str,
    lawful_basis: str = LawfulBasis.PUBLIC_TASK,
    renew: bool = False,
    now: datetime | None = None,
    detail: Mapping[str, Any] | None = None,
) -> int:
    """Share many children's records with many organisations in one decision, as data (AC8).

    For the sharing Lantern does on a person's behalf (a panel's agenda, a cross-border
    notification): one Share row per child and organisation, naming who decided (``actor``),
    from and to whom, why, on what lawful basis and condition (by the recipient's type, see
    ``safeguarding_condition``) and until when, plus one audit event for the decision with a
    row per child, so every child's "who has seen this record" page shows the sharing.

    A child and organisation that already have a share in force are left alone. With
    ``renew``, only an unrevoked share for the same purpose lasting at least until
    ``expires_at`` counts, so a later review date extends the sharing. No share outlasts
    LANTERN_SHARE_MAX_DAYS: a later ``expires_at`` is cut to it. Sharing with the
    deciding organisation itself is skipped. ``summary`` completes the audit summary "Shared
    3 children ...", e.g. "with the member organisations of the panel". Returns the number of
    shares made.
    """
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if not purpose.strip():
        errors["purpose"] = SHARE_PURPOSE_REQUIRED
    if lawful_basis not in LawfulBasis.values:
        errors["lawful_basis"] = SHARE_LAWFUL_BASIS_REQUIRED
    if errors:
        raise ValidationError(errors)
    expires_at = min(expires_at, now + timedelta(days=settings.LANTERN["SHARE_MAX_DAYS"]))
    recipients = [org for org in to_organisations if org.pk != from_organisation.pk]
    if not child_ids or not recipients:
        return 0
    in_force = Share.objects.filter(
        child_id__in=list(child_ids),
        to_organisation__in=recipients,
        decision=ShareDecision.SHARE,
        revoked_at__isnull=True,
    )
    if renew:
        in_force = in_force.filter(purpose=purpose, expires_at__gte=expires_at)
    else:
        in_force = in_force.filter(expires_at__gt=now)
    covered = set(in_force.values_list("child_id", "to_organisation_id"))
    # Plain rows rather than Share instances: an agenda of hundreds of children makes thousands
    # of shares, and building model instances for them was most of the agenda's build time.
    new = [
        (
            child_id,
            from_organisation.pk,
            org.pk,
            ShareDecision.SHARE.value,
            purpose,
            str(lawful_basis),
            str(safeguarding_condition(org)),
            reason,
            actor.pk,
            now,
            expires_at,
        )
        for child_id in child_ids
        for org in recipients
        if (child_id, org.pk) not in covered
    ]
    if not new:
        return 0
    rows_insert(Share._meta.db_table, _SHARE_COLUMNS, new)
    # One event for the whole decision (an agenda can share hundreds of children at once); each
    # Share row is itself the record of who decided, why and until when.
    by_child: dict[int, list[int]] = defaultdict(list)
    for row in new:
        by_child[row[0]].append(row[2])
    audit_record(
        actor=actor,
        action=Action.SHARE,
        object_type="accounts.share",
        child_id=next(iter(by_child)) if len(by_child) == 1 else None,
        summary=f"Shared {len(by_child)} {'child' if len(by_child) == 1 else 'children'} {summary}",
        detail={
            "children": {str(k): v for k, v in sorted(by_child.items())},
            "purpose": purpose,
            "lawful_basis": str(lawful_basis),
            "expires_at": expires_at.isoformat(),
            **(detail or {}),
        },
        child_ids=list(by_child),
    )
    return len(new)
