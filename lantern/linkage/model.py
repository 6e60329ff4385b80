"""The Splink model: comparisons, blocking rules and parameters, one definition for every backend.

The same ``settings()`` run on DuckDB (default, one machine) and on Spark (a cluster): every
comparison level writes its SQL through the backend's dialect (``_Level``), so nothing here is
DuckDB-only. Cleaned rows come from ``lantern.linkage.cleaning.linkage_row``.

Why the comparisons look the way they do (ADR 0005):

* Surname and postcode are one comparison ("family"). Siblings share both, so counting them as
  two independent agreements would add the same family evidence twice; one comparison learns how
  often a *pair* agrees on both among non-matches (which is mostly siblings).
* Date of birth separates siblings (different dates, a strongly negative level) and allows for
  day/month swaps and single-character slips. Twins share a date of birth, surname and address,
  so only the first name can tell them apart: its "else" level is strongly negative.
* National identifiers (NHS number, UPN) are person-level: agreement is strong evidence for and a
  conflict is close to a veto. Local identifiers (a police person id, a council child id) are
  record-level: a conflict between two records from the same issuer is the very duplicate that
  linkage looks for, so it counts only mildly against. Their m and u are fixed, not trained: the
  evidence they carry is a design decision, and unsupervised training cannot learn a level that
  never occurs among non-matches.
"""

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from splink import SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonLevelCreator
from splink.internals.comparison_library import CustomComparison
from splink.internals.dialects import SplinkDialect

PARAMETERS_JSON = Path(__file__).parent / "data" / "model_parameters.json"
_OVERLAP = re.compile(r"\{overlap:(\w+)\}")
_CONTAINS = re.compile(r"\{contains:([\w.]+):([\w.]+)\}")
_SIDE = re.compile(r"\b([lr])\.(\w+)")
_RENDERED = re.compile(r"\b(\w+)_[lr]\b")


class _Level(ComparisonLevelCreator):
    """A comparison level written once and rendered for the backend's SQL dialect.

    ``sql`` is a template: ``{jw}`` becomes the dialect's Jaro-Winkler function; ``{overlap:col}`` and ``{contains:col:value}`` the array functions.
    """

    def __init__(self, sql: str, label: str, *, null: bool = False) -> None:
        self.sql = sql
        self.label = label
        self.is_null_level = null

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        spark = sql_dialect.sql_dialect_str == "spark"
        overlap = "arrays_overlap" if spark else "list_has_any"
        contains = "array_contains" if spark else "list_contains"
        sql = self.sql.replace("{jw}", sql_dialect.jaro_winkler_function_name)
        sql = _OVERLAP.sub(lambda m: f"{overlap}(l.{m[1]}, r.{m[1]})", sql)
        sql = _CONTAINS.sub(lambda m: f"{contains}({m[1]}, {m[2]})", sql)
        # Written as l.col / r.col for reading; Splink's comparison columns are col_l / col_r.
        return _SIDE.sub(lambda m: f"{m[2]}_{m[1]}", sql)

    def create_label_for_charts(self) -> str:
        return self.label


def _null(column: str, label: str) -> _Level:
    return _Level(f"l.{column} IS NULL OR r.{column} IS NULL", label, null=True)


def _else(label: str) -> _Level:
    return _Level("ELSE", label)


@dataclass(frozen=True)
class Field:
    """A comparison as people see it: its name in plain English and its levels' labels."""

    name: str  # Splink output column name
    title: str  # "Date of birth"
    levels: tuple[_Level, ...]
    # Levels whose m and u are fixed by design (not trained): {level index: (m, u)}.
    fixed: dict[int, tuple[float, float]]
    tf_column: str = ""  # term-frequency adjustment on the exact-match level(s)
    tf_levels: tuple[int, ...] = ()


# Levels are listed most specific first; the first that holds decides the pair's level.
_SURNAME_CLOSE = (
    "({overlap:surname_parts} OR {jw}(l.surname, r.surname) >= 0.9 OR l.surname_dm = r.surname_dm)"
)
# The cheap test first: the current postcodes (postcodes[0]) usually agree when any do, and
# DuckDB and Spark only evaluate the array overlap for the pairs where they do not.
_POSTCODE_SHARED = "(l.postcode = r.postcode OR {overlap:postcodes})"
# The same test without the ``postcode`` column, for the first-name comparison: Splink's EM does
# not train a comparison that uses a column of the session's blocking rule, and the first name
# is trained in the session blocked on postcode (training_rules).
_POSTCODE_SHARED_ANY = "{overlap:postcodes}"
_NAMES_SWAPPED = "l.first_name = r.surname AND l.surname = r.first_name"


