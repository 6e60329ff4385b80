"""Writes for panels: set-up, meetings, referrals, agendas, decisions, actions and NRM steps.

Every service is keyword-only, runs in one transaction and writes its audit event in it. Who may
do what is checked here as well as in the views (a service called from a command or the API
must not be a way round the chair role).
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from lantern.accounts import policy
from lantern.accounts.models import LawfulBasis, Organisation, OrgType
from lantern.accounts.services import shares_grant
from lantern.audit.models import Action as AuditAction
from lantern.audit.services import audit_record, changes, snapshot
from lantern.common.bulk import rows_insert
from lantern.panels import access, criteria, queries
from lantern.panels.models import (
    Action,
    ActionStatus,
    ActionTemplate,
    AgendaChange,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MeetingStatus,
    MinuteSection,
    NrmRecord,
    NrmStatus,
    Outcome,
    Panel,
    PanelMembership,
    PanelRemit,
    Referral,
    ReferralRule,
    ReferralRuleType,
    ReferralSource,
    Remit,
    RuleKind,
    RuleRemit,
    SafetyPlanItem,
    Sharing,
)
from lantern.people.models import Child
from lantern.risk.models import Level

PANEL_PURPOSE = "multi-agency exploitation panel"
SHARE_GRACE_DAYS = 30  # shares last until the review date plus this

NOT_CHAIR = "Only the panel chair can do this"
MEETING_CLOSED = "This meeting is closed: its agenda and decisions can no longer change"
MEETING_DATE_REQUIRED = "Enter the date of the meeting"
MEETING_DATE_TAKEN = "The panel already has a meeting on that date"
ATTENDEE_NAME_REQUIRED = "Enter the name of the person"
ATTENDEE_ORG_REQUIRED = "Choose the organisation they represent"
ATTENDEE_ORG_NOT_MEMBER = "Choose one of the panel's member organisations"
REFERRAL_REASON_REQUIRED = "Enter why you are referring the child to the panel"
REFERRAL_REMIT_INVALID = "Choose one of the panel's remits"
RISK_LEVEL_REQUIRED = "Choose the risk level the panel agreed"
LEAD_AGENCY_REQUIRED = "Choose the lead agency"
LEAD_AGENCY_NOT_MEMBER = "Choose one of the panel's member organisations as the lead agency"
LEAD_PROFESSIONAL_REQUIRED = "Enter the name of the lead professional"
OUTCOME_REQUIRED = "Choose the outcome"
REVIEW_DATE_REQUIRED = "Enter a review date, unless the panel closed the case"
REVIEW_DATE_BEFORE_MEETING = "The review date must be after the meeting"
DESCRIPTION_REQUIRED = "Enter what needs to be done"
OWNER_NAME_REQUIRED = "Enter the name of the person responsible"
OWNER_ORG_REQUIRED = "Choose the organisation responsible"
OWNER_ORG_NOT_MEMBER = "Choose one of the panel's member organisations"
DUE_DATE_REQUIRED = "Enter the date it is due"
DUE_DATE_PAST = "The due date must be today or later"
STATUS_INVALID = "Choose done or cancelled"
STALE_VERSION = "Someone else changed this while you were working on it. Check it and try again."
ALREADY_FINISHED = "This action is already finished"
RULE_COUNT_REQUIRED = "Enter how many episodes"
RULE_DAYS_REQUIRED = "Enter the number of days"
RULE_LEVEL_REQUIRED = "Choose the screening level"
RULE_AGE_REQUIRED = "Enter the age in months"
NRM_STATUS_INVALID = "Choose an NRM status"
NRM_DATE_REQUIRED = "Enter the date of this step"
NOT_APPROACHING_ADULTHOOD = "This child is not approaching adulthood"

# The defaults from issue 4, in the order they are shown (domain §1.6: local triggers [L]).
DEFAULT_RULES: tuple[dict[str, Any], ...] = (
    {
        "kind": RuleKind.EPISODES_IN_WINDOW,
        "description": "3 or more missing episodes in 90 days",
        "count": 3,
        "days": 90,
        "remit": RuleRemit.MISSING,
    },
    {
        "kind": RuleKind.POLICE_HIGH,
        "description": "Graded high risk by the police in the last 90 days",
        "days": 90,
        "remit": RuleRemit.MISSING,
    },
    {
        "kind": RuleKind.SCREENING_AT_LEAST,
        "description": "Latest exploitation screening medium or high",
        "level": Level.MEDIUM,
        "remit": RuleRemit.BY_TYPE,
    },
    {
        "kind": RuleKind.FOUND_OUT_OF_AREA,
        "description": "Found out of area in the last 90 days",
        "days": 90,
        "remit": RuleRemit.BY_TYPE,
    },
    {
        "kind": RuleKind.NEW_DISCLOSURE,
        "description": "A new disclosure in a return interview since the last meeting",
        "remit": RuleRemit.BY_TYPE,
    },
    {
        "kind": RuleKind.APPROACHING_ADULTHOOD,
        "description": "Aged 17½ or over with open concerns",
        "age_months": criteria.ADULTHOOD_MONTHS,
        "remit": RuleRemit.ADULTHOOD,
    },
    {
        "kind": RuleKind.NRM_REFERRAL,
        "description": "Referred to the National Referral Mechanism",
        "remit": RuleRemit.BY_TYPE,
    },
    {
        "kind": RuleKind.EXPLOITATION_FLAG,
        "description": "An active child sexual or criminal exploitation flag",
        "remit": RuleRemit.BY_TYPE,
        "types": ("cse", "cce", "county_lines"),
    },
)


def _require_chair(actor: Any, panel: Panel) -> None:
    if not access.can_chair(actor, panel):
        raise PermissionError(NOT_CHAIR)


def _require_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError(MEETING_CLOSED)


def _member_ids(panel: Panel) -> set[int]:
    return set(
        PanelMembership.objects.filter(panel=panel).values_list("organisation_id", flat=True)
    )


# --- Panels and rules -----------------------------------------------------------------------


@transaction.atomic
def panel_create(
    *,
    actor: Any,
    name: str,
    lead_la: Organisation,
    members: Sequence[tuple[Organisation, str]],
    remits: Iterable[str],
    cadence_days: int = 21,
) -> Panel:
    """Set up a panel with its members (the lead LA always, with full sharing), remits and the
    default referral criteria."""
    panel = Panel.objects.create(name=name, lead_la=lead_la, cadence_days=cadence_days)
    sharing: dict[int, tuple[Organisation, str]] = {lead_la.pk: (lead_la, Sharing.FULL)}
    for org, level in members:
        if org.pk != lead_la.pk:
            sharing[org.pk] = (org, level)
    PanelMembership.objects.bulk_create(
        PanelMembership(panel=panel, organisation=org, sharing=level)
        for org, level in sharing.values()
    )
    PanelRemit.objects.bulk_create(
        PanelRemit(panel=panel, remit=r) for r in dict.fromkeys(remits) if r in Remit.values
    )
    rules_load_defaults(panel=panel)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=panel,
        summary=f"Set up the panel {name}",
        detail={
            "members": {str(pk): level for pk, (_, level) in sharing.items()},
            "remits": panel.remit_values,
            "cadence_days": cadence_days,
        },
    )
    return panel


def rules_load_defaults(*, panel: Panel) -> int:
    """The issue's default criteria for a panel that has none; returns how many were created."""
    if panel.rules.exists():
        return 0
    for order, spec in enumerate(DEFAULT_RULES, start=1):
        fields = {k: v for k, v in spec.items() if k != "types"}
        rule = ReferralRule.objects.create(panel=panel, order=order * 10, **fields)
        ReferralRuleType.objects.bulk_create(
            ReferralRuleType(rule=rule, exploitation_type=t) for t in spec.get("types", ())
        )
    return len(DEFAULT_RULES)


