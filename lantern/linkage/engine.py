"""Run the model: load cleaned rows into a backend, train, predict, cluster.

DuckDB is the default backend (one machine, in memory). Spark runs the same settings for a
national or regional deployment; ``spark_session`` builds a local session for tests and the
documented settings for a cluster are in docs/adr/0005-record-linkage-with-splink.md.
"""

import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker
from splink.clustering import cluster_pairwise_predictions_at_threshold
from splink.internals.database_api import DatabaseAPI
from splink.internals.pipeline import CTEPipeline
from splink.internals.splink_dataframe import SplinkDataFrame

from lantern.linkage import clustering, model
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
    [
        (
            name,
            pa.int64()
            if name == "unique_id"
            else pa.list_(pa.string())
            if name in _LISTS
            else pa.string(),
        )
        for name in COLUMNS
    ]
)

logger = logging.getLogger(__name__)


def rows_to_arrow(rows: Iterable[dict[str, Any]], *, chunk: int = 200_000) -> pa.Table:
    """Cleaned rows as one Arrow table, built in chunks so memory stays columnar."""
    tables = [pa.Table.from_pylist(batch, schema=SCHEMA) for batch in chunks(rows, chunk)]
    if not tables:
        return SCHEMA.empty_table()
    return pa.concat_tables(tables).combine_chunks()


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
    ADR for the settings used. Splink checkpoints intermediate tables to break long lineages,
    so the session gets a checkpoint directory (LANTERN_SPARK_CHECKPOINT_DIR, or a temporary
    one).
    """
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = (
        SparkSession.builder.appName(app_name)
        .master(os.environ.get("LANTERN_SPARK_MASTER", "local[2]"))
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.default.parallelism", str(partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", os.environ.get("LANTERN_SPARK_DRIVER_MEMORY", "2g"))
        .getOrCreate()
    )
    checkpoints = os.environ.get("LANTERN_SPARK_CHECKPOINT_DIR") or tempfile.mkdtemp(
        prefix="lantern-spark-"
    )
    session.sparkContext.setCheckpointDir(checkpoints)
    return session


def spark_api(session: Any, *, break_lineage_method: str | None = None) -> DatabaseAPI:
    """Splink on Spark. Intermediate tables are checkpointed (Splink's default), which keeps
    the iterative clustering's query plans short; on a cluster "parquet" or "delta_lake_files"
    may suit better (docs/adr/0005-record-linkage-with-splink.md)."""
    from splink import SparkAPI

    method = break_lineage_method or os.environ.get("LANTERN_SPARK_BREAK_LINEAGE") or None
    return SparkAPI(
        spark_session=session,
        break_lineage_method=method,
        num_partitions_on_repartition=int(session.conf.get("spark.sql.shuffle.partitions")),
    )


def register(db_api: DatabaseAPI, table: Any, name: str = "records") -> SplinkDataFrame:
    """Load cleaned rows (an Arrow table) into the backend, once per name.

    On DuckDB the rows are copied into a real table rather than scanned from Arrow each time:
    blocking joins the table to itself once per rule, and native scans are much cheaper.
    """
    if isinstance(db_api, DuckDBAPI):
        connection = db_api.duckdb_con
        connection.register("_lantern_arrow", table)
        # The table name is the caller's own constant, never user input.
        connection.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _lantern_arrow')  # noqa: S608
        connection.unregister("_lantern_arrow")
        return db_api.register(name, dataset_display_name=name)
    return db_api.register(table, dataset_display_name=name)


def register_parquet(db_api: DuckDBAPI, path: str, name: str = "records") -> SplinkDataFrame:
    """Load cleaned rows from a Parquet file (written with ``SCHEMA``) into DuckDB."""
    # The path and name are the caller's own (the benchmark's files), never user input.
    db_api.duckdb_con.execute(
        f"CREATE OR REPLACE TABLE \"{name}\" AS SELECT * FROM read_parquet('{path}')"  # noqa: S608
    )
    return db_api.register(name, dataset_display_name=name)


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
    linker: Linker, *, seed: int = 7, u_pairs: float = 2e6, em_pairs: float = 1e6
) -> dict[str, Any]:
    """Unsupervised training: the prior from near-certain rules, u by random sampling of
    ``u_pairs`` pairs, m by expectation maximisation on the training blocking rules (each on at
    most ``em_pairs`` pairs). Returns the trained parameters, bounded (model.bounded)."""
    linker.training.estimate_probability_two_random_records_match(
        model.deterministic_rules(), recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    for rule in model.training_rules():
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True, max_pairs=em_pairs
        )
    trained = model.parameters_from_model(linker.misc.save_model_to_json(), u_pairs=u_pairs)
    return model.bounded(trained)


def set_prior(linker: Linker, records: int) -> float:
    """Estimate how likely two random records are to match, for the data in hand, and use it
    for this linker's predictions.

    Near-certain rules (model.deterministic_rules, recall taken as 0.7) give the estimate. Small
    sets rarely hold such a match, so it is floored at one expected match per record
    (duplicates are what we are looking for), and capped at 0.5.
    """
    # Splink warns when the rules find no match at all ("usually in error"): in a small set that
    # is normal, and the floor below is the answer, so the warning would only be noise.
    splink_training = logging.getLogger("splink.internals.linker_components.training")
    level = splink_training.level
    splink_training.setLevel(logging.ERROR)
    try:
        linker.training.estimate_probability_two_random_records_match(
            model.deterministic_rules(), recall=0.7
        )
        prior = float(linker._settings_obj._probability_two_random_records_match)
    except ValueError:
        prior = 0.0
    finally:
        splink_training.setLevel(level)
    prior = min(max(prior, 1.0 / max(records, 2)), 0.5)
    linker._settings_obj._probability_two_random_records_match = prior
    return prior


def predict(linker: Linker, *, threshold: float) -> SplinkDataFrame:
    """Scored pairs at or above ``threshold`` (match probability)."""
    return linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")


def cluster(linker: Linker, predictions: SplinkDataFrame, *, threshold: float) -> SplinkDataFrame:
    """One cluster per child: connected components of the pairs at or above ``threshold``,
    split where a component would hold two different NHS numbers or UPNs
    (``lantern.linkage.clustering``).

    Clusters ids only (``unique_id``, ``cluster_id``, the smallest unique_id in the cluster),
    rather than joining every input column back as the linker's own method does.
    """
    records = next(iter(linker._input_tables_dict.values()))
    components = cluster_pairwise_predictions_at_threshold(
        nodes=records.physical_name,
        edges=predictions.physical_name,
        db_api=linker._db_api,
        node_id_column_name="unique_id",
        threshold_match_probability=threshold,
    )
    return _split_conflicts(linker._db_api, records, predictions, components, threshold)


def _query(db_api: DatabaseAPI, sql: str, name: str) -> SplinkDataFrame:
    pipeline = CTEPipeline()
    pipeline.enqueue_sql(sql, name)
    return db_api.sql_pipeline_to_splink_dataframe(pipeline)


def _records(table: SplinkDataFrame) -> list[dict[str, Any]]:
    """A small table's rows as dicts (on DuckDB without going through pandas)."""
    if isinstance(table.db_api, DuckDBAPI):
        relation = table.as_duckdbpyrelation()
        return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]
    return table.as_record_list()


