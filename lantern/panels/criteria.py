"""Referral criteria: pure functions over plain facts, no database.

A panel's rule table (``ReferralRule`` rows, editable) becomes a list of ``Rule``; the facts about
each child are gathered in bulk by ``queries.child_facts_for``. ``evaluate`` says which rules a
child meets and why, in words a panel can read out ("4 missing episodes in the last 90 days").
Every trigger is local practice (domain §1.6 [L]), hence configuration, not code.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from lantern.risk import scoring

# Rule kinds (values of models.RuleKind; repeated here so this module needs no Django).
EPISODES_IN_WINDOW = "episodes_in_window"
POLICE_HIGH = "police_high"
SCREENING_AT_LEAST = "screening_at_least"
FOUND_OUT_OF_AREA = "found_out_of_area"
NEW_DISCLOSURE = "new_disclosure"
APPROACHING_ADULTHOOD = "approaching_adulthood"
NRM_REFERRAL = "nrm_referral"
EXPLOITATION_FLAG = "exploitation_flag"

# Remits (models.Remit), in the agenda's group order, and "by type" (models.RuleRemit).
CSE, CCE_GANGS, RADICALISATION, MISSING, ADULTHOOD = (
    "cse",
    "cce_gangs",
    "radicalisation",
    "missing",
    "adulthood",
)
REMIT_ORDER = (CSE, CCE_GANGS, RADICALISATION, MISSING, ADULTHOOD)
BY_TYPE = "by_type"

# Which remit a type of exploitation belongs to (interviews.ExploitationType values). Types not
# listed (online, labour, financial, other) go to the missing remit unless a rule says otherwise.
REMIT_FOR_TYPE: dict[str, str] = {
    "cse": CSE,
    "cce": CCE_GANGS,
    "county_lines": CCE_GANGS,
    "gang": CCE_GANGS,
    "trafficking": CCE_GANGS,
    "radicalisation": RADICALISATION,
}
TYPE_NAMES: dict[str, str] = {
    "cse": "child sexual exploitation",
    "cce": "child criminal exploitation",
    "county_lines": "county lines",
    "gang": "gang affiliation",
    "trafficking": "trafficking or modern slavery",
    "radicalisation": "radicalisation",
    "online": "online exploitation",
    "labour": "labour exploitation",
    "financial": "financial exploitation",
    "other": "other harm",
}

# NRM statuses that count as "an NRM referral" (models.NrmStatus): referred and not negative.
NRM_ACTIVE = frozenset({"referred", "rg_positive", "cg_positive"})
NRM_NAMES: dict[str, str] = {
    "referred": "referred, waiting for a reasonable grounds decision",
    "rg_positive": "positive reasonable grounds decision",
    "cg_positive": "positive conclusive grounds decision",
}

ADULTHOOD_MONTHS = 210  # 17 and a half
ADULT_AGE_YEARS = 18


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    description: str = ""
    remit: str = BY_TYPE
    count: int | None = None
    days: int | None = None
    level: str = ""
    age_months: int | None = None
    exploitation_types: frozenset[str] = frozenset()


@dataclass(frozen=True)
class EpisodeFact:
    started_at: datetime
    found_out_of_area: bool = False
    police_high: bool = False


@dataclass(frozen=True)
class DisclosureFact:
    at: datetime
    exploitation_type: str = ""


@dataclass(frozen=True)
class ChildFacts:
    child_id: int
    date_of_birth: date
    episodes: tuple[EpisodeFact, ...] = ()
    screening_level: str = scoring.NONE  # the latest completed screening's confirmed level
    disclosures: tuple[DisclosureFact, ...] = ()
    nrm_status: str = "not_referred"
    # Types of exploitation behind the child's active risk flags.
    flag_types: frozenset[str] = frozenset()
    # Every type known (flags, latest screening, disclosures): used to route "by type".
    exploitation_types: frozenset[str] = frozenset()
    # An active risk flag, an open panel action, or a panel that has not closed the case.
    open_concerns: bool = False


@dataclass(frozen=True)
class Hit:
    rule_code: str
    kind: str
    remit: str
    reason: str


@dataclass(frozen=True)
class Suggestion:
    child_id: int
    hits: tuple[Hit, ...] = field(default_factory=tuple)

    @property
    def reasons(self) -> list[str]:
        return [h.reason for h in self.hits]


def age_in_months(date_of_birth: date, on: date) -> int:
    """Whole months of age on a day (a birthday on the 31st counts at the month's end)."""
    months = (on.year - date_of_birth.year) * 12 + (on.month - date_of_birth.month)
    if on.day < date_of_birth.day:
        months -= 1
    return months


def birthday(date_of_birth: date, years: int) -> date:
    """The day a child turns ``years`` (29 February birthdays fall on 1 March)."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + years)
    except ValueError:
        return date(date_of_birth.year + years, 3, 1)


def is_approaching_adulthood(date_of_birth: date, on: date, months: int = ADULTHOOD_MONTHS) -> bool:
    """Aged ``months`` (17½ by default) or over and not yet 18 on the day."""
    age = age_in_months(date_of_birth, on)
    return months <= age < ADULT_AGE_YEARS * 12


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _types_text(types: Iterable[str]) -> str:
    return ", ".join(TYPE_NAMES.get(t, t) for t in sorted(types))


def remit_for_types(types: Iterable[str]) -> str:
    """The remit for the types of exploitation known: the first in REMIT_ORDER; else missing."""
    remits = {REMIT_FOR_TYPE[t] for t in types if t in REMIT_FOR_TYPE}
    for remit in REMIT_ORDER:
        if remit in remits:
            return remit
    return MISSING


def _in_window(at: datetime, now: datetime, days: int | None) -> bool:
    if days is None:
        return at <= now
    return now - timedelta(days=days) < at <= now


def _check(rule: Rule, child: ChildFacts, now: datetime, today: date, since: datetime) -> str:
    """The reason the child meets the rule, or "" when it does not."""
    if rule.kind == EPISODES_IN_WINDOW:
        count, days = rule.count or 1, rule.days or 90
        n = sum(1 for e in child.episodes if _in_window(e.started_at, now, days))
        if n >= count:
            return (
                f"{_plural(n, 'missing episode')} in the last {days} days "
                f"(the criterion is {count} or more)"
            )
    elif rule.kind == POLICE_HIGH:
        n = sum(
            1 for e in child.episodes if e.police_high and _in_window(e.started_at, now, rule.days)
        )
        if n:
            window = f" in the last {rule.days} days" if rule.days else ""
            times = "" if n == 1 else f" ({n} episodes)"
            return f"Graded high risk by the police{window}{times}"
    elif rule.kind == SCREENING_AT_LEAST:
        wanted = rule.level or scoring.MEDIUM
        if scoring.RANK.get(child.screening_level, 0) >= scoring.RANK[wanted]:
            return (
                f"Latest screening: {scoring.level_name(child.screening_level)} "
                f"(the criterion is {scoring.level_name(wanted).lower()} or higher)"
            )
    elif rule.kind == FOUND_OUT_OF_AREA:
        n = sum(
            1
            for e in child.episodes
            if e.found_out_of_area and _in_window(e.started_at, now, rule.days)
        )
        if n:
            window = f" in the last {rule.days} days" if rule.days else ""
            return f"Found out of area {_plural(n, 'time')}{window}"
    elif rule.kind == NEW_DISCLOSURE:
        new = [d for d in child.disclosures if since < d.at <= now]
        if rule.exploitation_types:
            new = [d for d in new if d.exploitation_type in rule.exploitation_types]
        if new:
            types = {d.exploitation_type for d in new if d.exploitation_type}
            about = f" ({_types_text(types)})" if types else ""
            return (
                f"{_plural(len(new), 'new disclosure')} in return interviews "
                f"since the last meeting{about}"
            )
    elif rule.kind == APPROACHING_ADULTHOOD:
        months = rule.age_months or ADULTHOOD_MONTHS
        age = age_in_months(child.date_of_birth, today)
        if child.open_concerns and months <= age < ADULT_AGE_YEARS * 12:
            eighteen = birthday(child.date_of_birth, ADULT_AGE_YEARS)
            return (
                f"Aged {age // 12} years {age % 12} months with open concerns: turns 18 on "
                f"{eighteen.day} {eighteen:%B %Y}; plan the handover to adult safeguarding"
            )
    elif rule.kind == NRM_REFERRAL:
        if child.nrm_status in NRM_ACTIVE:
            return f"National Referral Mechanism: {NRM_NAMES[child.nrm_status]}"
    elif rule.kind == EXPLOITATION_FLAG:
        flagged = child.flag_types & rule.exploitation_types
        if flagged:
            return f"Active risk flag for {_types_text(flagged)}"
    return ""


def _remit(rule: Rule, child: ChildFacts) -> str:
    if rule.remit != BY_TYPE:
        return rule.remit
    if rule.kind == EXPLOITATION_FLAG and rule.exploitation_types:
        own = child.flag_types & rule.exploitation_types
        if own:
            return remit_for_types(own)
    return remit_for_types(child.exploitation_types)


def evaluate(
    child: ChildFacts,
    rules: Sequence[Rule],
    *,
    now: datetime,
    today: date,
    since: datetime,
) -> list[Hit]:
    """Every rule the child meets, in the rules' order, each with its reason and remit.

    ``since`` is when the last meeting was held ("new since the last meeting"); ``today`` is the
    local date of ``now``, for ages.
    """
    hits = []
    for rule in rules:
        reason = _check(rule, child, now, today, since)
        if reason:
            hits.append(Hit(rule.code, rule.kind, _remit(rule, child), reason))
    return hits


def choose_remit(remits: Iterable[str], available: Sequence[str]) -> str:
    """One remit for a child met by several rules: the first in the agenda's order that the panel
    covers; else missing if covered; else the panel's first remit."""
    wanted = set(remits)
    for remit in REMIT_ORDER:
        if remit in wanted and remit in available:
            return remit
    if MISSING in available:
        return MISSING
    return available[0] if available else MISSING


def agenda_sort_key(risk_level: str, reasons: int, tiebreak: int) -> tuple[int, int, int]:
    """High risk first, then more reasons first, then ``tiebreak`` (the child's id, so the
    order is stable)."""
    return (-scoring.RANK.get(risk_level, 0), -reasons, tiebreak)


def could_match(child: ChildFacts) -> bool:
    """False when no rule of any kind could fire for the child, whatever its parameters: no
    recent episode, disclosure, screening level, NRM referral, flag or open concern. Lets a
    panel of thousands of children skip most of them cheaply."""
    return bool(
        child.episodes
        or child.disclosures
        or child.flag_types
        or child.open_concerns
        or child.nrm_status in NRM_ACTIVE
        or scoring.RANK.get(child.screening_level, 0) > 0
    )


def suggest(
    facts: Iterable[ChildFacts],
    rules: Sequence[Rule],
    *,
    now: datetime,
    today: date,
    since: datetime,
) -> list[Suggestion]:
    """The children who meet at least one rule, with their hits."""
    out = []
    for child in facts:
        if not could_match(child):
            continue
        hits = evaluate(child, rules, now=now, today=today, since=since)
        if hits:
            out.append(Suggestion(child.child_id, tuple(hits)))
    return out
