"""Writes to children's records. Each service is one transaction with its audit event."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
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
from lantern.geo import postcodes
from lantern.people import names
from lantern.people.codes import CareStatus, IdentifierKind
from lantern.people.models import (
    Child,
    ChildAlias,
    ChildIdentifier,
    ChildNameKey,
    LeadProfessional,
    Placement,
    PlacementLocation,
)

DOB_IN_FUTURE = "Date of birth must be today or in the past"
DOB_TOO_OLD = "Date of birth must be within the last 26 years"
LEGAL_STATUS_NEEDS_LAC = "Only give a legal status for a child who is looked after"
HOME_LA_NOT_LA = "Home local authority must be a local authority"
POSTCODE_INVALID = "Enter a real postcode, like N17 6AA"
PLACEMENT_START_FUTURE = "Placement start date must be today or in the past"
PLACEMENT_START_BEFORE_BIRTH = "Placement start date must be after the child's date of birth"
PLACEMENT_END_BEFORE_START = "Placement end date must be the same as or after the start date"
PLACEMENT_END_FUTURE = "Placement end date must be today or in the past"
PLACEMENT_OVERLAP = "This placement overlaps another placement for this child"
PLACING_LA_NOT_LA = "Placing authority must be a local authority"
LEAD_START_FUTURE = "Date the lead professional started must be today or in the past"
LEAD_START_BEFORE_CURRENT = "Start date must be after the current lead professional started"


@dataclass(frozen=True)
class IdentifierInput:
    kind: str
    value: str
    issuing_organisation: Organisation


def _reindex_names(child: Child) -> None:
    all_names = [child.first_name, child.middle_names, child.last_name, child.preferred_name]
    for alias in child.aliases.all():
        all_names += [alias.first_name, alias.last_name]
    ChildNameKey.objects.filter(child=child).delete()
    ChildNameKey.objects.bulk_create(
        ChildNameKey(child=child, token=token, phonetic=key)
        for token, key in sorted(names.keys_for(all_names))
    )


def _validate_dob(dob: date) -> None:
    today = timezone.localdate()
    if dob > today:
        raise ValidationError({"date_of_birth": DOB_IN_FUTURE})
    if dob < date(today.year - 26, today.month, 1):
        raise ValidationError({"date_of_birth": DOB_TOO_OLD})


@transaction.atomic
def child_create(
    *,
    actor: Any,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    home_la: Organisation,
    sex: str = "U",
    middle_names: str = "",
    preferred_name: str = "",
    gender: str = "",
    ethnicity: str = "NOBT",
    home_postcode: str = "",
    care_status: str = CareStatus.NONE,
    legal_status: str = "",
    learning_disability: bool = False,
    aliases: Iterable[tuple[str, str, str]] = (),
    identifiers: Iterable[IdentifierInput] = (),
) -> Child:
    """Create a child's record with names, aliases and identifiers; audited."""
    _validate_dob(date_of_birth)
    if home_la.type != OrgType.LOCAL_AUTHORITY:
        raise ValidationError({"home_la": HOME_LA_NOT_LA})
    if legal_status and care_status != CareStatus.LOOKED_AFTER:
        raise ValidationError({"legal_status": LEGAL_STATUS_NEEDS_LAC})
    normal_postcode = ""
    if home_postcode:
        normal_postcode = postcodes.normalise_postcode(home_postcode) or ""
        if not normal_postcode:
            raise ValidationError({"home_postcode": POSTCODE_INVALID})
    child = Child.objects.create(
        first_name=first_name.strip(),
        middle_names=middle_names.strip(),
        last_name=last_name.strip(),
        preferred_name=preferred_name.strip(),
        date_of_birth=date_of_birth,
        sex=sex,
        gender=gender,
        ethnicity=ethnicity,
        home_la=home_la,
        home_postcode=normal_postcode,
        care_status=care_status,
        legal_status=legal_status,
        learning_disability=learning_disability,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    for kind, first, last in aliases:
        ChildAlias.objects.create(child=child, kind=kind, first_name=first, last_name=last)
    for ident in identifiers:
        if ident.kind not in IdentifierKind.values:
            raise ValidationError({"identifiers": f"Unknown identifier type {ident.kind}"})
        ChildIdentifier.objects.create(
            child=child,
            kind=ident.kind,
            value=ident.value.strip(),
            issuing_organisation=ident.issuing_organisation,
        )
    _reindex_names(child)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=child,
        child_id=child.pk,
        summary="Created the child's record",
        detail={"after": snapshot(child)},
    )
    return child