@transaction.atomic
def rule_update(
    *,
    actor: Any,
    rule: ReferralRule,
    description: str,
    count: int | None,
    days: int | None,
    level: str,
    age_months: int | None,
    remit: str,
    active: bool,
    order: int,
    exploitation_types: Iterable[str],
) -> ReferralRule:
    """Change one referral criterion (chair); audited with what changed."""
    _require_chair(actor, rule.panel)
    errors: dict[str, str] = {}
    if rule.kind == RuleKind.EPISODES_IN_WINDOW:
        if not count:
            errors["count"] = RULE_COUNT_REQUIRED
        if not days:
            errors["days"] = RULE_DAYS_REQUIRED
    if rule.kind == RuleKind.SCREENING_AT_LEAST and level not in ("low", "medium", "high"):
        errors["level"] = RULE_LEVEL_REQUIRED
    if rule.kind == RuleKind.APPROACHING_ADULTHOOD and not age_months:
        errors["age_months"] = RULE_AGE_REQUIRED
    if errors:
        raise ValidationError(errors)
    before = snapshot(rule)
    types_before = rule.type_values
    rule.description = description.strip() or rule.description
    rule.count, rule.days, rule.level, rule.age_months = count, days, level, age_months
    rule.remit, rule.active, rule.order = remit, active, order
    rule.save()
    types = sorted(set(exploitation_types))
    if types != types_before:
        rule.types.all().delete()
        ReferralRuleType.objects.bulk_create(
            ReferralRuleType(rule=rule, exploitation_type=t) for t in types
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=rule,
        summary=f"Changed the referral criterion: {rule.description}",
        detail={
            "changes": changes(before, snapshot(rule)),
            "types": [types_before, types],
        },
    )
    return rule


