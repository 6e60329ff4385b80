"""Clusters never hold two different NHS numbers or UPNs (lantern.linkage.clustering)."""

import itertools

from lantern.linkage.clustering import Edge, Node, split_conflicting


def _node(uid: int, nhs: str | None = None, upn: str | None = None) -> Node:
    return Node(uid, (nhs, upn))


def _groups(clusters: dict[int, int]) -> set[frozenset[int]]:
    by_cluster: dict[int, set[int]] = {}
    for uid, cid in clusters.items():
        by_cluster.setdefault(cid, set()).add(uid)
    return {frozenset(g) for g in by_cluster.values()}


def test_without_conflicts_the_clusters_are_the_connected_components():
    nodes = [_node(1, nhs="A"), _node(2), _node(3, upn="U"), _node(4), _node(5)]
    edges = [Edge(1, 2, 10), Edge(2, 3, 5), Edge(4, 5, 8)]
    clusters = split_conflicting(nodes, edges)
    assert _groups(clusters) == {frozenset({1, 2, 3}), frozenset({4, 5})}
    assert clusters == {1: 1, 2: 1, 3: 1, 4: 4, 5: 4}  # the smallest id names the cluster


def test_a_record_without_identifiers_does_not_chain_two_children_together():
    # A police record (2) scores above the threshold against two namesakes (1 and 3), whose
    # NHS numbers differ. It joins the one it matches more strongly; the namesakes stay apart.
    nodes = [_node(1, nhs="A"), _node(2), _node(3, nhs="B")]
    clusters = split_conflicting(nodes, [Edge(1, 2, 12), Edge(2, 3, 9)])
    assert _groups(clusters) == {frozenset({1, 2}), frozenset({3})}


def test_identifiers_gathered_from_several_records_are_all_respected():
    # 1 and 2 hold the child's NHS number and UPN between them; 3 and 4, another child's.
    # The link between 2 and 3 agrees on nothing directly, but the groups conflict on both.
    nodes = [_node(1, nhs="A"), _node(2, upn="U1"), _node(3, nhs="B"), _node(4, upn="U2")]
    edges = [Edge(1, 2, 20), Edge(3, 4, 20), Edge(2, 3, 15)]
    assert _groups(split_conflicting(nodes, edges)) == {frozenset({1, 2}), frozenset({3, 4})}


def test_the_same_identifier_on_both_sides_is_no_conflict():
    nodes = [_node(1, nhs="A", upn="U"), _node(2), _node(3, nhs="A")]
    clusters = split_conflicting(nodes, [Edge(1, 2, 5), Edge(2, 3, 4)])
    assert _groups(clusters) == {frozenset({1, 2, 3})}


def test_a_conflict_in_one_identifier_is_enough_whatever_the_other_says():
    nodes = [_node(1, nhs="A", upn="U1"), _node(2, nhs="A", upn="U2")]
    assert _groups(split_conflicting(nodes, [Edge(1, 2, 30)])) == {frozenset({1}), frozenset({2})}


def test_the_result_does_not_depend_on_the_order_of_the_rows():
    nodes = [_node(1, nhs="A"), _node(2), _node(3, nhs="B"), _node(4), _node(5, upn="U")]
    edges = [Edge(1, 2, 7), Edge(2, 3, 7), Edge(3, 4, 3), Edge(4, 5, 9), Edge(2, 4, 1)]
    results = {
        tuple(sorted(split_conflicting(n, e).items()))
        for n in itertools.permutations(nodes)
        for e in itertools.permutations(edges)
    }
    assert len(results) == 1
    # Equal weights: the pair with the smaller ids wins, so 2 joins 1.
    assert dict(results.pop())[2] == 1
