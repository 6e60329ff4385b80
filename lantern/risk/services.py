"""Writes for screening tools, screenings, rules, flags and findings; each audited in its transaction."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from lantern.accounts.policy import acting_membership
from lantern.audit.models import Action
from lantern.audit.services import audit_record, changes, snapshot
from lantern.common.errors import ConcurrentEditError
from lantern.episodes.models import MissingEpisode
from lantern.episodes.rules import format_duration
from lantern.interviews.models import ExploitationType
from lantern.people.models import Child
from lantern.risk import defaults, facts, scoring
from lantern.risk.models import (
    LEVEL_RANK,
    Answer,
    AnswerSource,
    Assessment,
    AssessmentExploitationType,
    AssessmentReason,
    AssessmentStatus,
    ContextFactor,
    EpisodeFinding,
    Flag,
    FlagKind,
    FoundItem,
    Indicator,
    IndicatorExploitationType,
    LadderStep,
    LanguageRule,
    Level,
    OverrideRule,
    OverrideRuleExploitationType,
    RepeatMissingRule,
    Scale,
    ScreeningTool,
    SourceType,
    ToolDomain,
    ToolStatus,
)

NO_PUBLISHED_TOOL = "No screening tool is published. Ask a partnership administrator to publish one"
NO_ORGANISATION = "You need to act for an organisation to record a screening"
ALREADY_COMPLETED = "This screening has been completed and can no longer be changed"
ANSWER_INVALID = "Select one of the answers"
OBSERVED_REQUIRED = "Enter the date this was observed"
OBSERVED_FUTURE = "The date observed must be today or in the past"
EVIDENCE_REQUIRED = "Enter the evidence for this answer"
SOURCE_INVALID = "Select where the evidence came from"
TYPE_INVALID = "Select types of exploitation from the list"
LEVEL_REQUIRED = "Select the level you are confirming"
RATIONALE_CONFIRM_REQUIRED = "Enter why you are confirming this level"
RATIONALE_CHANGE_REQUIRED = "Enter why you are changing the level"
LEVEL_REFUSED = "{rule}. Choose a different level"
CLEAR_REASON_REQUIRED = "Enter why this flag is being cleared"
FLAG_ALREADY_CLEARED = "This flag has already been cleared"
TOOL_NOT_DRAFT = "Only a draft version of a tool can be published"
FINDING_INVALID = "Select what the child was found with from the list"

# Which flag each episode or disclosure condition raises.
FLAG_FOR_CONDITION = {
    scoring.DISCLOSURE: FlagKind.DISCLOSURE,
    scoring.FOUND_OOA_ITEMS: FlagKind.FOUND_OUT_OF_AREA_WITH_ITEMS,
    scoring.FOUND_OOA: FlagKind.FOUND_OUT_OF_AREA,
    scoring.FOUND_WITH_OTHERS: FlagKind.FOUND_WITH_OTHERS,
    scoring.MISSING_OVER_HOURS: FlagKind.MISSING_OVER_HOURS,
    scoring.POLICE_HIGH: FlagKind.POLICE_GRADE_HIGH,
}


# --- Screening tools ------------------------------------------------------------------------


def _create_tool_rows(tool: ScreeningTool, data: dict[str, Any]) -> None:
    for d_order, domain_data in enumerate(data["domains"]):
        domain = ToolDomain.objects.create(
            tool=tool,
            code=domain_data["code"],
            name=domain_data["name"],
            description=domain_data.get("description", ""),
            order=d_order,
        )
        for i_order, item in enumerate(domain_data["indicators"]):
            indicator = Indicator.objects.create(
                domain=domain,
                code=item["code"],
                text=item["text"],
                guidance=item.get("guidance", ""),
                scale=item["scale"],
                weight=item.get("weight", 1),
                preset_level=item.get("preset_level", "none"),
                current_for_days=item.get("current_for_days", 90),
                order=i_order,
            )
            LadderStep.objects.bulk_create(
                LadderStep(indicator=indicator, value=value, label=label)
                for value, label in item.get("steps", [])
            )
            IndicatorExploitationType.objects.bulk_create(
                IndicatorExploitationType(indicator=indicator, exploitation_type=t)
                for t in item.get("suggests", [])
            )
    ContextFactor.objects.bulk_create(
        ContextFactor(tool=tool, code=code, text=text, order=n)
        for n, (code, text) in enumerate(data.get("context", []))
    )


def _next_version(name: str) -> int:
    latest = ScreeningTool.objects.filter(name=name).aggregate(v=Max("version"))["v"]
    return (latest or 0) + 1


def _retire_published(name: str, now: datetime) -> None:
    ScreeningTool.objects.filter(name=name, status=ToolStatus.PUBLISHED).update(
        status=ToolStatus.RETIRED, updated_at=now
    )


@transaction.atomic
def tool_publish_from_data(
    *, actor: Any, data: dict[str, Any], source_hash: str = ""
) -> ScreeningTool:
    """Publish a new version of a tool from data, retiring the version it replaces.

    Always new rows: screenings completed on earlier versions keep their own questions.
    """
    now = timezone.now()
    thresholds = data.get("thresholds", {})
    _retire_published(data["name"], now)
    tool = ScreeningTool.objects.create(
        name=data["name"],
        version=_next_version(data["name"]),
        description=data.get("description", ""),
        status=ToolStatus.PUBLISHED,
        published_at=now,
        low_from_points=thresholds.get("low_from_points", 1),
        medium_from_points=thresholds.get("medium_from_points", 5),
        high_from_points=thresholds.get("high_from_points", 10),
        source_hash=source_hash,
    )
    _create_tool_rows(tool, data)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=tool,
        summary=f"Published screening tool {tool}",
        detail={"after": snapshot(tool), "source_hash": source_hash},
    )
    return tool


@transaction.atomic
def tool_load_default(*, actor: Any = None) -> tuple[ScreeningTool, bool]:
    """Publish the shipped tool if its content changed since it was last loaded.

    Returns the tool and whether a new version was published. Versions a partnership built in
    admin do not count: only a change to the shipped file publishes the shipped file again.
    """
    data = defaults.tool_data()
    digest = defaults.content_hash(data)
    last_loaded = (
        ScreeningTool.objects.filter(name=data["name"]).exclude(source_hash="").order_by("-version")
    ).first()
    if last_loaded is not None and last_loaded.source_hash == digest:
        return last_loaded, False
    return tool_publish_from_data(actor=actor, data=data, source_hash=digest), True


@transaction.atomic
def tool_draft_from(*, actor: Any, tool: ScreeningTool) -> ScreeningTool:
    """A new draft version copied from a tool, for a partnership administrator to edit."""
    draft = ScreeningTool.objects.create(
        name=tool.name,
        version=_next_version(tool.name),
        description=tool.description,
        status=ToolStatus.DRAFT,
        low_from_points=tool.low_from_points,
        medium_from_points=tool.medium_from_points,
        high_from_points=tool.high_from_points,
    )
    data = {
        "domains": [
            {
                "code": d.code,
                "name": d.name,
                "description": d.description,
                "indicators": [
                    {
                        "code": i.code,
                        "text": i.text,
                        "guidance": i.guidance,
                        "scale": i.scale,
                        "weight": i.weight,
                        "preset_level": i.preset_level,
                        "current_for_days": i.current_for_days,
                        "steps": [(s.value, s.label) for s in i.steps.all()],
                        "suggests": [t.exploitation_type for t in i.suggested_types.all()],
                    }
                    for i in d.indicators.all()
                ],
            }
            for d in tool.domains.prefetch_related(
                "indicators__steps", "indicators__suggested_types"
            )
        ],
        "context": [(c.code, c.text) for c in tool.context.all()],
    }
    _create_tool_rows(draft, data)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=draft,
        summary=f"Started a draft of {draft} from version {tool.version}",
        detail={"from_tool": tool.pk},
    )
    return draft


@transaction.atomic
def tool_publish(*, actor: Any, tool: ScreeningTool) -> ScreeningTool:
    """Publish a draft version; the version it replaces is retired, never rewritten."""
    if tool.status != ToolStatus.DRAFT:
        raise ValidationError(TOOL_NOT_DRAFT)
    now = timezone.now()
    _retire_published(tool.name, now)
    tool.status = ToolStatus.PUBLISHED
    tool.published_at = now
    tool.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action=Action.UPDATE, obj=tool, summary=f"Published {tool}")
    return tool


def tool_current() -> ScreeningTool | None:
    return (
        ScreeningTool.objects.filter(status=ToolStatus.PUBLISHED).order_by("-published_at").first()
    )


# --- Default rules and language -------------------------------------------------------------


@transaction.atomic
def rules_load_defaults(*, actor: Any = None) -> int:
    """Add any shipped rule whose code is not in the table yet; edited rules are kept as they are."""
    data = defaults.rules_data()
    added = 0
    existing = set(OverrideRule.objects.values_list("code", flat=True))
    for item in data["override_rules"]:
        if item["code"] in existing:
            continue
        types = item.get("exploitation_types", [])
        fields = {k: v for k, v in item.items() if k != "exploitation_types"}
        rule = OverrideRule.objects.create(**fields)
        OverrideRuleExploitationType.objects.bulk_create(
            OverrideRuleExploitationType(rule=rule, exploitation_type=t) for t in types
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=rule,
            summary=f"Added override rule: {rule.description}",
            detail={"after": snapshot(rule), "exploitation_types": types},
        )
        added += 1
    existing = set(RepeatMissingRule.objects.values_list("code", flat=True))
    for item in data["repeat_missing_rules"]:
        if item["code"] in existing:
            continue
        repeat = RepeatMissingRule.objects.create(**item)
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=repeat,
            summary=f"Added repeat-missing rule: {repeat.description}",
            detail={"after": snapshot(repeat)},
        )
        added += 1
    return added


@transaction.atomic
def language_load_defaults(*, actor: Any = None) -> int:
    """Add any shipped phrase not in the list yet (compared without regard to case)."""
    existing = {p.lower() for p in LanguageRule.objects.values_list("phrase", flat=True)}
    added = 0
    for item in defaults.language_data():
        if item["phrase"].lower() in existing:
            continue
        rule = LanguageRule.objects.create(
            phrase=item["phrase"],
            suggestion=item["suggestion"],
            explanation=item["explanation"].strip(),
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=rule,
            summary=f"Added language guidance for '{rule.phrase}'",
            detail={"after": snapshot(rule)},
        )
        added += 1
    return added


@dataclass(frozen=True)
class DefaultsLoaded:
    tool: ScreeningTool
    tool_published: bool
    rules_added: int
    phrases_added: int


@transaction.atomic
def defaults_load(*, actor: Any = None) -> DefaultsLoaded:
    """Load the shipped tool, rules and phrases. Safe to run any number of times."""
    tool, published = tool_load_default(actor=actor)
    return DefaultsLoaded(
        tool, published, rules_load_defaults(actor=actor), language_load_defaults(actor=actor)
    )


# --- Screenings -----------------------------------------------------------------------------


@transaction.atomic
def assessment_start(
    *, actor: Any, child: Child, tool: ScreeningTool | None = None, now: datetime | None = None
) -> Assessment:
    """Start a draft screening for a child on the current published version of the tool.

    If the same person already has a draft screening for this child, that draft is returned:
    one unfinished screening each, not one per click.
    """
    existing = Assessment.objects.filter(
        child=child, assessor=actor, status=AssessmentStatus.DRAFT
    ).first()
    if existing is not None:
        return existing
    tool = tool or tool_current()
    if tool is None or tool.status != ToolStatus.PUBLISHED:
        raise ValidationError(NO_PUBLISHED_TOOL)
    membership = acting_membership(actor)
    if membership is None:
        raise ValidationError(NO_ORGANISATION)
    assessment = Assessment.objects.create(
        child=child,
        tool=tool,
        assessed_at=now or timezone.now(),
        assessor=actor,
        organisation=membership.organisation,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=assessment,
        child_id=child.pk,
        summary=f"Started a screening ({tool})",
    )
    return assessment


@dataclass(frozen=True)
class AnswerInput:
    """One indicator's answer as typed: ``response`` is "" (not answered), "dk" or a number."""

    indicator_id: int
    response: str
    evidence: str = ""
    source: str = AnswerSource.SCREENING
    observed_on: date | None = None


