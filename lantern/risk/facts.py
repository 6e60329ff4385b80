"""Load the plain facts that scoring.py works on, from the database (reads only).

One function per kind of fact, each taking a list of children so the same code serves one child
after a new episode and every child in a national recompute, with a fixed number of queries.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from lantern.episodes.models import Grade, MissingEpisode, PoliceGrading
from lantern.interviews.models import Disclosure
from lantern.people.models import Child, Placement
from lantern.risk import scoring
from lantern.risk.models import (
    LEVEL_RANK,
    Answer,
    Assessment,
    EpisodeFinding,
    Flag,
    OverrideRule,
    RepeatMissingRule,
)


def child_facts(child: Child, now: datetime, today: date | None = None) -> scoring.ChildFacts:
    """Age (on ``today``, the local date of ``now`` unless given) and learning disability."""
    return scoring.ChildFacts(
        age_years=scoring.age_on(child.date_of_birth, today or timezone.localdate(now)),
        learning_disability=child.learning_disability,
    )


def _host_la_on(placements: Sequence[tuple[date, date | None, int | None]], on: date) -> int | None:
    """The host LA of the placement the child was in on a day (placements newest first)."""
    for started, ended, host in placements:
        if started <= on and (ended is None or ended >= on):
            return host
    return None


def child_filter(field: str, ids: Sequence[int]) -> Q:
    """Rows of these children. A contiguous batch becomes a range, far cheaper than a long IN list
    (national recomputes walk children in primary-key order); the caller drops any extra rows."""
    if len(ids) > 50 and max(ids) - min(ids) < 2 * len(ids):
        return Q(**{f"{field}__gte": min(ids), f"{field}__lte": max(ids)})
    return Q(**{f"{field}__in": list(ids)})


def episode_facts_for(
    children: Sequence[Child], since: datetime | None = None
) -> dict[int, list[scoring.EpisodeFact]]:
    """Each child's episodes as scoring facts, in three queries whatever the batch size.

    With ``since``, only episodes that began, ended or were still open after it (see
    ``scoring.episode_horizon_days``). Found out of area: found in an LA that is neither the
    child's home LA nor the host LA of the placement they were in when the episode began.
    """
    ids = [c.pk for c in children]
    home = {c.pk: c.home_la_id for c in children}
    facts: dict[int, list[scoring.EpisodeFact]] = {pk: [] for pk in ids}
    if not ids:
        return facts
    placements: dict[int, list[tuple[date, date | None, int | None]]] = defaultdict(list)
    for child_id, started, ended, host in (
        Placement.objects.filter(child_filter("child_id", ids))
        .order_by("child_id", "-started_on", "-id")
        .values_list("child_id", "started_on", "ended_on", "host_la_id")
    ):
        placements[child_id].append((started, ended, host))
    items: dict[int, set[str]] = defaultdict(set)
    for episode_id, item in EpisodeFinding.objects.filter(
        child_filter("episode__child_id", ids)
    ).values_list("episode_id", "item"):
        items[episode_id].add(item)
    high = PoliceGrading.objects.filter(episode=OuterRef("pk"), grade=Grade.HIGH)
    recent = Q()
    if since is not None:
        recent = Q(last_seen_at__gt=since) | Q(returned_at__gt=since) | Q(returned_at__isnull=True)
    episodes = (
        MissingEpisode.objects.filter(child_filter("child_id", ids), recent)
        .annotate(police_high=Exists(high))
        .order_by("last_seen_at", "id")
        .values_list(
            "id",
            "child_id",
            "last_seen_at",
            "returned_at",
            "found_la_id",
            "found_with",
            "police_high",
        )
    )
    for pk, child_id, seen, returned, found_la, found_with, police_high in episodes:
        if child_id not in facts:
            continue
        out_of_area = found_la is not None and found_la != home[child_id]
        if out_of_area and placements.get(child_id):
            on = timezone.localtime(seen).date()
            out_of_area = found_la != _host_la_on(placements[child_id], on)
        facts[child_id].append(
            scoring.EpisodeFact(
                id=pk,
                started_at=seen,
                ended_at=returned,
                found_out_of_area=out_of_area,
                found_items=frozenset(items[pk]) if pk in items else frozenset(),
                found_with_others=bool(found_with.strip()),
                police_high=police_high,
            )
        )
    return facts


def disclosure_facts_for(children: Sequence[Child]) -> dict[int, list[scoring.DisclosureFact]]:
    """Disclosures marked as exploitation indicators, dated when the interview was completed."""
    facts: dict[int, list[scoring.DisclosureFact]] = {c.pk: [] for c in children}
    if not facts:
        return facts
    rows = (
        Disclosure.objects.filter(
            child_filter("interview__child_id", list(facts)), is_exploitation_indicator=True
        )
        .order_by("id")
        .values_list(
            "id",
            "interview__child_id",
            "exploitation_type",
            "interview__completed_at",
            "interview__offered_at",
            "created_at",
        )
    )
    for pk, child_id, kind, completed, offered, created in rows:
        if child_id in facts:
            facts[child_id].append(
                scoring.DisclosureFact(
                    id=pk, exploitation_type=kind, disclosed_at=completed or offered or created
                )
            )
    return facts


def standing_levels_for(children: Sequence[Child]) -> dict[int, str]:
    """The highest level among each child's active flags."""
    levels = {c.pk: scoring.NONE for c in children}
    if not levels:
        return levels
    for child_id, level in Flag.objects.filter(
        child_filter("child_id", list(levels)), active=True
    ).values_list("child_id", "level"):
        if child_id in levels and LEVEL_RANK[level] > LEVEL_RANK[levels[child_id]]:
            levels[child_id] = level
    return levels


