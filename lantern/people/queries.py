"""Reads about children: search, and the summary and timeline on the child's page.

Every function takes rows the access policy has already allowed (a visible child, or a user whose
visible set is applied here); nothing in this module writes, not even audit events: views record
those in the same request transaction.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from rapidfuzz import fuzz, utils

from lantern.accounts import policy
from lantern.episodes import rules as episode_rules
from lantern.episodes.models import Category, MissingEpisode, PoliceGrading
from lantern.interviews.models import ReturnInterview, Status
from lantern.people import names
from lantern.people.models import (
    Child,
    ChildAlias,
    ChildIdentifier,
    ChildNameKey,
    LeadProfessional,
    Placement,
)

# --- Search -------------------------------------------------------------------------------------

SEARCH_LIMIT = 50
# Name-key rows read per search, and candidates ranked in Python: keeps a common surname at
# national scale to a bounded amount of work.
_KEY_ROWS = 5000
_RANKED = 300

_REFERENCE = re.compile(r"^LC0*(\d{1,12})$", re.IGNORECASE)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")

# Reasons a child matched, shown next to each result.
MATCH_REFERENCE = "Lantern reference"
MATCH_DOB = "Date of birth"
MATCH_NAME = "Name"
MATCH_NAME_SOUND = "Name sounds like what you typed"
MATCH_ALIAS = "Alias: {}"
MATCH_IDENTIFIER = "{kind} ({issuer})"


@dataclass(frozen=True)
class ParsedQuery:
    """What a search box held, split into parts. ``kind`` names the parts, never their values."""

    references: tuple[int, ...]
    dates: tuple[date, ...]
    name_tokens: tuple[str, ...]
    identifier_values: tuple[str, ...]
    text: str

    @property
    def kind(self) -> str:
        parts = []
        if self.references:
            parts.append("reference")
        if self.dates:
            parts.append("date_of_birth")
        if self.name_tokens:
            parts.append("name")
        if self.identifier_values and not self.name_tokens:
            parts.append("identifier")
        return "+".join(parts) or "empty"

    @property
    def is_empty(self) -> bool:
        return not (self.references or self.dates or self.name_tokens or self.identifier_values)


def _parse_date(token: str) -> date | None:
    match = _DMY.match(token)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _YMD.match(token)
        if not match:
            return None
        year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def search_parse(query: str) -> ParsedQuery:
    """Split a query into Lantern references, dates of birth, name tokens and identifier values."""
    references: list[int] = []
    dates: list[date] = []
    rest: list[str] = []
    for raw in (query or "").split():
        token = raw.strip(",;")
        ref = _REFERENCE.match(token)
        if ref:
            references.append(int(ref.group(1)))
            continue
        when = _parse_date(token)
        if when is not None:
            dates.append(when)
            continue
        if token:
            rest.append(token)
    text = " ".join(rest)
    name_tokens = tuple(t for t in names.tokens(text) if not any(c.isdigit() for c in t))
    identifier_values: tuple[str, ...] = ()
    if text:
        # Identifiers are typed with or without spaces ("943 476 5919") and in either case.
        squashed = text.replace(" ", "")
        values = {text, squashed, squashed.upper(), squashed.lower(), *rest}
        identifier_values = tuple(sorted(v for v in values if v))
    return ParsedQuery(tuple(references), tuple(dates), name_tokens, identifier_values, text)


def _prefix_upper_bound(token: str) -> str | None:
    """The smallest string above every string starting with ``token`` (tokens are [a-z0-9]).

    A range (token <= x < bound) uses the index on both SQLite and PostgreSQL whatever the
    collation, where LIKE 'token%' may not.
    """
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    chars = list(token)
    while chars:
        last = chars.pop()
        position = alphabet.find(last)
        if 0 <= position < len(alphabet) - 1:
            return "".join(chars) + alphabet[position + 1]
    return None


def _name_key_q(token: str) -> Q:
    bound = _prefix_upper_bound(token)
    prefix = Q(token__gte=token, token__startswith=token)
    if bound is not None:
        prefix &= Q(token__lt=bound)
    key = names.phonetic(token)
    return prefix | Q(phonetic=key) if key else prefix


@dataclass(frozen=True)
class SearchHit:
    child: Child
    score: float
    reasons: tuple[str, ...]
    missing_now: bool


@dataclass(frozen=True)
class SearchResult:
    kind: str
    hits: list[SearchHit]
    candidates: int

    @property
    def shown_ids(self) -> list[int]:
        return [hit.child.pk for hit in self.hits]


def _name_reasons(child: Child, tokens: tuple[str, ...]) -> tuple[list[str], float]:
    """Why the child's names matched the tokens, and how well (0 to 100)."""
    own_names = [child.first_name, child.middle_names, child.last_name, child.preferred_name]
    own = names.tokens(" ".join(own_names))
    reasons: list[str] = []
    if any(o.startswith(t) for t in tokens for o in own):
        reasons.append(MATCH_NAME)
    elif any(names.phonetic(o) == names.phonetic(t) for t in tokens for o in own):
        reasons.append(MATCH_NAME_SOUND)
    typed = " ".join(tokens)
    spellings = [
        child.full_name,
        f"{child.first_name} {child.last_name}",
        f"{child.preferred_name} {child.last_name}",
    ]
    best = max(fuzz.WRatio(typed, s, processor=utils.default_process) for s in spellings if s)
    for alias in child.aliases.all():
        alias_name = str(alias)
        alias_tokens = names.tokens(alias_name)
        hit = any(
            a.startswith(t) or names.phonetic(a) == names.phonetic(t)
            for t in tokens
            for a in alias_tokens
        )
        if hit:
            reasons.append(MATCH_ALIAS.format(alias_name))
            best = max(best, fuzz.WRatio(typed, alias_name, processor=utils.default_process))
    return reasons, best