def answer_field(indicator_id: int, part: str) -> str:
    """The name of a screening form field, shared by the form and the errors raised here."""
    return f"i{indicator_id}_{part}"


def _allowed_values(indicator: Indicator) -> set[str]:
    if indicator.scale == Scale.YES_NO_DK:
        return {"0", "1", "dk"}
    if indicator.scale == Scale.ZERO_TO_THREE:
        return {"0", "1", "2", "3"}
    return {str(s.value) for s in indicator.steps.all()}


def _check_draft(assessment: Assessment, version: int) -> None:
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError(ALREADY_COMPLETED)
    if version != assessment.version:
        raise ConcurrentEditError()


def _bump_version(assessment: Assessment, version: int, **fields: Any) -> None:
    updated = Assessment.objects.filter(pk=assessment.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    if updated != 1:
        raise ConcurrentEditError()
    assessment.refresh_from_db()


@transaction.atomic
def assessment_answer(
    *,
    actor: Any,
    assessment: Assessment,
    version: int,
    answers: Sequence[AnswerInput],
    exploitation_types: Iterable[str] = (),
    context_factor_ids: Iterable[int] = (),
    professional_judgement: str = "",
    today: date | None = None,
) -> Assessment:
    """Save a draft screening's answers. A positive answer needs evidence and a date observed."""
    _check_draft(assessment, version)
    today = today or timezone.localdate()
    indicators = {
        i.pk: i
        for i in Indicator.objects.filter(domain__tool=assessment.tool).prefetch_related("steps")
    }
    types = set(exploitation_types)
    errors: dict[str, str] = {}
    rows: dict[int, Answer] = {}
    for item in answers:
        indicator = indicators.get(item.indicator_id)
        if indicator is None:
            continue  # an indicator from another version: never saved against this one
        if not item.response:
            continue
        if item.response not in _allowed_values(indicator):
            errors[answer_field(indicator.pk, "value")] = ANSWER_INVALID
            continue
        value = None if item.response == "dk" else int(item.response)
        if item.source not in AnswerSource.values:
            errors[answer_field(indicator.pk, "source")] = SOURCE_INVALID
        if value:
            if item.observed_on is None:
                errors[answer_field(indicator.pk, "observed_on")] = OBSERVED_REQUIRED
            elif item.observed_on > today:
                errors[answer_field(indicator.pk, "observed_on")] = OBSERVED_FUTURE
            if not item.evidence.strip():
                errors[answer_field(indicator.pk, "evidence")] = EVIDENCE_REQUIRED
        rows[indicator.pk] = Answer(
            assessment=assessment,
            indicator=indicator,
            value=value,
            evidence=item.evidence.strip(),
            source=item.source,
            observed_on=item.observed_on,
        )
    if not types <= set(ExploitationType.values):
        errors["exploitation_types"] = TYPE_INVALID
    if errors:
        raise ValidationError(errors)
    before = sorted(
        Answer.objects.filter(assessment=assessment).values_list("indicator_id", "value")
    )
    Answer.objects.filter(assessment=assessment).delete()
    Answer.objects.bulk_create(rows.values())
    AssessmentExploitationType.objects.filter(assessment=assessment).delete()
    AssessmentExploitationType.objects.bulk_create(
        AssessmentExploitationType(assessment=assessment, exploitation_type=t)
        for t in sorted(types)
    )
    assessment.context_factors.set(
        ContextFactor.objects.filter(tool=assessment.tool, pk__in=list(context_factor_ids))
    )
    _bump_version(assessment, version, professional_judgement=professional_judgement.strip())
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=assessment,
        child_id=assessment.child_id,
        summary="Saved screening answers",
        detail={
            "before": before,
            "after": sorted((r.indicator_id, r.value) for r in rows.values()),
            "exploitation_types": sorted(types),
        },
    )
    return assessment