# --- Meetings -------------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(*, actor: Any, panel: Panel, date: date | None) -> Meeting:
    _require_chair(actor, panel)
    if date is None:
        raise ValidationError({"date": MEETING_DATE_REQUIRED})
    if Meeting.objects.filter(panel=panel, date=date).exists():
        raise ValidationError({"date": MEETING_DATE_TAKEN})
    meeting = Meeting.objects.create(panel=panel, date=date, created_by=actor)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=meeting,
        summary=f"Scheduled a meeting of {panel} on {date:%d/%m/%Y}",
    )
    return meeting


@transaction.atomic
def meeting_set_status(*, actor: Any, meeting: Meeting, status: str) -> Meeting:
    """Start or close a meeting (chair). A closed meeting's agenda and decisions are fixed."""
    _require_chair(actor, meeting.panel)
    _require_open(meeting)
    if status not in (MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED):
        raise ValidationError("Choose in progress or closed")
    before = meeting.status
    meeting.status = status
    if status == MeetingStatus.CLOSED:
        meeting.closed_at = timezone.now()
    meeting.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=meeting,
        summary=f"Meeting {meeting.get_status_display().lower()}",
        detail={"status": [before, status]},
    )
    return meeting


@transaction.atomic
def attendance_add(
    *,
    actor: Any,
    meeting: Meeting,
    name: str,
    organisation: Organisation | None,
    apologies: bool,
    user: Any = None,
) -> Attendance:
    _require_chair(actor, meeting.panel)
    _require_open(meeting)
    errors = {}
    if not name.strip():
        errors["name"] = ATTENDEE_NAME_REQUIRED
    if organisation is None:
        errors["organisation"] = ATTENDEE_ORG_REQUIRED
    elif organisation.pk not in _member_ids(meeting.panel):
        errors["organisation"] = ATTENDEE_ORG_NOT_MEMBER
    if errors:
        raise ValidationError(errors)
    assert organisation is not None
    row = Attendance.objects.create(
        meeting=meeting,
        user=user,
        name=name.strip(),
        organisation=organisation,
        apologies=apologies,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=row,
        summary=f"{'Apologies from' if apologies else 'Attendance of'} {row.name}, {organisation}",
    )
    return row


# --- Referrals and the agenda ---------------------------------------------------------------


@transaction.atomic
def referral_make(
    *,
    actor: Any,
    panel: Panel,
    child: Child,
    reason: str,
    remit: str = "",
    restricted: bool = False,
) -> Referral:
    """A member refers a child they may see, with a reason; it goes to the next meeting's agenda
    when the chair next builds it."""
    if not access.can_refer(actor, panel):
        raise PermissionError("Only panel members can refer")
    policy.child_get_for(actor, child.pk)  # the referrer must be allowed to see the child
    errors = {}
    if not reason.strip():
        errors["reason"] = REFERRAL_REASON_REQUIRED
    if remit and remit not in panel.remit_values:
        errors["remit"] = REFERRAL_REMIT_INVALID
    if errors:
        raise ValidationError(errors)
    upcoming = queries.next_meeting(panel, timezone.localdate())
    membership = policy.acting_membership(actor)
    referral = Referral.objects.create(
        panel=panel,
        child=child,
        meeting=upcoming,
        source=ReferralSource.MANUAL,
        reason=reason.strip(),
        restricted=restricted,
        referred_by=actor,
        organisation=membership.organisation if membership else None,
        remit=remit,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=referral,
        child_id=child.pk,
        summary=f"Referred the child to {panel}",
        detail={
            "restricted": restricted,
            "meeting": upcoming.pk if upcoming else None,
            "remit": remit,
        },
    )
    return referral


def _share_expiry(review: date, now: datetime) -> datetime:
    expires = queries.end_of_day(review + timedelta(days=SHARE_GRACE_DAYS))
    longest = now + timedelta(days=settings.LANTERN["SHARE_MAX_DAYS"])
    return min(expires, longest)


