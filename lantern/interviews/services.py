"""Record return home interviews, one transaction each with its audit event."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lantern.accounts.models import Organisation
from lantern.audit.models import Action
from lantern.audit.services import audit_record, snapshot
from lantern.episodes.models import MissingEpisode
from lantern.interviews.models import (
    Direction,
    Disclosure,
    Factor,
    InterviewFactor,
    ReturnInterview,
    Status,
)
from lantern.people.models import Child

EPISODES_REQUIRED = "Select the missing episode or episodes this interview covers"
EPISODE_NOT_RETURNED = "An interview can only cover episodes the child has returned from"
EPISODE_OTHER_CHILD = "Select episodes for this child only"
STATUS_REQUIRED = "Select what happened with the interview"
OFFERED_BY_REQUIRED = "Enter the name of the person who offered the interview"
OFFERED_FUTURE = "Date and time offered must be in the past"
OFFERED_BEFORE_RETURN = "Date and time offered must be after the child returned"
COMPLETED_REQUIRED = "Enter the date and time the interview was completed"
COMPLETED_FUTURE = "Date and time completed must be in the past"
COMPLETED_BEFORE_OFFER = "Date and time completed must be after the interview was offered"
REASON_REQUIRED = "Select why the interview was not completed"
DISCLOSURE_TYPE_REQUIRED = "Select the type of exploitation this disclosure indicates"


@dataclass(frozen=True)
class DisclosureInput:
    text: str
    exploitation_type: str = ""
    is_exploitation_indicator: bool = False


@transaction.atomic
def interview_record(
    *,
    actor: Any,
    child: Child,
    episodes: Sequence[MissingEpisode],
    status: str,
    offered_at: datetime,
    offered_by_name: str,
    offered_by_organisation: Organisation,
    conducted_by_organisation: Organisation,
    conducted_by_name: str = "",
    conducted_by_role: str = "",
    independent: bool = True,
    completed_at: datetime | None = None,
    not_completed_reason: str = "",
    not_completed_detail: str = "",
    where_child_was: str = "",
    with_whom: str = "",
    how_travelled: str = "",
    harm: str = "",
    agreed_actions: str = "",
    push_factors: Iterable[str] = (),
    pull_factors: Iterable[str] = (),
    disclosures: Iterable[DisclosureInput] = (),
) -> ReturnInterview:
    """Record a return home interview covering one or more returned episodes."""
    now = timezone.now()
    # Materialise once: the factors are read twice (rows and audit) and may be generators.
    push = {f for f in push_factors if f in Factor.values}
    pull = {f for f in pull_factors if f in Factor.values}
    errors: dict[str, str] = {}
    if not episodes:
        errors["episodes"] = EPISODES_REQUIRED
    elif any(e.child_id != child.pk for e in episodes):
        errors["episodes"] = EPISODE_OTHER_CHILD
    elif any(e.returned_at is None for e in episodes):
        errors["episodes"] = EPISODE_NOT_RETURNED
    if status not in Status.values:
        errors["status"] = STATUS_REQUIRED
    if not offered_by_name.strip():
        errors["offered_by_name"] = OFFERED_BY_REQUIRED
    if offered_at > now:
        errors["offered_at"] = OFFERED_FUTURE
    elif episodes and "episodes" not in errors:
        first_return = min(e.returned_at for e in episodes if e.returned_at)
        if offered_at < first_return:
            errors["offered_at"] = OFFERED_BEFORE_RETURN
    if status == Status.COMPLETED:
        if completed_at is None:
            errors["completed_at"] = COMPLETED_REQUIRED
        elif completed_at > now:
            errors["completed_at"] = COMPLETED_FUTURE
        elif completed_at < offered_at:
            errors["completed_at"] = COMPLETED_BEFORE_OFFER
    else:
        completed_at = None
    if status == Status.NOT_COMPLETED and not not_completed_reason:
        errors["not_completed_reason"] = REASON_REQUIRED
    disclosure_list = [d for d in disclosures if d.text.strip()]
    if any(d.is_exploitation_indicator and not d.exploitation_type for d in disclosure_list):
        errors["disclosures"] = DISCLOSURE_TYPE_REQUIRED
    if errors:
        raise ValidationError(errors)
    interview = ReturnInterview.objects.create(
        child=child,
        status=status,
        offered_at=offered_at,
        offered_by_name=offered_by_name.strip(),
        offered_by_organisation=offered_by_organisation,
        conducted_by_organisation=conducted_by_organisation,
        conducted_by_name=conducted_by_name,
        conducted_by_role=conducted_by_role,
        independent=independent,
        completed_at=completed_at,
        not_completed_reason=not_completed_reason if status == Status.NOT_COMPLETED else "",
        not_completed_detail=not_completed_detail,
        where_child_was=where_child_was,
        with_whom=with_whom,
        how_travelled=how_travelled,
        harm=harm,
        agreed_actions=agreed_actions,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    interview.episodes.set(episodes)
    InterviewFactor.objects.bulk_create(
        [
            InterviewFactor(interview=interview, direction=Direction.PUSH, factor=f)
            for f in sorted(push)
        ]
        + [
            InterviewFactor(interview=interview, direction=Direction.PULL, factor=f)
            for f in sorted(pull)
        ]
    )
    Disclosure.objects.bulk_create(
        Disclosure(
            interview=interview,
            text=d.text.strip(),
            exploitation_type=d.exploitation_type,
            is_exploitation_indicator=d.is_exploitation_indicator,
        )
        for d in disclosure_list
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=interview,
        child_id=child.pk,
        summary=f"Recorded a return interview ({interview.get_status_display().lower()})",
        detail={
            "after": snapshot(interview),
            "episodes": [e.pk for e in episodes],
            "push": sorted(push),
            "pull": sorted(pull),
            "disclosures": len(disclosure_list),
        },
    )
    return interview