@transaction.atomic
def assessment_complete(
    *,
    actor: Any,
    assessment: Assessment,
    version: int,
    confirmed_level: str,
    rationale: str,
    now: datetime | None = None,
) -> Assessment:
    """Complete a screening: the computed level and the practitioner's confirmed level are kept.

    The rationale is always required, whether the level is confirmed or changed. A level the
    partnership's rules forbid for this child (Low for a child under 13) is refused.
    """
    _check_draft(assessment, version)
    now = now or timezone.now()
    result = facts.score_child(assessment.child, now, assessment)
    errors: dict[str, str] = {}
    if confirmed_level not in Level.values:
        errors["confirmed_level"] = LEVEL_REQUIRED
    else:
        rules, _ = facts.active_rules()
        refused = scoring.confirmed_level_refused_by(
            confirmed_level, child=facts.child_facts(assessment.child, now), rules=rules
        )
        if refused is not None:
            errors["confirmed_level"] = LEVEL_REFUSED.format(rule=refused.description)
    if not rationale.strip():
        changed = confirmed_level in Level.values and confirmed_level != result.level
        errors["rationale"] = RATIONALE_CHANGE_REQUIRED if changed else RATIONALE_CONFIRM_REQUIRED
    if errors:
        raise ValidationError(errors)
    AssessmentReason.objects.bulk_create(
        AssessmentReason(
            assessment=assessment,
            kind=c.kind if c.kind != "flags" else "rule",
            code=c.code,
            effect=c.effect[:120],
            explanation=c.explanation[:500],
            counted=c.counted,
            order=n,
        )
        for n, c in enumerate(result.contributions)
    )
    _bump_version(
        assessment,
        version,
        status=AssessmentStatus.COMPLETED,
        computed_level=result.level,
        confirmed_level=confirmed_level,
        rationale=rationale.strip(),
        completed_at=now,
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=assessment,
        child_id=assessment.child_id,
        summary=(
            f"Completed a screening: computed {scoring.level_name(result.level)}, "
            f"confirmed {scoring.level_name(confirmed_level)}"
        ),
        detail={
            "computed_level": result.level,
            "confirmed_level": confirmed_level,
            "reasons": [c.code for c in result.contributions if c.counted],
        },
    )
    flags_refresh_for_child(child=assessment.child, now=now)
    return assessment


