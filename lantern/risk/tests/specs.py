"""The shipped defaults as pure scoring specs, so rule tests run without a database."""

from functools import cache

from lantern.risk import defaults, scoring


@cache
def indicators() -> dict[str, scoring.IndicatorSpec]:
    specs = {}
    for domain in defaults.tool_data()["domains"]:
        for item in domain["indicators"]:
            specs[item["code"]] = scoring.IndicatorSpec(
                code=item["code"],
                text=item["text"],
                scale=item["scale"],
                weight=item["weight"],
                preset_level=item["preset_level"],
                current_for_days=item["current_for_days"],
                steps=tuple((v, label) for v, label in item["steps"]),
            )
    return specs


@cache
def thresholds() -> scoring.Thresholds:
    t = defaults.tool_data()["thresholds"]
    return scoring.Thresholds(t["low_from_points"], t["medium_from_points"], t["high_from_points"])


def _rule(item: dict) -> scoring.RuleSpec:
    return scoring.RuleSpec(
        code=item["code"],
        description=item["description"],
        kind=item["kind"],
        condition=item["condition"],
        level=item["level"],
        age_years=item.get("age_years"),
        hours=item.get("hours"),
        within_days=item.get("within_days"),
        exploitation_types=frozenset(item.get("exploitation_types", [])),
        suggests_strategy_discussion=item.get("suggests_strategy_discussion", False),
        suggests_panel_referral=item.get("suggests_panel_referral", False),
    )


@cache
def rules() -> tuple[scoring.RuleSpec, ...]:
    items = sorted(defaults.rules_data()["override_rules"], key=lambda r: r["order"])
    return tuple(_rule(r) for r in items)


@cache
def repeat_rules() -> tuple[scoring.RepeatRuleSpec, ...]:
    return tuple(
        scoring.RepeatRuleSpec(
            code=r["code"],
            description=r["description"],
            count=r["count"],
            window_days=r["window_days"],
            level=r["level"],
            marks_frequently_missing=r["marks_frequently_missing"],
            suggests_strategy_discussion=r["suggests_strategy_discussion"],
            suggests_panel_referral=r["suggests_panel_referral"],
        )
        for r in defaults.rules_data()["repeat_missing_rules"]
    )


def rule(code: str) -> scoring.RuleSpec:
    return next(r for r in rules() if r.code == code)
