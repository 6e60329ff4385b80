"""Graph analysis: clusters (communities) and centrality, from plain edge lists.

No ORM and no access rules here: callers pass only edges the viewer may see. Small graphs (what
one organisation sees) use NetworkX's Louvain method and sampled betweenness. National-scale
graphs (a million edges and more) use connected components from SciPy and a vectorised label
propagation in NumPy: Louvain in pure Python takes many minutes at that size (see
docs/benchmarks.md).
"""

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

# Above this many edges, use the array methods rather than NetworkX's.
LOUVAIN_MAX_EDGES = 50_000
BETWEENNESS_SAMPLES = 100
UPDATE_SHARE = 0.8
SEED = 42


@dataclass
class Analysis:
    """Clusters and centrality of one graph, keyed by node."""

    method: str
    communities: list[list[Hashable]]
    community_of: dict[Hashable, int]
    component_count: int
    degree: dict[Hashable, int]
    betweenness: dict[Hashable, float] = field(default_factory=dict)


def graph_from_edges(edges: Iterable[tuple[Hashable, Hashable]]) -> nx.Graph:
    graph = nx.Graph()
    graph.add_edges_from((a, b) for a, b in edges if a != b)
    return graph


def analyse(graph: nx.Graph, *, samples: int = BETWEENNESS_SAMPLES) -> Analysis:
    """Communities, degree and (sampled) betweenness for a graph of what one viewer may see."""
    if graph.number_of_edges() > LOUVAIN_MAX_EDGES:
        return _analyse_large(graph)
    if graph.number_of_nodes() == 0:
        return Analysis("louvain", [], {}, 0, {}, {})
    communities = [
        sorted(c, key=str)
        for c in nx.community.louvain_communities(graph, seed=SEED, threshold=1e-6)
    ]
    communities.sort(key=lambda c: (-len(c), str(c[0])))
    community_of = {node: n for n, members in enumerate(communities) for node in members}
    k = min(samples, graph.number_of_nodes())
    betweenness = nx.betweenness_centrality(
        graph, k=k if k < graph.number_of_nodes() else None, seed=SEED, normalized=True
    )
    return Analysis(
        "louvain",
        communities,
        community_of,
        nx.number_connected_components(graph),
        dict(graph.degree()),
        betweenness,
    )


def _analyse_large(graph: nx.Graph) -> Analysis:
    nodes = list(graph.nodes())
    index = {node: n for n, node in enumerate(nodes)}
    edges = np.array([(index[a], index[b]) for a, b in graph.edges()], dtype=np.int64)
    result = analyse_arrays(edges[:, 0], edges[:, 1], len(nodes))
    groups: dict[int, list[Hashable]] = {}
    for n, label in enumerate(result.labels.tolist()):
        groups.setdefault(label, []).append(nodes[n])
    communities = sorted(groups.values(), key=lambda c: (-len(c), str(c[0])))
    return Analysis(
        result.method,
        communities,
        {node: n for n, members in enumerate(communities) for node in members},
        result.component_count,
        {nodes[n]: int(d) for n, d in enumerate(result.degree.tolist())},
        {},
    )


@dataclass
class ArrayAnalysis:
    method: str
    labels: np.ndarray  # community label of each node
    components: np.ndarray  # connected component of each node
    component_count: int
    degree: np.ndarray
    iterations: int


def analyse_arrays(
    src: np.ndarray, dst: np.ndarray, n: int, *, seed: int = SEED, max_iter: int = 30
) -> ArrayAnalysis:
    """Components, degree and label-propagation communities for nodes 0..n-1 and edges src-dst.

    Semi-synchronous label propagation: each round, a random 80% of the nodes take the label
    most common among their neighbours (ties broken at random, reproducibly from ``seed``; the
    nodes left out stop two neighbours swapping labels for ever); it stops when fewer than 0.1%
    of nodes change. About O(m log m) per round.
    """
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    adjacency = sparse.coo_matrix(
        (np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n)
    ).tocsr()
    component_count, components = connected_components(adjacency, directed=False)
    degree = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
    labels, iterations = _label_propagation(src, dst, n, seed=seed, max_iter=max_iter)
    return ArrayAnalysis(
        "label propagation", labels, components, int(component_count), degree, iterations
    )


def _label_propagation(
    src: np.ndarray, dst: np.ndarray, n: int, *, seed: int, max_iter: int
) -> tuple[np.ndarray, int]:
    rng = np.random.default_rng(seed)
    rows = np.concatenate([src, dst])
    cols = np.concatenate([dst, src])
    labels = np.arange(n, dtype=np.int64)
    rounds = 0
    for rounds in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        key = rows * n + labels[cols]
        key.sort()
        starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        counts = np.diff(np.append(starts, len(key)))
        unique = key[starts]
        row = unique // n
        label = unique - row * n
        score = counts + rng.random(len(counts)) * 0.5
        group_starts = np.flatnonzero(np.concatenate(([True], row[1:] != row[:-1])))
        group_max = np.maximum.reduceat(score, group_starts)
        group_of = np.repeat(
            np.arange(len(group_starts)), np.diff(np.append(group_starts, len(row)))
        )
        best = score == group_max[group_of]
        best_rows, best_labels = row[best], label[best]
        update = rng.random(len(best_rows)) < UPDATE_SHARE
        new = labels.copy()
        new[best_rows[update]] = best_labels[update]
        changed = int(np.count_nonzero(new != labels))
        labels = new
        if changed < max(1, n // 1000):
            break
    return labels, rounds


def top_by(scores: dict[Hashable, float], nodes: Sequence[Hashable], limit: int) -> list:
    """The ``limit`` highest-scoring of ``nodes``, highest first (ties by node name)."""
    return sorted(nodes, key=lambda node: (-scores.get(node, 0), str(node)))[:limit]


def kinds_in(members: Iterable[str]) -> Counter:
    """How many nodes of each kind ('child', 'place', ...) a community holds."""
    return Counter(str(member).split(":", 1)[0] for member in members)