def _shares_grant(
    *, actor: Any, panel: Panel, child_ids: Sequence[int], review: date, now: datetime
) -> int:
    """Explicit shares with every member organisation for the panel's purpose, so the access
    policy lets members see the children on the agenda (domain §5.2, §5.3). Golden rule 7: who
    decided, why, on what basis and until when, recorded and audited. Returns shares made."""
    membership = policy.acting_membership(actor)
    if membership is None or not child_ids:
        return 0
    from_org = membership.organisation
    return shares_grant(
        actor=actor,
        from_organisation=from_org,
        child_ids=child_ids,
        to_organisations=list(
            Organisation.objects.filter(panel_memberships__panel=panel).exclude(pk=from_org.pk)
        ),
        purpose=PANEL_PURPOSE,
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        reason=(
            f"On the agenda of {panel}; shared until the review date plus {SHARE_GRACE_DAYS} days"
        ),
        expires_at=_share_expiry(review, now),
        renew=True,
        now=now,
        summary=f"with the member organisations of {panel}",
        detail={"panel": panel.pk},
    )


def _items_update(items: Sequence[AgendaItem], *, since: datetime, now: datetime) -> None:
    """Save remit, order and risk level of many items in one statement.

    ``bulk_update`` builds its CASE expressions through the ORM, which costs a few milliseconds
    per row: most of a rebuild's time for a few hundred children. The SQL is the same CASE
    statement, written directly (portable to SQLite and PostgreSQL, all values as parameters).
    """
    if not items:
        return
    table = connection.ops.quote_name(AgendaItem._meta.db_table)
    columns = {"remit": "remit", "order": "order", "risk_level": "risk_level"}
    sets, params = [], []
    for attr, column in columns.items():
        whens = " ".join("WHEN %s THEN %s" for _ in items)
        sets.append(f"{connection.ops.quote_name(column)} = CASE id {whens} END")
        for item in items:
            params += [item.pk, getattr(item, attr)]
    sets.append("changes_since = %s")
    sets.append("updated_at = %s")
    params += [
        connection.ops.adapt_datetimefield_value(since),
        connection.ops.adapt_datetimefield_value(now),
    ]
    marks = ", ".join("%s" for _ in items)
    params += [item.pk for item in items]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {', '.join(sets)} WHERE id IN ({marks})",  # noqa: S608
            params,
        )


class _Reason(NamedTuple):
    """A reason the build writes as a Referral row (source, rule, rule kind, remit, text)."""

    source: str
    rule_id: int | None
    rule_kind: str
    remit: str
    reason: str


@dataclass(frozen=True)
class AgendaBuilt:
    meeting: Meeting
    children: int
    added: int
    removed: int
    shares: int


