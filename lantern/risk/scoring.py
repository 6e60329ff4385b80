"""Exploitation risk scoring: pure functions over plain data, no database.

The level is worked out in five steps, and every step that has an effect is explained:

1. **Indicators.** Each current answer scores ``value x weight`` points; the total meets the
   tool's thresholds (Low, Medium, High). A current yes on an indicator with a preset level
   (STI, pregnancy, injuries suggesting assault = High; self-harm = Medium; domain §4.3) raises
   the level to at least that level. An observation older than the indicator's
   ``current_for_days`` no longer counts; it is still listed, as not counted.
2. **Repeat missing.** Episodes that began in the rolling window; at the threshold the child is
   frequently missing and the level is raised (default 3 in 90 days, at least Medium).
3. **Override rules** about evidence ("at least"), in order. Rules only ever raise a level.
4. **Standing flags.** Flags stay until a person clears them, so the level is at least the
   highest active flag.
5. **"Any concern is at least" rules** (under 13, learning disability: never Low), in order,
   last, so they see every other reason.

The invariant the research asks for (issue 3): for a fixed ``now``, adding an episode never
lowers the level and never takes away a piece of evidence. It holds because every step is
monotone: episode conditions are existential ("some episode in the window was ..."), counts
only grow, and each rule maps a level to one at least as high, preserving order. Time passing
is different: observations and episodes age out of their windows, which is deliberate and is
not caused by a new episode.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from lantern.episodes.rules import episodes_in_window

NONE, LOW, MEDIUM, HIGH = "none", "low", "medium", "high"
LEVELS = (NONE, LOW, MEDIUM, HIGH)
RANK = {level: i for i, level in enumerate(LEVELS)}
LEVEL_NAMES = {NONE: "None", LOW: "Low", MEDIUM: "Medium", HIGH: "High"}

# Scales
YES_NO_DK, ZERO_TO_THREE, LADDER = "yes_no_dk", "zero_to_three", "ladder"
# Rule kinds
MIN_LEVEL, MIN_LEVEL_IF_CONCERN = "min_level", "min_if_concern"
# Conditions
AGE_UNDER = "age_under"
LEARNING_DISABILITY = "learning_disability"
DISCLOSURE = "disclosure"
FOUND_OOA_ITEMS = "found_ooa_items"
FOUND_OOA = "found_ooa"
FOUND_WITH_OTHERS = "found_with_others"
MISSING_OVER_HOURS = "missing_over_hours"
POLICE_HIGH = "police_high"
# Items that make "found out of area" at least medium (issue 3).
TELLING_ITEMS = frozenset({"drugs", "cash", "second_phone"})
# Windows always shown on the child page (domain §6.2 build note).
COUNT_WINDOWS = (30, 90, 365)

EPISODE, DISCLOSURE_SOURCE = "episode", "disclosure"


def max_level(*levels: str) -> str:
    return max(levels, key=RANK.__getitem__, default=NONE)


def level_name(level: str) -> str:
    return LEVEL_NAMES.get(level, level)


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    text: str
    scale: str
    weight: int = 1
    preset_level: str = NONE
    current_for_days: int = 90
    # Labels of ladder steps, for explanations: ((0, "No episodes"), ...)
    steps: tuple[tuple[int, str], ...] = ()

    def answer_label(self, value: int | None) -> str:
        if value is None:
            return "Don't know"
        if self.scale == YES_NO_DK:
            return "Yes" if value else "No"
        for step, label in self.steps:
            if step == value:
                return f"{value} ({label})"
        return str(value)


@dataclass(frozen=True)
class AnswerFact:
    indicator: IndicatorSpec
    value: int | None  # None: don't know
    observed_on: date | None = None


@dataclass(frozen=True)
class Thresholds:
    low_from: int = 1
    medium_from: int = 5
    high_from: int = 10

    def level_for(self, points: int) -> str:
        if points >= self.high_from:
            return HIGH
        if points >= self.medium_from:
            return MEDIUM
        if points >= self.low_from:
            return LOW
        return NONE


@dataclass(frozen=True)
class ChildFacts:
    age_years: int
    learning_disability: bool = False


@dataclass(frozen=True)
class EpisodeFact:
    id: int
    started_at: datetime
    ended_at: datetime | None = None
    found_out_of_area: bool = False
    found_items: frozenset[str] = frozenset()
    found_with_others: bool = False
    police_high: bool = False


@dataclass(frozen=True)
class DisclosureFact:
    id: int
    exploitation_type: str
    disclosed_at: datetime


@dataclass(frozen=True)
class RuleSpec:
    code: str
    description: str
    kind: str
    condition: str
    level: str
    age_years: int | None = None
    hours: int | None = None
    within_days: int | None = None
    exploitation_types: frozenset[str] = frozenset()
    suggests_strategy_discussion: bool = False
    suggests_panel_referral: bool = False


@dataclass(frozen=True)
class RepeatRuleSpec:
    code: str
    description: str
    count: int
    window_days: int
    level: str = MEDIUM
    marks_frequently_missing: bool = True
    suggests_strategy_discussion: bool = True
    suggests_panel_referral: bool = True


@dataclass(frozen=True)
class Evidence:
    source_type: str  # "episode" or "disclosure"
    source_id: int


@dataclass(frozen=True)
class Contribution:
    kind: str  # "indicator", "threshold", "flags", "repeat" or "rule"
    code: str
    effect: str
    explanation: str
    counted: bool = True
    level: str = NONE  # the level this reason asks for
    condition: str = ""
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class ScoreResult:
    level: str
    indicator_level: str
    points: int
    contributions: tuple[Contribution, ...]
    counts: tuple[tuple[int, int], ...] = ()  # (window days, episodes that began in it)
    frequently_missing: bool = False
    suggests_strategy_discussion: bool = False
    suggests_panel_referral: bool = False
    matched_rules: tuple[str, ...] = field(default=())

    def count_in(self, days: int) -> int | None:
        return dict(self.counts).get(days)


def is_current(observed_on: date | None, current_for_days: int, today: date) -> bool:
    """An observation counts for ``current_for_days`` days. Undated ones count (the safe side)."""
    if observed_on is None:
        return True
    return observed_on > today - timedelta(days=current_for_days)


def _score_indicators(
    answers: Iterable[AnswerFact], thresholds: Thresholds, today: date
) -> tuple[str, int, list[Contribution]]:
    points = 0
    preset = NONE
    reasons: list[Contribution] = []
    for answer in answers:
        spec = answer.indicator
        value = answer.value or 0
        label = spec.answer_label(answer.value)
        if value <= 0:
            continue
        when = f", observed {_day(answer.observed_on)}" if answer.observed_on else ""
        if not is_current(answer.observed_on, spec.current_for_days, today):
            reasons.append(
                Contribution(
                    "indicator",
                    spec.code,
                    "Not counted",
                    f"{spec.text}: {label}{when}. No longer current: observations count for "
                    f"{spec.current_for_days} days.",
                    counted=False,
                )
            )
            continue
        gained = value * spec.weight
        points += gained
        effects = [f"+{gained} point{'s' if gained != 1 else ''}"]
        level = NONE
        if spec.preset_level != NONE:
            level = spec.preset_level
            preset = max_level(preset, level)
            effects.append(f"at least {level_name(level)} (preset level)")
        reasons.append(
            Contribution(
                "indicator",
                spec.code,
                ", ".join(effects),
                f"{spec.text}: {label}{when}",
                level=level,
            )
        )
    by_points = thresholds.level_for(points)
    if points:
        reasons.append(
            Contribution(
                "threshold",
                "points",
                level_name(by_points),
                f"{points} point{'s' if points != 1 else ''} from current indicators "
                f"(Low from {thresholds.low_from}, Medium from {thresholds.medium_from}, "
                f"High from {thresholds.high_from})",
                level=by_points,
            )
        )
    return max_level(by_points, preset), points, reasons


def _within(at: datetime | None, now: datetime, days: int | None) -> bool:
    if at is None or at > now:
        return False
    return days is None or at > now - timedelta(days=days)


def _known_return(episode: EpisodeFact, now: datetime) -> datetime | None:
    """When the child came back, if that is known by ``now``."""
    if episode.ended_at is not None and episode.ended_at <= now:
        return episode.ended_at
    return None


def missing_hours(episode: EpisodeFact, now: datetime) -> float:
    end = _known_return(episode, now) or now
    return max(0.0, (end - episode.started_at).total_seconds() / 3600)


def episode_matches(rule: RuleSpec, episode: EpisodeFact, now: datetime) -> bool:
    """Whether one episode is evidence for an episode rule, as known at ``now``."""
    if rule.condition == MISSING_OVER_HOURS:
        return (
            _within(episode.started_at, now, rule.within_days)
            and rule.hours is not None
            and missing_hours(episode, now) > rule.hours
        )
    if rule.condition == POLICE_HIGH:
        return episode.police_high and _within(episode.started_at, now, rule.within_days)
    returned = _known_return(episode, now)
    if not _within(returned, now, rule.within_days):
        return False
    if rule.condition == FOUND_OOA:
        return episode.found_out_of_area
    if rule.condition == FOUND_OOA_ITEMS:
        return episode.found_out_of_area and bool(episode.found_items & TELLING_ITEMS)
    if rule.condition == FOUND_WITH_OTHERS:
        return episode.found_with_others
    return False


EPISODE_CONDITIONS = frozenset(
    {FOUND_OOA, FOUND_OOA_ITEMS, FOUND_WITH_OTHERS, MISSING_OVER_HOURS, POLICE_HIGH}
)


def rule_evidence(
    rule: RuleSpec,
    *,
    child: ChildFacts,
    episodes: Sequence[EpisodeFact],
    disclosures: Sequence[DisclosureFact],
    now: datetime,
) -> tuple[bool, tuple[Evidence, ...]]:
    """Whether a rule applies, and the episodes or disclosures that make it apply."""
    if rule.condition == AGE_UNDER:
        return rule.age_years is not None and child.age_years < rule.age_years, ()
    if rule.condition == LEARNING_DISABILITY:
        return child.learning_disability, ()
    if rule.condition == DISCLOSURE:
        found = tuple(
            Evidence(DISCLOSURE_SOURCE, d.id)
            for d in disclosures
            if (not rule.exploitation_types or d.exploitation_type in rule.exploitation_types)
            and _within(d.disclosed_at, now, rule.within_days)
        )
        return bool(found), found
    if rule.condition in EPISODE_CONDITIONS:
        found = tuple(Evidence(EPISODE, e.id) for e in episodes if episode_matches(rule, e, now))
        return bool(found), found
    return False, ()


def episode_horizon_days(
    rules: Sequence[RuleSpec], repeat_rules: Sequence[RepeatRuleSpec]
) -> int | None:
    """How far back an episode can matter to these rules (None: any episode, however old).

    Lets a national recompute read only recent episodes without changing any result.
    """
    days = [*COUNT_WINDOWS, *(r.window_days for r in repeat_rules)]
    for rule in rules:
        if rule.condition in EPISODE_CONDITIONS:
            if rule.within_days is None:
                return None
            days.append(rule.within_days)
    return max(days)


def apply_rule(rule: RuleSpec, level: str) -> str:
    """A matched rule's effect on a level. Never lower: max, or low-to-medium style lifts."""
    if rule.kind == MIN_LEVEL_IF_CONCERN:
        return max_level(level, rule.level) if RANK[level] > RANK[NONE] else level
    return max_level(level, rule.level)