# --- Flags ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagWanted:
    kind: str
    level: str
    source_type: str
    source_id: int
    rule: str
    explanation: str


def _missing_for(episode: scoring.EpisodeFact, now: datetime) -> str:
    """How long the child was missing, as known when the flag is raised."""
    length = format_duration(timedelta(hours=scoring.missing_hours(episode, now)))
    if episode.ended_at is None or episode.ended_at > now:
        return f"still missing {length} after last seen when this was raised"
    return f"missing for {length}"


def _wanted_from_rules(
    result: scoring.ScoreResult,
    rules: Sequence[scoring.RuleSpec],
    episodes: Sequence[scoring.EpisodeFact],
    now: datetime,
) -> list[FlagWanted]:
    by_code = {r.code: r for r in rules}
    by_id = {e.id: e for e in episodes}
    wanted: list[FlagWanted] = []
    for c in result.contributions:
        if c.kind != "rule" or c.condition not in FLAG_FOR_CONDITION:
            continue
        rule = by_code[c.code]
        for e in c.evidence:
            explanation = rule.description
            if c.condition == scoring.MISSING_OVER_HOURS and e.source_id in by_id:
                # An open episode keeps counting: say so, so a late-recorded return explains
                # a flag raised while the record still showed the child missing.
                explanation = f"{rule.description}: {_missing_for(by_id[e.source_id], now)}"
            wanted.append(
                FlagWanted(
                    FLAG_FOR_CONDITION[c.condition],
                    rule.level,
                    e.source_type,
                    e.source_id,
                    rule.code,
                    explanation,
                )
            )
    return wanted


