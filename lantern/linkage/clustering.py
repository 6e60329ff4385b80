"""Clusters that never hold two children's national identifiers (a pure function, no backend).

Connected components chain: a police record with no identifiers that scores above the
threshold against two namesakes (same names and date of birth, different addresses) joins both
of their clusters into one, although each pair *within* the result may never have been scored,
and the two namesakes' own records, compared directly, disagree on NHS number or UPN. The model
already treats such a conflict as close to a veto for one pair (ADR 0005); this applies the same
rule to the cluster as a whole.

A person has one NHS number and one UPN, and both carry check digits, so a cluster holding two
different values of either is two people. For each component that does, the component is built
again from its pairs, strongest first (by match weight), and a pair that would join two groups
holding different values of the same identifier is left out: it stays a scored, reviewable pair,
but does not merge the groups. Components without a conflict, nearly all of them, are untouched.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Identifiers a person has at most one of (local ids are per record: a council or police force
# may hold a child twice under two ids, which is exactly the duplicate linkage looks for).
EXCLUSIVE = ("nhs", "upn")


@dataclass(frozen=True)
class Node:
    unique_id: int
    identifiers: tuple[str | None, ...]  # one value (or None) per EXCLUSIVE identifier


@dataclass(frozen=True)
class Edge:
    left: int
    right: int
    weight: float  # Splink's match weight (log2 Bayes factor including the prior)


def _conflict(a: Sequence[str | None], b: Sequence[str | None]) -> bool:
    return any(x is not None and y is not None and x != y for x, y in zip(a, b, strict=True))


def split_conflicting(nodes: Iterable[Node], edges: Iterable[Edge]) -> dict[int, int]:
    """Cluster id (the smallest unique_id in the cluster) of each node, grouping the nodes by
    the edges strongest first and never joining two groups whose identifiers conflict.

    Ties in weight are broken by the records' ids, so the result does not depend on the order
    the backend returned the rows in.
    """
    parent: dict[int, int] = {}
    held: dict[int, tuple[str | None, ...]] = {}  # root -> identifiers of its group
    for node in nodes:
        parent[node.unique_id] = node.unique_id
        held[node.unique_id] = node.identifiers

    def root(uid: int) -> int:
        while parent[uid] != uid:
            parent[uid] = parent[parent[uid]]
            uid = parent[uid]
        return uid

    ordered = sorted(edges, key=lambda e: (-e.weight, min(e.left, e.right), max(e.left, e.right)))
    for edge in ordered:
        if edge.left not in parent or edge.right not in parent:
            continue
        a, b = root(edge.left), root(edge.right)
        if a == b or _conflict(held[a], held[b]):
            continue
        keep, gone = (a, b) if a < b else (b, a)
        parent[gone] = keep
        held[keep] = tuple(
            x if x is not None else y for x, y in zip(held[keep], held[gone], strict=True)
        )
        del held[gone]
    smallest: dict[int, int] = {}
    for uid in parent:
        top = root(uid)
        smallest[top] = min(smallest.get(top, uid), uid)
    return {uid: smallest[root(uid)] for uid in parent}