def fields() -> list[Field]:
    """The comparisons, in the order the explanation lists them."""
    return [
        Field(
            name="first_name",
            title="First name",
            levels=(
                _null("first_name", "not known on one record"),
                _Level("l.first_name = r.first_name", "the same"),
                _Level(_NAMES_SWAPPED, "first and last names swapped"),
                # Equal keys imply overlapping groups (cleaning.name_key): the cheap test first.
                _Level(
                    "(l.first_name_key = r.first_name_key OR {overlap:first_name_groups})",
                    "a nickname or other form of the same name",
                ),
                _Level("{jw}(l.first_name, r.first_name) >= 0.9", "spelt slightly differently"),
                _Level(
                    "{contains:r.given_names:l.first_name} OR {contains:l.given_names:r.first_name}",
                    "one record's first name is the other's middle name or alias",
                ),
                _Level(
                    f"l.dob = r.dob AND ({_SURNAME_CLOSE} OR {_POSTCODE_SHARED_ANY})",
                    "different, with the same date of birth and surname or address (as twins have)",
                ),
                # A slip after the same first letter. Keying errors rarely hit the first
                # letter, and rhyming twin names (Kayden, Jayden) differ exactly there.
                # (Jaro-Winkler, not edit distance: DuckDB's edit distances cost ten times as
                # much per pair, and this level is evaluated for most compared pairs.)
                _Level(
                    "{jw}(l.first_name, r.first_name) >= 0.8 "
                    "AND substr(l.first_name, 1, 1) = substr(r.first_name, 1, 1)",
                    "spelt similarly, same first letter",
                ),
                _Level("l.first_name_dm = r.first_name_dm", "sounds the same"),
                _else("different"),
            ),
            # Twins: date of birth, surname and address all agree, so only the first name can
            # tell them apart. Those agreements are not independent between two children of one
            # family, so their weights (about +26 together) over-count; level 6 takes that back
            # and then counts the different first name against, so that twins stay apart in a
            # council's few hundred records as well as in a national run (where the prior is
            # lower). A name that is merely similar (Ronan, Ronnie) or sounds alike (Reece,
            # Rosie) is not enough, so those levels come after it.
            # Level 2: a first/last swap is too rare for training to see reliably; fixed at
            # about the weight of an exact first name (the family comparison adds its part).
            fixed={2: (0.01, 1e-5), 6: (5e-8, 0.9)},
            tf_column="first_name",
            tf_levels=(1,),
        ),
        Field(
            name="family",
            title="Surname and address",
            levels=(
                _null("surname", "surname not known on one record"),
                _Level(_NAMES_SWAPPED, "first and last names swapped"),
                _Level(
                    f"l.surname = r.surname AND {_POSTCODE_SHARED}", "same surname, same address"
                ),
                _Level(
                    "l.surname = r.surname AND l.postcodes IS NOT NULL AND r.postcodes IS NOT NULL",
                    "same surname, different addresses",
                ),
                _Level("l.surname = r.surname", "same surname, address not known on one record"),
                _Level(
                    f"{_SURNAME_CLOSE} AND {_POSTCODE_SHARED}",
                    "similar or part-matching surname, same address",
                ),
                _Level(_SURNAME_CLOSE, "similar or part-matching surname"),
                _Level(_POSTCODE_SHARED, "different surname, same address"),
                _else("different surname and address"),
            ),
            # No term-frequency adjustment here: Splink scales a level by the frequency of
            # the exact value, which would count a common surname against the address too.
            fixed={1: (0.01, 1e-4)},
        ),
        Field(
            name="dob",
            title="Date of birth",
            levels=(
                _null("dob", "not known on one record"),
                _Level("l.dob = r.dob", "the same"),
                _Level("l.dob = r.dob_swapped", "day and month swapped"),
                # One part of the date wrong (a slip in the day, month or year), compared as
                # parts of the ISO date: cheaper than an edit distance and easier to explain.
                _Level(
                    "substr(l.dob, 1, 7) = substr(r.dob, 1, 7)",
                    "same year and month, different day",
                ),
                _Level(
                    "l.birth_year = r.birth_year AND substr(l.dob, 9, 2) = substr(r.dob, 9, 2)",
                    "same year and day, different month",
                ),
                _Level(
                    "substr(l.dob, 6, 5) = substr(r.dob, 6, 5)",
                    "same day and month, different year",
                ),
                _else("different"),
            ),
            fixed={},
        ),
        Field(
            name="sex",
            title="Sex",
            levels=(
                _null("sex", "not known on one record"),
                _Level("l.sex = r.sex", "the same"),
                _else("different"),
            ),
            fixed={},
        ),
        Field(
            name="phone",
            title="Phone number",
            levels=(
                _null("phones", "not known on one record"),
                _Level("{overlap:phones}", "a phone number in common"),
                _else("no phone number in common"),
            ),
            fixed={},
        ),
        Field(
            name="national_id",
            title="NHS number or UPN",
            levels=(
                _Level(
                    "(l.nhs IS NULL OR r.nhs IS NULL) AND (l.upn IS NULL OR r.upn IS NULL)",
                    "not on both records",
                    null=True,
                ),
                _Level("l.nhs = r.nhs OR l.upn = r.upn", "the same"),
                _else("different"),
            ),
            # +23 for agreement; a conflict (-30) outweighs agreement on every other field.
            fixed={1: (0.999, 1e-7), 2: (1e-9, 0.999)},
        ),
        Field(
            name="local_id",
            title="Police or council ID",
            levels=(
                _Level(
                    "NOT ((l.police_issuer = r.police_issuer AND l.police_id IS NOT NULL "
                    "AND r.police_id IS NOT NULL) OR (l.la_issuer = r.la_issuer AND "
                    "l.la_child_id IS NOT NULL AND r.la_child_id IS NOT NULL))",
                    "not on both records from the same issuer",
                    null=True,
                ),
                _Level(
                    "(l.police_issuer = r.police_issuer AND l.police_id = r.police_id) OR "
                    "(l.la_issuer = r.la_issuer AND l.la_child_id = r.la_child_id)",
                    "the same",
                ),
                _else("different IDs from the same issuer"),
            ),
            fixed={1: (0.99, 1e-6), 2: (0.2, 0.999)},
        ),
    ]