def _wanted_from_screenings(child_ids: Sequence[int]) -> dict[int, list[FlagWanted]]:
    """A flag for every completed screening with a yes on an indicator with a preset level."""
    wanted: dict[int, list[FlagWanted]] = {pk: [] for pk in child_ids}
    rows = (
        Answer.objects.filter(
            facts.child_filter("assessment__child_id", child_ids),
            assessment__status=AssessmentStatus.COMPLETED,
            value__gte=1,
        )
        .exclude(indicator__preset_level="none")
        .values_list(
            "assessment__child_id", "assessment_id", "indicator__text", "indicator__preset_level"
        )
        .order_by("assessment_id", "indicator__order")
    )
    grouped: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for child_id, assessment_id, text, level in rows:
        grouped.setdefault((child_id, assessment_id), []).append((text, level))
    for (child_id, assessment_id), items in grouped.items():
        if child_id not in wanted:
            continue
        level = scoring.max_level(*(lvl for _, lvl in items))
        wanted[child_id].append(
            FlagWanted(
                FlagKind.SCREENING,
                level,
                SourceType.ASSESSMENT,
                assessment_id,
                "",
                "Critical indicator in a screening: " + "; ".join(t for t, _ in items),
            )
        )
    return wanted


def _wanted_repeat(
    result: scoring.ScoreResult, repeats: Sequence[scoring.RepeatRuleSpec]
) -> list[FlagWanted]:
    by_code = {r.code: r for r in repeats}
    wanted = []
    for c in result.contributions:
        if c.kind == "repeat" and by_code[c.code].marks_frequently_missing and c.evidence:
            latest = c.evidence[-1]  # episodes are in start order: the newest in the window
            wanted.append(
                FlagWanted(
                    FlagKind.FREQUENTLY_MISSING,
                    by_code[c.code].level,
                    latest.source_type,
                    latest.source_id,
                    c.code,
                    c.explanation,
                )
            )
    return wanted