CHILD_EDITABLE = (
    "first_name",
    "middle_names",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "gender",
    "ethnicity",
    "home_la_id",
    "home_postcode",
    "care_status",
    "legal_status",
    "learning_disability",
)


@transaction.atomic
def child_update(*, actor: Any, child: Child, version: int, **fields: Any) -> Child:
    """Change a child's details. ``version`` is the one the editor read (no lost updates)."""
    unknown = set(fields) - set(CHILD_EDITABLE) - {"home_la"}
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if "home_la" in fields:
        home_la = fields.pop("home_la")
        if home_la.type != OrgType.LOCAL_AUTHORITY:
            raise ValidationError({"home_la": HOME_LA_NOT_LA})
        fields["home_la_id"] = home_la.pk
    if "date_of_birth" in fields:
        _validate_dob(fields["date_of_birth"])
    if fields.get("home_postcode"):
        normal = postcodes.normalise_postcode(fields["home_postcode"])
        if not normal:
            raise ValidationError({"home_postcode": POSTCODE_INVALID})
        fields["home_postcode"] = normal
    care = fields.get("care_status", child.care_status)
    legal = fields.get("legal_status", child.legal_status)
    if legal and care != CareStatus.LOOKED_AFTER:
        raise ValidationError({"legal_status": LEGAL_STATUS_NEEDS_LAC})
    before = snapshot(child, CHILD_EDITABLE)
    updated = Child.objects.filter(pk=child.pk, version=version).update(
        **fields, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise ConcurrentEditError()
    child.refresh_from_db()
    _reindex_names(child)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=child,
        child_id=child.pk,
        summary="Changed the child's details",
        detail={"changes": changes(before, snapshot(child, CHILD_EDITABLE))},
    )
    return child


@transaction.atomic
def alias_add(
    *, actor: Any, child: Child, kind: str, first_name: str, last_name: str
) -> ChildAlias:
    alias = ChildAlias.objects.create(
        child=child, kind=kind, first_name=first_name, last_name=last_name
    )
    _reindex_names(child)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=alias,
        child_id=child.pk,
        summary="Added an alias",
        detail={"after": snapshot(alias)},
    )
    return alias


def placement_derive(
    *, placing_la: Organisation, postcode: str, home_postcode: str
) -> tuple[Organisation | None, str, str, Any]:
    """Host LA, PL_LA code, IN/OUT and distance from the postcodes (domain §3.4)."""
    info = postcodes.lookup(postcode)
    if info is None:
        return None, "", "", None
    host = Organisation.objects.filter(
        ons_code=info.area_code, type=OrgType.LOCAL_AUTHORITY
    ).first()
    location = (
        PlacementLocation.IN if info.area_code == placing_la.ons_code else PlacementLocation.OUT
    )
    distance = None
    home = postcodes.lookup(home_postcode) if home_postcode else None
    if home is not None:
        distance = postcodes.distance_miles(home, info)
    return host, info.area_code, location, distance