def child_search(*, user: Any, query: str) -> SearchResult:
    """Children visible to ``user`` matching a name, alias, identifier, reference or date of birth.

    Candidates come from index lookups (name-token prefix or sound-alike key, identifier value,
    primary key, date of birth), always inside ``children_visible_to(user)``; they are then ranked
    with rapidfuzz and the best 50 returned, each with the reasons it matched.
    """
    parsed = search_parse(query)
    if parsed.is_empty or not policy.can_open_records(user):
        return SearchResult(parsed.kind, [], 0)
    visible = policy.children_visible_to(user)
    scores: dict[int, float] = defaultdict(float)
    reasons: dict[int, list[str]] = defaultdict(list)

    if parsed.references:
        for pk in visible.filter(pk__in=parsed.references).values_list("pk", flat=True):
            scores[pk] += 300
            reasons[pk].append(MATCH_REFERENCE)

    if parsed.identifier_values:
        identifiers = ChildIdentifier.objects.filter(
            value__in=parsed.identifier_values, child__in=visible
        ).select_related("issuing_organisation")
        for ident in identifiers:
            scores[ident.child_id] += 200
            reasons[ident.child_id].append(
                MATCH_IDENTIFIER.format(
                    kind=ident.get_kind_display(), issuer=ident.issuing_organisation
                )
            )

    if parsed.dates:
        for pk in visible.filter(date_of_birth__in=parsed.dates).values_list("pk", flat=True)[
            :_KEY_ROWS
        ]:
            scores[pk] += 100
            reasons[pk].append(MATCH_DOB)

    lookup_tokens = tuple(t for t in parsed.name_tokens if len(t) >= 2)[:6]
    name_matches: dict[int, set[str]] = defaultdict(set)
    if lookup_tokens:
        keys_q = Q()
        for token in lookup_tokens:
            keys_q |= _name_key_q(token)
        rows = ChildNameKey.objects.filter(keys_q, child__in=visible).values_list(
            "child_id", "token", "phonetic"
        )[:_KEY_ROWS]
        sounds = {t: names.phonetic(t) for t in lookup_tokens}
        for child_id, token, key in rows:
            for typed in lookup_tokens:
                if token.startswith(typed) or (sounds[typed] and key == sounds[typed]):
                    name_matches[child_id].add(typed)
        if parsed.dates or parsed.references:
            # A name with a date or reference narrows the search: the name must match too.
            for pk in list(scores):
                if pk not in name_matches:
                    del scores[pk]
        for pk, matched in name_matches.items():
            scores[pk] += 10 * len(matched)

    candidates = len(scores)
    ranked_ids = sorted(scores, key=lambda pk: -scores[pk])[:_RANKED]
    children = (
        Child.objects.filter(pk__in=ranked_ids)
        .select_related("home_la")
        .prefetch_related("aliases")
    )
    open_ids = set(
        MissingEpisode.objects.filter(
            child_id__in=ranked_ids, returned_at__isnull=True
        ).values_list("child_id", flat=True)
    )
    hits = []
    for child in children:
        score = scores[child.pk]
        why = list(reasons[child.pk])
        if parsed.name_tokens:
            name_why, closeness = _name_reasons(child, parsed.name_tokens)
            why = name_why + why
            score += closeness
        hits.append(SearchHit(child, score, tuple(why), child.pk in open_ids))
    hits.sort(key=lambda h: (-h.score, h.child.last_name, h.child.first_name, h.child.pk))
    return SearchResult(parsed.kind, hits[:SEARCH_LIMIT], candidates)


