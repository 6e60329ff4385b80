"""Writes to intelligence: items, links, derived links, notifications and their escalation.

Every service is keyword-only, runs in one transaction and writes its audit event in it. The
derivations (links from episodes and interviews, cross-border notifications) are called from
``lantern.intelligence.signals`` inside the transaction that changed the episode or interview,
so a rolled-back episode leaves no link, notification or share behind.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from lantern.accounts import policy
from lantern.accounts.models import (
    LawfulBasis,
    Membership,
    Organisation,
    OrgType,
    User,
)
from lantern.accounts.roles import Role
from lantern.accounts.services import shares_grant
from lantern.audit.models import Action
from lantern.audit.services import audit_record, snapshot
from lantern.episodes.models import MissingEpisode
from lantern.geo import postcodes
from lantern.intelligence import access, rules
from lantern.intelligence.models import (
    LINK_ENDPOINTS,
    AccessLevel,
    DisruptionAction,
    HandlingCode,
    IntelligenceAssessment,
    Link,
    LinkKind,
    Notification,
    NotificationKind,
    Origin,
    PersonAlias,
    PersonKind,
    PersonOfConcern,
    Phone,
    PhoneKind,
    Place,
    PlaceType,
    RecipientRole,
    Relation,
    RiskStatus,
    SourceEvaluation,
    Vehicle,
)
from lantern.interviews.models import ReturnInterview
from lantern.people.models import Child, PlacementLocation

logger = logging.getLogger(__name__)

LABEL_REQUIRED = "Enter a name for the place"
PLACE_TYPE_REQUIRED = "Select the type of place"
PLACE_WHERE_REQUIRED = "Enter an address or a postcode"
POSTCODE_INVALID = "Enter a real postcode, like N17 6AA"
POSTCODE_UNKNOWN = "Enter a postcode that exists, like N17 6AA"
RISK_STATUS_INVALID = "Select the risk status"
PERSON_NAME_REQUIRED = "Enter a name or what the person is known as"
PERSON_KIND_INVALID = "Select whether the person is an adult or a peer"
DOB_FUTURE = "Date of birth must be in the past"
PHONE_INVALID = "Enter a UK phone number, like 07700 900123"
HANDLE_INVALID = "Enter a handle, like @name, using letters, numbers, dots and underscores"
PHONE_EXISTS = "This number or handle is already recorded: link to the existing record instead"
VRM_INVALID = "Enter a registration, like AB12 CDE"
VRM_EXISTS = "This vehicle is already recorded: link to the existing record instead"
GRADING_INVALID = "Select the source evaluation, intelligence assessment and handling code"
ACCESS_LEVEL_INVALID = "Select who may see this"
POLICE_ONLY_NOT_POLICE = "Only police forces can record police-only intelligence"
LINK_KIND_INVALID = "Select what the link joins"
LINK_ENDPOINT_REQUIRED = "Select both things the link joins"
LINK_SAME_THING = "A link must join two different things"
EVIDENCE_REQUIRED = "Enter the evidence for this link"
OBSERVED_FUTURE = "The date must be today or in the past"
ENDED_BEFORE = "The end date must be on or after the date the link was seen"
ACTION_REQUIRED = "Enter what was done"
TAKEN_FUTURE = "The date of the action must be today or in the past"
NOT_RECIPIENT = "Only the organisation that received a notification can acknowledge it"

SHARE_PURPOSE = "cross-border missing notification"
SHARE_DAYS = 90


# --- Shared pieces ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Grading:
    """Source, 3x5x2 grading and access level, as typed on a form."""

    source: str = ""
    source_organisation: Organisation | None = None
    source_evaluation: str = SourceEvaluation.UNTESTED
    assessment: str = IntelligenceAssessment.NOT_KNOWN
    handling_code: str = HandlingCode.PERMITTED
    access_level: str = AccessLevel.PARTNERS


def _check_grading(actor: Any, grading: Grading, errors: dict[str, str]) -> None:
    if (
        grading.source_evaluation not in SourceEvaluation.values
        or grading.assessment not in IntelligenceAssessment.values
        or grading.handling_code not in HandlingCode.values
    ):
        errors["source_evaluation"] = GRADING_INVALID
    if grading.access_level not in AccessLevel.values:
        errors["access_level"] = ACCESS_LEVEL_INVALID
    elif grading.access_level == AccessLevel.POLICE_ONLY and not access.is_police(actor):
        errors["access_level"] = POLICE_ONLY_NOT_POLICE


def _provenance(actor: Any, grading: Grading) -> dict[str, Any]:
    membership = policy.acting_membership(actor)
    organisation = membership.organisation if membership else None
    return {
        "source": grading.source.strip(),
        "source_organisation": grading.source_organisation or organisation,
        "source_evaluation": grading.source_evaluation,
        "assessment": grading.assessment,
        "handling_code": grading.handling_code,
        "access_level": grading.access_level,
        "recorded_by": actor if getattr(actor, "pk", None) else None,
        "recording_organisation": organisation,
    }


def _require_recorder(actor: Any) -> None:
    if not access.can_record_intelligence(actor):
        raise PermissionError("This role cannot record intelligence")


def _audit_created(
    actor: Any, obj: Any, summary: str, *, child_id: int | None = None, **detail: Any
) -> None:
    """The audit event for an item or link someone recorded: what it was after creation."""
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=obj,
        child_id=child_id,
        summary=summary,
        detail={"after": snapshot(obj), **detail},
    )


def locate(postcode: str) -> dict[str, Any] | None:
    """Where a postcode is, at sector resolution: the fields a Place keeps. None if unknown."""
    normal = postcodes.normalise_postcode(postcode)
    info = postcodes.lookup(normal) if normal else None
    if info is None:
        return None
    centroid = postcodes.sector_centroids().get(info.sector) or postcodes.district_centroids().get(
        info.district
    )
    la = (
        Organisation.objects.filter(ons_code=info.area_code, type=OrgType.LOCAL_AUTHORITY).first()
        if info.area_code
        else None
    )
    return {
        "postcode": info.postcode,
        "sector": info.sector,
        "district": info.district,
        "latitude": centroid.lat if centroid else None,
        "longitude": centroid.long if centroid else None,
        "easting": centroid.easting if centroid else info.easting,
        "northing": centroid.northing if centroid else info.northing,
        "lad_code": info.lad_code,
        "la": la,
    }


def _check_postcode(value: str, errors: dict[str, str]) -> dict[str, Any] | None:
    if not value.strip():
        return None
    if postcodes.normalise_postcode(value) is None:
        errors["postcode"] = POSTCODE_INVALID
        return None
    located = locate(value)
    if located is None:
        errors["postcode"] = POSTCODE_UNKNOWN
    return located


# --- Items ------------------------------------------------------------------------------------


@transaction.atomic
def place_create(
    *,
    actor: Any,
    label: str,
    place_type: str,
    address: str = "",
    postcode: str = "",
    risk_status: str = RiskStatus.NONE,
    grading: Grading = Grading(),
) -> Place:
    """Record a place. The postcode is geocoded offline to its sector and local authority."""
    _require_recorder(actor)
    errors: dict[str, str] = {}
    if not label.strip():
        errors["label"] = LABEL_REQUIRED
    if place_type not in PlaceType.values or place_type == PlaceType.FOUND_AREA:
        errors["place_type"] = PLACE_TYPE_REQUIRED
    if risk_status not in RiskStatus.values:
        errors["risk_status"] = RISK_STATUS_INVALID
    if not address.strip() and not postcode.strip():
        errors["address"] = PLACE_WHERE_REQUIRED
    located = _check_postcode(postcode, errors)
    _check_grading(actor, grading, errors)
    if errors:
        raise ValidationError(errors)
    place = Place.objects.create(
        label=label.strip(),
        address=address.strip(),
        place_type=place_type,
        risk_status=risk_status,
        **(located or {}),
        **_provenance(actor, grading),
    )
    _audit_created(actor, place, f"Recorded place {place.reference}")
    return place


@transaction.atomic
def place_risk_status_set(*, actor: Any, place: Place, risk_status: str) -> Place:
    _require_recorder(actor)
    if risk_status not in RiskStatus.values:
        raise ValidationError({"risk_status": RISK_STATUS_INVALID})
    before = place.risk_status
    if before != risk_status:
        Place.objects.filter(pk=place.pk).update(risk_status=risk_status, updated_at=timezone.now())
        place.risk_status = risk_status
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=place,
            summary=f"Changed the risk status of place {place.reference}",
            detail={"changes": {"risk_status": [before, risk_status]}},
        )
    return place


@transaction.atomic
def disruption_add(
    *, actor: Any, place: Place, taken_on: date, action: str, outcome: str = ""
) -> DisruptionAction:
    """Log something done to disrupt exploitation at a place."""
    _require_recorder(actor)
    errors: dict[str, str] = {}
    if not action.strip():
        errors["action"] = ACTION_REQUIRED
    if taken_on > timezone.localdate():
        errors["taken_on"] = TAKEN_FUTURE
    if errors:
        raise ValidationError(errors)
    membership = policy.acting_membership(actor)
    assert membership is not None
    row = DisruptionAction.objects.create(
        place=place,
        taken_on=taken_on,
        action=action.strip(),
        outcome=outcome.strip(),
        organisation=membership.organisation,
        recorded_by=actor,
    )
    _audit_created(actor, row, f"Logged a disruption action at place {place.reference}")
    return row


@transaction.atomic
def person_create(
    *,
    actor: Any,
    first_name: str = "",
    last_name: str = "",
    known_as: str = "",
    kind: str = PersonKind.ADULT,
    date_of_birth: date | None = None,
    description: str = "",
    restricted: bool = False,
    aliases: Sequence[str] = (),
    grading: Grading = Grading(),
) -> PersonOfConcern:
    """Record a person of concern (an adult or a peer)."""
    _require_recorder(actor)
    errors: dict[str, str] = {}
    if not (first_name.strip() or last_name.strip() or known_as.strip()):
        errors["first_name"] = PERSON_NAME_REQUIRED
    if kind not in PersonKind.values:
        errors["kind"] = PERSON_KIND_INVALID
    if date_of_birth is not None and date_of_birth >= timezone.localdate():
        errors["date_of_birth"] = DOB_FUTURE
    _check_grading(actor, grading, errors)
    if errors:
        raise ValidationError(errors)
    person = PersonOfConcern.objects.create(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        known_as=known_as.strip(),
        kind=kind,
        date_of_birth=date_of_birth,
        description=description.strip(),
        restricted=restricted,
        **_provenance(actor, grading),
    )
    PersonAlias.objects.bulk_create(
        PersonAlias(person=person, name=name.strip()) for name in aliases if name.strip()
    )
    _audit_created(
        actor,
        person,
        f"Recorded person of concern {person.reference}",
        aliases=len([a for a in aliases if a.strip()]),
    )
    return person


@transaction.atomic
def phone_create(
    *,
    actor: Any,
    value: str,
    kind: str = PhoneKind.NUMBER,
    platform: str = "",
    deal_line: bool = False,
    grading: Grading = Grading(),
) -> Phone:
    """Record a phone number or handle. A number the user can already see is not recorded twice."""
    _require_recorder(actor)
    errors: dict[str, str] = {}
    if kind == PhoneKind.HANDLE:
        normal = rules.handle_normalise(value)
        if normal is None:
            errors["value"] = HANDLE_INVALID
    else:
        kind = PhoneKind.NUMBER
        normal = rules.phone_normalise(value)
        if normal is None:
            errors["value"] = PHONE_INVALID
    # The same number may be held once per access level: police may keep their own police-only
    # assessment (a deal line) beside the row partners see.
    if (
        normal
        and access.phones_visible_to(actor)
        .filter(normalised=normal, access_level=grading.access_level)
        .exists()
    ):
        errors["value"] = PHONE_EXISTS
    _check_grading(actor, grading, errors)
    if errors:
        raise ValidationError(errors)
    phone = Phone.objects.create(
        kind=kind,
        value=value.strip(),
        normalised=normal,
        platform=platform.strip(),
        deal_line=deal_line,
        **_provenance(actor, grading),
    )
    _audit_created(actor, phone, f"Recorded phone {phone.reference}")
    return phone


@transaction.atomic
def vehicle_create(
    *,
    actor: Any,
    vrm: str,
    make: str = "",
    model: str = "",
    colour: str = "",
    grading: Grading = Grading(),
) -> Vehicle:
    _require_recorder(actor)
    errors: dict[str, str] = {}
    normal = rules.vrm_normalise(vrm)
    if normal is None:
        errors["vrm"] = VRM_INVALID
    elif (
        access.vehicles_visible_to(actor)
        .filter(vrm=normal, access_level=grading.access_level)
        .exists()
    ):
        errors["vrm"] = VRM_EXISTS
    _check_grading(actor, grading, errors)
    if errors:
        raise ValidationError(errors)
    vehicle = Vehicle.objects.create(
        vrm=normal,
        make=make.strip(),
        model=model.strip(),
        colour=colour.strip(),
        **_provenance(actor, grading),
    )
    _audit_created(actor, vehicle, f"Recorded vehicle {vehicle.reference}")
    return vehicle


# --- Links by hand ----------------------------------------------------------------------------


@transaction.atomic
def link_create(
    *,
    actor: Any,
    kind: str,
    ends: dict[str, Any],
    relation: str = Relation.ASSOCIATE,
    observed_on: date,
    evidence: str,
    ended_on: date | None = None,
    grading: Grading = Grading(),
) -> Link:
    """Link two things, with the evidence. Each end must be something the user may see.

    ``ends`` maps the endpoint columns of ``kind`` (``LINK_ENDPOINTS``) to a Child, Place,
    PersonOfConcern, Phone or Vehicle; the caller looked them up through the access rules.
    """
    _require_recorder(actor)
    errors: dict[str, str] = {}
    columns = LINK_ENDPOINTS.get(kind)
    if columns is None:
        raise ValidationError({"kind": LINK_KIND_INVALID})
    values = {column: ends.get(column) for column in columns}
    first, second = values[columns[0]], values[columns[1]]
    if first is None or second is None:
        errors["ends"] = LINK_ENDPOINT_REQUIRED
    elif type(first) is type(second) and first.pk == second.pk:
        errors["ends"] = LINK_SAME_THING
    if relation not in Relation.values:
        relation = Relation.OTHER
    if not evidence.strip():
        errors["evidence"] = EVIDENCE_REQUIRED
    if observed_on > timezone.localdate():
        errors["observed_on"] = OBSERVED_FUTURE
    if ended_on is not None and ended_on < observed_on:
        errors["ended_on"] = ENDED_BEFORE
    _check_grading(actor, grading, errors)
    if errors:
        raise ValidationError(errors)
    # The ends were chosen from what the user may see; check again here, at the choke point.
    for value in values.values():
        if isinstance(value, Child):
            policy.child_get_for(actor, value.pk)
        else:
            access.item_get_for(actor, type(value), value.pk)
    link = Link.objects.create(
        kind=kind,
        relation=relation,
        observed_on=observed_on,
        ended_on=ended_on,
        evidence=evidence.strip(),
        **values,
        **_provenance(actor, grading),
    )
    child_id = next((v.pk for v in values.values() if isinstance(v, Child)), None)
    _audit_created(
        actor, link, f"Recorded link {link.reference}: {link.get_kind_display()}", child_id=child_id
    )
    return link


# --- Links derived from episodes and interviews -----------------------------------------------


def _derived_create(derived_key: str, **fields: Any) -> Link | None:
    """Create a derived link once; deriving again finds the first one (idempotent)."""
    existing = Link.objects.filter(derived_key=derived_key).first()
    if existing is not None:
        return None
    try:
        with transaction.atomic():
            return Link.objects.create(derived_key=derived_key, **fields)
    except IntegrityError:  # someone derived it at the same moment
        return None


def _derived_place(
    key: str,
    postcode: str,
    organisation: Organisation | None,
    *,
    sector_only: bool,
    **fields: Any,
) -> Place | None:
    """The place derived from a postcode, made once per derived key; None if it is unknown.

    ``sector_only`` keeps the sector and drops the full postcode.
    """
    place = Place.objects.filter(derived_key=key).first()
    if place is not None:
        return place
    located = locate(postcode)
    if located is None:
        return None
    if sector_only:
        located = {**located, "postcode": ""}
    try:
        with transaction.atomic():
            return Place.objects.create(
                derived_key=key, recording_organisation=organisation, **fields, **located
            )
    except IntegrityError:  # someone derived it at the same moment
        return Place.objects.get(derived_key=key)


def found_area_place(postcode: str, organisation: Organisation | None) -> Place | None:
    """The derived place for a found postcode's sector (one per sector)."""
    sector = rules.sector_of(postcode)
    if not sector:
        return None
    return _derived_place(
        f"found:{sector}",
        postcode,
        organisation,
        sector_only=True,  # sector resolution only: never a full postcode
        label=f"Found area {sector}",
        place_type=PlaceType.FOUND_AREA,
        origin=Origin.EPISODE,
        source="Missing episodes: where children were found",
    )


