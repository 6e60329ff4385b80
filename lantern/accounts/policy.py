"""The access policy: the one place that decides who may see and change a child's record.

Two faces, after Zulip's ``access_stream_by_id`` and Primero's record scope:

* ``children_visible_to(user)`` — a queryset, for lists, searches, counts, exports and maps.
* ``child_get_for(user, pk)`` — one record, 404 when it is missing *or* not visible, so a
  record's existence never leaks (security goal AC1).

The object face is computed in Python from the child's own rows (``access_reasons``) and the
queryset face in SQL; they are written independently on purpose and a property test proves they
agree over random organisation and share graphs (AC3). Both explain themselves: an organisation
sees a child because it is the home LA, placed or hosts the child, policed or found the child,
recorded an episode or interview for the child, or was explicitly given a share that has not
expired or been revoked (need to know; domain §5.2).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lantern.accounts.models import Membership, Share, ShareDecision
from lantern.accounts.roles import CASE_ROLES, MANAGER_ROLES, WRITE_ROLES, Role
from lantern.episodes.models import MissingEpisode
from lantern.interviews.models import ReturnInterview
from lantern.linkage.models import ExternalRecord
from lantern.people.models import Child, Placement


class Reason:
    HOME_LA = "home local authority"
    PLACING_LA = "placing local authority"
    HOST_LA = "local authority where the child is or was placed"
    POLICE_FORCE = "police force the child was reported missing to"
    FOUND_FORCE = "police force where the child was found"
    REPORTED_EPISODE = "reported a missing episode"
    RECORDED_EPISODE = "recorded a missing episode"
    INTERVIEW = "offered or conducted a return interview"
    SHARE = "shared with your organisation"


def acting_membership(user: Any) -> Membership | None:
    """The membership a signed-in user is acting under (chosen at sign-in; see middleware)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    membership = getattr(user, "acting_membership", None)
    if membership is not None:
        return membership if membership.active else None
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, active=True, organisation__active=True)
        .order_by("id")
        .first()
    )
    user.acting_membership = membership
    return membership


def has_role(user: Any, roles: frozenset[str] | set[str]) -> bool:
    membership = acting_membership(user)
    return membership is not None and membership.role in roles


def can_open_records(user: Any) -> bool:
    """Analysts and organisation administrators never see individual records (AC10)."""
    return has_role(user, CASE_ROLES)


def can_change_records(user: Any) -> bool:
    return has_role(user, WRITE_ROLES)


def can_see_access_log(user: Any) -> bool:
    return has_role(user, MANAGER_ROLES)


def can_share(user: Any) -> bool:
    return has_role(user, MANAGER_ROLES)


def is_analyst(user: Any) -> bool:
    return has_role(user, {Role.ANALYST})


def _active_share_q(org_id: int, now: datetime) -> Q:
    return Q(
        to_organisation_id=org_id,
        decision=ShareDecision.SHARE,
        revoked_at__isnull=True,
        expires_at__gt=now,
    )


def children_visible_to(user: Any) -> QuerySet[Child]:
    """Every child the user's acting organisation has a legitimate link to; none for analysts."""
    if not can_open_records(user):
        return Child.objects.none()
    org_id = acting_membership(user).organisation_id  # type: ignore[union-attr]
    now = timezone.now()
    # Uncorrelated IN-subqueries: each is evaluated once (hashed), which keeps large scans fast
    # on PostgreSQL and SQLite alike.
    placed = Placement.objects.filter(Q(placing_la_id=org_id) | Q(host_la_id=org_id))
    episodes = MissingEpisode.objects.filter(
        Q(police_force_id=org_id)
        | Q(found_force_id=org_id)
        | Q(reporting_organisation_id=org_id)
        | Q(recording_organisation_id=org_id)
    )
    interviews = ReturnInterview.objects.filter(
        Q(offered_by_organisation_id=org_id) | Q(conducted_by_organisation_id=org_id)
    )
    shares = Share.objects.filter(_active_share_q(org_id, now))
    return Child.objects.filter(
        Q(home_la_id=org_id)
        | Q(pk__in=placed.values("child_id"))
        | Q(pk__in=episodes.values("child_id"))
        | Q(pk__in=interviews.values("child_id"))
        | Q(pk__in=shares.values("child_id")),
        merged_into__isnull=True,
    )


def access_reasons(user: Any, child: Child) -> list[str]:
    """Why the user's acting organisation may see this child; empty means it may not."""
    if not can_open_records(user) or child.merged_into_id is not None:
        return []
    org_id = acting_membership(user).organisation_id  # type: ignore[union-attr]
    reasons: list[str] = []
    if child.home_la_id == org_id:
        reasons.append(Reason.HOME_LA)
    for placing_id, host_id in child.placements.values_list("placing_la_id", "host_la_id"):
        if placing_id == org_id and Reason.PLACING_LA not in reasons:
            reasons.append(Reason.PLACING_LA)
        if host_id == org_id and Reason.HOST_LA not in reasons:
            reasons.append(Reason.HOST_LA)
    episode_links = child.episodes.values_list(
        "police_force_id",
        "found_force_id",
        "reporting_organisation_id",
        "recording_organisation_id",
    )
    for police_id, found_id, reporting_id, recording_id in episode_links:
        for matched, reason in (
            (police_id, Reason.POLICE_FORCE),
            (found_id, Reason.FOUND_FORCE),
            (reporting_id, Reason.REPORTED_EPISODE),
            (recording_id, Reason.RECORDED_EPISODE),
        ):
            if matched == org_id and reason not in reasons:
                reasons.append(reason)
    for offered_id, conducted_id in child.interviews.values_list(
        "offered_by_organisation_id", "conducted_by_organisation_id"
    ):
        if org_id in (offered_id, conducted_id) and Reason.INTERVIEW not in reasons:
            reasons.append(Reason.INTERVIEW)
    now = timezone.now()
    for share in child.shares.all():
        if (
            share.to_organisation_id == org_id
            and share.decision == ShareDecision.SHARE
            and share.revoked_at is None
            and share.expires_at is not None
            and share.expires_at > now
        ):
            reasons.append(Reason.SHARE)
            break
    return reasons


@dataclass(frozen=True)
class ChildAccess:
    child: Child
    reasons: list[str]


def child_access_for(user: Any, pk: int | str) -> ChildAccess:
    """The child with the reasons the user may see it; Http404 if missing or not visible."""
    try:
        child = Child.objects.select_related("home_la").get(pk=int(pk))
    except (Child.DoesNotExist, ValueError, TypeError):
        raise Http404("No child found") from None
    reasons = access_reasons(user, child)
    if not reasons:
        raise Http404("No child found")
    return ChildAccess(child, reasons)


def child_get_for(user: Any, pk: int | str) -> Child:
    """One child the user may see, or Http404 (the same answer for missing and forbidden)."""
    return child_access_for(user, pk).child


def child_get_for_change(user: Any, pk: int | str) -> Child:
    """As ``child_get_for``, and the user's role may change records; Http404 otherwise."""
    if not can_change_records(user):
        raise Http404("No child found")
    return child_get_for(user, pk)


def episode_get_for(user: Any, pk: int | str) -> MissingEpisode:
    """An episode whose child the user may see, or Http404."""
    try:
        episode = MissingEpisode.objects.select_related("child").get(pk=int(pk))
    except (MissingEpisode.DoesNotExist, ValueError, TypeError):
        raise Http404("No episode found") from None
    child_get_for(user, episode.child_id)
    return episode


def interview_get_for(user: Any, pk: int | str) -> ReturnInterview:
    """A return interview whose child the user may see, or Http404."""
    try:
        interview = ReturnInterview.objects.select_related("child").get(pk=int(pk))
    except (ReturnInterview.DoesNotExist, ValueError, TypeError):
        raise Http404("No interview found") from None
    child_get_for(user, interview.child_id)
    return interview


def share_is_active(share: Share, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return bool(
        share.decision == ShareDecision.SHARE
        and share.revoked_at is None
        and share.expires_at
        and share.expires_at > now
    )


# --- Record linkage: other agencies' imported records ---------------------------------------


def external_records_visible_to(user: Any) -> QuerySet[ExternalRecord]:
    """Imported records (police, school, health, council files) the user may see: those held by
    the user's acting organisation or imported by it; none for roles that never open individual
    records (analysts, administrators)."""
    if not can_open_records(user):
        return ExternalRecord.objects.none()
    org_id = acting_membership(user).organisation_id  # type: ignore[union-attr]
    return ExternalRecord.objects.filter(
        Q(organisation_id=org_id) | Q(imported_by_organisation_id=org_id)
    )
