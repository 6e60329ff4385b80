"""Accuracy of linkage against known truth: pairs, clusters, blocking recall, error classes.

Everything is computed in DuckDB with GROUP BY over the truth table, so a million records cost
seconds, not a Python loop. Truth: one row per record with the true ``child``, its ``family``
and whether the child is a ``twin``.

Cluster metrics are pairwise over the pairs clusters imply (two records in the same cluster are
a predicted match): a wrong merge of two clusters of three counts nine wrong pairs, which is
what a practitioner would have to untangle.

Error classes (issue 7): a false match between two different children of the same family is a
"sibling" error, or a "twin" error when both are twins; everything else is "other".
"""

# Table names in these queries are the caller's own DuckDB temporary tables, never user input.
# ruff: noqa: S608

from dataclasses import dataclass, field
from typing import Any

import duckdb


@dataclass(frozen=True)
class Scores:
    true_positives: int
    false_positives: int
    false_negatives: int
    errors_by_class: dict[str, int] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "tp": self.true_positives,
            "fp": self.false_positives,
            "fn": self.false_negatives,
            "precision": round(self.precision, 5),
            "recall": round(self.recall, 5),
            "f1": round(self.f1, 5),
            "false_matches": dict(self.errors_by_class),
        }


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    # fetchall, not fetchone: DuckDB refuses further work on a connection with unread rows.
    rows = con.execute(sql).fetchall()
    return int(rows[0][0] or 0) if rows else 0


def true_pair_count(con: duckdb.DuckDBPyConnection, truth: str) -> int:
    return _scalar(
        con, f"SELECT sum(n * (n - 1) / 2) FROM (SELECT count(*) n FROM {truth} GROUP BY child)"
    )


def pair_scores(con: duckdb.DuckDBPyConnection, *, pairs: str, truth: str) -> Scores:
    """Scores for a table of predicted pairs (unique_id_l, unique_id_r), each pair once."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _eval_pairs AS
        SELECT p.unique_id_l, p.unique_id_r,
               tl.child = tr.child AS is_match,
               tl.family = tr.family AS same_family,
               tl.twin AND tr.twin AND tl.family = tr.family AS twins
        FROM {pairs} p
        JOIN {truth} tl ON tl.unique_id = p.unique_id_l
        JOIN {truth} tr ON tr.unique_id = p.unique_id_r"""
    )
    tp = _scalar(con, "SELECT count(*) FROM _eval_pairs WHERE is_match")
    fp = _scalar(con, "SELECT count(*) FROM _eval_pairs WHERE NOT is_match")
    twins = _scalar(con, "SELECT count(*) FROM _eval_pairs WHERE NOT is_match AND twins")
    siblings = _scalar(
        con, "SELECT count(*) FROM _eval_pairs WHERE NOT is_match AND same_family AND NOT twins"
    )
    total = true_pair_count(con, truth)
    return Scores(
        tp, fp, total - tp, {"twin": twins, "sibling": siblings, "other": fp - twins - siblings}
    )


def cluster_scores(con: duckdb.DuckDBPyConnection, *, clusters: str, truth: str) -> Scores:
    """Scores over the pairs implied by a table of (unique_id, cluster_id)."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _eval_nodes AS
        SELECT c.cluster_id, t.child, t.family, t.twin
        FROM {clusters} c JOIN {truth} t USING (unique_id)"""
    )

    def pairs(group: str, where: str = "") -> int:
        return _scalar(
            con,
            f"SELECT sum(n * (n - 1) / 2) FROM (SELECT count(*) n FROM _eval_nodes {where} "
            f"GROUP BY {group})",
        )

    predicted = pairs("cluster_id")
    tp = pairs("cluster_id, child")
    same_family = pairs("cluster_id, family") - tp
    twins = pairs("cluster_id, family", "WHERE twin") - pairs("cluster_id, child", "WHERE twin")
    fp = predicted - tp
    total = true_pair_count(con, truth)
    return Scores(
        tp,
        fp,
        total - tp,
        {"twin": twins, "sibling": same_family - twins, "other": fp - same_family},
    )


def blocking_recall(
    con: duckdb.DuckDBPyConnection, *, blocked: str, truth: str
) -> tuple[float, int]:
    """Share of true pairs among the blocked pairs, and how many pairs were blocked."""
    found = _scalar(
        con,
        f"""SELECT count(*) FROM (SELECT DISTINCT b.l, b.r FROM {blocked} b
            JOIN {truth} tl ON tl.unique_id = b.l JOIN {truth} tr ON tr.unique_id = b.r
            WHERE tl.child = tr.child)""",
    )
    compared = _scalar(con, f"SELECT count(*) FROM {blocked}")
    total = true_pair_count(con, truth)
    return (found / total if total else 1.0), compared