def blocking_rules() -> list[BlockingRuleCreator | dict[str, Any]]:
    """Which pairs are compared at all. Together they keep >= 98.5% of true pairs on the
    synthetic multi-source set while comparing a few pairs per record (benchmarks/linkage.py).

    ``dob_key`` is the date of birth with day and month in either order, so every rule on it
    also survives a day/month swap; ``name_pair_key`` survives a first/last name swap.
    """
    return [
        block_on("dob_key", "first_name_dm"),
        block_on("dob_key", "surname_dm"),
        block_on("dob_key", "name_pair_key"),
        block_on("dob_key", "first_name_key"),  # nickname or transliteration
        block_on("dob_key", "postcode"),  # both names changed or mistyped
        block_on("first_name_dm", "surname_dm", "birth_year"),  # date of birth mistyped
        block_on("surname_dm", "postcode", "birth_year"),
        block_on("postcode", "first_name_dm"),
        # A record without a date of birth, by name alone (both ways round, since Splink
        # keeps each pair once with the lower id on the left).
        CustomRule("l.name_key_nodob = r.name_key"),
        CustomRule("l.name_key = r.name_key_nodob"),
        block_on("nhs"),
        block_on("upn"),
        block_on("police_id", "police_issuer"),
        block_on("la_child_id", "la_issuer"),
    ]


def columns(field: Field) -> set[str]:
    """The input columns a comparison reads (every col_l and col_r in its levels' SQL)."""
    dialect = SplinkDialect.from_string("duckdb")
    found: set[str] = set()
    for level in field.levels:
        found |= {m[1] for m in _RENDERED.finditer(level.create_sql(dialect))}
    return found


def training_rules() -> list[BlockingRuleCreator]:
    """Blocking rules for expectation maximisation, in order. A session does not train the
    comparisons that use its blocking columns, and a later session overwrites an earlier one:
    the first trains the first name (which uses dob and surname in its twins level), the others
    then retrain surname/address, date of birth and the rest without the first's address bias."""
    return [
        block_on("postcode", "birth_year"),
        block_on("dob"),
        block_on("first_name_dm", "surname_dm"),
    ]


def deterministic_rules() -> list[str | BlockingRuleCreator]:
    """Near-certain matches, to estimate how likely two random records are to match."""
    return [
        block_on("first_name", "surname", "dob"),
        block_on("nhs"),
        block_on("upn"),
    ]


def _comparison(field: Field, parameters: dict[str, Any] | None) -> CustomComparison:
    trained = (parameters or {}).get(field.name, {})
    levels: list[ComparisonLevelCreator | dict[str, Any]] = []
    for index, level in enumerate(field.levels):
        config: dict[str, Any] = {"label_for_charts": level.label}
        if index in field.fixed:
            m, u = field.fixed[index]
            config.update(m_probability=m, u_probability=u)
            config.update(fix_m_probability=True, fix_u_probability=True)
        elif not level.is_null_level and str(index) in trained:
            m, u = trained[str(index)]
            config.update(m_probability=m, u_probability=u)
        if index in field.tf_levels:
            config.update(tf_adjustment_column=field.tf_column, tf_adjustment_weight=1.0)
        level.configure(**config)
        levels.append(level)
    return CustomComparison(
        comparison_levels=levels,
        output_column_name=field.name,
        comparison_description=field.title,
    )


