"""Networks: a child's two-hop neighbourhood, clusters and centrality, at small and large scale."""

import base64
from datetime import timedelta
from xml.etree import ElementTree

import networkx as nx
import numpy as np
from django.utils import timezone

from lantern.intelligence import network, queries, services
from lantern.intelligence.queries import FOUND_TOGETHER, SHARED_PHONE
from lantern.intelligence.tests.conftest import episode, make_child


def test_childs_network_shows_found_together_peer_and_shared_phone(world, story):
    net = queries.child_network(world.sam, story.kai)
    assert [n.reference for n in net.found_together] == [story.tyler.reference]
    assert [s.phone.label for s in net.shared_phones] == ["07700 900123"]
    assert FOUND_TOGETHER in net.nodes[f"child:{story.tyler.pk}"].tags
    assert SHARED_PHONE in net.nodes["phone:07700900123"].tags


def test_two_hop_reaches_the_place_of_a_linked_person(world, story):
    net = queries.child_network(world.sam, story.kai)
    assert f"place:{story.hotspot.pk}" in net.nodes  # Kai - Dee - the flat


def test_nothing_is_reached_through_a_hidden_child(world, story):
    # A Brighton child linked to Tyler's phone is not visible to Haringey, so Sam's network stops
    # at the phone; and Bella, who sees the Brighton child, never reaches Kai or Tyler.
    brighton_child = make_child(world, "Bri", "Ton", home_la=world.brighton)
    # Bella cannot see the row Haringey's interviews made, so she records the number afresh.
    phone = services.phone_create(actor=world.bella, value="07700 900123")
    services.link_create(
        actor=world.bella,
        kind="child_phone",
        ends={"child": brighton_child, "phone": phone},
        observed_on=timezone.localdate(),
        evidence="The number was in her phone",
    )
    sam_net = queries.child_network(world.sam, story.kai)
    assert f"child:{brighton_child.pk}" not in sam_net.nodes
    assert sam_net.shared_phones[0].children[0].reference == story.tyler.reference
    bella_net = queries.child_network(world.bella, brighton_child)
    assert bella_net.child_ids == [brighton_child.pk]
    assert bella_net.shared_phones == []


def test_network_svg_parses(world, story):
    net = queries.child_network(world.sam, story.kai)
    data_url = queries.network_svg(net)
    svg = base64.b64decode(data_url.split(",", 1)[1])
    assert ElementTree.fromstring(svg).tag.endswith("svg")  # noqa: S314 - our own output


def test_overview_finds_a_cluster_with_the_key_person(world, story):
    overview = queries.network_overview(world.pete)
    assert overview.clusters
    people = [node.label for cluster in overview.clusters for node, _, _ in cluster.key_people]
    assert "Marcus Vell" in people


def test_analyse_finds_two_planted_communities():
    graph = nx.Graph()
    graph.add_edges_from(nx.complete_graph(["a1", "a2", "a3", "a4"]).edges)
    graph.add_edges_from(nx.complete_graph(["b1", "b2", "b3", "b4"]).edges)
    graph.add_edge("a1", "b1")
    result = network.analyse(graph)
    assert sorted(sorted(c) for c in result.communities) == [
        ["a1", "a2", "a3", "a4"],
        ["b1", "b2", "b3", "b4"],
    ]
    assert max(result.betweenness, key=result.betweenness.get) in {"a1", "b1"}


def test_label_propagation_recovers_planted_groups_at_scale():
    rng = np.random.default_rng(3)
    groups, size, per = 200, 20, 100
    src = rng.integers(0, size, groups * per) + np.repeat(np.arange(groups) * size, per)
    dst = rng.integers(0, size, groups * per) + np.repeat(np.arange(groups) * size, per)
    # A few links between groups, as between real peer groups.
    src[::97] = rng.integers(0, groups * size, len(src[::97]))
    result = network.analyse_arrays(src, dst, groups * size)
    truth = np.arange(groups * size) // size
    # Most nodes share a label with most of their planted group.
    agree = 0
    for g in range(groups):
        labels = result.labels[truth == g]
        agree += np.bincount(np.unique(labels, return_inverse=True)[1]).max()
    assert agree / (groups * size) > 0.9
    assert result.component_count < groups
    assert result.degree.sum() == 2 * np.count_nonzero(src != dst)


def test_recently_found_child_at_home_has_an_empty_network(world):
    child = make_child(world, "Solo", "Child")
    episode(
        world, child, start=timezone.now() - timedelta(days=2), hours=4, found_postcode="N17 6AB"
    )
    net = queries.child_network(world.sam, child)
    assert net.found_together == [] and net.shared_phones == []