def _split_conflicts(
    db_api: DatabaseAPI,
    records: SplinkDataFrame,
    predictions: SplinkDataFrame,
    components: SplinkDataFrame,
    threshold: float,
) -> SplinkDataFrame:
    # Plain SQL that DuckDB and Spark both run; the table names are Splink's own.
    ids = clustering.EXCLUSIVE
    # min <> max rather than count(DISTINCT): the same test (nulls ignored), far cheaper.
    differ = " OR ".join(f"min(r.{i}) <> max(r.{i})" for i in ids)
    present = " OR ".join(f"r.{i} IS NOT NULL" for i in ids)
    conflicted = _query(
        db_api,
        f"""SELECT c.cluster_id FROM {components.physical_name} c
        JOIN {records.physical_name} r ON r.unique_id = c.unique_id
        WHERE {present}
        GROUP BY c.cluster_id HAVING {differ}""",  # noqa: S608
        "__lantern_conflicted_clusters",
    )
    nodes = _query(
        db_api,
        f"""SELECT c.unique_id, c.cluster_id, {", ".join(f"r.{i}" for i in ids)}
        FROM {components.physical_name} c
        JOIN {conflicted.physical_name} k ON k.cluster_id = c.cluster_id
        JOIN {records.physical_name} r ON r.unique_id = c.unique_id""",  # noqa: S608
        "__lantern_conflicted_nodes",
    )
    conflicted.drop_table_from_database_and_remove_from_cache()
    rows = _records(nodes)
    if not rows:
        nodes.drop_table_from_database_and_remove_from_cache()
        return components
    edges = _records(
        _query(
            db_api,
            f"""SELECT e.unique_id_l, e.unique_id_r, e.match_weight
        FROM {predictions.physical_name} e
        JOIN {nodes.physical_name} n ON n.unique_id = e.unique_id_l
        WHERE e.match_probability >= {float(threshold)}""",  # noqa: S608
            "__lantern_conflicted_edges",
        )
    )
    split = clustering.split_conflicting(
        (clustering.Node(int(r["unique_id"]), tuple(r[i] for i in ids)) for r in rows),
        (
            clustering.Edge(int(e["unique_id_l"]), int(e["unique_id_r"]), float(e["match_weight"]))
            for e in edges
        ),
    )
    nodes.drop_table_from_database_and_remove_from_cache()
    before = {int(r["unique_id"]): int(r["cluster_id"]) for r in rows}
    changed = {uid: cid for uid, cid in split.items() if before[uid] != cid}
    logger.info("split %s clusters holding conflicting identifiers", len(set(before.values())))
    if not changed:
        return components
    # The changes as an inline table (integers only): a few per conflicting cluster, and
    # DuckDB and Spark both read VALUES, where registering a table would cost DuckDB a pandas
    # import.
    values = ", ".join(f"({int(uid)}, {int(cid)})" for uid, cid in sorted(changed.items()))
    return _query(
        db_api,
        f"""SELECT c.unique_id, coalesce(s.cluster_id, c.cluster_id) AS cluster_id
        FROM {components.physical_name} c
        LEFT JOIN (VALUES {values}) AS s(unique_id, cluster_id) ON s.unique_id = c.unique_id""",  # noqa: S608
        "__lantern_clusters",
    )


