"""Reads for panels: referral facts and suggestions, agendas, minutes, packs and worklists.

Every list of children starts from the access policy (``policy.children_visible_to``), and every
function reads a fixed number of queries however many children a panel covers: the facts for a
5,000-child panel come from about ten queries (benchmarks/panels.py). Nothing here writes, not
even audit events: views record those in the request's transaction.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from lantern.accounts import policy
from lantern.accounts.models import Organisation
from lantern.episodes import rules as episode_rules
from lantern.episodes.models import Category, Grade, MissingEpisode, PoliceGrading
from lantern.intelligence import access as intelligence_access
from lantern.intelligence.models import AccessLevel
from lantern.interviews.models import Disclosure, ReturnInterview
from lantern.interviews.models import Status as InterviewStatus
from lantern.panels import access, criteria
from lantern.panels.models import (
    Action,
    ActionStatus,
    AgendaChange,
    AgendaItem,
    ChangeKind,
    Decision,
    Meeting,
    MeetingStatus,
    NrmRecord,
    NrmStatus,
    Outcome,
    Panel,
    Referral,
    ReferralRule,
    ReferralSource,
    Remit,
    RuleKind,
)
from lantern.people.models import Child, LeadProfessional, Placement, PlacementLocation
from lantern.risk import facts as risk_facts
from lantern.risk import scoring
from lantern.risk.models import (
    Assessment,
    AssessmentExploitationType,
    AssessmentStatus,
    Flag,
    SourceType,
)
from lantern.risk.queries import level_label, level_tag

EPISODE_KINDS = frozenset(
    {RuleKind.EPISODES_IN_WINDOW, RuleKind.POLICE_HIGH, RuleKind.FOUND_OUT_OF_AREA}
)
CLOSED_INTERVIEW_STATUSES = (
    InterviewStatus.COMPLETED,
    InterviewStatus.DECLINED,
    InterviewStatus.NOT_COMPLETED,
)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=timezone.get_current_timezone())


def _ids_q(field_name: str, ids: Sequence[int]) -> Q:
    return risk_facts.child_filter(field_name, list(ids))


# --- Meetings -------------------------------------------------------------------------------


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(panel_id=meeting.panel_id, date__lt=meeting.date)
        .order_by("-date", "-id")
        .first()
    )


def since_for(meeting: Meeting) -> datetime:
    """Where "since the last meeting" starts: when the last meeting closed, else its day, else
    one cadence before this meeting."""
    last = previous_meeting(meeting)
    if last is not None:
        return last.closed_at or start_of_day(last.date)
    return start_of_day(meeting.date - timedelta(days=meeting.panel.cadence_days))


def next_meeting(panel: Panel, today: date) -> Meeting | None:
    """The next meeting not yet closed: today's or the soonest after."""
    return (
        Meeting.objects.filter(panel=panel, date__gte=today)
        .exclude(status=MeetingStatus.CLOSED)
        .order_by("date", "id")
        .first()
    )


def since_for_panel(panel: Panel, today: date) -> datetime:
    upcoming = next_meeting(panel, today)
    if upcoming is not None:
        return since_for(upcoming)
    last = Meeting.objects.filter(panel=panel, date__lte=today).order_by("-date", "-id").first()
    if last is not None:
        return last.closed_at or start_of_day(last.date)
    return start_of_day(today - timedelta(days=panel.cadence_days))


# --- Referral facts and suggestions ---------------------------------------------------------


def rules_for(panel: Panel) -> list[criteria.Rule]:
    return [
        criteria.Rule(
            code=str(r.pk),
            kind=r.kind,
            description=r.description,
            remit=r.remit,
            count=r.count,
            days=r.days,
            level=r.level,
            age_months=r.age_months,
            exploitation_types=frozenset(t.exploitation_type for t in r.types.all()),
        )
        for r in ReferralRule.objects.filter(panel=panel, active=True).prefetch_related("types")
    ]