@transaction.atomic
def placement_add(
    *,
    actor: Any,
    child: Child,
    placing_la: Organisation,
    place: str,
    provider: str,
    postcode: str,
    started_on: date,
    ended_on: date | None = None,
    urn: str = "",
) -> Placement:
    """Record a placement; host LA, in/out of area and distance are derived from postcodes."""
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if placing_la.type != OrgType.LOCAL_AUTHORITY:
        errors["placing_la"] = PLACING_LA_NOT_LA
    normal = postcodes.normalise_postcode(postcode)
    if not normal or postcodes.lookup(normal) is None:
        errors["postcode"] = POSTCODE_INVALID
    if started_on > today:
        errors["started_on"] = PLACEMENT_START_FUTURE
    elif started_on < child.date_of_birth:
        errors["started_on"] = PLACEMENT_START_BEFORE_BIRTH
    if ended_on is not None:
        if ended_on < started_on:
            errors["ended_on"] = PLACEMENT_END_BEFORE_START
        elif ended_on > today:
            errors["ended_on"] = PLACEMENT_END_FUTURE
    if errors:
        raise ValidationError(errors)
    Child.objects.select_for_update().filter(
        pk=child.pk
    ).first()  # serialise per child on PostgreSQL
    for other in child.placements.all():
        other_end = other.ended_on or date.max
        this_end = ended_on or date.max
        if started_on < other_end and other.started_on < this_end:
            raise ValidationError({"started_on": PLACEMENT_OVERLAP})
    host, area_code, location, distance = placement_derive(
        placing_la=placing_la, postcode=normal or "", home_postcode=child.home_postcode
    )
    placement = Placement.objects.create(
        child=child,
        placing_la=placing_la,
        place=place,
        provider=provider,
        postcode=normal or "",
        urn=urn,
        started_on=started_on,
        ended_on=ended_on,
        host_la=host,
        host_area_code=area_code,
        location=location,
        distance_miles=distance,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=placement,
        child_id=child.pk,
        summary="Added a placement",
        detail={"after": snapshot(placement)},
    )
    return placement


@transaction.atomic
def placement_end(*, actor: Any, placement: Placement, version: int, ended_on: date) -> Placement:
    """End a placement on a date."""
    if ended_on < placement.started_on:
        raise ValidationError({"ended_on": PLACEMENT_END_BEFORE_START})
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": PLACEMENT_END_FUTURE})
    later = placement.child.placements.filter(
        started_on__lt=ended_on, started_on__gt=placement.started_on
    )
    if later.exists():
        raise ValidationError({"ended_on": PLACEMENT_OVERLAP})
    before = snapshot(placement)
    updated = Placement.objects.filter(pk=placement.pk, version=version).update(
        ended_on=ended_on, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise ConcurrentEditError()
    placement.refresh_from_db()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=placement,
        child_id=placement.child_id,
        summary="Ended a placement",
        detail={"changes": changes(before, snapshot(placement))},
    )
    return placement


@transaction.atomic
def lead_professional_assign(
    *,
    actor: Any,
    child: Child,
    name: str,
    organisation: Organisation,
    started_on: date,
    job_title: str = "",
    reason_for_change: str = "",
    user: Any = None,
) -> LeadProfessional:
    """Make someone the child's lead professional, ending the current one's period."""
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": LEAD_START_FUTURE})
    current = child.lead_professionals.filter(ended_on__isnull=True).first()
    if current is not None:
        if started_on < current.started_on:
            raise ValidationError({"started_on": LEAD_START_BEFORE_CURRENT})
        current.ended_on = started_on
        current.save(update_fields=["ended_on", "updated_at"])
    lead = LeadProfessional.objects.create(
        child=child,
        name=name,
        organisation=organisation,
        started_on=started_on,
        job_title=job_title,
        reason_for_change=reason_for_change,
        user=user,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=lead,
        child_id=child.pk,
        summary="Changed the lead professional",
        detail={"after": snapshot(lead), "previous": current.pk if current else None},
    )
    return lead


def membership_org(actor: Any) -> Organisation | None:
    membership = acting_membership(actor)
    return membership.organisation if membership else None