@dataclass
class Linked:
    """What a run found: scored pairs at or above the threshold, and cluster per record."""

    pairs: list[dict[str, Any]]
    clusters: dict[int, str]
    parameters: dict[str, Any]
    prior: float


def link(
    table: pa.Table,
    *,
    db_api: DatabaseAPI | None = None,
    parameters: dict[str, Any] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    train_model: bool = False,
    explain: bool = True,
) -> Linked:
    """Score and cluster cleaned rows with the shipped parameters (or freshly trained ones).

    The prior (how likely two random records are to match) is estimated for the data in hand,
    floored at one expected match per record, so the same trained model serves a council's
    few hundred records and a national run.
    """
    db_api = db_api or duckdb_api()
    if table.num_rows < 2:
        return Linked([], {}, parameters or {}, 0.0)
    registered = register(db_api, table)
    if train_model or parameters is None:
        parameters = train(linker_for(registered, explain=False))
    linker = linker_for(registered, parameters=parameters, explain=explain)
    prior = set_prior(linker, table.num_rows)
    predictions = predict(linker, threshold=threshold)
    pairs = predictions.as_pandas_dataframe().to_dict("records")
    clustered = cluster(linker, predictions, threshold=threshold).as_pandas_dataframe()
    clusters = {
        int(u): str(c) for u, c in zip(clustered["unique_id"], clustered["cluster_id"], strict=True)
    }
    return Linked(pairs, clusters, parameters, prior)


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