# --- Pure rules for the child's page ------------------------------------------------------------


def age_on(date_of_birth: date, today: date) -> int:
    """Age in whole years on ``today``."""
    years = today.year - date_of_birth.year
    if (today.month, today.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def lead_changes_in_window(starts: Iterable[date], today: date, days: int = 365) -> int:
    """Changes of lead professional in the last ``days`` days.

    Every period but the child's first one began with a change, so the first ever appointment
    is not counted: a child with one lead professional all along has had no changes.
    """
    ordered = sorted(starts)
    since = today - timedelta(days=days)
    return sum(1 for start in ordered[1:] if since < start <= today)


def lead_changes_text(count: int) -> str:
    if count == 0:
        return "No changes of lead professional in the last 12 months"
    noun = "change" if count == 1 else "changes"
    return f"{count} {noun} of lead professional in the last 12 months"


CLOSED_INTERVIEW_STATUSES = (Status.COMPLETED, Status.DECLINED, Status.NOT_COMPLETED)


@dataclass(frozen=True)
class ClockStatus:
    """The 72-hour return interview clock as shown: words and a tag colour."""

    text: str
    colour: str
    overdue: bool = False


def _hours(n: int) -> str:
    return f"{n} hour{'s' if n != 1 else ''}"


def interview_clock_status(
    *,
    returned_at: datetime,
    now: datetime,
    status: str | None = None,
    completed_at: datetime | None = None,
    hours: int = 72,
) -> ClockStatus:
    """Where an interview (or a return with none yet) stands against the 72-hour clock.

    ``status`` is None when no interview has been recorded for the return.
    """
    due = episode_rules.rhi_due_at(returned_at, hours)
    if status == Status.COMPLETED and completed_at is not None:
        taken = int((completed_at - returned_at).total_seconds() // 3600)
        if completed_at <= due:
            return ClockStatus(f"Completed in time, {_hours(taken)} after return", "green")
        late = int((completed_at - due).total_seconds() // 3600)
        return ClockStatus(f"Completed late, {_hours(late)} after the deadline", "orange")
    if status == Status.DECLINED:
        return ClockStatus("Declined", "grey")
    if status == Status.NOT_COMPLETED:
        return ClockStatus("Not completed", "grey")
    clock = episode_rules.rhi_clock(returned_at, now, hours)
    if clock.overdue:
        return ClockStatus(clock.text, "red", overdue=True)
    return ClockStatus(clock.text, "yellow")


def category_label(category: str) -> str:
    """The words for an episode's derived category (a generated column has no get_..._display)."""
    return dict(Category.choices).get(category, "Missing episode")


def grade_colour(grade: str) -> str:
    return {"high": "red", "medium": "orange", "low": "yellow", "very_low": "green"}.get(
        grade, "grey"
    )


# --- The child's page ---------------------------------------------------------------------------


@dataclass
class ChildRows:
    """Everything the child's page shows, read in a fixed number of queries."""

    aliases: list[ChildAlias]
    identifiers: list[ChildIdentifier]
    leads: list[LeadProfessional]
    placements: list[Placement]
    episodes: list[MissingEpisode]
    gradings: list[PoliceGrading]
    interviews: list[ReturnInterview]
    interview_episodes: dict[int, list[int]]  # interview id -> episode ids

    def interviews_covering(self) -> dict[int, list[ReturnInterview]]:
        """Episode id -> the interviews that cover it."""
        covering: dict[int, list[ReturnInterview]] = defaultdict(list)
        for interview in self.interviews:
            for episode_id in self.interview_episodes.get(interview.pk, []):
                covering[episode_id].append(interview)
        return covering

    def needing_interview(self) -> list[MissingEpisode]:
        """Returned episodes no completed, declined or not-completed interview covers yet."""
        covering = self.interviews_covering()
        return [
            e
            for e in self.episodes
            if e.returned_at is not None
            and not any(i.status in CLOSED_INTERVIEW_STATUSES for i in covering.get(e.pk, []))
        ]


def child_rows(child: Child) -> ChildRows:
    """Read the child's related rows: eight queries however long the history is."""
    interview_links = ReturnInterview.episodes.through.objects.filter(
        returninterview__child=child
    ).values_list("returninterview_id", "missingepisode_id")
    interview_episodes: dict[int, list[int]] = defaultdict(list)
    for interview_id, episode_id in interview_links:
        interview_episodes[interview_id].append(episode_id)
    return ChildRows(
        aliases=list(child.aliases.order_by("id")),
        identifiers=list(child.identifiers.select_related("issuing_organisation").order_by("id")),
        leads=list(child.lead_professionals.select_related("organisation")),
        placements=list(child.placements.select_related("placing_la", "host_la")),
        episodes=list(
            child.episodes.select_related(
                "reporting_organisation", "police_force", "found_la", "missing_from_la"
            )
        ),
        gradings=list(
            PoliceGrading.objects.filter(episode__child=child).select_related("organisation")
        ),
        interviews=list(
            child.interviews.select_related(
                "conducted_by_organisation", "offered_by_organisation"
            ).annotate(
                indicators=Count(
                    "disclosures", filter=Q(disclosures__is_exploitation_indicator=True)
                )
            )
        ),
        interview_episodes=dict(interview_episodes),
    )


@dataclass(frozen=True)
class EpisodeCounts:
    last_30: int
    last_90: int
    last_365: int
    frequently_missing: bool
    rule_count: int
    rule_days: int


@dataclass(frozen=True)
class ChildSummary:
    child: Child
    age: int
    aliases: list[ChildAlias]
    identifiers: list[ChildIdentifier]
    current_placement: Placement | None
    current_lead: LeadProfessional | None
    leads: list[LeadProfessional]
    lead_changes: int
    lead_changes_text: str
    open_episode: MissingEpisode | None
    open_episode_for: str
    open_episode_grade: PoliceGrading | None
    counts: EpisodeCounts
    needing_interview: list[MissingEpisode]


def _frequent_rule() -> tuple[int, int]:
    return settings.LANTERN["FREQUENT_MISSING_COUNT"], settings.LANTERN["FREQUENT_MISSING_DAYS"]


def child_summary(
    child: Child, *, now: datetime | None = None, rows: ChildRows | None = None
) -> ChildSummary:
    """The facts at the top of the child's page."""
    now = now or timezone.now()
    rows = rows or child_rows(child)
    today = timezone.localdate(now)
    current_placement = next(
        (
            p
            for p in rows.placements
            if p.started_on <= today and (p.ended_on is None or p.ended_on >= today)
        ),
        None,
    )
    current_lead = next((lead for lead in rows.leads if lead.ended_on is None), None)
    changes = lead_changes_in_window((lead.started_on for lead in rows.leads), today)
    open_episode = next((e for e in rows.episodes if e.returned_at is None), None)
    open_for = ""
    open_grade = None
    if open_episode is not None:
        open_for = episode_rules.format_duration(
            episode_rules.duration(open_episode.last_seen_at, None, now)
        )
        open_grade = next((g for g in rows.gradings if g.episode_id == open_episode.pk), None)
    starts = [e.last_seen_at for e in rows.episodes]
    count, days = _frequent_rule()
    counts = EpisodeCounts(
        last_30=episode_rules.episodes_in_window(starts, now, 30),
        last_90=episode_rules.episodes_in_window(starts, now, 90),
        last_365=episode_rules.episodes_in_window(starts, now, 365),
        frequently_missing=episode_rules.is_frequently_missing(starts, now, count, days),
        rule_count=count,
        rule_days=days,
    )
    return ChildSummary(
        child=child,
        age=age_on(child.date_of_birth, today),
        aliases=rows.aliases,
        identifiers=rows.identifiers,
        current_placement=current_placement,
        current_lead=current_lead,
        leads=rows.leads,
        lead_changes=changes,
        lead_changes_text=lead_changes_text(changes),
        open_episode=open_episode,
        open_episode_for=open_for,
        open_episode_grade=open_grade,
        counts=counts,
        needing_interview=rows.needing_interview(),
    )


@dataclass(frozen=True)
class Tag:
    text: str
    colour: str


@dataclass(frozen=True)
class TimelineEntry:
    """One event on the child's timeline. ``obj`` is the row, so the page can link to it."""

    at: datetime
    kind: str  # episode, grading, interview, placement_start, placement_end
    title: str
    tags: tuple[Tag, ...]
    details: tuple[tuple[str, str], ...]
    obj: Any
    episode: MissingEpisode | None = None
    open: bool = False
    needs_interview: bool = False


def _local(value: datetime) -> str:
    return timezone.localtime(value).strftime("%-d %b %Y, %H:%M")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _place(place: str, postcode: str, la: Any) -> str:
    parts = [p for p in (place, postcode) if p]
    text = ", ".join(parts)
    if la is not None:
        text = f"{text} ({la})" if text else str(la)
    return text


def _episode_entry(
    episode: MissingEpisode,
    now: datetime,
    grade: PoliceGrading | None,
    covering: list[ReturnInterview],
    hours: int,
) -> TimelineEntry:
    tags: list[Tag] = []
    needs_interview = False
    details: list[tuple[str, str]] = [
        (
            "Last seen",
            " at ".join(
                p
                for p in (
                    _local(episode.last_seen_at),
                    _place(
                        episode.last_seen_place, episode.last_seen_postcode, episode.missing_from_la
                    ),
                )
                if p
            ),
        ),
    ]
    reporter = episode.get_reporter_kind_display().lower()
    if episode.reporter_name:
        reporter = f"{episode.reporter_name}, {reporter}"
    if episode.reporting_organisation is not None:
        reporter = f"{reporter} ({episode.reporting_organisation})"
    details.append(("Reported", f"{_local(episode.reported_at)} by {reporter}"))
    if episode.police_force is not None:
        police = str(episode.police_force)
        if episode.police_reference:
            police = f"{police}, reference {episode.police_reference}"
        details.append(("Police", police))
    if grade is not None:
        tags.append(Tag(f"{grade.get_grade_display()} risk", grade_colour(grade.grade)))
    length = episode_rules.duration(episode.last_seen_at, episode.returned_at, now)
    if episode.returned_at is None:
        tags.insert(0, Tag("Missing now", "red"))
        details.append(("Missing for", episode_rules.format_duration(length)))
    else:
        how = episode.get_return_how_display() or "Returned"
        found = _place(episode.found_place, episode.found_postcode, episode.found_la)
        details.append(
            (
                "Returned or found",
                f"{_local(episode.returned_at)}" + (f" at {found}" if found else ""),
            )
        )
        details.append(("How", how))
        if episode.found_with:
            details.append(("Found with", episode.found_with))
        details.append(("Duration", episode_rules.format_duration(length)))
        if not any(i.status in CLOSED_INTERVIEW_STATUSES for i in covering):
            needs_interview = True
            clock = interview_clock_status(returned_at=episode.returned_at, now=now, hours=hours)
            label = "Return interview"
            if covering:
                label = f"Return interview ({covering[0].get_status_display().lower()})"
            tags.append(Tag(f"Interview {clock.text}", clock.colour))
            details.append((label, clock.text))
    if episode.circumstances:
        details.append(("Circumstances", episode.circumstances))
    return TimelineEntry(
        at=episode.last_seen_at,
        kind="episode",
        title=category_label(episode.category),
        tags=tuple(tags),
        details=tuple(details),
        obj=episode,
        episode=episode,
        open=episode.returned_at is None,
        needs_interview=needs_interview,
    )


def _interview_entry(
    interview: ReturnInterview, episodes: list[MissingEpisode], now: datetime, hours: int
) -> TimelineEntry:
    returns = [e.returned_at for e in episodes if e.returned_at is not None]
    tags: list[Tag] = []
    if interview.status in (Status.OFFERED, Status.ACCEPTED):
        tags.append(Tag(interview.get_status_display(), "blue"))
    details: list[tuple[str, str]] = [
        ("Offered", f"{_local(interview.offered_at)} by {interview.offered_by_name}"),
    ]
    conducted = str(interview.conducted_by_organisation)
    if interview.conducted_by_name:
        conducted = f"{interview.conducted_by_name}, {conducted}"
    details.append(("Conducted by", conducted))
    details.append(("Independent", "Yes" if interview.independent else "No"))
    if returns:
        clock = interview_clock_status(
            returned_at=min(returns),
            now=now,
            status=interview.status,
            completed_at=interview.completed_at,
            hours=hours,
        )
        tags.append(Tag(clock.text, clock.colour))
        details.append(("72-hour clock", clock.text))
    if interview.completed_at is not None:
        details.append(("Completed", _local(interview.completed_at)))
    if interview.status == Status.NOT_COMPLETED:
        reason = interview.get_not_completed_reason_display()
        if interview.not_completed_detail:
            reason = f"{reason}: {interview.not_completed_detail}"
        details.append(("Why not completed", reason))
    details.append(("Covers", ", ".join(e.reference for e in episodes) or "No episodes"))
    indicators = getattr(interview, "indicators", 0)
    if indicators:
        noun = "disclosure" if indicators == 1 else "disclosures"
        tags.append(Tag(f"{indicators} exploitation {noun}", "red"))
    return TimelineEntry(
        at=interview.completed_at or interview.offered_at,
        kind="interview",
        title="Return interview",
        tags=tuple(tags),
        details=tuple(details),
        obj=interview,
    )


def _placement_entries(placement: Placement) -> list[TimelineEntry]:
    tags: list[Tag] = []
    details: list[tuple[str, str]] = [
        ("Type", placement.get_place_display()),
        ("Provider", placement.get_provider_display()),
        ("Placed by", str(placement.placing_la)),
    ]
    host = str(placement.host_la or placement.host_area_code or "Not known")
    details.append(("Where", f"{placement.postcode}, {host}"))
    if placement.is_out_of_area:
        tags.append(Tag("Out of area", "orange"))
    if placement.distance_miles is not None:
        details.append(("Distance from home", f"{placement.distance_miles} miles"))
    if placement.ended_on:
        details.append(("Ended", placement.ended_on.strftime("%-d %b %Y")))
    entries = [
        TimelineEntry(
            at=_day_start(placement.started_on),
            kind="placement_start",
            title="Placement started",
            tags=tuple(tags),
            details=tuple(details),
            obj=placement,
        )
    ]
    if placement.ended_on is not None:
        entries.append(
            TimelineEntry(
                at=_day_start(placement.ended_on),
                kind="placement_end",
                title="Placement ended",
                tags=tuple(tags),
                details=(("Type", placement.get_place_display()), ("Where", details[3][1])),
                obj=placement,
            )
        )
    return entries


def child_timeline(
    child: Child, *, now: datetime | None = None, rows: ChildRows | None = None
) -> list[TimelineEntry]:
    """Episodes, police gradings, return interviews and placements, newest first."""
    now = now or timezone.now()
    rows = rows or child_rows(child)
    hours = settings.LANTERN["RHI_DUE_HOURS"]
    episodes_by_id = {e.pk: e for e in rows.episodes}
    covering = rows.interviews_covering()
    latest_grade: dict[int, PoliceGrading] = {}
    for grading in rows.gradings:  # newest first, so the first seen is the latest
        latest_grade.setdefault(grading.episode_id, grading)

    entries: list[TimelineEntry] = []
    for episode in rows.episodes:
        entries.append(
            _episode_entry(
                episode, now, latest_grade.get(episode.pk), covering.get(episode.pk, []), hours
            )
        )
    for grading in rows.gradings:
        graded = episodes_by_id.get(grading.episode_id)
        entries.append(
            TimelineEntry(
                at=grading.graded_at,
                kind="grading",
                title=f"Police risk grading: {grading.get_grade_display()}",
                tags=(Tag(grading.get_grade_display(), grade_colour(grading.grade)),),
                details=(
                    ("Graded by", f"{grading.graded_by_name}, {grading.organisation}"),
                    ("Why", grading.rationale),
                    ("Episode", graded.reference if graded else ""),
                ),
                obj=grading,
                episode=graded,
            )
        )
    for interview in rows.interviews:
        covered = [
            episodes_by_id[i]
            for i in rows.interview_episodes.get(interview.pk, [])
            if i in episodes_by_id
        ]
        entries.append(_interview_entry(interview, covered, now, hours))
    for placement in rows.placements:
        entries.extend(_placement_entries(placement))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries
