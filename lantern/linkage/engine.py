"""Run the model: load cleaned rows into a backend, train, predict, cluster.

DuckDB is the default backend (one machine, in memory). Spark runs the same settings for a
national or regional deployment; ``spark_session`` builds a local session for tests and the
documented settings for a cluster are in docs/adr/0005-record-linkage-with-splink.md.
"""

import logging
import math
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker
from splink.internals.database_api import DatabaseAPI
from splink.internals.splink_dataframe import SplinkDataFrame

from lantern.linkage import model
from lantern.linkage.cleaning import COLUMNS

BACKENDS = ("duckdb", "spark")
DEFAULT_THRESHOLD = 0.9
_LISTS = {
    "first_name_groups",
    "given_names",
    "surname_parts",
    "postcodes",
    "phones",
}
SCHEMA = pa.schema(
    [(name, pa.list_(pa.string()) if name in _LISTS else pa.string()) for name in COLUMNS]
)

logger = logging.getLogger(__name__)


def rows_to_arrow(rows: Iterable[dict[str, Any]], *, chunk: int = 200_000) -> pa.Table:
    """Cleaned rows as one Arrow table, built in chunks so memory stays columnar."""
    batches: list[pa.RecordBatch] = []
    columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    count = 0
    for row in rows:
        for name in COLUMNS:
            columns[name].append(row[name])
        count += 1
        if count % chunk == 0:
            batches.append(pa.record_batch(columns, schema=SCHEMA))
            columns = {name: [] for name in COLUMNS}
    if count % chunk or not batches:
        batches.append(pa.record_batch(columns, schema=SCHEMA))
    return pa.Table.from_batches(batches, schema=SCHEMA)


def duckdb_api(*, memory_limit: str | None = None, threads: int | None = None) -> DuckDBAPI:
    """An in-memory DuckDB backend. Spill-to-disk goes to a temporary directory."""
    connection = duckdb.connect(":memory:")
    if memory_limit:
        connection.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        connection.execute(f"SET threads = {int(threads)}")
    connection.execute("SET preserve_insertion_order = false")
    return DuckDBAPI(connection)


def spark_session(*, app_name: str = "lantern-linkage", partitions: int = 4) -> Any:
    """A local Spark session with Splink's similarity functions (Jaro-Winkler) registered.

    On a cluster, build the session the same way with ``master`` set by spark-submit; see the
    ADR for the settings used.
    """
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    return (
        SparkSession.builder.appName(app_name)
        .master(os.environ.get("LANTERN_SPARK_MASTER", "local[2]"))
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.default.parallelism", str(partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", os.environ.get("LANTERN_SPARK_DRIVER_MEMORY", "2g"))
        .getOrCreate()
    )


def spark_api(session: Any) -> DatabaseAPI:
    from splink import SparkAPI

    return SparkAPI(spark_session=session, num_partitions_on_repartition=4)


def register(db_api: DatabaseAPI, table: Any, name: str = "records") -> SplinkDataFrame:
    """Load cleaned rows (an Arrow table or a pandas frame) into the backend, once per name."""
    return db_api.register(table, dataset_display_name=name)


def linker_for(
    registered: SplinkDataFrame,
    *,
    parameters: dict[str, Any] | None = None,
    probability_two_random_records_match: float | None = None,
    explain: bool = True,
) -> Linker:
    """A Splink linker over registered rows; build several over one table (train, then predict)."""
    settings = model.settings(
        parameters=parameters,
        probability_two_random_records_match=probability_two_random_records_match,
        explain=explain,
    )
    return Linker(registered, settings, log_level=logging.WARNING)


def train(
    linker: Linker, *, seed: int = 7, u_pairs: float = 1e7, em_pairs: float = 2e6
) -> dict[str, Any]:
    """Unsupervised training: the prior from near-certain rules, u by random sampling, m by
    expectation maximisation on two blocking rules. Returns the trained parameters."""
    linker.training.estimate_probability_two_random_records_match(
        model.deterministic_rules(), recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    for rule in model.training_rules():
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True, max_pairs=em_pairs
        )
    return model.bounded(model.parameters_from_model(linker.misc.save_model_to_json()))


def estimate_prior(linker: Linker) -> float:
    """How likely two random records are to match, for the data in hand (recall 0.7 assumed).

    Small sets rarely hold an exact first name, surname and date of birth match; the estimate
    is then floored at one expected match per record (duplicates are what we are looking for).
    """
    try:
        linker.training.estimate_probability_two_random_records_match(
            model.deterministic_rules(), recall=0.7
        )
        prior = float(linker._settings_obj._probability_two_random_records_match)
    except ValueError:
        prior = 0.0
    return prior


@dataclass
class Timings:
    steps: dict[str, float] = field(default_factory=dict)

    def time(self, name: str) -> "_Timer":
        return _Timer(self, name)


class _Timer:
    def __init__(self, timings: Timings, name: str) -> None:
        self.timings, self.name = timings, name

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timings.steps[self.name] = time.perf_counter() - self.start


def predict(linker: Linker, *, threshold: float) -> SplinkDataFrame:
    """Scored pairs at or above ``threshold`` (match probability)."""
    return linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")


def cluster(linker: Linker, predictions: SplinkDataFrame, *, threshold: float) -> SplinkDataFrame:
    """Connected components of the pairs at or above ``threshold``: one cluster per child."""
    return linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )


def match_weight(probability: float) -> float:
    probability = min(max(probability, 1e-15), 1 - 1e-15)
    return math.log2(probability / (1 - probability))


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