def settings(
    *,
    parameters: dict[str, Any] | None = None,
    probability_two_random_records_match: float | None = None,
    explain: bool = True,
    term_frequencies: bool = True,
) -> SettingsCreator:
    """Splink settings; with ``parameters`` (from ``load_parameters``) the model is trained.

    ``explain`` keeps each field's level and Bayes factor in the predictions (for the review
    queue); benchmarks switch it off to keep the output narrow.
    """
    field_list = fields()
    if not term_frequencies:
        field_list = [Field(f.name, f.title, f.levels, f.fixed, "", ()) for f in field_list]
    prior = probability_two_random_records_match
    if prior is None:
        prior = float((parameters or {}).get("probability_two_random_records_match", 1e-5))
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[_comparison(f, parameters) for f in field_list],
        blocking_rules_to_generate_predictions=blocking_rules(),
        probability_two_random_records_match=prior,
        retain_matching_columns=explain,
        retain_intermediate_calculation_columns=explain,
        additional_columns_to_retain=["source_dataset"],
        em_convergence=0.001,
        max_iterations=20,
    )


# A level that training never saw: among matches (no m) it is taken as rare but possible; among
# the random pairs sampled for u (no u) it occurred less than once in the sample.
M_UNSEEN = 0.01


def parameters_from_model(model: dict[str, Any], *, u_pairs: float = 1e6) -> dict[str, Any]:
    """The trained m and u of each non-null level, from ``linker.misc.save_model_to_json()``.

    A level the sample or the EM blocks never reached gets the bounds above rather than
    Splink's untrained defaults (a shared phone number is rare enough that a few million random
    pairs may hold none)."""
    out: dict[str, Any] = {
        "probability_two_random_records_match": model["probability_two_random_records_match"]
    }
    for comparison in model["comparisons"]:
        levels: dict[str, list[float]] = {}
        for index, level in enumerate(comparison["comparison_levels"]):
            if level.get("is_null_level"):
                continue
            m = level.get("m_probability")
            u = level.get("u_probability")
            levels[str(index)] = [
                float(m) if m is not None else M_UNSEEN,
                float(u) if u is not None else 1.0 / u_pairs,
            ]
        out[comparison["output_column_name"]] = levels
    return out


# Bounds on trained probabilities. Without a floor on m, a level never seen among matches in the
# training data (a changed phone number) would count as a veto; ten bits against is the most
# any single trained level may say.
M_FLOOR = 1e-3
U_FLOOR = 1e-7


def bounded(parameters: dict[str, Any]) -> dict[str, Any]:
    """Trained parameters with every m and u kept inside [floor, 1 - floor]."""
    out: dict[str, Any] = {}
    for key, value in parameters.items():
        if not isinstance(value, dict):
            out[key] = value
            continue
        out[key] = {
            level: [min(max(m, M_FLOOR), 1 - M_FLOOR), min(max(u, U_FLOOR), 1 - U_FLOOR)]
            for level, (m, u) in value.items()
        }
    return out


def load_parameters(path: Path = PARAMETERS_JSON) -> dict[str, Any] | None:
    """The shipped trained parameters, or None when there are none yet."""
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def save_parameters(parameters: dict[str, Any], path: Path = PARAMETERS_JSON) -> None:
    path.write_text(json.dumps(parameters, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def level_weights(parameters: dict[str, Any]) -> dict[str, dict[int, float]]:
    """log2(m/u) of every level with parameters: what each level adds to a pair's score."""
    weights: dict[str, dict[int, float]] = {}
    for field in fields():
        per_level: dict[int, float] = {}
        trained = parameters.get(field.name, {})
        for index, level in enumerate(field.levels):
            if level.is_null_level:
                per_level[index] = 0.0
                continue
            pair = field.fixed.get(index) or trained.get(str(index))
            if pair:
                per_level[index] = math.log2(pair[0] / pair[1])
        weights[field.name] = per_level
    return weights


def gamma_to_level(field: Field) -> dict[int, int]:
    """Splink's comparison vector value (gamma) -> index of the level in ``field.levels``.

    Splink numbers the non-null levels from the last (0) to the first; null levels are -1.
    """
    non_null = [i for i, level in enumerate(field.levels) if not level.is_null_level]
    mapping = {len(non_null) - 1 - position: index for position, index in enumerate(non_null)}
    nulls = [i for i, level in enumerate(field.levels) if level.is_null_level]
    if nulls:
        mapping[-1] = nulls[0]
    return mapping


def field_by_name(name: str, field_list: Sequence[Field] | None = None) -> Field:
    return next(f for f in (field_list or fields()) if f.name == name)