def _evidence_phrase(evidence: tuple[Evidence, ...]) -> str:
    if not evidence:
        return ""
    kind = "episode" if evidence[0].source_type == EPISODE else "disclosure"
    n = len(evidence)
    return f" ({n} {kind}{'s' if n != 1 else ''})"


def score(
    *,
    answers: Iterable[AnswerFact] = (),
    thresholds: Thresholds = Thresholds(),
    child: ChildFacts,
    episodes: Sequence[EpisodeFact] = (),
    disclosures: Sequence[DisclosureFact] = (),
    rules: Sequence[RuleSpec] = (),
    repeat_rules: Sequence[RepeatRuleSpec] = (),
    standing_level: str = NONE,
    now: datetime,
) -> ScoreResult:
    """The computed level for a child at ``now``, with every reason that contributed.

    ``rules`` and ``repeat_rules`` are the active rules in the order they apply.
    ``standing_level`` is the highest level of the child's active flags.
    """
    indicator_level, points, reasons = _score_indicators(answers, thresholds, now.date())
    level = indicator_level

    strategy = panel = False
    starts = [e.started_at for e in episodes]
    windows = sorted({*COUNT_WINDOWS, *(r.window_days for r in repeat_rules)})
    counts = tuple((days, episodes_in_window(starts, now, days)) for days in windows)
    frequently = False
    for rule in repeat_rules:
        in_window = dict(counts)[rule.window_days]
        if in_window < rule.count:
            continue
        since = now - timedelta(days=rule.window_days)
        evidence = tuple(Evidence(EPISODE, e.id) for e in episodes if since < e.started_at <= now)
        raised = max_level(level, rule.level)
        reasons.append(
            Contribution(
                "repeat",
                rule.code,
                _effect(level, raised, rule.level),
                f"{in_window} episodes began in the last {rule.window_days} days; the rule is "
                f"{rule.count} or more in {rule.window_days} days"
                + (
                    ", which marks the child as frequently missing"
                    if rule.marks_frequently_missing
                    else ""
                ),
                level=rule.level,
                evidence=evidence,
            )
        )
        level = raised
        frequently = frequently or rule.marks_frequently_missing
        strategy = strategy or rule.suggests_strategy_discussion
        panel = panel or rule.suggests_panel_referral

    matched: list[str] = []
    # Evidence rules first, then standing flags, then the "any concern is at least" rules, so
    # those see every other reason whatever order they were given in.
    evidence_rules = [r for r in rules if r.kind != MIN_LEVEL_IF_CONCERN]
    concern_rules = [r for r in rules if r.kind == MIN_LEVEL_IF_CONCERN]
    for spec in [*evidence_rules, None, *concern_rules]:
        if spec is None:
            if RANK[standing_level] > RANK[level]:
                reasons.append(
                    Contribution(
                        "flags",
                        "flags",
                        f"Raised {level_name(level)} to {level_name(standing_level)}",
                        "Active flags stay until someone clears them with a reason",
                        level=standing_level,
                    )
                )
                level = standing_level
            continue
        applies, evidence = rule_evidence(
            spec, child=child, episodes=episodes, disclosures=disclosures, now=now
        )
        if not applies:
            continue
        matched.append(spec.code)
        raised = apply_rule(spec, level)
        reasons.append(
            Contribution(
                "rule",
                spec.code,
                _effect(level, raised, spec.level, if_concern=spec.kind == MIN_LEVEL_IF_CONCERN),
                spec.description + _evidence_phrase(evidence),
                level=spec.level,
                condition=spec.condition,
                evidence=evidence,
            )
        )
        level = raised
        strategy = strategy or spec.suggests_strategy_discussion
        panel = panel or spec.suggests_panel_referral

    return ScoreResult(
        level=level,
        indicator_level=indicator_level,
        points=points,
        contributions=tuple(reasons),
        counts=counts,
        frequently_missing=frequently,
        suggests_strategy_discussion=strategy,
        suggests_panel_referral=panel,
        matched_rules=tuple(matched),
    )


def _effect(before: str, after: str, rule_level: str, *, if_concern: bool = False) -> str:
    if after != before:
        return f"Raised {level_name(before)} to {level_name(after)}"
    if if_concern and before == NONE:
        return "No effect: no concern identified"
    return f"At least {level_name(rule_level)}: no change"


def confirmed_level_refused_by(
    level: str, *, child: ChildFacts, rules: Sequence[RuleSpec]
) -> RuleSpec | None:
    """The child-fact rule (under 13, learning disability) a confirmed level would break, if any.

    A practitioner may confirm a level lower than the computed one, with a rationale, but not one
    the partnership's rules forbid for this child (e.g. Low for a child under 13).
    """
    for rule in rules:
        if rule.condition not in (AGE_UNDER, LEARNING_DISABILITY):
            continue
        applies, _ = rule_evidence(rule, child=child, episodes=(), disclosures=(), now=_EPOCH)
        if applies and apply_rule(rule, level) != level:
            return rule
    return None


_EPOCH = datetime(2000, 1, 1)  # child-fact rules never look at the time


def age_on(date_of_birth: date, on: date) -> int:
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years