def cohort(user: Any, panel: Panel, today: date | None = None) -> QuerySet[Child]:
    """The children a panel covers, as this user may see them: the lead LA's own children and
    children placed in its area now."""
    today = today or timezone.localdate()
    placed_here = Placement.objects.filter(
        host_la_id=panel.lead_la_id, started_on__lte=today
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
    return policy.children_visible_to(user).filter(
        Q(home_la_id=panel.lead_la_id) | Q(pk__in=placed_here.values("child_id"))
    )


class ChildRow(NamedTuple):
    """The few columns the criteria and the risk scoring read, without building model
    instances: a 5,000-child panel would spend most of its time in ``Model.from_db``."""

    pk: int
    date_of_birth: date
    home_la_id: int
    learning_disability: bool = False


def child_rows(children: QuerySet[Child]) -> list[ChildRow]:
    return [
        ChildRow(*row)
        for row in children.values_list("pk", "date_of_birth", "home_la_id", "learning_disability")
    ]


def _latest_screenings(ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    latest: dict[int, tuple[int, str]] = {}
    rows = (
        Assessment.objects.filter(_ids_q("child_id", ids), status=AssessmentStatus.COMPLETED)
        .order_by("child_id", "-completed_at", "-id")
        .values_list("child_id", "id", "confirmed_level")
    )
    for child_id, pk, level in rows:
        latest.setdefault(child_id, (pk, level))
    return latest


def _flag_types(ids: Sequence[int]) -> tuple[dict[int, set[str]], set[int]]:
    """Types of exploitation behind each child's active flags, and the children with any."""
    flags = list(
        Flag.objects.filter(_ids_q("child_id", ids), active=True).values_list(
            "child_id", "source_type", "source_id"
        )
    )
    with_flags = {child_id for child_id, _, _ in flags}
    # By the children's ids, not by a list of thousands of source ids: one cheap range scan.
    disclosure_type = dict(
        Disclosure.objects.filter(
            _ids_q("interview__child_id", ids), is_exploitation_indicator=True
        ).values_list("pk", "exploitation_type")
    )
    assessment_types: dict[int, set[str]] = defaultdict(set)
    for assessment_id, kind in AssessmentExploitationType.objects.filter(
        _ids_q("assessment__child_id", ids)
    ).values_list("assessment_id", "exploitation_type"):
        assessment_types[assessment_id].add(kind)
    types: dict[int, set[str]] = defaultdict(set)
    for child_id, source_type, source_id in flags:
        if source_type == SourceType.DISCLOSURE and disclosure_type.get(source_id):
            types[child_id].add(disclosure_type[source_id])
        elif source_type == SourceType.ASSESSMENT:
            types[child_id] |= assessment_types.get(source_id, set())
    return types, with_flags


def latest_nrm(ids: Sequence[int]) -> dict[int, NrmRecord]:
    latest: dict[int, NrmRecord] = {}
    for record in NrmRecord.objects.filter(_ids_q("child_id", ids)).order_by(
        "child_id", "-status_on", "-id"
    ):
        latest.setdefault(record.child_id, record)
    return latest


def latest_decisions(
    panel: Panel, ids: Sequence[int], before: date | None = None
) -> dict[int, Decision]:
    """Each child's most recent decision at this panel (before a meeting date, if given)."""
    rows = Decision.objects.filter(item__meeting__panel=panel).filter(_ids_q("item__child_id", ids))
    if before is not None:
        rows = rows.filter(item__meeting__date__lt=before)
    latest: dict[int, Decision] = {}
    for decision in rows.select_related("item", "item__meeting", "lead_agency").order_by(
        "item__child_id", "-item__meeting__date", "-id"
    ):
        latest.setdefault(decision.item.child_id, decision)
    return latest


def child_facts_for(
    panel: Panel,
    children: Sequence[ChildRow],
    *,
    now: datetime,
    since: datetime,
    rules: Sequence[criteria.Rule],
) -> list[criteria.ChildFacts]:
    """The plain facts the referral criteria need, for many children in a fixed number of queries.

    Only children with something a rule could read; the rest cannot meet any criterion.

    ``children`` are ``ChildRow``s (or children). Episodes come from the
    risk app's loader, so "found out of area" means the same on the agenda as on a risk flag.
    """
    ids = [c.pk for c in children]
    if not ids:
        return []
    days = [r.days for r in rules if r.kind in EPISODE_KINDS]
    horizon = None if None in days else max([d or 0 for d in days] + [0])
    start = now - timedelta(days=horizon + 1) if horizon is not None else None
    episodes = risk_facts.episode_facts_for(children, start)  # type: ignore[arg-type]
    screenings = _latest_screenings(ids)
    screening_types: dict[int, set[str]] = defaultdict(set)
    by_assessment = {pk: child_id for child_id, (pk, _) in screenings.items()}
    for assessment_id, kind in AssessmentExploitationType.objects.filter(
        assessment_id__in=list(by_assessment)
    ).values_list("assessment_id", "exploitation_type"):
        screening_types[by_assessment[assessment_id]].add(kind)
    disclosures: dict[int, list[criteria.DisclosureFact]] = defaultdict(list)
    for child_id, at, kind in Disclosure.objects.filter(
        _ids_q("interview__child_id", ids), created_at__gt=since
    ).values_list("interview__child_id", "created_at", "exploitation_type"):
        disclosures[child_id].append(criteria.DisclosureFact(at, kind))
    flag_types, with_flags = _flag_types(ids)
    nrm = latest_nrm(ids)
    open_actions = set(
        Action.objects.filter(_ids_q("child_id", ids), panel=panel, status=ActionStatus.OPEN)
        .order_by()
        .values_list("child_id", flat=True)
        .distinct()
    )
    not_closed = {
        child_id
        for child_id, decision in latest_decisions(panel, ids).items()
        if decision.outcome != Outcome.CLOSE
    }
    # Children with nothing recorded that any rule reads are left out: no rule can fire for them
    # (criteria.could_match), and building their facts was most of a large panel's time.
    candidates = (
        {pk for pk, rows in episodes.items() if rows}
        | set(disclosures)
        | with_flags
        | open_actions
        | not_closed
        | {pk for pk, (_, level) in screenings.items() if level != scoring.NONE}
        | {pk for pk, record in nrm.items() if record.status in criteria.NRM_ACTIVE}
    )
    out = []
    for child in children:
        if child.pk not in candidates:
            continue
        own_disclosures = tuple(disclosures.get(child.pk, ()))
        flags = frozenset(flag_types.get(child.pk, set()))
        out.append(
            criteria.ChildFacts(
                child_id=child.pk,
                date_of_birth=child.date_of_birth,
                episodes=tuple(
                    criteria.EpisodeFact(e.started_at, e.found_out_of_area, e.police_high)
                    for e in episodes.get(child.pk, ())
                ),
                screening_level=screenings[child.pk][1] if child.pk in screenings else scoring.NONE,
                disclosures=own_disclosures,
                nrm_status=nrm[child.pk].status if child.pk in nrm else NrmStatus.NOT_REFERRED,
                flag_types=flags,
                exploitation_types=frozenset(
                    flags
                    | screening_types.get(child.pk, set())
                    | {d.exploitation_type for d in own_disclosures if d.exploitation_type}
                ),
                open_concerns=child.pk in with_flags
                or child.pk in open_actions
                or child.pk in not_closed,
            )
        )
    return out


@dataclass
class SuggestionRow:
    child: Child
    hits: list[criteria.Hit]
    remit: str
    on_agenda: bool = False
    approaching_adulthood: bool = False

    @property
    def remit_label(self) -> str:
        return Remit(self.remit).label


@dataclass
class Suggestions:
    panel: Panel
    meeting: Meeting | None
    since: datetime
    covered: int
    rows: list[SuggestionRow]

    @property
    def child_ids(self) -> list[int]:
        return [r.child.pk for r in self.rows]


def suggestions_for(
    user: Any, panel: Panel, *, now: datetime, meeting: Meeting | None = None
) -> Suggestions:
    """Children the panel's criteria suggest for a meeting (the next one by default), with the
    reasons, among the children this user may see."""
    today = timezone.localdate(now)
    meeting = meeting or next_meeting(panel, today)
    since = since_for(meeting) if meeting else since_for_panel(panel, today)
    rules = rules_for(panel)
    children = child_rows(cohort(user, panel, today))
    facts = child_facts_for(panel, children, now=now, since=since, rules=rules)
    found = criteria.suggest(facts, rules, now=now, today=today, since=since)
    by_id = Child.objects.in_bulk([s.child_id for s in found])
    on_agenda = (
        set(
            AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True).values_list(
                "child_id", flat=True
            )
        )
        if meeting
        else set()
    )
    available = panel.remit_values
    rows = []
    for s in found:
        child = by_id[s.child_id]
        rows.append(
            SuggestionRow(
                child=child,
                hits=list(s.hits),
                remit=criteria.choose_remit([h.remit for h in s.hits], available),
                on_agenda=s.child_id in on_agenda,
                approaching_adulthood=criteria.is_approaching_adulthood(
                    child.date_of_birth, meeting.date if meeting else today
                ),
            )
        )
    order = {r: i for i, r in enumerate(criteria.REMIT_ORDER)}
    rows.sort(key=lambda r: (order.get(r.remit, 99), -len(r.hits), r.child.reference))
    return Suggestions(panel, meeting, since, len(children), rows)


def carried_forward(user: Any, panel: Panel, meeting: Meeting) -> dict[int, list[str]]:
    """Children who come back to this meeting whatever the criteria say: open actions, and
    decisions that asked for a review by this meeting and did not close the case."""
    visible = policy.children_visible_to(user)
    reasons: dict[int, list[str]] = defaultdict(list)
    open_counts = (
        Action.objects.filter(panel=panel, status=ActionStatus.OPEN, child__in=visible)
        .exclude(agenda_item__meeting=meeting)
        .values("child_id")
        .annotate(n=Count("id"))
    )
    for row in open_counts:
        n = row["n"]
        reasons[row["child_id"]].append(
            f"{n} open action{'s' if n != 1 else ''} carried forward from earlier meetings"
        )
    decisions = (
        Decision.objects.filter(
            item__meeting__panel=panel,
            item__meeting__date__lt=meeting.date,
            item__child__in=visible,
        )
        .select_related("item", "item__meeting")
        .order_by("item__child_id", "-item__meeting__date", "-id")
    )
    seen: set[int] = set()
    for d in decisions:
        child_id = d.item.child_id
        if child_id in seen:
            continue
        seen.add(child_id)
        if d.outcome != Outcome.CLOSE and d.review_date and d.review_date <= meeting.date:
            reasons[child_id].append(
                f"Review agreed at the meeting on {d.item.meeting.date:%d/%m/%Y} "
                f"({d.get_outcome_display().split(':')[0].lower()}, review by "
                f"{d.review_date:%d/%m/%Y})"
            )
    return dict(reasons)


def previous_remits(panel: Panel, ids: Sequence[int], before: date) -> dict[int, str]:
    remits: dict[int, str] = {}
    for child_id, remit in (
        AgendaItem.objects.filter(
            meeting__panel=panel, meeting__date__lt=before, removed_at__isnull=True
        )
        .filter(_ids_q("child_id", ids))
        .order_by("child_id", "-meeting__date")
        .values_list("child_id", "remit")
    ):
        remits.setdefault(child_id, remit)
    return remits


# --- Risk levels and changes since the last meeting -----------------------------------------


def risk_levels_for(children: Sequence[ChildRow], now: datetime) -> dict[int, str]:
    """Each child's exploitation risk level as the risk app works it out: the higher of the latest
    screening's confirmed level and what the rules give now (standing flags included)."""
    if not children:
        return {}
    rules, repeats = risk_facts.active_rules()
    horizon = scoring.episode_horizon_days(rules, repeats)
    start = now - timedelta(days=horizon + 1) if horizon is not None else None
    # The risk app's loaders read only pk, home_la_id, date_of_birth and learning_disability.
    episodes = risk_facts.episode_facts_for(children, start)  # type: ignore[arg-type]
    disclosures = risk_facts.disclosure_facts_for(children)  # type: ignore[arg-type]
    standing = risk_facts.standing_levels_for(children)  # type: ignore[arg-type]
    screenings = _latest_screenings([c.pk for c in children])
    today = timezone.localdate(now)
    levels = {}
    for child in children:
        result = scoring.score(
            child=risk_facts.child_facts(child, now, today),  # type: ignore[arg-type]
            episodes=episodes[child.pk],
            disclosures=disclosures[child.pk],
            rules=rules,
            repeat_rules=repeats,
            standing_level=standing[child.pk],
            now=now,
        )
        confirmed = screenings[child.pk][1] if child.pk in screenings else scoring.NONE
        levels[child.pk] = scoring.max_level(confirmed, result.level)
    return levels


@dataclass(frozen=True)
class Change:
    kind: str
    occurred_at: datetime
    text: str


def _local(dt: datetime) -> str:
    return timezone.localtime(dt).strftime("%d/%m/%Y")


def changes_for(
    panel: Panel, ids: Sequence[int], *, since: datetime, now: datetime, meeting_date: date
) -> dict[int, list[Change]]:
    """What changed for each child since ``since``: episodes, interviews, gradings, screenings,
    and the panel's actions due before the next meeting or overdue. Five queries, read as plain
    values (no model instances)."""
    out: dict[int, list[Change]] = defaultdict(list)
    if not ids:
        return out
    categories = dict(Category.choices)
    for pk, child_id, category, seen, returned, found_la in (
        MissingEpisode.objects.filter(_ids_q("child_id", ids))
        .filter(Q(last_seen_at__gt=since) | Q(returned_at__gt=since) | Q(returned_at__isnull=True))
        .order_by("last_seen_at")
        .values_list("pk", "child_id", "category", "last_seen_at", "returned_at", "found_la_id")
    ):
        label = categories.get(category, "Missing episode")
        length = episode_rules.format_duration(episode_rules.duration(seen, returned, now))
        reference = f"ME{pk:08d}"
        if returned is None:
            text = f"{reference}: {label}, last seen {_local(seen)}, still missing after {length}"
        else:
            away = " (found out of area)" if found_la and found_la != panel.lead_la_id else ""
            text = f"{reference}: {label}, last seen {_local(seen)}, missing {length}{away}"
        out[child_id].append(Change(ChangeKind.EPISODE, seen, text))
    grades = dict(Grade.choices)
    for child_id, episode_id, grade, graded_at in PoliceGrading.objects.filter(
        _ids_q("episode__child_id", ids), graded_at__gt=since
    ).values_list("episode__child_id", "episode_id", "grade", "graded_at"):
        out[child_id].append(
            Change(
                ChangeKind.GRADING,
                graded_at,
                f"Police graded the risk {grades.get(grade, grade).lower()} (ME{episode_id:08d})",
            )
        )
    statuses = dict(InterviewStatus.choices)
    for child_id, status, offered, completed, disclosures in (
        ReturnInterview.objects.filter(_ids_q("child_id", ids))
        .filter(Q(offered_at__gt=since) | Q(completed_at__gt=since))
        .annotate(disclosure_count=Count("disclosures"))
        .values_list("child_id", "status", "offered_at", "completed_at", "disclosure_count")
    ):
        at = completed or offered
        said = f", {disclosures} disclosure{'s' if disclosures != 1 else ''}" if disclosures else ""
        out[child_id].append(
            Change(
                ChangeKind.INTERVIEW,
                at,
                f"Return interview {statuses.get(status, status).lower()} on {_local(at)}{said}",
            )
        )
    for pk, child_id, confirmed, completed, assessed in Assessment.objects.filter(
        _ids_q("child_id", ids), status=AssessmentStatus.COMPLETED, completed_at__gt=since
    ).values_list("pk", "child_id", "confirmed_level", "completed_at", "assessed_at"):
        out[child_id].append(
            Change(
                ChangeKind.SCREENING,
                completed or assessed,
                f"Screening SC{pk:07d}: confirmed {level_label(confirmed).lower()}",
            )
        )
    due_by = meeting_date + timedelta(days=panel.cadence_days)
    for child_id, due, description, owner, organisation in Action.objects.filter(
        _ids_q("child_id", ids), panel=panel, status=ActionStatus.OPEN, due_date__lte=due_by
    ).values_list("child_id", "due_date", "description", "owner_name", "owner_organisation__name"):
        overdue = due < meeting_date
        out[child_id].append(
            Change(
                ChangeKind.ACTION_OVERDUE if overdue else ChangeKind.ACTION_DUE,
                start_of_day(due),
                f"{'Overdue since' if overdue else 'Due by'} {due:%d/%m/%Y}: "
                f"{description} ({owner}, {organisation})",
            )
        )
    wanted = set(ids)
    for child_id in list(out):
        if child_id not in wanted:  # a contiguous batch is read as a range
            del out[child_id]
            continue
        out[child_id].sort(key=lambda c: c.occurred_at)
    return out


# --- Agenda, minutes and the pack -----------------------------------------------------------


@dataclass
class ItemView:
    item: AgendaItem
    child: Child
    reasons: list[Referral]
    changes: list[AgendaChange]
    open_actions: list[Action]
    decision: Decision | None
    minutes: list[Any]
    approaching_adulthood: bool
    eighteenth: date
    new_links: int = 0
    new_police_only_links: int = 0
    hidden_restricted: int = 0

    @property
    def risk_level(self) -> str:
        return self.decision.agreed_risk_level if self.decision else self.item.risk_level

    @property
    def risk_label(self) -> str:
        return level_label(self.risk_level)

    @property
    def risk_tag(self) -> str:
        return level_tag(self.risk_level)

    @property
    def remit_label(self) -> str:
        return Remit(self.item.remit).label


@dataclass
class Group:
    remit: str
    label: str
    items: list[ItemView]


@dataclass
class Agenda:
    meeting: Meeting
    since: datetime
    groups: list[Group]
    sees_restricted: bool
    is_police: bool
    can_chair: bool
    attendance: list[Any] = field(default_factory=list)

    @property
    def items(self) -> list[ItemView]:
        return [i for g in self.groups for i in g.items]

    @property
    def child_ids(self) -> list[int]:
        return [i.child.pk for i in self.items]


def _new_links(
    user: Any, ids: Sequence[int], since: datetime
) -> tuple[dict[int, int], dict[int, int]]:
    """Intelligence links recorded since the last meeting that the user may see, per child."""
    total: dict[int, int] = defaultdict(int)
    police: dict[int, int] = defaultdict(int)
    if not ids:
        return total, police
    rows = (
        intelligence_access.links_visible_to(user)
        .filter(Q(child_id__in=ids) | Q(child_b_id__in=ids), created_at__gt=since)
        .values_list("child_id", "child_b_id", "access_level")
    )
    wanted = set(ids)
    for a, b, level in rows:
        for child_id in {a, b} & wanted:
            total[child_id] += 1
            if level == AccessLevel.POLICE_ONLY:
                police[child_id] += 1
    return total, police


def agenda_for(
    user: Any,
    meeting: Meeting,
    *,
    restricted_version: bool = False,
    with_attendance: bool = True,
) -> Agenda:
    """The meeting's agenda as this user may see it.

    Only children the access policy lets the user see; restricted referral reasons and minute
    sections only for full-sharing members (and never in the restricted version of a pack);
    intelligence through the intelligence app's own rules (police-only links for police only).
    """
    panel = meeting.panel
    full = access.sees_restricted(user, panel) and not restricted_version
    items = list(
        AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True).select_related(
            "child", "child__home_la"
        )
    )
    visible = access.visible_child_ids(user, [i.child_id for i in items])
    items = [i for i in items if i.child_id in visible]
    item_ids = [i.pk for i in items]
    child_ids = [i.child_id for i in items]
    referrals: dict[int, list[Referral]] = defaultdict(list)
    hidden: dict[int, int] = defaultdict(int)
    for r in Referral.objects.filter(agenda_item_id__in=item_ids).select_related(
        "organisation", "referred_by"
    ):
        assert r.agenda_item_id is not None
        if r.restricted and not full:
            hidden[r.agenda_item_id] += 1
        else:
            referrals[r.agenda_item_id].append(r)
    changes: dict[int, list[AgendaChange]] = defaultdict(list)
    for c in AgendaChange.objects.filter(item_id__in=item_ids):
        changes[c.item_id].append(c)
    actions: dict[int, list[Action]] = defaultdict(list)
    for a in (
        Action.objects.filter(panel=panel, status=ActionStatus.OPEN)
        .filter(_ids_q("child_id", child_ids) if child_ids else Q(pk__in=[]))
        .select_related("owner_organisation", "agenda_item__meeting")
    ):
        actions[a.child_id].append(a)
    decisions = {
        d.item_id: d
        for d in Decision.objects.filter(item_id__in=item_ids)
        .select_related("lead_agency")
        .prefetch_related("minutes", "safety_plan__owner_organisation", "actions")
    }
    since = since_for(meeting)
    links, police_links = _new_links(user, child_ids, since)
    police = intelligence_access.is_police(user)
    views = []
    for item in items:
        decision = decisions.get(item.pk)
        minutes = []
        if decision is not None:
            for section in decision.minutes.all():
                if section.restricted and not full:
                    hidden[item.pk] += 1
                else:
                    minutes.append(section)
        views.append(
            ItemView(
                item=item,
                child=item.child,
                reasons=referrals[item.pk],
                changes=changes[item.pk],
                open_actions=actions[item.child_id],
                decision=decision,
                minutes=minutes,
                approaching_adulthood=criteria.is_approaching_adulthood(
                    item.child.date_of_birth, meeting.date
                ),
                eighteenth=criteria.birthday(item.child.date_of_birth, criteria.ADULT_AGE_YEARS),
                new_links=links.get(item.child_id, 0),
                new_police_only_links=police_links.get(item.child_id, 0),
                hidden_restricted=hidden.get(item.pk, 0),
            )
        )
    groups = []
    for remit in criteria.REMIT_ORDER:
        in_group = sorted(
            (v for v in views if v.item.remit == remit), key=lambda v: (v.item.order, v.item.pk)
        )
        if in_group:
            groups.append(Group(remit, Remit(remit).label, in_group))
    attendance = list(meeting.attendance.select_related("organisation")) if with_attendance else []
    return Agenda(
        meeting=meeting,
        since=since,
        groups=groups,
        sees_restricted=full,
        is_police=police,
        can_chair=access.can_chair(user, panel),
        attendance=attendance,
    )