def active_rules() -> tuple[list[scoring.RuleSpec], list[scoring.RepeatRuleSpec]]:
    rules = [
        scoring.RuleSpec(
            code=r.code,
            description=r.description,
            kind=r.kind,
            condition=r.condition,
            level=r.level,
            age_years=r.age_years,
            hours=r.hours,
            within_days=r.within_days,
            exploitation_types=frozenset(t.exploitation_type for t in r.types.all()),
            suggests_strategy_discussion=r.suggests_strategy_discussion,
            suggests_panel_referral=r.suggests_panel_referral,
        )
        for r in OverrideRule.objects.filter(active=True).prefetch_related("types")
    ]
    repeats = [
        scoring.RepeatRuleSpec(
            code=r.code,
            description=r.description,
            count=r.count,
            window_days=r.window_days,
            level=r.level,
            marks_frequently_missing=r.marks_frequently_missing,
            suggests_strategy_discussion=r.suggests_strategy_discussion,
            suggests_panel_referral=r.suggests_panel_referral,
        )
        for r in RepeatMissingRule.objects.filter(active=True)
    ]
    return rules, repeats


def answer_facts(assessment: Assessment) -> list[scoring.AnswerFact]:
    answers = Answer.objects.filter(assessment=assessment).select_related("indicator")
    steps: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for answer in answers:
        if answer.indicator.scale == scoring.LADDER:
            steps[answer.indicator_id] = [(s.value, s.label) for s in answer.indicator.steps.all()]
    return [
        scoring.AnswerFact(
            indicator=scoring.IndicatorSpec(
                code=a.indicator.code,
                text=a.indicator.text,
                scale=a.indicator.scale,
                weight=a.indicator.weight,
                preset_level=a.indicator.preset_level,
                current_for_days=a.indicator.current_for_days,
                steps=tuple(steps.get(a.indicator_id, ())),
            ),
            value=a.value,
            observed_on=a.observed_on,
        )
        for a in answers
    ]


def thresholds_for(assessment: Assessment) -> scoring.Thresholds:
    tool = assessment.tool
    return scoring.Thresholds(tool.low_from_points, tool.medium_from_points, tool.high_from_points)


def score_child(
    child: Child, now: datetime, assessment: Assessment | None = None
) -> scoring.ScoreResult:
    """The computed level for a child now: rules over every source, plus a screening's answers."""
    rules, repeats = active_rules()
    return scoring.score(
        answers=answer_facts(assessment) if assessment else (),
        thresholds=thresholds_for(assessment) if assessment else scoring.Thresholds(),
        child=child_facts(child, now),
        episodes=episode_facts_for([child])[child.pk],
        disclosures=disclosure_facts_for([child])[child.pk],
        rules=rules,
        repeat_rules=repeats,
        standing_level=standing_levels_for([child])[child.pk],
        now=now,
    )