@transaction.atomic
def agenda_build(*, actor: Any, meeting: Meeting, now: datetime | None = None) -> AgendaBuilt:
    """Build (or rebuild) a meeting's agenda from the criteria, referrals by hand and children
    carried forward, grouped by remit and ordered by risk; snapshot what changed since the last
    meeting; share the children with the member organisations.

    Rebuilding keeps items with a decision or a referral by hand, refreshes everything else, and
    drops children who no longer meet any criterion.
    """
    panel = meeting.panel
    _require_chair(actor, panel)
    _require_open(meeting)
    now = now or timezone.now()
    since = queries.since_for(meeting)
    suggested = queries.suggestions_for(actor, panel, now=now, meeting=meeting)
    carried = queries.carried_forward(actor, panel, meeting)
    # Referrals by hand for this meeting, or not yet on any agenda.
    manual = list(
        Referral.objects.filter(
            panel=panel,
            source=ReferralSource.MANUAL,
            child__in=policy.children_visible_to(actor),
        ).filter(
            Q(meeting=meeting)
            | Q(agenda_item__isnull=True, meeting__isnull=True)
            | Q(agenda_item__isnull=True, meeting__date__lt=meeting.date)
        )
    )
    all_items = list(AgendaItem.objects.filter(meeting=meeting))
    removed = {i.child_id for i in all_items if i.removed_at is not None}
    manual = [r for r in manual if r.child_id not in removed]
    existing = {i.child_id: i for i in all_items if i.removed_at is None}
    decided = set(
        Decision.objects.filter(item__meeting=meeting).values_list("item__child_id", flat=True)
    )

    remits: dict[int, list[str]] = defaultdict(list)
    reasons: dict[int, list[_Reason]] = defaultdict(list)
    for row in suggested.rows:
        for hit in row.hits:
            remits[row.child.pk].append(hit.remit)
            reasons[row.child.pk].append(
                _Reason(
                    ReferralSource.AUTO,
                    int(hit.rule_code),
                    hit.kind,
                    hit.remit if hit.remit in Remit.values else "",
                    hit.reason,
                )
            )
    child_ids = (set(remits) | set(carried) | {r.child_id for r in manual} | decided) - removed
    previous = queries.previous_remits(panel, list(carried), meeting.date)
    for child_id, texts in carried.items():
        if child_id in previous:
            remits[child_id].append(previous[child_id])
        for text in texts:
            reasons[child_id].append(_Reason(ReferralSource.CARRIED, None, "", "", text))
    for r in manual:
        if r.remit:
            remits[r.child_id].append(r.remit)

    # Drop stale items (no decision, no referral by hand, no longer suggested or carried).
    stale = [i for cid, i in existing.items() if cid not in child_ids]
    AgendaItem.objects.filter(pk__in=[i.pk for i in stale]).delete()
    Referral.objects.filter(
        meeting=meeting, source__in=[ReferralSource.AUTO, ReferralSource.CARRIED]
    ).exclude(agenda_item__removed_at__isnull=False).delete()

    children = queries.child_rows(Child.objects.filter(pk__in=child_ids).order_by("pk"))
    levels = queries.risk_levels_for(children, now)
    available = panel.remit_values
    chosen: dict[int, str] = {}
    for child in children:
        wanted = remits.get(child.pk, [])
        if child.pk in existing and not wanted:
            chosen[child.pk] = existing[child.pk].remit
        else:
            chosen[child.pk] = criteria.choose_remit(wanted, available)
    group = {r: i for i, r in enumerate(criteria.REMIT_ORDER)}
    by_hand = Counter(r.child_id for r in manual)
    n_reasons = {c.pk: len(reasons.get(c.pk, [])) + by_hand[c.pk] for c in children}
    ordered = sorted(
        children,
        key=lambda c: (
            group.get(chosen[c.pk], 99),
            *criteria.agenda_sort_key(levels[c.pk], n_reasons[c.pk], c.pk),
        ),
    )
    items: dict[int, AgendaItem] = {}
    to_create, to_update = [], []
    for position, child in enumerate(ordered, start=1):
        item = existing.get(child.pk)
        if item is None:
            item = AgendaItem(meeting=meeting, child_id=child.pk)
            to_create.append(item)
        else:
            to_update.append(item)
        item.remit = chosen[child.pk]
        item.order = position
        item.risk_level = levels[child.pk]
        item.changes_since = since
        item.updated_at = now
        items[child.pk] = item
    AgendaItem.objects.bulk_create(to_create)
    if to_create and to_create[0].pk is None:  # backends that do not return ids
        for item in AgendaItem.objects.filter(
            meeting=meeting, child_id__in=[i.child_id for i in to_create]
        ):
            items[item.child_id] = item
    _items_update(to_update, since=since, now=now)

    rows_insert(
        Referral._meta.db_table,
        (
            "created_at",
            "updated_at",
            "panel_id",
            "child_id",
            "meeting_id",
            "agenda_item_id",
            "source",
            "rule_id",
            "rule_kind",
            "remit",
            "reason",
            "restricted",
        ),
        [
            (now, now, panel.pk, child_id, meeting.pk, items[child_id].pk, *r, False)
            for child_id, rows in reasons.items()
            if child_id in items  # not if the chair took the child off this agenda
            for r in rows
        ],
    )
    by_item: dict[int, list[int]] = defaultdict(list)
    for r in manual:
        by_item[items[r.child_id].pk].append(r.pk)
    for item_pk, referral_ids in by_item.items():
        Referral.objects.filter(pk__in=referral_ids).update(meeting=meeting, agenda_item_id=item_pk)

    AgendaChange.objects.filter(item__meeting=meeting, item__removed_at__isnull=True).delete()
    found = queries.changes_for(panel, list(items), since=since, now=now, meeting_date=meeting.date)
    rows_insert(
        AgendaChange._meta.db_table,
        ("item_id", "kind", "occurred_at", "text"),
        [
            (items[child_id].pk, c.kind, c.occurred_at, c.text[:500])
            for child_id, rows in found.items()
            for c in rows
        ],
    )
    shares = _shares_grant(
        actor=actor,
        panel=panel,
        child_ids=sorted(items),
        review=meeting.date + timedelta(days=panel.cadence_days),
        now=now,
    )
    meeting.agenda_built_at = now
    meeting.save(update_fields=["agenda_built_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if existing else AuditAction.CREATE,
        obj=meeting,
        summary=f"Built the agenda: {len(items)} children",
        detail={
            "children": sorted(items),
            "added": [i.child_id for i in to_create],
            "removed": [i.child_id for i in stale],
            "shares": shares,
        },
    )
    return AgendaBuilt(meeting, len(items), len(to_create), len(stale), shares)


DECIDED_STAYS = "A decision has been recorded for this child: they stay on the agenda"


@transaction.atomic
def agenda_item_remove(*, actor: Any, item: AgendaItem) -> AgendaItem:
    """Take a child off an agenda before a decision is recorded (chair). The item is kept,
    marked removed, so rebuilding the agenda does not bring the child back to this meeting."""
    _require_chair(actor, item.meeting.panel)
    _require_open(item.meeting)
    if Decision.objects.filter(item=item).exists():
        raise ValidationError(DECIDED_STAYS)
    item.removed_at = timezone.now()
    item.save(update_fields=["removed_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=item,
        child_id=item.child_id,
        summary=f"Took the child off the agenda of {item.meeting}",
    )
    return item


# --- Decisions and actions ------------------------------------------------------------------


@dataclass(frozen=True)
class MinuteInput:
    text: str
    restricted: bool = False


@dataclass(frozen=True)
class SafetyPlanInput:
    description: str
    owner_name: str
    owner_organisation: Organisation | None
    due_date: date | None = None


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner_name: str
    owner_organisation: Organisation | None
    due_date: date | None
    owner_user: Any = None


def _check_action(
    prefix: str, a: ActionInput, members: set[int], today: date, errors: dict[str, str]
) -> None:
    if not a.description.strip():
        errors[f"{prefix}description"] = DESCRIPTION_REQUIRED
    if not a.owner_name.strip():
        errors[f"{prefix}owner_name"] = OWNER_NAME_REQUIRED
    if a.owner_organisation is None:
        errors[f"{prefix}owner_organisation"] = OWNER_ORG_REQUIRED
    elif a.owner_organisation.pk not in members:
        errors[f"{prefix}owner_organisation"] = OWNER_ORG_NOT_MEMBER
    if a.due_date is None:
        errors[f"{prefix}due_date"] = DUE_DATE_REQUIRED
    elif a.due_date < today:
        errors[f"{prefix}due_date"] = DUE_DATE_PAST


@transaction.atomic
def decision_record(
    *,
    actor: Any,
    item: AgendaItem,
    version: int | None = None,
    agreed_risk_level: str,
    lead_agency: Organisation | None,
    lead_professional_name: str,
    nrm_referral: bool,
    strategy_discussion: bool,
    review_date: date | None,
    outcome: str,
    minutes: Sequence[MinuteInput] = (),
    safety_plan: Sequence[SafetyPlanInput] = (),
    actions: Sequence[ActionInput] = (),
    lead_professional_user: Any = None,
) -> Decision:
    """Record (or correct, naming the version read) the panel's decision about one child.

    Minutes are stored as sections, each open or restricted; safety-plan items and new actions
    have owners (person and organisation). Errors for rows are keyed ``safety-N-field`` and
    ``action-N-field`` (N from 0). Saying yes to an NRM referral records the referral step;
    the shares with member organisations are extended to the review date plus 30 days.
    """
    meeting = item.meeting
    panel = meeting.panel
    _require_chair(actor, panel)
    _require_open(meeting)
    now = timezone.now()
    today = timezone.localdate(now)
    members = _member_ids(panel)
    errors: dict[str, str] = {}
    if agreed_risk_level not in Level.values:
        errors["agreed_risk_level"] = RISK_LEVEL_REQUIRED
    if lead_agency is None:
        errors["lead_agency"] = LEAD_AGENCY_REQUIRED
    elif lead_agency.pk not in members:
        errors["lead_agency"] = LEAD_AGENCY_NOT_MEMBER
    if not lead_professional_name.strip():
        errors["lead_professional_name"] = LEAD_PROFESSIONAL_REQUIRED
    if outcome not in Outcome.values:
        errors["outcome"] = OUTCOME_REQUIRED
    if review_date is None and outcome != Outcome.CLOSE:
        errors["review_date"] = REVIEW_DATE_REQUIRED
    elif review_date is not None and review_date <= meeting.date:
        errors["review_date"] = REVIEW_DATE_BEFORE_MEETING
    plan = [s for s in safety_plan if s.description.strip() or s.owner_name.strip()]
    for n, s in enumerate(safety_plan):
        if s not in plan:
            continue
        if not s.description.strip():
            errors[f"safety-{n}-description"] = DESCRIPTION_REQUIRED
        if not s.owner_name.strip():
            errors[f"safety-{n}-owner_name"] = OWNER_NAME_REQUIRED
        if s.owner_organisation is None:
            errors[f"safety-{n}-owner_organisation"] = OWNER_ORG_REQUIRED
        elif s.owner_organisation.pk not in members:
            errors[f"safety-{n}-owner_organisation"] = OWNER_ORG_NOT_MEMBER
    wanted_actions = []
    for n, a in enumerate(actions):
        if not (a.description.strip() or a.owner_name.strip() or a.due_date):
            continue
        wanted_actions.append(a)
        _check_action(f"action-{n}-", a, members, today, errors)
    if errors:
        raise ValidationError(errors)
    assert lead_agency is not None

    decision = Decision.objects.filter(item=item).first()
    fields = {
        "agreed_risk_level": agreed_risk_level,
        "lead_agency": lead_agency,
        "lead_professional_name": lead_professional_name.strip(),
        "lead_professional_user": lead_professional_user,
        "nrm_referral": nrm_referral,
        "strategy_discussion": strategy_discussion,
        "review_date": review_date if outcome != Outcome.CLOSE or review_date else None,
        "outcome": outcome,
        "decided_by": actor,
        "decided_at": now,
    }
    if decision is None:
        decision = Decision.objects.create(item=item, **fields)
        before: dict[str, Any] = {}
        audit_kind = AuditAction.CREATE
    else:
        before = snapshot(decision)
        updated = Decision.objects.filter(pk=decision.pk, version=version or 0).update(
            version=F("version") + 1, updated_at=now, **fields
        )
        if not updated:
            raise ValidationError(STALE_VERSION)
        decision.refresh_from_db()
        decision.minutes.all().delete()
        decision.safety_plan.all().delete()
        audit_kind = AuditAction.UPDATE
    MinuteSection.objects.bulk_create(
        MinuteSection(decision=decision, order=n, text=m.text.strip(), restricted=m.restricted)
        for n, m in enumerate(x for x in minutes if x.text.strip())
    )
    SafetyPlanItem.objects.bulk_create(
        SafetyPlanItem(
            decision=decision,
            order=n,
            description=s.description.strip(),
            owner_name=s.owner_name.strip(),
            owner_organisation=s.owner_organisation,
            due_date=s.due_date,
        )
        for n, s in enumerate(plan)
    )
    created = []
    for a in wanted_actions:
        assert a.owner_organisation is not None and a.due_date is not None  # checked above
        created.append(
            Action.objects.create(
                panel=panel,
                child_id=item.child_id,
                agenda_item=item,
                decision=decision,
                description=a.description.strip(),
                owner_name=a.owner_name.strip(),
                owner_user=a.owner_user,
                owner_organisation=a.owner_organisation,
                due_date=a.due_date,
                created_by=actor,
            )
        )
    if nrm_referral and not NrmRecord.objects.filter(decision=decision).exists():
        NrmRecord.objects.create(
            child_id=item.child_id,
            status=NrmStatus.REFERRED,
            status_on=meeting.date,
            # Local authorities and police are first responders (domain §5.1).
            first_responder=lead_agency
            if lead_agency.type in (OrgType.LOCAL_AUTHORITY, OrgType.POLICE)
            else None,
            decision=decision,
            recorded_by=actor,
            notes=f"Agreed at {panel} on {meeting.date:%d/%m/%Y}",
        )
    if review_date is not None:
        _shares_grant(
            actor=actor, panel=panel, child_ids=[item.child_id], review=review_date, now=now
        )
    sections = list(decision.minutes.all())
    audit_record(
        actor=actor,
        action=audit_kind,
        obj=decision,
        child_id=item.child_id,
        summary=f"Recorded the panel's decision: {decision.get_outcome_display()}",
        detail={
            "changes": changes(before, snapshot(decision)) if before else {},
            "after": snapshot(decision),
            "minute_sections": len(sections),
            "restricted_sections": sum(1 for s in sections if s.restricted),
            "safety_plan_items": len(plan),
            "actions": [a.pk for a in created],
        },
    )
    return decision


@transaction.atomic
def action_create(
    *,
    actor: Any,
    item: AgendaItem,
    description: str,
    owner_name: str,
    owner_organisation: Organisation | None,
    due_date: date | None,
    owner_user: Any = None,
    template: str = ActionTemplate.NONE,
) -> Action:
    panel = item.meeting.panel
    _require_chair(actor, panel)
    errors: dict[str, str] = {}
    spec = ActionInput(description, owner_name, owner_organisation, due_date, owner_user)
    _check_action("", spec, _member_ids(panel), timezone.localdate(), errors)
    if errors:
        raise ValidationError(errors)
    assert owner_organisation is not None and due_date is not None
    action = Action.objects.create(
        panel=panel,
        child_id=item.child_id,
        agenda_item=item,
        decision=Decision.objects.filter(item=item).first(),
        description=description.strip(),
        owner_name=owner_name.strip(),
        owner_user=owner_user,
        owner_organisation=owner_organisation,
        due_date=due_date,
        template=template,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=action,
        child_id=item.child_id,
        summary=f"Added a panel action for {owner_organisation}",
        detail={"after": snapshot(action)},
    )
    return action


def handover_defaults(item: AgendaItem, today: date) -> dict[str, Any]:
    """The prefilled "handover to adult safeguarding" action for a child approaching 18
    (domain §4.5 [R]: at 18 the Care Act 2014 s.42 takes over for adults with care and support
    needs; leaving-care duties continue). Due a month before the 18th birthday, or in two weeks
    if that is sooner than today allows."""
    eighteen = criteria.birthday(item.child.date_of_birth, criteria.ADULT_AGE_YEARS)
    due = max(eighteen - timedelta(days=30), today + timedelta(days=14))
    return {
        "description": (
            f"Plan the handover to adult safeguarding before {item.child.reference} turns 18 on "
            f"{eighteen:%d/%m/%Y}: check for care and support needs (Care Act 2014 s.42), "
            "agree who leads after 18 with adult services and the leaving care team, and tell "
            "the young person who their worker will be"
        ),
        "due_date": due,
    }


@transaction.atomic
def action_handover_create(*, actor: Any, item: AgendaItem) -> Action:
    """The approaching-adulthood button: a prefilled handover action owned by the lead agency
    (the decision's, else the panel's lead LA) and the lead professional (else the chair)."""
    today = timezone.localdate()
    if not criteria.is_approaching_adulthood(item.child.date_of_birth, item.meeting.date):
        raise ValidationError(NOT_APPROACHING_ADULTHOOD)
    decision = Decision.objects.filter(item=item).select_related("lead_agency").first()
    if decision is not None:
        owner_org, owner_name = decision.lead_agency, decision.lead_professional_name
        owner_user = decision.lead_professional_user
    else:
        membership = policy.acting_membership(actor)
        owner_org = item.meeting.panel.lead_la
        owner_name = str(actor)
        owner_user = actor if membership and membership.organisation_id == owner_org.pk else None
    spec = handover_defaults(item, today)
    return action_create(
        actor=actor,
        item=item,
        description=spec["description"],
        owner_name=owner_name,
        owner_organisation=owner_org,
        due_date=spec["due_date"],
        owner_user=owner_user,
        template=ActionTemplate.HANDOVER,
    )


@transaction.atomic
def action_set_status(*, actor: Any, action: Action, version: int, status: str) -> Action:
    """Mark an action done or cancelled: its owner organisation or the chair."""
    panel = action.panel
    membership = policy.acting_membership(actor)
    owner = membership is not None and membership.organisation_id == action.owner_organisation_id
    if not (owner and policy.can_open_records(actor)) and not access.can_chair(actor, panel):
        raise PermissionError("Only the owner organisation or the chair can change this action")
    if status not in (ActionStatus.DONE, ActionStatus.CANCELLED):
        raise ValidationError({"status": STATUS_INVALID})
    if action.status != ActionStatus.OPEN:
        raise ValidationError(ALREADY_FINISHED)
    now = timezone.now()
    updated = Action.objects.filter(pk=action.pk, version=version).update(
        status=status, completed_at=now, version=F("version") + 1, updated_at=now
    )
    if not updated:
        raise ValidationError(STALE_VERSION)
    action.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=action,
        child_id=action.child_id,
        summary=f"Panel action {action.get_status_display().lower()}",
        detail={"status": [ActionStatus.OPEN, status]},
    )
    return action


@transaction.atomic
def nrm_record(
    *,
    actor: Any,
    item: AgendaItem,
    status: str,
    status_on: date | None,
    first_responder: Organisation | None = None,
    county_lines: bool = False,
    notes: str = "",
) -> NrmRecord:
    """The next step in a child's NRM history (domain §5.1): referred, RG and CG decisions."""
    _require_chair(actor, item.meeting.panel)
    errors = {}
    if status not in NrmStatus.values:
        errors["status"] = NRM_STATUS_INVALID
    if status_on is None:
        errors["status_on"] = NRM_DATE_REQUIRED
    if errors:
        raise ValidationError(errors)
    assert status_on is not None
    record = NrmRecord.objects.create(
        child_id=item.child_id,
        status=status,
        status_on=status_on,
        first_responder=first_responder,
        county_lines=county_lines,
        notes=notes.strip(),
        recorded_by=actor,
        decision=Decision.objects.filter(item=item).first(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=record,
        child_id=item.child_id,
        summary=f"NRM: {record.get_status_display()}",
        detail={"after": snapshot(record)},
    )
    return record
