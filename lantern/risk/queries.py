"""Reads for the risk pages and the child page's risk panel. Callers check access first."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.urls import NoReverseMatch, reverse

from lantern.accounts.policy import can_change_records
from lantern.episodes.models import Category, MissingEpisode, PoliceGrading
from lantern.episodes.rules import duration, format_duration
from lantern.interviews.models import Disclosure
from lantern.people.models import Child
from lantern.risk import chart, facts, language, scoring
from lantern.risk.models import (
    LEVEL_RANK,
    Assessment,
    AssessmentStatus,
    Flag,
    Indicator,
    LanguageRule,
    Level,
    RepeatMissingRule,
    SourceType,
)

LEVEL_TAGS: dict[str, str] = {
    Level.NONE: "ln-tag--grey",
    Level.LOW: "ln-tag--yellow",
    Level.MEDIUM: "ln-tag--orange",
    Level.HIGH: "ln-tag--red",
}
GRADE_TAGS = {"high": "ln-tag--red", "medium": "ln-tag--orange", "low": "ln-tag--yellow"}

STRATEGY_DISCUSSION = "Hold a strategy discussion with police, children's social care and health"
PANEL_REFERRAL = "Refer the child to the exploitation (MACE) panel"
# Actions by level, from Croydon's tool (domain §4.3, 6) [V]; local practice, so only suggested.
LEVEL_ACTIONS: dict[str, list[str]] = {
    Level.MEDIUM: [
        "Consult the exploitation or missing coordinator",
        "Refer to specialist support",
        "Consider section 47 enquiries if significant harm is suspected",
    ],
    Level.HIGH: [STRATEGY_DISCUSSION, PANEL_REFERRAL, "Review at least every 6 weeks"],
}


def level_tag(level: str) -> str:
    return LEVEL_TAGS.get(level, "ln-tag--grey")


def level_label(level: str) -> str:
    return Level(level).label if level in Level.values else level


def _url(name: str, pk: int) -> str | None:
    # The episode and interview pages belong to other apps; until they exist the flag still
    # shows its evidence by reference, without a link.
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


# --- Language -------------------------------------------------------------------------------


def language_rules() -> list[language.PhraseRule]:
    return [
        language.PhraseRule(r.phrase, r.suggestion, r.explanation)
        for r in LanguageRule.objects.filter(active=True)
    ]


def language_warnings(
    text: str, rules: list[language.PhraseRule] | None = None
) -> list[language.Match]:
    """Victim-blaming phrases in one text, with suggestions: for gentle warnings only."""
    return language.check_text(text, language_rules() if rules is None else rules)


# --- Flags ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagRow:
    flag: Flag
    level_label: str
    tag: str
    evidence_label: str
    evidence_url: str | None


def _flag_rows(flags: list[Flag]) -> list[FlagRow]:
    disclosure_ids = [f.source_id for f in flags if f.source_type == SourceType.DISCLOSURE]
    interview_of = dict(
        Disclosure.objects.filter(pk__in=disclosure_ids).values_list("pk", "interview_id")
    )
    episode_ids = [f.source_id for f in flags if f.source_type == SourceType.EPISODE]
    episodes = dict(
        MissingEpisode.objects.filter(pk__in=episode_ids).values_list("pk", "last_seen_at")
    )
    rows = []
    for f in flags:
        if f.source_type == SourceType.EPISODE:
            seen = episodes.get(f.source_id)
            label = f"Missing episode ME{f.source_id:08d}" + (
                f", last seen {seen:%d/%m/%Y}" if seen else ""
            )
            url = _url("episodes:detail", f.source_id)
        elif f.source_type == SourceType.DISCLOSURE:
            interview_id = interview_of.get(f.source_id)
            label = f"Return interview {interview_id}" if interview_id else "Return interview"
            url = _url("interviews:detail", interview_id) if interview_id else None
        else:
            label = f"Screening SC{f.source_id:07d}"
            url = _url("risk:assessment_detail", f.source_id)
        rows.append(FlagRow(f, level_label(f.level), level_tag(f.level), label, url))
    return rows


# --- The child page's panel -----------------------------------------------------------------


@dataclass(frozen=True)
class RepeatRow:
    description: str
    count: int
    window_days: int
    in_window: int
    met: bool


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    what: str
    detail: str
    tag: str = ""


@dataclass
class RiskPanel:
    child: Child
    level: str
    level_label: str
    tag: str
    latest: Assessment | None
    draft: Assessment | None
    rule_result: scoring.ScoreResult
    rule_level: str
    reasons: list[Any]
    counts: list[tuple[int, int]]
    repeat_rows: list[RepeatRow]
    frequently_missing: bool
    active_flags: list[FlagRow]
    cleared_flags: list[FlagRow]
    suggestions: list[str]
    history: list[HistoryRow] = field(default_factory=list)
    can_change: bool = False
    rules_raise_above_screening: bool = False

    @property
    def rule_level_label(self) -> str:
        return level_label(self.rule_level)

    @property
    def rule_tag(self) -> str:
        return level_tag(self.rule_level)


def _suggestions(level: str, result: scoring.ScoreResult) -> list[str]:
    wanted: list[str] = []
    if result.suggests_strategy_discussion:
        wanted.append(STRATEGY_DISCUSSION)
    if result.suggests_panel_referral:
        wanted.append(PANEL_REFERRAL)
    wanted.extend(LEVEL_ACTIONS.get(level, []))
    return list(dict.fromkeys(wanted))


def child_history(child: Child, now: datetime) -> list[HistoryRow]:
    """Episodes, police gradings and completed screenings, oldest first (the chart as a table)."""
    rows: list[HistoryRow] = []
    for e in MissingEpisode.objects.filter(child=child).order_by("last_seen_at"):
        length = format_duration(duration(e.last_seen_at, e.returned_at, now))
        detail = f"{e.reference}: {Category(e.category).label}, " + (
            f"missing {length}" if e.returned_at else f"still missing after {length}"
        )
        rows.append(HistoryRow(e.last_seen_at, "Missing episode", detail))
    for g in PoliceGrading.objects.filter(episode__child=child).select_related("episode"):
        rows.append(
            HistoryRow(
                g.graded_at,
                "Police risk grading",
                f"{g.get_grade_display()} ({g.episode.reference})",
                GRADE_TAGS.get(g.grade, "ln-tag--grey"),
            )
        )
    for a in Assessment.objects.filter(child=child, status=AssessmentStatus.COMPLETED):
        rows.append(
            HistoryRow(
                a.completed_at or a.assessed_at,
                "Screening",
                f"{a.reference}: confirmed {level_label(a.confirmed_level)}"
                f" (computed {level_label(a.computed_level)})",
                level_tag(a.confirmed_level),
            )
        )
    rows.sort(key=lambda r: r.at)
    return rows


def latest_completed(child: Child) -> Assessment | None:
    return (
        Assessment.objects.filter(child=child, status=AssessmentStatus.COMPLETED)
        .select_related("assessor", "organisation", "tool")
        .order_by("-completed_at", "-id")
        .first()
    )


def child_risk_panel(*, child: Child, user: Any, now: datetime) -> RiskPanel:
    """Everything the child page shows about exploitation risk. The caller has checked access.

    The level is the higher of the level confirmed at the latest screening and the level the
    rules give now from every source (episodes, disclosures, the repeat-missing rule and flags
    that are still active). Both are shown, with every reason, so a practitioner can see why
    and challenge it.
    """
    latest = latest_completed(child)
    draft = (
        Assessment.objects.filter(child=child, status=AssessmentStatus.DRAFT)
        .order_by("-assessed_at")
        .first()
    )
    result = facts.score_child(child, now)
    confirmed = latest.confirmed_level if latest else Level.NONE
    level = scoring.max_level(confirmed, result.level)
    repeat_rows = [
        RepeatRow(
            r.description,
            r.count,
            r.window_days,
            result.count_in(r.window_days) or 0,
            (result.count_in(r.window_days) or 0) >= r.count,
        )
        for r in RepeatMissingRule.objects.filter(active=True)
    ]
    flags = list(Flag.objects.filter(child=child).select_related("cleared_by"))
    rows = _flag_rows(flags)
    return RiskPanel(
        child=child,
        level=level,
        level_label=level_label(level),
        tag=level_tag(level),
        latest=latest,
        draft=draft,
        rule_result=result,
        rule_level=result.level,
        reasons=list(result.contributions),
        counts=[(d, n) for d, n in result.counts if d in scoring.COUNT_WINDOWS],
        repeat_rows=repeat_rows,
        frequently_missing=result.frequently_missing,
        active_flags=[r for r in rows if r.flag.active],
        cleared_flags=[r for r in rows if not r.flag.active],
        suggestions=_suggestions(level, result),
        history=child_history(child, now),
        can_change=can_change_records(user),
        rules_raise_above_screening=latest is not None
        and LEVEL_RANK[result.level] > LEVEL_RANK[confirmed],
    )


# --- Screening pages ------------------------------------------------------------------------


def assessment_indicators(assessment: Assessment) -> list[Indicator]:
    return list(
        Indicator.objects.filter(domain__tool_id=assessment.tool_id)
        .select_related("domain")
        .prefetch_related("steps", "suggested_types")
    )


def child_chart_svg(child: Child, now: datetime) -> str:
    """The risk-over-time chart for a child, labelled with the child's reference only."""
    episodes = [
        chart.EpisodeBar(start, end)
        for start, end in MissingEpisode.objects.filter(child=child)
        .order_by("last_seen_at")
        .values_list("last_seen_at", "returned_at")
    ]
    gradings = [
        chart.GradingPoint(g.graded_at, g.grade, g.get_grade_display())
        for g in PoliceGrading.objects.filter(episode__child=child).order_by("graded_at")
    ]
    levels = [
        chart.LevelPoint(a.completed_at or a.assessed_at, a.confirmed_level)
        for a in Assessment.objects.filter(child=child, status=AssessmentStatus.COMPLETED).order_by(
            "completed_at"
        )
    ]
    return chart.risk_chart_svg(
        reference=child.reference, episodes=episodes, gradings=gradings, levels=levels, now=now
    )