def _mentioned_place(postcode: str, organisation: Organisation | None) -> Place | None:
    return _derived_place(
        f"postcode:{postcode}",
        postcode,
        organisation,
        sector_only=False,
        # A postcode that locates has this sector (the same normalisation as locate's).
        label=f"Postcode named in a return interview ({rules.sector_of(postcode)})",
        place_type=PlaceType.OTHER,
        origin=Origin.INTERVIEW,
        source="Return interview",
    )


def _when(value: datetime | None) -> str:
    return date_format(timezone.localtime(value), r"j F Y \a\t H:i") if value else "unknown"


def _episode_windows_near(episode: MissingEpisode) -> Iterable[MissingEpisode]:
    """Other children's returned episodes found in the same sector around the same time."""
    hours = rules.together_hours()
    sector = rules.sector_of(episode.found_postcode)
    assert episode.returned_at is not None
    window = timedelta(hours=hours)
    return (
        MissingEpisode.objects.filter(
            returned_at__gte=episode.returned_at - window,
            returned_at__lte=episode.returned_at + window,
            found_postcode__startswith=sector + "",
            last_seen_at__lt=episode.returned_at,
        )
        .exclude(child_id=episode.child_id)
        .only("id", "child_id", "last_seen_at", "returned_at", "found_postcode", "found_place")
    )


def _window(episode: MissingEpisode) -> rules.EpisodeWindow:
    return rules.EpisodeWindow(
        episode.pk,
        episode.child_id,
        episode.last_seen_at,
        episode.returned_at,
        episode.last_seen_postcode,
        episode.found_postcode,
    )


def links_from_episode(*, episode: MissingEpisode) -> list[Link]:
    """Derive the links an episode implies: found at a place, found together with another child.

    Runs inside the caller's transaction; safe to run again (derived keys).
    """
    created: list[Link] = []
    if episode.returned_at is None or not episode.found_postcode:
        return created
    organisation = episode.recording_organisation
    place = found_area_place(episode.found_postcode, organisation)
    observed = timezone.localtime(episode.returned_at).date()
    base = {
        "source": f"Missing episode {episode.reference}",
        "source_organisation": organisation,
        "origin": Origin.EPISODE,
        "recording_organisation": organisation,
        "observed_on": observed,
    }
    if place is not None:
        link = _derived_create(
            f"ep{episode.pk}:found",
            kind=LinkKind.CHILD_PLACE,
            relation=Relation.FOUND_AT,
            child_id=episode.child_id,
            place=place,
            episode=episode,
            evidence=(
                f"Found at {episode.found_place or 'a place not named'} in postcode sector "
                f"{place.sector} on {_when(episode.returned_at)} "
                f"(missing episode {episode.reference})."
            ),
            **base,
        )
        if link:
            created.append(link)
    mine = _window(episode)
    for other in _episode_windows_near(episode):
        if not rules.found_together(mine, _window(other)):
            continue
        first, second = sorted([episode, other], key=lambda e: e.pk)
        link = _derived_create(
            f"ft{first.pk}:{second.pk}",
            kind=LinkKind.CHILD_CHILD,
            relation=Relation.FOUND_TOGETHER,
            child_id=first.child_id,
            child_b_id=second.child_id,
            episode=first,
            episode_b=second,
            evidence=(
                f"Both missing at the same time and found in postcode sector "
                f"{rules.sector_of(episode.found_postcode)}: {first.reference} returned "
                f"{_when(first.returned_at)}, {second.reference} returned "
                f"{_when(second.returned_at)}."
            ),
            **base,
        )
        if link:
            created.append(link)
    return created


def interview_texts(interview: ReturnInterview) -> list[tuple[str, str]]:
    """The free text of an interview that may name phones and places, with where it came from."""
    texts = [
        ("where the child was", interview.where_child_was),
        ("who the child was with", interview.with_whom),
    ]
    texts += [("a disclosure", d.text) for d in interview.disclosures.all()]
    return [(label, text) for label, text in texts if text]


def _interview_phone(normalised: str, organisation: Organisation | None) -> Phone:
    """The partner-level phone row for a number named in an interview (made if missing)."""
    phone = (
        Phone.objects.filter(normalised=normalised, access_level=AccessLevel.PARTNERS)
        .order_by("id")
        .first()
    )
    if phone is None:
        phone = Phone.objects.create(
            kind=PhoneKind.NUMBER,
            value=rules.phone_display(normalised),
            normalised=normalised,
            origin=Origin.INTERVIEW,
            source="Return interview",
            source_organisation=organisation,
            recording_organisation=organisation,
        )
    return phone


def links_from_interview(*, interview: ReturnInterview) -> list[Link]:
    """Child-phone links for UK phone numbers, and child-place links for postcodes, found in the
    interview's account of where the child was, with whom, and in its disclosures."""
    created: list[Link] = []
    organisation = interview.conducted_by_organisation
    observed = timezone.localtime(interview.completed_at or interview.offered_at).date()
    base = {
        "child_id": interview.child_id,
        "interview": interview,
        "relation": Relation.MENTIONED,
        "source": f"Return interview {interview.pk}",
        "source_organisation": organisation,
        "origin": Origin.INTERVIEW,
        "recording_organisation": organisation,
        "observed_on": observed,
    }
    for label, text in interview_texts(interview):
        for number in rules.phones_in_text(text):
            phone = _interview_phone(number, organisation)
            link = _derived_create(
                f"iv{interview.pk}:ph:{number}",
                kind=LinkKind.CHILD_PHONE,
                phone=phone,
                evidence=f"Phone number {rules.phone_display(number)} named in {label} "
                f"(return interview {interview.pk}).",
                **base,
            )
            if link:
                created.append(link)
        for postcode in rules.postcodes_in_text(text):
            place = _mentioned_place(postcode, organisation)
            if place is None:
                continue
            link = _derived_create(
                f"iv{interview.pk}:pc:{postcode}",
                kind=LinkKind.CHILD_PLACE,
                place=place,
                evidence=f"Postcode {postcode} named in {label} (return interview {interview.pk}).",
                **base,
            )
            if link:
                created.append(link)
    return created