@dataclass
class ChildSummary:
    """The one-page summary of a child in the panel pack."""

    view: ItemView
    age_years: int
    age_months: int
    home_la: str
    care_status: str
    placement: str
    lead_professional: str
    episodes_30: int
    episodes_90: int
    episodes_365: int
    missing_now: bool
    last_episode: str
    nrm_status: str
    previous_decision: Decision | None
    previous_minutes: list[Any]


def pack_for(
    user: Any, meeting: Meeting, *, restricted_version: bool, now: datetime
) -> tuple[Agenda, list[ChildSummary]]:
    """The agenda and a summary per child for the panel pack, as this user may see them."""
    agenda = agenda_for(user, meeting, restricted_version=restricted_version)
    views = agenda.items
    ids = [v.child.pk for v in views]
    today = timezone.localdate(now)
    starts: dict[int, list[datetime]] = defaultdict(list)
    open_now: set[int] = set()
    last: dict[int, MissingEpisode] = {}
    if ids:
        for e in MissingEpisode.objects.filter(
            _ids_q("child_id", ids), last_seen_at__gt=now - timedelta(days=366)
        ).order_by("last_seen_at"):
            starts[e.child_id].append(e.last_seen_at)
            last[e.child_id] = e
        open_now = set(
            MissingEpisode.objects.filter(
                _ids_q("child_id", ids), returned_at__isnull=True
            ).values_list("child_id", flat=True)
        )
    placements: dict[int, Placement] = {}
    for p in (
        Placement.objects.filter(
            _ids_q("child_id", ids) if ids else Q(pk__in=[]), ended_on__isnull=True
        )
        .select_related("host_la")
        .order_by("child_id", "-started_on")
    ):
        placements.setdefault(p.child_id, p)
    leads = {
        lp.child_id: lp
        for lp in LeadProfessional.objects.filter(
            _ids_q("child_id", ids) if ids else Q(pk__in=[]), ended_on__isnull=True
        ).select_related("organisation")
    }
    nrm = latest_nrm(ids) if ids else {}
    previous = latest_decisions(meeting.panel, ids, before=meeting.date) if ids else {}
    summaries = []
    for v in views:
        child = v.child
        age = criteria.age_in_months(child.date_of_birth, today)
        current = placements.get(child.pk)
        placement = "No current placement"
        if current is not None:
            where = (
                current.host_la.name
                if current.host_la
                else (current.host_area_code or "area not known")
            )
            out = " (out of area)" if current.location == PlacementLocation.OUT else ""
            placement = (
                f"{current.get_place_display()} in {where}{out}, "
                f"since {current.started_on:%d/%m/%Y}"
            )
        lp = leads.get(child.pk)
        latest = last.get(child.pk)
        prev = previous.get(child.pk)
        prev_minutes = []
        if prev is not None:
            prev_minutes = [
                m for m in prev.minutes.all() if agenda.sees_restricted or not m.restricted
            ]
        summaries.append(
            ChildSummary(
                view=v,
                age_years=age // 12,
                age_months=age % 12,
                home_la=child.home_la.name,
                care_status=child.get_care_status_display(),
                placement=placement,
                lead_professional=f"{lp.name}, {lp.organisation}" if lp else "None recorded",
                episodes_30=episode_rules.episodes_in_window(starts[child.pk], now, 30),
                episodes_90=episode_rules.episodes_in_window(starts[child.pk], now, 90),
                episodes_365=episode_rules.episodes_in_window(starts[child.pk], now, 365),
                missing_now=child.pk in open_now,
                last_episode=(
                    f"{latest.reference}, last seen {_local(latest.last_seen_at)}"
                    + (" (missing now)" if latest.returned_at is None else "")
                )
                if latest
                else "None in the last year",
                nrm_status=nrm[child.pk].get_status_display()
                if child.pk in nrm
                else NrmStatus.NOT_REFERRED.label,
                previous_decision=prev,
                previous_minutes=prev_minutes,
            )
        )
    return agenda, summaries


# --- Worklist -------------------------------------------------------------------------------


@dataclass
class ActionRow:
    action: Action
    overdue: bool
    child_visible: bool


@dataclass
class Worklist:
    organisation: Organisation | None
    overdue: list[ActionRow]
    open: list[ActionRow]
    recently_closed: list[ActionRow]


def worklist_for(user: Any, *, today: date) -> Worklist:
    """The open and overdue panel actions of the user's organisation, overdue first.

    A child's name is shown only if the access policy lets the organisation see the child (a
    panel share may have expired); the action itself is the organisation's to do either way.
    """
    membership = policy.acting_membership(user)
    rows = list(
        access.actions_for_organisation(user)
        .select_related("child", "panel", "owner_organisation", "agenda_item__meeting")
        .order_by("due_date", "id")
    )
    open_rows = [a for a in rows if a.status == ActionStatus.OPEN]
    closed = sorted(
        (a for a in rows if a.status != ActionStatus.OPEN and a.completed_at is not None),
        key=lambda a: a.completed_at,  # type: ignore[arg-type,return-value]
        reverse=True,
    )[:20]
    visible = access.visible_child_ids(user, [a.child_id for a in rows])

    def row(a: Action) -> ActionRow:
        return ActionRow(
            a, a.status == ActionStatus.OPEN and a.due_date < today, a.child_id in visible
        )

    return Worklist(
        organisation=membership.organisation if membership else None,
        overdue=[row(a) for a in open_rows if a.due_date < today],
        open=[row(a) for a in open_rows if a.due_date >= today],
        recently_closed=[row(a) for a in closed],
    )


# --- Weekly tracking report -----------------------------------------------------------------


@dataclass
class TrackingRow:
    child: Child
    detail: str
    tag: str = ""  # a tag class, shown with tag_label
    tag_label: str = ""


@dataclass
class TrackingSection:
    key: str
    title: str
    description: str
    rows: list[TrackingRow]

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass
class WeeklyReport:
    la: Organisation
    generated_at: datetime
    week_start: date
    sections: list[TrackingSection]

    @property
    def child_ids(self) -> list[int]:
        return sorted({r.child.pk for s in self.sections for r in s.rows})

    def section(self, key: str) -> TrackingSection:
        return next(s for s in self.sections if s.key == key)


def report_las_for(user: Any) -> list[Organisation]:
    """The LAs a user may run the weekly report for: their own (if an LA), and the lead LAs of
    panels their organisation is a member of."""
    membership = policy.acting_membership(user)
    if membership is None or not policy.can_open_records(user):
        return []
    las = {}
    if membership.organisation.type == "la":
        las[membership.organisation.pk] = membership.organisation
    for panel in access.panels_visible_to(user).select_related("lead_la"):
        las.setdefault(panel.lead_la_id, panel.lead_la)
    return sorted(las.values(), key=lambda o: o.name)


def weekly_report(
    user: Any,
    *,
    la: Organisation,
    now: datetime,
    frequent_count: int,
    frequent_days: int,
    rhi_hours: int,
    overdue_window_days: int = 30,
) -> WeeklyReport:
    """The weekly tracking meeting's figures for one LA (Haringey 2016: a weekly meeting kept
    senior leaders informed; domain §1.7). Children are the LA's own (home LA, or placed by it)
    and those placed in its area, as far as the access policy lets the user see them."""
    today = timezone.localdate(now)
    current = Q(ended_on__isnull=True) | Q(ended_on__gte=today)
    placed_by = Placement.objects.filter(current, placing_la=la, started_on__lte=today)
    placed_here = Placement.objects.filter(current, host_la=la, started_on__lte=today).exclude(
        placing_la=la
    )
    own_q = Q(home_la=la) | Q(pk__in=placed_by.values("child_id"))
    visible = policy.children_visible_to(user)
    own = visible.filter(own_q)
    hosted = visible.filter(pk__in=placed_here.values("child_id")).exclude(own_q)
    area = visible.filter(own_q | Q(pk__in=placed_here.values("child_id")))
    week_ago = now - timedelta(days=7)
    grade_labels = dict(Grade.choices)

    # Missing now: open episodes, with the latest police grading.
    open_eps = list(
        MissingEpisode.objects.filter(child__in=area, returned_at__isnull=True)
        .select_related("child")
        .order_by("last_seen_at")
    )
    latest_grade: dict[int, str] = {}
    for episode_id, grade in (
        PoliceGrading.objects.filter(episode_id__in=[e.pk for e in open_eps])
        .order_by("episode_id", "-graded_at", "-id")
        .values_list("episode_id", "grade")
    ):
        latest_grade.setdefault(episode_id, grade)
    missing_now = []
    for e in open_eps:
        grade = latest_grade.get(e.pk, "")
        length = episode_rules.format_duration(episode_rules.duration(e.last_seen_at, None, now))
        missing_now.append(
            TrackingRow(
                e.child,
                f"{e.reference}: missing {length}; police risk {grade_labels.get(grade, 'not graded').lower()}",
                "ln-tag--red" if grade == Grade.HIGH else "",
                "High risk" if grade == Grade.HIGH else "",
            )
        )

    # Missing in the last 7 days.
    recent: dict[int, list[MissingEpisode]] = defaultdict(list)
    for e in (
        MissingEpisode.objects.filter(child__in=area, last_seen_at__gt=week_ago)
        .select_related("child")
        .order_by("last_seen_at")
    ):
        recent[e.child_id].append(e)
    last_week = [
        TrackingRow(
            eps[0].child,
            f"{len(eps)} episode{'s' if len(eps) != 1 else ''} began in the last 7 days",
        )
        for eps in recent.values()
    ]

    # Frequently missing.
    window = now - timedelta(days=frequent_days)
    frequent_counts = (
        MissingEpisode.objects.filter(
            child__in=area, last_seen_at__gt=window, last_seen_at__lte=now
        )
        .values("child_id")
        .annotate(n=Count("id"))
        .filter(n__gte=frequent_count)
    )
    counts = {r["child_id"]: r["n"] for r in frequent_counts}
    children = {c.pk: c for c in Child.objects.filter(pk__in=list(counts))}
    frequent = [
        TrackingRow(children[pk], f"{n} episodes in the last {frequent_days} days")
        for pk, n in sorted(counts.items(), key=lambda kv: -kv[1])
    ]

    # High risk: the exploitation level is high (latest screening or an active high flag).
    high_ids = set(
        Flag.objects.filter(child__in=area, active=True, level="high").values_list(
            "child_id", flat=True
        )
    )
    area_ids = list(area.values_list("pk", flat=True))
    for child_id, (_, level) in _latest_screenings(area_ids).items():
        if level == "high":
            high_ids.add(child_id)
    high = [
        TrackingRow(c, "Exploitation risk high", "ln-tag--red", "High")
        for c in Child.objects.filter(pk__in=high_ids).order_by("last_name", "first_name")
    ]

    # Return interviews overdue: returned in the window, 72 hours passed, no interview closed.
    deadline = now - timedelta(hours=rhi_hours)
    overdue_eps = (
        MissingEpisode.objects.filter(
            child__in=area,
            returned_at__gte=now - timedelta(days=overdue_window_days),
            returned_at__lt=deadline,
        )
        .exclude(interviews__status__in=CLOSED_INTERVIEW_STATUSES)
        .select_related("child")
        .order_by("returned_at")
    )
    overdue = [
        TrackingRow(
            e.child,
            f"{e.reference}: returned {_local(e.returned_at)}, "
            f"{episode_rules.rhi_clock(e.returned_at, now, rhi_hours).text}",
            "ln-tag--orange",
            "Overdue",
        )
        for e in overdue_eps
        if e.returned_at
    ]

    # Out-of-area children missing now: placed outside the LA by it, or placed here by another.
    out_ids = set(
        Placement.objects.filter(current, placing_la=la, started_on__lte=today)
        .filter(Q(location=PlacementLocation.OUT) | (Q(host_la__isnull=False) & ~Q(host_la=la)))
        .values_list("child_id", flat=True)
    )
    hosted_ids = set(hosted.values_list("pk", flat=True))
    own_ids = set(own.filter(pk__in=out_ids).values_list("pk", flat=True)) if out_ids else set()
    out_of_area = []
    for e in open_eps:
        if e.child_id in own_ids:
            out_of_area.append(TrackingRow(e.child, f"{e.reference}: placed out of area by {la}"))
        elif e.child_id in hosted_ids:
            out_of_area.append(
                TrackingRow(e.child, f"{e.reference}: placed in {la} by {e.child.home_la}")
            )
    return WeeklyReport(
        la=la,
        generated_at=now,
        week_start=today - timedelta(days=7),
        sections=[
            TrackingSection(
                "missing_now",
                "Missing now",
                "Children with an open missing episode, missing longest first.",
                missing_now,
            ),
            TrackingSection(
                "missing_week",
                "Missing in the last 7 days",
                "Children with an episode that began in the last 7 days.",
                last_week,
            ),
            TrackingSection(
                "frequent",
                "Frequently missing",
                f"{frequent_count} or more episodes in the last {frequent_days} days.",
                frequent,
            ),
            TrackingSection(
                "high_risk",
                "High risk",
                "Exploitation risk high: the latest screening, or an active high flag.",
                high,
            ),
            TrackingSection(
                "interviews_overdue",
                "Return interviews overdue",
                f"Returned in the last {overdue_window_days} days, more than {rhi_hours} hours ago, with no interview completed, declined or not completed.",
                overdue,
            ),
            TrackingSection(
                "out_of_area",
                "Out-of-area children missing now",
                f"Children {la} placed outside its area, and children other councils placed in its area, who are missing now.",
                out_of_area,
            ),
        ],
    )