def _upsert_flags(
    child_id: int, wanted: Sequence[FlagWanted], existing_flags: Sequence[Flag], now: datetime
) -> tuple[list[Flag], list[Flag]]:
    """The flags to create and the active flags to update; nothing is ever deactivated.

    A cleared flag stays cleared for the evidence a person judged. For "frequently missing" a
    new episode is new evidence: it refreshes the active flag, or raises a new one if the last
    was cleared.
    """
    merged: dict[tuple[str, str, int], FlagWanted] = {}
    for w in wanted:
        key = (w.kind, w.source_type, w.source_id)
        if key not in merged or LEVEL_RANK[w.level] > LEVEL_RANK[merged[key].level]:
            merged[key] = w
    existing = {(f.kind, f.source_type, f.source_id): f for f in existing_flags}
    active_repeat = next(
        (f for f in existing_flags if f.kind == FlagKind.FREQUENTLY_MISSING and f.active), None
    )
    new: list[Flag] = []
    changed: list[Flag] = []
    for key, w in merged.items():
        flag = existing.get(key)
        if w.kind == FlagKind.FREQUENTLY_MISSING and active_repeat is not None:
            flag = active_repeat
        explanation = w.explanation[:500]
        if flag is None:
            new.append(
                Flag(
                    child_id=child_id,
                    kind=w.kind,
                    level=w.level,
                    source_type=w.source_type,
                    source_id=w.source_id,
                    raised_at=now,
                    raised_by_rule=w.rule,
                    explanation=explanation,
                )
            )
        elif flag.active and (
            LEVEL_RANK[w.level] > LEVEL_RANK[flag.level] or flag.explanation != explanation
        ):
            flag.level = scoring.max_level(flag.level, w.level)
            flag.explanation = explanation
            flag.updated_at = now
            changed.append(flag)
    return new, changed


def _refresh_children(
    children: Sequence[Child], now: datetime, *, batch_audit: bool = False
) -> int:
    """Flags for a batch of children with a fixed number of queries.

    Audited with one event per child that gained flags, or with ``batch_audit`` one event for
    the whole batch listing each child's new flags (national recomputes).
    """
    ids = [c.pk for c in children]
    rules, repeats = facts.active_rules()
    horizon = scoring.episode_horizon_days(rules, repeats)
    since = now - timedelta(days=horizon + 1) if horizon is not None else None
    episodes = facts.episode_facts_for(children, since)
    disclosures = facts.disclosure_facts_for(children)
    screenings = _wanted_from_screenings(ids)
    existing: dict[int, list[Flag]] = {pk: [] for pk in ids}
    for flag in Flag.objects.filter(facts.child_filter("child_id", ids)):
        if flag.child_id in existing:
            existing[flag.child_id].append(flag)
    today = timezone.localdate(now)
    new_by_child: dict[int, list[Flag]] = {}
    changed_all: list[Flag] = []
    for child in children:
        result = scoring.score(
            child=facts.child_facts(child, now, today),
            episodes=episodes[child.pk],
            disclosures=disclosures[child.pk],
            rules=rules,
            repeat_rules=repeats,
            now=now,
        )
        wanted = [
            *_wanted_from_rules(result, rules, episodes[child.pk], now),
            *_wanted_repeat(result, repeats),
            *screenings[child.pk],
        ]
        new, changed = _upsert_flags(child.pk, wanted, existing[child.pk], now)
        if new:
            new_by_child[child.pk] = new
        changed_all.extend(changed)
    created = Flag.objects.bulk_create([f for flags in new_by_child.values() for f in flags])
    if changed_all:
        Flag.objects.bulk_update(changed_all, ["level", "explanation", "updated_at"])
    if batch_audit:
        if new_by_child:
            audit_record(
                actor=None,
                action=Action.CREATE,
                object_type="risk.flag",
                summary=f"Raised {len(created)} flags for {len(new_by_child)} children",
                detail={
                    "flags": {
                        str(child_id): [
                            [f.kind, f.level, f.source_type, f.source_id] for f in flags
                        ]
                        for child_id, flags in new_by_child.items()
                    }
                },
            )
        return len(created)
    for child_id, flags in new_by_child.items():
        audit_record(
            actor=None,
            action=Action.CREATE,
            object_type="risk.flag",
            object_id=",".join(str(f.pk) for f in flags if f.pk)[:64],
            child_id=child_id,
            summary="Raised flags: " + ", ".join(f.get_kind_display() for f in flags),
            detail={"flags": [[f.kind, f.level, f.source_type, f.source_id] for f in flags]},
        )
    return len(created)