# --- Cross-border notifications ---------------------------------------------------------------


@dataclass(frozen=True)
class _Recipient:
    organisation: Organisation
    role: str


def _recipients(
    home: Organisation | None, host: Organisation | None, force: Any
) -> list[_Recipient]:
    found: list[_Recipient] = []
    for organisation, role in (
        (home, RecipientRole.HOME_LA),
        (host, RecipientRole.HOST_LA),
        (force, RecipientRole.HOST_POLICE),
    ):
        if organisation is not None and all(r.organisation.pk != organisation.pk for r in found):
            found.append(_Recipient(organisation, role))
    return found


def _current_placement(child: Child, at: datetime) -> Any:
    day = timezone.localtime(at).date()
    return (
        child.placements.filter(started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .select_related("host_la__police_force", "placing_la")
        .order_by("-started_on", "-id")
        .first()
    )


def _manager_emails(organisation: Organisation) -> list[str]:
    return sorted(
        set(
            Membership.objects.filter(
                organisation=organisation,
                role=Role.MANAGER,
                active=True,
                user__is_active=True,
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def _send_later(subject: str, body: str, recipients: list[str]) -> None:
    """Email after the transaction commits, so a rolled-back change sends nothing."""
    if not recipients:
        return

    def send() -> None:
        try:
            send_mail(subject, body, None, recipients)
        except Exception:  # the in-app notification stands; mail is a courtesy copy
            logger.exception("Could not send a notification email")

    transaction.on_commit(send)


def _share_for(
    notification: Notification, decided_by: User | None, from_org: Organisation | None
) -> int:
    """Let the recipient see the child: an explicit, expiring share (domain §5.2, golden rule 6).

    Not needed for the child's home authority, or when a share is already in force (the sharing
    service leaves those alone). Needs a person to stand behind it: the one who recorded the
    episode change. Returns the number of shares made (0 or 1).
    """
    child = notification.child
    recipient = notification.recipient
    if decided_by is None or from_org is None or recipient.pk in (child.home_la_id, from_org.pk):
        return 0
    now = timezone.now()
    return shares_grant(
        actor=decided_by,
        from_organisation=from_org,
        child_ids=[child.pk],
        to_organisations=[recipient],
        purpose=SHARE_PURPOSE,
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        reason=f"Sent automatically with a notification: {notification.get_kind_display()}",
        expires_at=now + timedelta(days=SHARE_DAYS),
        now=now,
        summary=f"with {recipient} for a {SHARE_PURPOSE}",
        detail={"notification": notification.pk},
    )


def _notify(
    *,
    episode: MissingEpisode,
    kind: str,
    recipients: list[_Recipient],
    message: str,
    decided_by: User | None,
) -> list[Notification]:
    created: list[Notification] = []
    now = timezone.now()
    from_org = episode.recording_organisation or episode.child.home_la
    for recipient in recipients:
        if Notification.objects.filter(
            recipient=recipient.organisation, episode=episode, kind=kind
        ).exists():
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=recipient.organisation,
                    recipient_role=recipient.role,
                    kind=kind,
                    child=episode.child,
                    episode=episode,
                    message=message,
                    created_at=now,
                )
        except IntegrityError:  # created at the same moment by another route: one is enough
            continue
        _share_for(notification, decided_by, from_org)
        created.append(notification)
        path = reverse("intelligence:notifications")
        _send_later(
            f"Lantern: {notification.get_kind_display().lower()}",
            f"{message}\n\nSign in to Lantern to see and acknowledge it: {path}\n"
            "This email does not contain the child's name on purpose.",
            _manager_emails(recipient.organisation),
        )
    if created:
        audit_record(
            actor=decided_by,
            action=Action.CREATE,
            object_type="intelligence.notification",
            object_id=",".join(str(n.pk) for n in created),
            child_id=episode.child_id,
            summary=f"Sent {len(created)} cross-border notification(s)",
            detail={
                "kind": kind,
                "episode": episode.pk,
                "recipients": [n.recipient_id for n in created],
            },
        )
    return created


def notifications_for_episode(
    *, episode: MissingEpisode, actor: User | None = None
) -> list[Notification]:
    """Notify the home LA, the host LA and the host police force when a child is found in another
    area, or when a child placed out of area goes missing. One per organisation, episode and kind.
    """
    episode = MissingEpisode.objects.select_related(
        "child__home_la", "found_la__police_force", "found_force", "recording_organisation"
    ).get(pk=episode.pk)
    child = episode.child
    decided_by = actor if getattr(actor, "pk", None) else episode.recorded_by
    created: list[Notification] = []
    if (
        episode.returned_at is not None
        and episode.found_la_id is not None
        and episode.found_la_id != child.home_la_id
    ):
        found_la = episode.found_la
        assert found_la is not None
        force = episode.found_force or found_la.police_force
        message = (
            f"{child.reference}, a child from {child.home_la}, was found in {found_la} on "
            f"{_when(episode.returned_at)} (missing episode {episode.reference})."
        )
        created += _notify(
            episode=episode,
            kind=NotificationKind.FOUND_OUT_OF_AREA,
            recipients=_recipients(child.home_la, found_la, force),
            message=message,
            decided_by=decided_by,
        )
    placement = _current_placement(child, episode.last_seen_at)
    if placement is not None and placement.location == PlacementLocation.OUT:
        host = placement.host_la
        message = (
            f"{child.reference}, a child placed out of area by {placement.placing_la}"
            f"{f' in {host}' if host else ''}, went missing on {_when(episode.last_seen_at)} "
            f"(missing episode {episode.reference})."
        )
        created += _notify(
            episode=episode,
            kind=NotificationKind.PLACED_OUT_OF_AREA_MISSING,
            recipients=_recipients(
                child.home_la, host, host.police_force if host is not None else None
            ),
            message=message,
            decided_by=decided_by,
        )
    return created


@transaction.atomic
def notification_acknowledge(*, actor: Any, notification: Notification) -> Notification:
    """Someone in the receiving organisation has seen the notification and is acting on it."""
    membership = policy.acting_membership(actor)
    if (
        membership is None
        or membership.organisation_id != notification.recipient_id
        or not policy.can_open_records(actor)
    ):
        raise PermissionError(NOT_RECIPIENT)
    if notification.acknowledged_at is None:
        now = timezone.now()
        updated = Notification.objects.filter(
            pk=notification.pk, acknowledged_at__isnull=True
        ).update(acknowledged_at=now, acknowledged_by=actor)
        notification.refresh_from_db()
        if updated:
            audit_record(
                actor=actor,
                action=Action.UPDATE,
                obj=notification,
                child_id=notification.child_id,
                summary="Acknowledged a cross-border notification",
                detail={"kind": notification.kind, "episode": notification.episode_id},
            )
    return notification


@transaction.atomic
def notifications_escalate(*, now: datetime | None = None) -> list[Notification]:
    """Escalate unacknowledged notifications older than the configured time to managers.

    Idempotent: each notification escalates once (``escalated_at``); running again sends nothing.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(hours=rules.escalate_hours())
    due = list(
        Notification.objects.select_related("recipient")
        .filter(acknowledged_at__isnull=True, escalated_at__isnull=True, created_at__lte=cutoff)
        .order_by("created_at", "id")
    )
    escalated: list[Notification] = []
    for notification in due:
        if not Notification.objects.filter(pk=notification.pk, escalated_at__isnull=True).update(
            escalated_at=now
        ):
            continue
        notification.escalated_at = now
        escalated.append(notification)
        _send_later(
            "Lantern: a cross-border notification has not been acknowledged",
            f"{notification.message}\n\nNobody in {notification.recipient} has acknowledged "
            f"this notification since {_when(notification.created_at)}. Please make sure "
            "someone acts on it.",
            _manager_emails(notification.recipient),
        )
        audit_record(
            actor=None,
            action=Action.UPDATE,
            obj=notification,
            child_id=notification.child_id,
            summary="Escalated an unacknowledged cross-border notification to managers",
        )
    return escalated
