"""Services: tool versions, screenings, flags from every source, clearing flags, the panel."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from lantern.audit.models import AuditEvent
from lantern.common.errors import ConcurrentEditError
from lantern.episodes.services import episode_record_return
from lantern.interviews.services import DisclosureInput, interview_record
from lantern.people.services import placement_add
from lantern.risk import defaults, queries, services
from lantern.risk.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    ContextFactor,
    Flag,
    FlagKind,
    Indicator,
    LanguageRule,
    OverrideRule,
    RepeatMissingRule,
    ScreeningTool,
    ToolStatus,
)
from lantern.risk.services import AnswerInput, answer_field
from lantern.risk.signals import refresh_suspended
from lantern.risk.tests.conftest import episode, grade, interview, make_child

pytestmark = pytest.mark.django_db


def indicator(tool: ScreeningTool, code: str) -> Indicator:
    return Indicator.objects.get(domain__tool=tool, code=code)


def active_kinds(child) -> list[str]:
    return sorted(Flag.objects.filter(child=child, active=True).values_list("kind", flat=True))


def start_and_answer(world, child, tool, answers: dict[str, str], days_ago: int = 3):
    a = services.assessment_start(actor=world.sam, child=child)
    observed = timezone.localdate() - timedelta(days=days_ago)
    return services.assessment_answer(
        actor=world.sam,
        assessment=a,
        version=a.version,
        answers=[
            AnswerInput(
                indicator(tool, code).pk,
                response,
                evidence="Seen by the school nurse" if response not in ("0", "dk") else "",
                observed_on=observed if response not in ("0", "dk") else None,
            )
            for code, response in answers.items()
        ],
    )


# --- The shipped tool and rules -------------------------------------------------------------


def test_default_tool_has_safeguard_county_lines_and_critical_domains(tool):
    assert list(tool.domains.values_list("code", flat=True)) == [
        "critical",
        "safeguard",
        "missing",
        "money",
        "relationships",
        "physical",
        "education",
        "criminality",
    ]
    assert list(indicator(tool, "missing_ladder").steps.values_list("value", flat=True)) == [
        0,
        1,
        2,
        3,
        4,
        5,
    ]
    assert indicator(tool, "sti").preset_level == "high"
    assert indicator(tool, "self_harm").preset_level == "medium"


def test_vulnerability_factors_are_context_not_indicators(tool):
    assert ContextFactor.objects.filter(tool=tool).count() == 12
    assert not Indicator.objects.filter(domain__tool=tool, text="Insecure immigration status")


def test_loading_the_defaults_again_changes_nothing(tool):
    loaded = services.defaults_load(actor=None)
    assert loaded.tool == tool
    assert (loaded.tool_published, loaded.rules_added, loaded.phrases_added) == (False, 0, 0)
    assert ScreeningTool.objects.filter(name=tool.name).count() == 1


def test_default_rules_and_phrases_are_loaded(tool):
    assert OverrideRule.objects.count() == len(defaults.rules_data()["override_rules"])
    assert RepeatMissingRule.objects.get().count == 3
    assert LanguageRule.objects.filter(phrase="lifestyle choice").exists()


def test_loading_defaults_keeps_a_partnerships_edited_rule(tool):
    OverrideRule.objects.filter(code="found-out-of-area").update(level="medium")
    assert services.rules_load_defaults(actor=None) == 0
    assert OverrideRule.objects.get(code="found-out-of-area").level == "medium"


def test_loading_writes_audit_events(tool):
    OverrideRule.objects.filter(code="found-with-others").delete()
    services.rules_load_defaults(actor=None)
    assert AuditEvent.objects.filter(
        object_type="risk.overriderule", summary__contains="Found with other people"
    ).exists()


def test_a_changed_tool_file_publishes_a_new_version_and_never_rewrites_a_completed_screening(
    world, child, tool, monkeypatch
):
    done = start_and_answer(world, child, tool, {"sti": "1"})
    services.assessment_complete(
        actor=world.sam,
        assessment=done,
        version=done.version,
        confirmed_level="high",
        rationale="Disclosed to the school nurse",
    )
    old_answer = Answer.objects.get(assessment=done)
    original = defaults.tool_data()
    changed = defaults.tool_data()
    changed["domains"][0]["indicators"][0]["text"] = (
        "Has, or has had, a sexually transmitted infection"
    )
    monkeypatch.setattr(defaults, "tool_data", lambda: changed)

    new_tool, published = services.tool_load_default(actor=None)

    assert published and new_tool.version == 2
    tool.refresh_from_db()
    assert tool.status == ToolStatus.RETIRED
    done.refresh_from_db()
    assert done.tool_id == tool.pk
    old_answer.refresh_from_db()
    assert old_answer.indicator.domain.tool_id == tool.pk
    assert old_answer.indicator.text == original["domains"][0]["indicators"][0]["text"]
    assert (
        Indicator.objects.filter(domain__tool=tool).count()
        == Indicator.objects.filter(domain__tool=new_tool).count()
    )
    assert services.tool_current() == new_tool


def test_a_draft_copy_can_be_edited_and_published_without_touching_the_old_version(world, tool):
    draft = services.tool_draft_from(actor=world.olive, tool=tool)
    Indicator.objects.filter(domain__tool=draft, code="S").update(text="Sexual health")
    services.tool_publish(actor=world.olive, tool=draft)
    assert indicator(tool, "S").text == "Sexual health and behaviour"
    assert services.tool_current() == draft
    assert ScreeningTool.objects.get(pk=tool.pk).status == ToolStatus.RETIRED


def test_a_published_tool_cannot_be_published_again(world, tool):
    with pytest.raises(ValidationError):
        services.tool_publish(actor=world.olive, tool=tool)


# --- Screenings -----------------------------------------------------------------------------


def test_completing_a_screening_keeps_computed_and_confirmed_levels_and_the_reasons(
    world, child, tool
):
    a = start_and_answer(world, child, tool, {"self_harm": "1", "G": "2"})
    services.assessment_complete(
        actor=world.sam,
        assessment=a,
        version=a.version,
        confirmed_level="high",
        rationale="Older men collect her from the placement",
    )
    a.refresh_from_db()
    assert (a.status, a.computed_level, a.confirmed_level) == ("completed", "medium", "high")
    assert a.level_changed
    assert list(a.reasons.values_list("code", flat=True)) == ["self_harm", "G", "points"]
    assert AuditEvent.objects.filter(
        object_type="risk.assessment", object_id=str(a.pk), summary__startswith="Completed"
    ).exists()


def test_a_positive_answer_needs_evidence_and_a_date(world, child, tool):
    a = services.assessment_start(actor=world.sam, child=child)
    sti = indicator(tool, "sti")
    with pytest.raises(ValidationError) as error:
        services.assessment_answer(
            actor=world.sam, assessment=a, version=a.version, answers=[AnswerInput(sti.pk, "1")]
        )
    assert error.value.message_dict == {
        answer_field(sti.pk, "observed_on"): [services.OBSERVED_REQUIRED],
        answer_field(sti.pk, "evidence"): [services.EVIDENCE_REQUIRED],
    }


def test_an_observation_cannot_be_in_the_future(world, child, tool):
    a = services.assessment_start(actor=world.sam, child=child)
    sti = indicator(tool, "sti")
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.assessment_answer(
            actor=world.sam,
            assessment=a,
            version=a.version,
            answers=[AnswerInput(sti.pk, "1", evidence="x", observed_on=tomorrow)],
        )
    assert error.value.message_dict[answer_field(sti.pk, "observed_on")] == [
        services.OBSERVED_FUTURE
    ]


def test_an_answer_outside_the_scale_is_refused(world, child, tool):
    a = services.assessment_start(actor=world.sam, child=child)
    ladder = indicator(tool, "missing_ladder")
    with pytest.raises(ValidationError) as error:
        services.assessment_answer(
            actor=world.sam, assessment=a, version=a.version, answers=[AnswerInput(ladder.pk, "6")]
        )
    assert error.value.message_dict[answer_field(ladder.pk, "value")] == [services.ANSWER_INVALID]


def test_dont_know_is_kept_apart_from_no(world, child, tool):
    a = start_and_answer(world, child, tool, {"sti": "dk", "pregnancy": "0"})
    values = dict(Answer.objects.filter(assessment=a).values_list("indicator__code", "value"))
    assert values == {"sti": None, "pregnancy": 0}


def test_the_rationale_is_required_to_confirm(world, child, tool):
    a = start_and_answer(world, child, tool, {})
    with pytest.raises(ValidationError) as error:
        services.assessment_complete(
            actor=world.sam, assessment=a, version=a.version, confirmed_level="none", rationale=" "
        )
    assert error.value.message_dict == {"rationale": [services.RATIONALE_CONFIRM_REQUIRED]}


def test_the_rationale_is_required_to_change_the_level(world, child, tool):
    a = start_and_answer(world, child, tool, {})
    with pytest.raises(ValidationError) as error:
        services.assessment_complete(
            actor=world.sam, assessment=a, version=a.version, confirmed_level="medium", rationale=""
        )
    assert error.value.message_dict == {"rationale": [services.RATIONALE_CHANGE_REQUIRED]}


def test_low_cannot_be_confirmed_for_a_child_under_13(world, tool):
    young = make_child(world, age_days=12 * 365)
    a = services.assessment_start(actor=world.sam, child=young)
    with pytest.raises(ValidationError) as error:
        services.assessment_complete(
            actor=world.sam,
            assessment=a,
            version=a.version,
            confirmed_level="low",
            rationale="Low",
        )
    assert "No child under 13 is graded low" in error.value.message_dict["confirmed_level"][0]


def test_a_stale_version_is_refused(world, child, tool):
    a = start_and_answer(world, child, tool, {})
    with pytest.raises(ConcurrentEditError):
        services.assessment_answer(actor=world.sam, assessment=a, version=a.version - 1, answers=[])


def test_a_completed_screening_cannot_be_changed(world, child, tool):
    a = start_and_answer(world, child, tool, {})
    services.assessment_complete(
        actor=world.sam, assessment=a, version=a.version, confirmed_level="none", rationale="None"
    )
    a.refresh_from_db()
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.assessment_answer(actor=world.sam, assessment=a, version=a.version, answers=[])


def test_starting_twice_continues_the_same_draft(world, child, tool):
    first = services.assessment_start(actor=world.sam, child=child)
    assert services.assessment_start(actor=world.sam, child=child) == first


# --- Flags from every source ----------------------------------------------------------------


def test_found_out_of_area_on_return_raises_a_flag_linked_to_the_episode(world, child, tool):
    e = episode(world, child, days_ago=5, found_postcode="BN1 1AA")
    flag = Flag.objects.get(child=child, kind=FlagKind.FOUND_OUT_OF_AREA)
    assert (flag.source_type, flag.source_id, flag.level) == ("episode", e.pk, "low")
    assert flag.raised_by_rule == "found-out-of-area"


def test_found_in_the_home_area_is_not_out_of_area(world, child, tool):
    episode(world, child, days_ago=5, found_postcode="N17 6AA")
    assert FlagKind.FOUND_OUT_OF_AREA not in active_kinds(child)


def test_found_where_the_child_is_placed_is_not_out_of_area(world, child, tool):
    placement_add(
        actor=world.sam,
        child=child,
        placing_la=world.haringey,
        place="K2",
        provider="PR1",
        postcode="BN1 1AA",
        started_on=timezone.localdate() - timedelta(days=100),
    )
    episode(world, child, days_ago=5, found_postcode="BN1 1AB")
    assert FlagKind.FOUND_OUT_OF_AREA not in active_kinds(child)


def test_found_out_of_area_with_cash_raises_a_medium_flag(world, child, tool):
    e = episode(world, child, days_ago=5, found_postcode="M1 1AE")
    services.episode_findings_set(actor=world.sam, episode=e, items=["cash"])
    flag = Flag.objects.get(child=child, kind=FlagKind.FOUND_OUT_OF_AREA_WITH_ITEMS)
    assert flag.level == "medium"


def test_found_with_others_raises_a_low_flag(world, child, tool):
    episode(world, child, days_ago=5, found_with="Two older boys")
    assert active_kinds(child) == [FlagKind.FOUND_WITH_OTHERS]


def test_missing_over_24_hours_raises_a_flag(world, child, tool):
    episode(world, child, days_ago=5, hours=30)
    assert active_kinds(child) == [FlagKind.MISSING_OVER_HOURS]


def test_an_open_episode_raises_missing_over_24_hours_when_it_passes_24_hours(world, child, tool):
    episode(world, child, days_ago=2, hours=None)
    assert active_kinds(child) == [FlagKind.MISSING_OVER_HOURS]


def test_a_return_recorded_later_never_clears_the_flag_and_the_flag_says_why_it_was_raised(
    world, child, tool
):
    e = episode(world, child, days_ago=2, hours=None)
    episode_record_return(
        actor=world.sam,
        episode=e,
        version=e.version,
        returned_at=e.last_seen_at + timedelta(hours=3),
        return_how="self",
    )
    flag = Flag.objects.get(child=child, kind=FlagKind.MISSING_OVER_HOURS)
    assert flag.active
    assert "still missing 2 days" in flag.explanation


def test_a_high_police_grading_raises_a_flag(world, child, tool):
    e = episode(world, child, days_ago=5)
    grade(world, e, "high")
    assert FlagKind.POLICE_GRADE_HIGH in active_kinds(child)


def test_a_medium_police_grading_raises_no_flag(world, child, tool):
    e = episode(world, child, days_ago=5, hours=2)
    grade(world, e, "medium")
    assert active_kinds(child) == []


def test_a_disclosure_in_a_return_interview_raises_a_high_flag(world, child, tool):
    e = episode(world, child, days_ago=5)
    rhi = interview(world, child, [e], [("Was given drugs to carry to a flat", "county_lines")])
    flag = Flag.objects.get(child=child, kind=FlagKind.DISCLOSURE)
    assert flag.level == "high"
    assert flag.source_id == rhi.disclosures.get().pk


def test_a_disclosure_not_marked_as_an_indicator_raises_no_flag(world, child, tool):
    e = episode(world, child, days_ago=5)
    interview_record(
        actor=world.rita,
        child=child,
        episodes=[e],
        status="completed",
        offered_at=e.returned_at + timedelta(hours=1),
        offered_by_name="Rita",
        offered_by_organisation=world.charity,
        conducted_by_organisation=world.charity,
        completed_at=e.returned_at + timedelta(hours=3),
        disclosures=[DisclosureInput(text="Went to a friend's house")],
    )
    assert active_kinds(child) == []


def test_three_episodes_in_90_days_raise_frequently_missing(world, child, tool):
    for days in (60, 30, 5):
        episode(world, child, days_ago=days)
    flag = Flag.objects.get(child=child, kind=FlagKind.FREQUENTLY_MISSING)
    assert flag.level == "medium"
    assert "3 episodes began in the last 90 days" in flag.explanation


def test_a_critical_indicator_in_a_completed_screening_raises_a_flag(world, child, tool):
    a = start_and_answer(world, child, tool, {"pregnancy": "1"})
    services.assessment_complete(
        actor=world.sam, assessment=a, version=a.version, confirmed_level="high", rationale="Yes"
    )
    flag = Flag.objects.get(child=child, kind=FlagKind.SCREENING)
    assert (flag.level, flag.source_id) == ("high", a.pk)


def test_flags_raised_are_audited(world, child, tool):
    episode(world, child, days_ago=5, found_with="An adult")
    assert AuditEvent.objects.filter(
        object_type="risk.flag", child_id=child.pk, summary__contains="Found with other people"
    ).exists()


# --- Clearing flags -------------------------------------------------------------------------


def test_refreshing_never_clears_a_flag_even_when_its_evidence_ages(world, child, tool):
    episode(world, child, days_ago=5, found_with="Older boys")
    later = timezone.now() + timedelta(days=400)
    services.flags_refresh_for_child(child=child, now=later)
    assert active_kinds(child) == [FlagKind.FOUND_WITH_OTHERS]


def test_a_person_clears_a_flag_with_a_reason_and_it_is_audited(world, child, tool):
    episode(world, child, days_ago=5, found_with="Her brother")
    flag = Flag.objects.get(child=child)
    with pytest.raises(ValidationError):
        services.flag_clear(actor=world.sam, flag=flag, reason="")
    services.flag_clear(
        actor=world.sam, flag=flag, reason="Found with her older brother, no concern"
    )
    flag.refresh_from_db()
    assert not flag.active and flag.cleared_by == world.sam
    assert AuditEvent.objects.filter(
        object_type="risk.flag", summary__startswith="Cleared"
    ).exists()


def test_a_cleared_flag_is_not_raised_again_for_the_same_evidence(world, child, tool):
    episode(world, child, days_ago=5, found_with="Her brother")
    flag = Flag.objects.get(child=child)
    services.flag_clear(actor=world.sam, flag=flag, reason="Her brother, no concern")
    services.flags_refresh_for_child(child=child)
    assert Flag.objects.filter(child=child).count() == 1
    assert active_kinds(child) == []


def test_a_new_episode_raises_frequently_missing_again_after_it_was_cleared(world, child, tool):
    for days in (60, 30, 20):
        episode(world, child, days_ago=days)
    services.flag_clear(
        actor=world.sam, flag=Flag.objects.get(child=child), reason="Reviewed at panel"
    )
    episode(world, child, days_ago=5)
    assert active_kinds(child) == [FlagKind.FREQUENTLY_MISSING]


def test_a_new_episode_refreshes_the_active_frequently_missing_flag_instead_of_adding_one(
    world, child, tool
):
    for days in (60, 30, 20, 5):
        episode(world, child, days_ago=days)
    flag = Flag.objects.get(child=child, kind=FlagKind.FREQUENTLY_MISSING)
    assert "4 episodes began" in flag.explanation


# --- The panel ------------------------------------------------------------------------------


def test_the_panel_shows_a_frequently_missing_childs_level_why_and_history(world, child, tool):
    for days in (60, 30, 5):
        episode(world, child, days_ago=days)
    panel = queries.child_risk_panel(child=child, user=world.sam, now=timezone.now())
    assert panel.level == "medium"
    assert panel.frequently_missing
    assert panel.counts == [(30, 1), (90, 3), (365, 3)]
    assert panel.repeat_rows[0].met and panel.repeat_rows[0].in_window == 3
    assert queries.STRATEGY_DISCUSSION in panel.suggestions
    assert queries.PANEL_REFERRAL in panel.suggestions
    assert [r.code for r in panel.reasons] == ["frequently-missing-3-in-90"]
    assert [f.flag.kind for f in panel.active_flags] == [FlagKind.FREQUENTLY_MISSING]
    assert len(panel.history) == 3


def test_the_panel_level_is_the_higher_of_screening_and_rules(world, child, tool):
    a = start_and_answer(world, child, tool, {})
    services.assessment_complete(
        actor=world.sam, assessment=a, version=a.version, confirmed_level="none", rationale="None"
    )
    e = episode(world, child, days_ago=5)
    interview(world, child, [e], [("Made to have sex for a place to stay", "cse")])
    panel = queries.child_risk_panel(child=child, user=world.sam, now=timezone.now())
    assert panel.latest.confirmed_level == "none"
    assert panel.level == "high"
    assert panel.rules_raise_above_screening


def test_refreshing_every_child_raises_missing_flags(world, child, tool):
    with refresh_suspended():
        episode(world, child, days_ago=5, found_with="Friends")
    assert active_kinds(child) == []
    assert services.flags_refresh_all() == 1
    assert active_kinds(child) == [FlagKind.FOUND_WITH_OTHERS]


def test_a_draft_screening_is_not_the_latest_level(world, child, tool):
    start_and_answer(world, child, tool, {"sti": "1"})
    panel = queries.child_risk_panel(child=child, user=world.sam, now=timezone.now())
    assert panel.latest is None and panel.draft is not None
    assert Assessment.objects.get().status == AssessmentStatus.DRAFT
