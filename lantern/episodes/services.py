"""Writes to missing episodes and police gradings, each in one transaction with its audit event."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from lantern.accounts.models import Organisation, OrgType
from lantern.accounts.policy import acting_membership
from lantern.audit.models import Action
from lantern.audit.services import audit_record, changes, snapshot
from lantern.common.errors import ConcurrentEditError
from lantern.episodes import rules
from lantern.episodes.models import (
    Grade,
    GradingScheme,
    MissingEpisode,
    PoliceGrading,
    ReporterKind,
    ReturnHow,
    Setting,
    Whereabouts,
)
from lantern.geo import postcodes
from lantern.people.models import Child

SETTING_REQUIRED = "Select where the child was expected to be"
WHEREABOUTS_REQUIRED = "Select whether you know where the child is"
REPORTER_KIND_REQUIRED = "Select who reported the child missing"
RETURN_HOW_REQUIRED = "Select how the child returned or was found"
SCHEME_INVALID = "Select the grading scheme"
LAST_SEEN_FUTURE = "Date and time last seen must be in the past"
LAST_SEEN_BEFORE_BIRTH = "Date and time last seen must be after the child's date of birth"
REPORTED_FUTURE = "Date and time reported must be in the past"
REPORTED_BEFORE_LAST_SEEN = "Date and time reported must be after the child was last seen"
RETURNED_FUTURE = "Date and time of return must be in the past"
RETURNED_BEFORE_LAST_SEEN = "Date and time of return must be after the child was last seen"
EPISODE_OVERLAP = (
    "This child already has a missing episode at that time. "
    "Record the return for that episode first, or check the dates"
)
ALREADY_RETURNED = "This episode already has a return recorded"
POLICE_FORCE_REQUIRED = "Select the police force the child was reported to"
POLICE_FORCE_NOT_FORCE = "Select a police force"
POSTCODE_INVALID = "Enter a real postcode, like N17 6AA"
GRADED_FUTURE = "Date and time of the grading must be in the past"
GRADED_BEFORE_REPORT = "Date and time of the grading must be after the child was last seen"
RATIONALE_REQUIRED = "Enter why the risk was graded at this level"
GRADED_BY_REQUIRED = "Enter the name of the person who graded the risk"
GRADE_INVALID = "Select a risk grade"


def _check_postcode(field: str, value: str, errors: dict[str, str]) -> tuple[str, Any]:
    if not value:
        return "", None
    normal = postcodes.normalise_postcode(value)
    info = postcodes.lookup(normal) if normal else None
    if normal is None:
        errors[field] = POSTCODE_INVALID
        return "", None
    return normal, info


def _la_for(info: Any) -> Organisation | None:
    if info is None or not info.area_code:
        return None
    return Organisation.objects.filter(
        ons_code=info.area_code, type=OrgType.LOCAL_AUTHORITY
    ).first()


def _check_no_overlap(
    child: Child, start: datetime, end: datetime | None, exclude_pk: int | None = None
) -> None:
    others = MissingEpisode.objects.filter(child=child)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    # Only episodes that could overlap: those that end after this one starts, or are open.
    candidates = others.filter(returned_at__isnull=True) | others.filter(returned_at__gt=start)
    for other in candidates:
        if rules.overlaps(start, end, other.last_seen_at, other.returned_at):
            raise ValidationError({"last_seen_at": EPISODE_OVERLAP})


@transaction.atomic
def episode_report(
    *,
    actor: Any,
    child: Child,
    setting: str,
    whereabouts: str,
    last_seen_at: datetime,
    reported_at: datetime,
    reporter_kind: str,
    reporter_name: str = "",
    reporting_organisation: Organisation | None = None,
    last_seen_place: str = "",
    last_seen_postcode: str = "",
    reported_to_police: bool = False,
    police_force: Organisation | None = None,
    police_reference: str = "",
    circumstances: str = "",
) -> MissingEpisode:
    """Report that a child is missing. Anyone may report, not only the police.

    The category is derived from whether the child is looked after now and whether their
    whereabouts are known. Episodes of one child never overlap.
    """
    now = timezone.now()
    errors: dict[str, str] = {}
    if setting not in Setting.values:
        errors["setting"] = SETTING_REQUIRED
    if whereabouts not in Whereabouts.values:
        errors["whereabouts"] = WHEREABOUTS_REQUIRED
    if reporter_kind not in ReporterKind.values:
        errors["reporter_kind"] = REPORTER_KIND_REQUIRED
    if last_seen_at > now:
        errors["last_seen_at"] = LAST_SEEN_FUTURE
    # Compare local calendar dates: 00:30 on a child's birthday in summer is the day before in UTC.
    elif timezone.localtime(last_seen_at).date() < child.date_of_birth:
        errors["last_seen_at"] = LAST_SEEN_BEFORE_BIRTH
    if reported_at > now:
        errors["reported_at"] = REPORTED_FUTURE
    elif reported_at < last_seen_at:
        errors["reported_at"] = REPORTED_BEFORE_LAST_SEEN
    if reported_to_police and police_force is None:
        errors["police_force"] = POLICE_FORCE_REQUIRED
    if police_force is not None and police_force.type != OrgType.POLICE:
        errors["police_force"] = POLICE_FORCE_NOT_FORCE
    seen_postcode, seen_info = _check_postcode("last_seen_postcode", last_seen_postcode, errors)
    if errors:
        raise ValidationError(errors)
    # Lock the child so two reports for the same child cannot both pass the overlap check
    # (PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers).
    Child.objects.select_for_update().filter(pk=child.pk).first()
    _check_no_overlap(child, last_seen_at, None)
    membership = acting_membership(actor)
    missing_from = _la_for(seen_info)
    if missing_from is None:
        current = child.placements.filter(ended_on__isnull=True).select_related("host_la").first()
        missing_from = current.host_la if current and current.host_la else child.home_la
    episode = MissingEpisode.objects.create(
        child=child,
        setting=setting,
        whereabouts=whereabouts,
        looked_after=child.is_looked_after,
        last_seen_at=last_seen_at,
        last_seen_place=last_seen_place,
        last_seen_postcode=seen_postcode,
        missing_from_la=missing_from,
        reported_at=reported_at,
        reporter_kind=reporter_kind,
        reporter_name=reporter_name,
        reporting_organisation=reporting_organisation,
        reported_to_police=reported_to_police or police_force is not None,
        police_force=police_force,
        police_reference=police_reference,
        circumstances=circumstances,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        recording_organisation=membership.organisation if membership else None,
    )
    episode.refresh_from_db(fields=["category"])
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=episode,
        child_id=child.pk,
        summary="Reported a missing episode",
        detail={"after": snapshot(episode)},
    )
    return episode


@transaction.atomic
def episode_record_return(
    *,
    actor: Any,
    episode: MissingEpisode,
    version: int,
    returned_at: datetime,
    return_how: str,
    found_place: str = "",
    found_postcode: str = "",
    found_with: str = "",
    whereabouts_known_during: bool | None = None,
) -> MissingEpisode:
    """Record that the child returned or was found: when, where (postcode to LA) and with whom.

    ``version`` is the one the editor read; if anyone has saved the episode since, nothing is
    written and ConcurrentEditError tells the editor, rather than judging their form against a
    record they have not seen.
    """
    if version != episode.version:
        raise ConcurrentEditError()
    errors: dict[str, str] = {}
    if episode.returned_at is not None:
        errors["returned_at"] = ALREADY_RETURNED
    elif returned_at > timezone.now():
        errors["returned_at"] = RETURNED_FUTURE
    elif returned_at <= episode.last_seen_at:
        errors["returned_at"] = RETURNED_BEFORE_LAST_SEEN
    if return_how not in ReturnHow.values:
        errors["return_how"] = RETURN_HOW_REQUIRED
    found_normal, found_info = _check_postcode("found_postcode", found_postcode, errors)
    if errors:
        raise ValidationError(errors)
    try:
        _check_no_overlap(episode.child, episode.last_seen_at, returned_at, exclude_pk=episode.pk)
    except ValidationError:
        raise ValidationError({"returned_at": EPISODE_OVERLAP}) from None
    found_la = _la_for(found_info)
    before = snapshot(episode)
    fields: dict[str, Any] = {
        "returned_at": returned_at,
        "return_how": return_how,
        "found_place": found_place,
        "found_postcode": found_normal,
        "found_with": found_with,
        "found_la": found_la,
        "found_force": found_la.police_force if found_la else None,
    }
    if whereabouts_known_during is not None:
        fields["whereabouts"] = (
            Whereabouts.KNOWN if whereabouts_known_during else Whereabouts.UNKNOWN
        )
    updated = MissingEpisode.objects.filter(pk=episode.pk, version=version).update(
        **fields, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise ConcurrentEditError()
    episode.refresh_from_db()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=episode,
        child_id=episode.child_id,
        summary="Recorded the return",
        detail={"changes": changes(before, snapshot(episode))},
    )
    return episode


@transaction.atomic
def grading_record(
    *,
    actor: Any,
    episode: MissingEpisode,
    grade: str,
    graded_at: datetime,
    graded_by_name: str,
    rationale: str,
    scheme: str = "app_current",
    organisation: Organisation | None = None,
) -> PoliceGrading:
    """Add a police risk grading to the episode's history, with who, when and why."""
    errors: dict[str, str] = {}
    if grade not in Grade.values:
        errors["grade"] = GRADE_INVALID
    if scheme not in GradingScheme.values:
        errors["scheme"] = SCHEME_INVALID
    if graded_at > timezone.now():
        errors["graded_at"] = GRADED_FUTURE
    elif graded_at < episode.last_seen_at:
        errors["graded_at"] = GRADED_BEFORE_REPORT
    if not graded_by_name.strip():
        errors["graded_by_name"] = GRADED_BY_REQUIRED
    if not rationale.strip():
        errors["rationale"] = RATIONALE_REQUIRED
    if errors:
        raise ValidationError(errors)
    if organisation is None:
        membership = acting_membership(actor)
        organisation = membership.organisation if membership else None
    if organisation is None:
        raise ValidationError({"organisation": "Select the organisation that graded the risk"})
    grading = PoliceGrading.objects.create(
        episode=episode,
        grade=grade,
        scheme=scheme,
        graded_at=graded_at,
        graded_by_name=graded_by_name.strip(),
        organisation=organisation,
        rationale=rationale.strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=grading,
        child_id=episode.child_id,
        summary=f"Recorded police risk grading: {grading.get_grade_display()}",
        detail={"after": snapshot(grading)},
    )
    return grading