@transaction.atomic
def flags_refresh_for_child(*, child: Child, now: datetime | None = None) -> int:
    """Derive the child's flags from every source; returns how many were raised.

    Upserts only: refreshing never clears a flag (only ``flag_clear``, by a person, does).
    """
    return _refresh_children([child], now or timezone.now())


def flags_refresh_all(*, now: datetime | None = None, batch: int = 2000) -> int:
    """Recompute flags for every child, in batches of one transaction each; returns flags raised.

    For bulk loads (imports, the demo generator), which suspend the per-write refresh.
    """
    now = now or timezone.now()
    total = 0
    ids = list(
        Child.objects.filter(merged_into__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(ids), batch):
        chunk = set(ids[start : start + batch])
        with transaction.atomic():
            children = [
                c
                for c in Child.objects.filter(facts.child_filter("pk", list(chunk))).only(
                    "pk", "date_of_birth", "learning_disability", "home_la_id", "merged_into_id"
                )
                if c.pk in chunk
            ]
            total += _refresh_children(children, now, batch_audit=True)
    return total


@transaction.atomic
def flag_clear(*, actor: Any, flag: Flag, reason: str) -> Flag:
    """A person clears a flag, saying why. The flag and its evidence stay on record."""
    if not flag.active:
        raise ValidationError({"reason": FLAG_ALREADY_CLEARED})
    if not reason.strip():
        raise ValidationError({"reason": CLEAR_REASON_REQUIRED})
    before = snapshot(flag)
    flag.active = False
    flag.cleared_at = timezone.now()
    flag.cleared_reason = reason.strip()
    flag.cleared_by = actor
    flag.save(update_fields=["active", "cleared_at", "cleared_reason", "cleared_by", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=flag,
        child_id=flag.child_id,
        summary=f"Cleared flag: {flag.get_kind_display()}",
        detail={"changes": changes(before, snapshot(flag))},
    )
    return flag


# --- Findings on return ---------------------------------------------------------------------


@transaction.atomic
def episode_findings_set(
    *, actor: Any, episode: MissingEpisode, items: Iterable[str]
) -> list[EpisodeFinding]:
    """Record what the child was found with on return (drugs, cash, a second phone, a weapon)."""
    wanted = set(items)
    if not wanted <= set(FoundItem.values):
        raise ValidationError({"items": FINDING_INVALID})
    current = set(EpisodeFinding.objects.filter(episode=episode).values_list("item", flat=True))
    EpisodeFinding.objects.filter(episode=episode, item__in=current - wanted).delete()
    EpisodeFinding.objects.bulk_create(
        EpisodeFinding(
            episode=episode, item=i, recorded_by=actor if getattr(actor, "pk", None) else None
        )
        for i in sorted(wanted - current)
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="risk.episodefinding",
        object_id=episode.pk,
        child_id=episode.child_id,
        summary="Recorded what the child was found with",
        detail={"before": sorted(current), "after": sorted(wanted)},
    )
    flags_refresh_for_child(child=episode.child)
    return list(EpisodeFinding.objects.filter(episode=episode))