def meeting_child_ids(meetings: Iterable[Meeting]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for meeting_id, child_id in AgendaItem.objects.filter(
        meeting__in=list(meetings), removed_at__isnull=True
    ).values_list("meeting_id", "child_id"):
        out[meeting_id].append(child_id)
    return out


def referral_source_label(source: str) -> str:
    return ReferralSource(source).label


# --- The child page's panel section ---------------------------------------------------------


@dataclass
class ChildPanelRow:
    panel: Panel
    latest_item: AgendaItem | None
    decision: Decision | None
    open_actions: list[Action]
    nrm: NrmRecord | None


def child_panels(user: Any, child: Child) -> list[ChildPanelRow]:
    """For the child's page: each panel the user's organisation is a member of, with the child's
    latest agenda item there, its decision and the open actions. The caller has already checked
    the user may see the child; a panel whose lead LA has no link to the child is still listed,
    so a member can refer."""
    panels = list(access.panels_visible_to(user).select_related("lead_la"))
    items = {
        i.meeting.panel_id: i
        for i in AgendaItem.objects.filter(
            child=child, removed_at__isnull=True, meeting__panel__in=panels
        )
        .select_related("meeting")
        .order_by("meeting__date", "id")
    }
    decisions = {
        d.item_id: d
        for d in Decision.objects.filter(item__in=list(items.values())).select_related(
            "lead_agency"
        )
    }
    actions: dict[int, list[Action]] = defaultdict(list)
    for a in Action.objects.filter(
        child=child, panel__in=panels, status=ActionStatus.OPEN
    ).select_related("owner_organisation"):
        actions[a.panel_id].append(a)
    nrm = latest_nrm([child.pk]).get(child.pk)
    rows = []
    for panel in panels:
        item = items.get(panel.pk)
        rows.append(
            ChildPanelRow(
                panel=panel,
                latest_item=item,
                decision=decisions.get(item.pk) if item else None,
                open_actions=actions.get(panel.pk, []),
                nrm=nrm,
            )
        )
    return rows
