"""Reads for intelligence: a child's network, the partnership network and its clusters, patterns,
notifications, and the panel on a child's page.

Every function takes the viewing user and filters through ``lantern.intelligence.access`` (and so
through ``lantern.accounts.policy``). Nothing here writes, not even audit events: views do that.
"""

import base64
import io
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import networkx as nx
import numpy as np
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from matplotlib.figure import Figure

from lantern.accounts import policy
from lantern.episodes.models import MissingEpisode
from lantern.intelligence import access, network, rules
from lantern.intelligence.models import (
    ENDPOINT_COLUMNS,
    LINK_ENDPOINTS,
    Link,
    Notification,
    PersonOfConcern,
    Phone,
    Place,
    PlaceType,
    Relation,
    Vehicle,
)
from lantern.interviews.models import Disclosure, ExploitationType, ReturnInterview
from lantern.people.models import Child
from lantern.risk.models import Flag, FlagKind

# Exploitation types that mark a child as known to be exploited (domain §4.1).
EXPLOITED_TYPES = (
    ExploitationType.CSE,
    ExploitationType.CCE,
    ExploitationType.COUNTY_LINES,
    ExploitationType.TRAFFICKING,
)
# How many links a two-hop neighbourhood reads at most: a busy place can link to thousands.
NEIGHBOURHOOD_LIMIT = 600
OVERVIEW_LIMIT = 20_000
PATTERN_LIMIT = 20_000

FOUND_TOGETHER = "Found together"
SHARED_PHONE = "Shared phone"
EXPLOITED = "Known exploitation"
POLICE_ONLY = "Police only"

KIND_LABELS = {
    "child": "Child",
    "person": "Person of concern",
    "place": "Place",
    "phone": "Phone",
    "vehicle": "Vehicle",
}
KIND_COLOURS = {
    "child": "#1d5cb3",
    "person": "#c5221f",
    "place": "#00703c",
    "phone": "#b45309",
    "vehicle": "#4c2c92",
}
LINK_RELATED = (
    "child",
    "child_b",
    "person",
    "person_b",
    "place",
    "phone",
    "vehicle",
    "episode",
    "episode_b",
    "interview",
    "source_organisation",
)
# What a network needs of each link: its two ends (episodes are named from their ids).
LINK_ENDS = ("child", "child_b", "person", "person_b", "place", "phone", "vehicle")


# --- Nodes and edges --------------------------------------------------------------------------


def node_key(column: str, item: Any) -> str:
    """The graph node for one end of a link. Rows holding one phone number or registration are
    one node, so a police-only row and a partner row meet for the police."""
    kind = column.removesuffix("_b")
    if kind == "phone":
        return f"phone:{item.normalised}"
    if kind == "vehicle":
        return f"vehicle:{item.vrm}"
    return f"{kind}:{item.pk}"


def link_ends(link: Link) -> tuple[tuple[str, Any], tuple[str, Any]]:
    first, second = LINK_ENDPOINTS[link.kind]
    return (
        (node_key(first, getattr(link, first)), getattr(link, first)),
        (node_key(second, getattr(link, second)), getattr(link, second)),
    )


@dataclass
class Node:
    key: str
    kind: str
    label: str
    reference: str
    url: str
    police_only: bool = False
    tags: list[str] = field(default_factory=list)
    degree: int = 0

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class Edge:
    a: str
    b: str
    link: Link

    @property
    def provenance_url(self) -> str:
        if self.link.episode_id:
            return reverse("episodes:detail", kwargs={"pk": self.link.episode_id})
        if self.link.interview_id:
            return reverse("interviews:detail", kwargs={"pk": self.link.interview_id})
        return ""

    @property
    def provenance_label(self) -> str:
        if self.link.episode_id:
            return f"Missing episode {MissingEpisode(pk=self.link.episode_id).reference}"
        if self.link.interview_id:
            return "Return interview"
        return self.link.get_origin_display()


def make_node(key: str, item: Any) -> Node:
    kind = key.split(":", 1)[0]
    if isinstance(item, Child):
        return Node(
            key,
            kind,
            item.display_name,
            item.reference,
            reverse("intelligence:child_network", kwargs={"pk": item.pk}),
        )
    police_only = item.is_police_only
    if isinstance(item, Place):
        label = (
            item.label
            if item.place_type == PlaceType.FOUND_AREA
            else f"{item.label} ({item.get_place_type_display().lower()})"
        )
        url = reverse("intelligence:place_detail", kwargs={"pk": item.pk})
    elif isinstance(item, PersonOfConcern):
        label = item.display_name
        url = reverse("intelligence:person_detail", kwargs={"pk": item.pk})
    elif isinstance(item, Phone):
        label = rules.phone_display(item.normalised) + (" (deal line)" if item.deal_line else "")
        url = reverse("intelligence:phone_detail", kwargs={"pk": item.pk})
    else:
        label = " ".join(p for p in (item.vrm, item.colour, item.make, item.model) if p)
        url = reverse("intelligence:vehicle_detail", kwargs={"pk": item.pk})
    node = Node(key, kind, label, item.reference, url, police_only)
    if police_only:
        node.tags.append(POLICE_ONLY)
    return node


def _filter_visible(user: Any, links: Sequence[Link]) -> list[Link]:
    """The object face of the access rules over a batch of loaded links (one query)."""
    viewer = access.viewer_for(user)
    child_ids = {c for link in links for c in (link.child_id, link.child_b_id) if c is not None}
    visible = access.visible_child_ids(user, child_ids)
    return [link for link in links if access.link_is_visible(viewer, link, visible)]


def exploited_child_ids(child_ids: Iterable[int]) -> set[int]:
    """Children with a disclosure marked as a CSE, CCE, county-lines or trafficking indicator, or
    an active risk flag raised from a disclosure of exploitation."""
    ids = list(set(child_ids))
    if not ids:
        return set()
    # Interviews first (indexed by child), then their disclosures (indexed by interview).
    interviews = dict(
        ReturnInterview.objects.filter(child_id__in=ids).values_list("pk", "child_id")
    )
    disclosed = [
        interviews[interview_id]
        for interview_id in Disclosure.objects.filter(
            interview_id__in=list(interviews),
            is_exploitation_indicator=True,
            exploitation_type__in=EXPLOITED_TYPES,
        ).values_list("interview_id", flat=True)
    ]
    flagged = Flag.objects.filter(
        child_id__in=ids, active=True, kind=FlagKind.DISCLOSURE
    ).values_list("child_id", flat=True)
    return set(disclosed) | set(flagged)


# --- A child's network ------------------------------------------------------------------------


@dataclass
class SharedPhone:
    phone: Node
    children: list[Node]


@dataclass
class ChildNetwork:
    centre: Node
    nodes: dict[str, Node]
    edges: list[Edge]
    found_together: list[Node]
    shared_phones: list[SharedPhone]
    exploited_peers: list[Node]
    truncated: bool
    graph: nx.Graph

    @property
    def child_ids(self) -> list[int]:
        return sorted(int(k.split(":")[1]) for k in self.nodes if k.startswith("child:"))

    @property
    def edge_rows(self) -> list[tuple[Edge, Node, Node]]:
        return [(edge, self.nodes[edge.a], self.nodes[edge.b]) for edge in self.edges]

    @property
    def hop_one(self) -> list[Node]:
        return [self.nodes[k] for k in sorted(self.graph.neighbors(self.centre.key))]


def _links_touching(
    *,
    child_ids: Collection[int],
    person_ids: Collection[int] = (),
    place_ids: Collection[int] = (),
    phone_ids: Collection[int] = (),
    vehicle_ids: Collection[int] = (),
    exclude: Collection[int] = (),
    limit: int,
) -> list[Link]:
    """The newest ``limit`` links touching any of these things (ends not loaded).

    One query gathers (id, date) pairs through each endpoint column's own index (a UNION ALL of
    one lookup per column), the newest are chosen here, then the chosen rows are read by primary
    key. An OR across columns with ORDER BY ... LIMIT tempts PostgreSQL into walking the date
    index over the whole table. A phone or vehicle reaches the links of every row holding the
    same number or registration (they are one node).
    """
    conditions: list[Q] = []
    if child_ids:
        conditions += [Q(child_id__in=child_ids), Q(child_b_id__in=child_ids)]
    if person_ids:
        conditions += [Q(person_id__in=person_ids), Q(person_b_id__in=person_ids)]
    if place_ids:
        conditions.append(Q(place_id__in=place_ids))
    if phone_ids:
        numbers = Phone.objects.filter(pk__in=phone_ids).values("normalised")
        conditions.append(Q(phone_id__in=Phone.objects.filter(normalised__in=numbers).values("pk")))
    if vehicle_ids:
        plates = Vehicle.objects.filter(pk__in=vehicle_ids).values("vrm")
        conditions.append(Q(vehicle_id__in=Vehicle.objects.filter(vrm__in=plates).values("pk")))
    if not conditions:
        return []
    parts = [Link.objects.filter(c).order_by().values_list("pk", "observed_on") for c in conditions]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    candidates = {pk: observed for pk, observed in rows if pk not in exclude}
    chosen = sorted(candidates, key=lambda pk: (candidates[pk], pk), reverse=True)[:limit]
    if not chosen:
        return []
    return list(Link.objects.filter(pk__in=chosen).order_by())


# The child fields a network needs: names for labels, the rest for the access rules.
_CHILD_FIELDS = ("id", "first_name", "middle_names", "last_name", "home_la_id", "merged_into_id")


def _load_ends(links: list[Link]) -> None:
    """Attach each link's ends, one query per kind of thing (children and people of concern
    are read once for both of their columns)."""
    models = {
        "child": (Child.objects.only(*_CHILD_FIELDS), ("child", "child_b")),
        "person": (PersonOfConcern.objects.all(), ("person", "person_b")),
        "place": (Place.objects.all(), ("place",)),
        "phone": (Phone.objects.all(), ("phone",)),
        "vehicle": (Vehicle.objects.all(), ("vehicle",)),
    }
    for queryset, columns in models.values():
        ids = {getattr(link, f"{c}_id") for link in links for c in columns} - {None}
        if not ids:
            continue
        rows = queryset.in_bulk(ids)
        for link in links:
            for column in columns:
                pk = getattr(link, f"{column}_id")
                if pk is not None:
                    setattr(link, column, rows[pk])


def _frontier(links: Iterable[Link], centre: int) -> dict[str, set[int]]:
    """The ids at the far end of these links from the centre child, by kind."""
    ids: dict[str, set[int]] = defaultdict(set)
    for link in links:
        for column in ENDPOINT_COLUMNS:
            pk = getattr(link, f"{column}_id")
            if pk is not None and not (column.startswith("child") and pk == centre):
                ids[column.removesuffix("_b")].add(pk)
    return ids


def child_network(user: Any, child: Child) -> ChildNetwork:
    """The child's two-hop neighbourhood as the user may see it (``child`` is already visible).

    Reads the links touching the child, then the links touching everything at their far ends,
    then drops every link the viewer may not see (one access check for the lot) and keeps what
    is still within two steps of the child over visible links only: nothing is reached through
    a hidden child or a police-only item.
    """
    centre_key = f"child:{child.pk}"
    first_raw = _links_touching(child_ids={child.pk}, limit=NEIGHBOURHOOD_LIMIT)
    hop_one = _frontier(first_raw, child.pk)
    second_raw = _links_touching(
        child_ids=hop_one.get("child", set()),
        person_ids=hop_one.get("person", set()),
        place_ids=hop_one.get("place", set()),
        phone_ids=hop_one.get("phone", set()),
        vehicle_ids=hop_one.get("vehicle", set()),
        exclude={link.pk for link in first_raw},
        limit=NEIGHBOURHOOD_LIMIT,
    )
    _load_ends([*first_raw, *second_raw])
    visible_links = _filter_visible(user, [*first_raw, *second_raw])
    truncated = len(second_raw) >= NEIGHBOURHOOD_LIMIT or len(first_raw) >= NEIGHBOURHOOD_LIMIT
    graph = nx.Graph()
    graph.add_node(centre_key)
    items: dict[str, Any] = {centre_key: child}
    links_by_pair: dict[frozenset, list[Link]] = defaultdict(list)
    for link in visible_links:
        (a, item_a), (b, item_b) = link_ends(link)
        items.setdefault(a, item_a)
        items.setdefault(b, item_b)
        graph.add_edge(a, b)
        links_by_pair[frozenset((a, b))].append(link)
    ego = nx.ego_graph(graph, centre_key, radius=2)
    nodes = {key: make_node(key, items[key]) for key in ego.nodes}
    for key, node in nodes.items():
        node.degree = ego.degree(key)
    edges = [Edge(a, b, link) for a, b in ego.edges for link in links_by_pair[frozenset((a, b))]]
    edges.sort(key=lambda e: (centre_key not in (e.a, e.b), -e.link.observed_on.toordinal()))
    child_ids = [int(k.split(":")[1]) for k in nodes if k.startswith("child:")]
    exploited = exploited_child_ids(child_ids)
    for key, node in nodes.items():
        if node.kind == "child" and int(key.split(":")[1]) in exploited:
            node.tags.append(EXPLOITED)
    found_together: list[Node] = []
    exploited_peers: list[Node] = []
    for neighbour in ego.neighbors(centre_key):
        node = nodes[neighbour]
        pair = links_by_pair[frozenset((centre_key, neighbour))]
        if node.kind == "child":
            if any(link.relation == Relation.FOUND_TOGETHER for link in pair):
                node.tags.append(FOUND_TOGETHER)
                found_together.append(node)
            if EXPLOITED in node.tags:
                exploited_peers.append(node)
    shared: list[SharedPhone] = []
    for neighbour in ego.neighbors(centre_key):
        node = nodes[neighbour]
        if node.kind != "phone":
            continue
        others = [
            nodes[k] for k in ego.neighbors(neighbour) if k != centre_key and k.startswith("child:")
        ]
        if others:
            node.tags.append(SHARED_PHONE)
            shared.append(SharedPhone(node, sorted(others, key=lambda n: n.label)))
    nodes[centre_key].tags.insert(0, "This child")
    return ChildNetwork(
        nodes[centre_key],
        nodes,
        edges,
        sorted(found_together, key=lambda n: n.label),
        shared,
        sorted(exploited_peers, key=lambda n: n.label),
        truncated,
        ego,
    )


def network_svg(net: ChildNetwork) -> str:
    """The neighbourhood drawn server-side as SVG, as a data URL (works without JavaScript)."""
    graph = net.graph
    fig = Figure(figsize=(9, 6.5))
    ax = fig.subplots()
    ax.set_axis_off()
    if graph.number_of_nodes() == 1:
        positions = {net.centre.key: (0.0, 0.0)}
    else:
        positions = nx.spring_layout(graph, seed=7, k=1.4 / max(1, graph.number_of_nodes()) ** 0.5)
    shapes = {"child": "o", "person": "s", "place": "^", "phone": "D", "vehicle": "h"}
    for kind, shape in shapes.items():
        members = [k for k in graph.nodes if k.startswith(f"{kind}:")]
        if not members:
            continue
        nx.draw_networkx_nodes(
            graph,
            positions,
            nodelist=members,
            node_shape=shape,
            node_color=KIND_COLOURS[kind],
            node_size=[700 if k == net.centre.key else 320 for k in members],
            edgecolors=["#ffdd00" if k == net.centre.key else "#ffffff" for k in members],
            linewidths=2.5,
            ax=ax,
            label=KIND_LABELS[kind],
        )
    highlighted = {
        (e.a, e.b)
        for e in net.edges
        if e.link.relation == Relation.FOUND_TOGETHER
        or any(n.key in (e.a, e.b) and SHARED_PHONE in n.tags for n in net.nodes.values())
    }
    plain = [
        edge for edge in graph.edges if edge not in highlighted and edge[::-1] not in highlighted
    ]
    nx.draw_networkx_edges(graph, positions, edgelist=plain, edge_color="#8a9099", width=1.2, ax=ax)
    nx.draw_networkx_edges(
        graph, positions, edgelist=list(highlighted), edge_color="#c5221f", width=2.8, ax=ax
    )
    labels = {key: _short(net.nodes[key].label) for key in graph.nodes}
    nx.draw_networkx_labels(graph, positions, labels=labels, font_size=8, ax=ax)
    ax.legend(loc="lower left", frameon=False, fontsize=8, markerscale=0.6)
    ax.margins(0.12)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _short(label: str, width: int = 24) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


# --- The partnership network and its clusters --------------------------------------------------


PLURALS = {
    "child": ("child", "children"),
    "person": ("person of concern", "people of concern"),
    "place": ("place", "places"),
    "phone": ("phone", "phones"),
    "vehicle": ("vehicle", "vehicles"),
}


@dataclass
class Cluster:
    number: int
    size: int
    kinds: dict[str, int]

    @property
    def kinds_text(self) -> str:
        return ", ".join(
            f"{n} {PLURALS[kind][0 if n == 1 else 1]}"
            for kind, n in sorted(self.kinds.items(), key=lambda item: list(PLURALS).index(item[0]))
        )

    key_people: list[tuple[Node, float, int]]
    key_places: list[tuple[Node, float, int]]
    children: list[Node]


@dataclass
class Overview:
    nodes: int
    edges: int
    method: str
    component_count: int
    clusters: list[Cluster]
    truncated: bool
    child_ids: list[int]


def network_overview(user: Any, *, clusters: int = 10) -> Overview:
    """Clusters in everything the user may see, with the people and places that hold them
    together (highest betweenness, then degree). Components with nothing the user's organisation
    sees directly (a visible child, or an item it recorded) are left out."""
    viewer = access.viewer_for(user)
    if not viewer.allowed:
        return Overview(0, 0, "none", 0, [], False, [])
    links = list(
        access.links_visible_to(user)
        .select_related("child", "child_b", "person", "person_b", "place", "phone", "vehicle")
        .order_by("-observed_on", "-id")[:OVERVIEW_LIMIT]
    )
    truncated = len(links) >= OVERVIEW_LIMIT
    items: dict[str, Any] = {}
    graph = nx.Graph()
    for link in links:
        (a, item_a), (b, item_b) = link_ends(link)
        items.setdefault(a, item_a)
        items.setdefault(b, item_b)
        graph.add_edge(a, b)
    anchored = {
        key
        for key, item in items.items()
        if key.startswith("child:")
        or getattr(item, "recording_organisation_id", None) == viewer.organisation_id
    }
    keep: set[str] = set()
    for component in nx.connected_components(graph):
        if component & anchored:
            keep |= component
    graph = graph.subgraph(keep).copy()
    analysis = network.analyse(graph)
    result: list[Cluster] = []
    for number, members in enumerate(analysis.communities[:clusters], start=1):
        scores = analysis.betweenness or {m: float(analysis.degree.get(m, 0)) for m in members}
        people = [m for m in members if str(m).startswith("person:")]
        places = [m for m in members if str(m).startswith("place:")]
        result.append(
            Cluster(
                number,
                len(members),
                dict(network.kinds_in(members)),
                [
                    (make_node(m, items[m]), scores.get(m, 0.0), analysis.degree.get(m, 0))
                    for m in network.top_by(scores, people, 3)
                ],
                [
                    (make_node(m, items[m]), scores.get(m, 0.0), analysis.degree.get(m, 0))
                    for m in network.top_by(scores, places, 3)
                ],
                sorted(
                    (make_node(m, items[m]) for m in members if str(m).startswith("child:")),
                    key=lambda n: n.label,
                )[:12],
            )
        )
    child_ids = sorted(
        int(str(k).split(":")[1]) for k in graph.nodes if str(k).startswith("child:")
    )
    return Overview(
        graph.number_of_nodes(),
        graph.number_of_edges(),
        analysis.method,
        analysis.component_count,
        result,
        truncated,
        child_ids,
    )


# Endpoint columns and the node space each belongs to (a child is a child at either end).
_ARRAY_COLUMNS = (
    ("child_id", 0),
    ("child_b_id", 0),
    ("person_id", 1),
    ("person_b_id", 1),
    ("place_id", 2),
    ("phone_id", 3),
    ("vehicle_id", 4),
)
_SPACE = 10**12


def link_arrays(links: QuerySet[Link]) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """Links as integer node pairs for the array analysis at national scale: (src, dst, number
    of nodes, node codes). A node code is space * 10**12 + row id (spaces: 0 child, 1 person,
    2 place, 3 phone, 4 vehicle). Unlike the pages, phone and vehicle rows are nodes by row here,
    not by number: cheaper, and the same unless one number is held at two access levels."""
    rows = np.array(
        list(links.values_list(*(Coalesce(F(column), Value(-1)) for column, _ in _ARRAY_COLUMNS))),
        dtype=np.int64,
    ).reshape(-1, len(_ARRAY_COLUMNS))
    if len(rows) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, 0, empty
    spaces = np.array([space for _, space in _ARRAY_COLUMNS], dtype=np.int64)
    present = rows >= 0
    codes = np.where(present, rows + spaces * _SPACE, -1)
    first = present.argmax(axis=1)
    last = len(_ARRAY_COLUMNS) - 1 - present[:, ::-1].argmax(axis=1)
    index = np.arange(len(rows))
    pairs = np.concatenate([codes[index, first], codes[index, last]])
    nodes, inverse = np.unique(pairs, return_inverse=True)
    return inverse[: len(rows)], inverse[len(rows) :], len(nodes), nodes


# --- Patterns ---------------------------------------------------------------------------------


def episodes_visible_to(user: Any) -> QuerySet[MissingEpisode]:
    """Episodes of the children the user may see, for aggregates (maps, profiles, patterns)."""
    return MissingEpisode.objects.filter(access.visible_children_q(user, "child_id"))


@dataclass
class Pair:
    a: Child
    b: Child
    relation: str
    evidence: list[str]
    episodes: list[MissingEpisode]


@dataclass
class Recurring:
    label: str
    url: str
    children: list[Child]
    links: list[Link]


@dataclass
class Patterns:
    found_together: list[Pair]
    missing_together: list[Pair]
    recurring_phones: list[Recurring]
    recurring_places: list[Recurring]
    peers_of_exploited: list[tuple[Child, Child, Link]]

    @property
    def child_ids(self) -> list[int]:
        ids: set[int] = set()
        for pair in [*self.found_together, *self.missing_together]:
            ids |= {pair.a.pk, pair.b.pk}
        for item in [*self.recurring_phones, *self.recurring_places]:
            ids |= {c.pk for c in item.children}
        for peer, exploited, _link in self.peers_of_exploited:
            ids |= {peer.pk, exploited.pk}
        return sorted(ids)


def patterns(user: Any, *, since: datetime | None = None, limit: int = 50) -> Patterns:
    """Found and missing together, recurring phones and places, and peers of exploited children,
    each with the links or episodes that are its evidence."""
    since = since or timezone.now() - timedelta(days=365)
    # The newest links and episodes only: a police force can see hundreds of thousands.
    links = list(
        access.links_visible_to(user)
        .filter(observed_on__gte=timezone.localtime(since).date())
        .select_related(*LINK_RELATED)
        .order_by("-observed_on", "-id")[:PATTERN_LIMIT]
    )
    found: list[Pair] = [
        Pair(
            link.child,
            link.child_b,
            FOUND_TOGETHER,
            [link.evidence],
            [link.episode, link.episode_b],
        )
        for link in links
        if link.relation == Relation.FOUND_TOGETHER
    ][:limit]
    phones: dict[str, list[Link]] = defaultdict(list)
    places: dict[int, list[Link]] = defaultdict(list)
    for link in links:
        if link.kind == "child_phone":
            phones[link.phone.normalised].append(link)
        elif link.kind == "child_place" and link.relation == Relation.FOUND_AT:
            places[link.place_id].append(link)
    recurring_phones = [
        Recurring(
            rules.phone_display(number),
            reverse("intelligence:phone_detail", kwargs={"pk": group[0].phone_id}),
            _distinct_children(group),
            group,
        )
        for number, group in phones.items()
        if len({link.child_id for link in group}) >= 2
    ]
    recurring_places = [
        Recurring(
            group[0].place.label,
            reverse("intelligence:place_detail", kwargs={"pk": place_id}),
            _distinct_children(group),
            group,
        )
        for place_id, group in places.items()
        if len({link.child_id for link in group}) >= 2
    ]
    recurring_phones.sort(key=lambda r: (-len(r.children), r.label))
    recurring_places.sort(key=lambda r: (-len(r.children), r.label))
    peers: list[tuple[Child, Child, Link]] = []
    child_links = [link for link in links if link.kind == "child_child"]
    exploited = exploited_child_ids(
        {c for link in child_links for c in (link.child_id, link.child_b_id)}
    )
    for link in child_links:
        for peer, other in ((link.child, link.child_b), (link.child_b, link.child)):
            if other.pk in exploited and peer.pk not in exploited:
                peers.append((peer, other, link))
    return Patterns(
        found,
        missing_together(user, since=since)[:limit],
        recurring_phones[:limit],
        recurring_places[:limit],
        peers[:limit],
    )


def _distinct_children(links: Sequence[Link]) -> list[Child]:
    seen: dict[int, Child] = {}
    for link in links:
        seen.setdefault(link.child_id, link.child)
    return sorted(seen.values(), key=lambda c: c.full_name)


def missing_together(user: Any, *, since: datetime) -> list[Pair]:
    """Visible children who went missing from the same postcode sector at about the same time."""
    hours = rules.together_hours()
    episodes = list(
        episodes_visible_to(user)
        .filter(last_seen_at__gte=since)
        .exclude(last_seen_postcode="")
        .select_related("child")
        .order_by("-last_seen_at")[:PATTERN_LIMIT]
    )
    episodes.reverse()
    by_sector: dict[str, list[MissingEpisode]] = defaultdict(list)
    for episode in episodes:
        by_sector[rules.sector_of(episode.last_seen_postcode)].append(episode)
    pairs: list[Pair] = []
    seen: set[tuple[int, int]] = set()
    window = timedelta(hours=hours)
    for sector, group in by_sector.items():
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                if second.last_seen_at - first.last_seen_at > window:
                    break
                if not rules.missing_together(_window(first), _window(second), hours):
                    continue
                key = tuple(sorted((first.child_id, second.child_id)))
                if key in seen:
                    continue
                seen.add(key)  # type: ignore[arg-type]
                pairs.append(
                    Pair(
                        first.child,
                        second.child,
                        "Missing together",
                        [
                            f"Both last seen in postcode sector {sector}: {first.reference} and "
                            f"{second.reference}, {_hours_apart(first, second)} apart."
                        ],
                        [first, second],
                    )
                )
    return pairs


def _window(episode: MissingEpisode) -> rules.EpisodeWindow:
    return rules.EpisodeWindow(
        episode.pk,
        episode.child_id,
        episode.last_seen_at,
        episode.returned_at,
        episode.last_seen_postcode,
        episode.found_postcode,
    )


def _hours_apart(a: MissingEpisode, b: MissingEpisode) -> str:
    hours = abs((b.last_seen_at - a.last_seen_at).total_seconds()) / 3600
    return f"{hours:.0f} hours" if hours >= 1 else "under an hour"


# --- Items and their links --------------------------------------------------------------------


def item_links(user: Any, item: Any) -> list[Edge]:
    """The links of one visible item that the user may see."""
    if isinstance(item, Phone):
        ids = list(
            access.phones_visible_to(user)
            .filter(normalised=item.normalised)
            .values_list("pk", flat=True)
        )
        condition = Q(phone_id__in=ids)
    elif isinstance(item, Vehicle):
        ids = list(
            access.vehicles_visible_to(user).filter(vrm=item.vrm).values_list("pk", flat=True)
        )
        condition = Q(vehicle_id__in=ids)
    elif isinstance(item, PersonOfConcern):
        condition = Q(person=item) | Q(person_b=item)
    else:
        condition = Q(place=item)
    links = access.links_visible_to(user).filter(condition).select_related(*LINK_RELATED)
    edges = []
    for link in links.order_by("-observed_on", "-id")[:500]:
        (a, _), (b, _) = link_ends(link)
        edges.append(Edge(a, b, link))
    return edges


def edge_rows(edges: Sequence[Edge], viewpoint: str) -> list[dict[str, Any]]:
    """Rows for a links table: the other end of each link seen from ``viewpoint``."""
    rows = []
    for edge in edges:
        (a, item_a), (b, item_b) = link_ends(edge.link)
        other_key, other = (b, item_b) if a == viewpoint else (a, item_a)
        rows.append({"edge": edge, "link": edge.link, "other": make_node(other_key, other)})
    return rows


# --- Notifications and the child panel ---------------------------------------------------------


def notifications_for(user: Any, *, include_acknowledged: bool = True) -> list[Notification]:
    """Notifications addressed to the user's acting organisation, unacknowledged first."""
    membership = policy.acting_membership(user)
    if membership is None or not policy.can_open_records(user):
        return []
    rows = Notification.objects.filter(recipient_id=membership.organisation_id).select_related(
        "child", "episode", "acknowledged_by"
    )
    if not include_acknowledged:
        rows = rows.filter(acknowledged_at__isnull=True)
    notifications = sorted(
        rows.order_by("-created_at")[:200], key=lambda n: (n.acknowledged_at is not None,)
    )
    visible = access.visible_child_ids(user, {n.child_id for n in notifications})
    for notification in notifications:
        notification.child_visible = notification.child_id in visible  # type: ignore[attr-defined]
    return notifications


@dataclass
class ChildPanel:
    network_url: str
    link_count: int
    found_together: int
    shared_phones: int
    notifications: list[Notification]


def child_panel(user: Any, child: Child) -> ChildPanel:
    """What the child's page shows about intelligence: link counts and notifications about this
    child addressed to the user's organisation. ``child`` must already be visible to the user.

    Two or three queries whatever the child's history (the child's page has a query budget).
    """
    rows = list(
        access.links_visible_to(user)
        .filter(Q(child=child) | Q(child_b=child))
        .order_by()
        .values_list("relation", "phone__normalised")
    )
    numbers = {number for _, number in rows if number}
    shared = (
        access.links_visible_to(user)
        .filter(kind="child_phone", phone__normalised__in=numbers)
        .exclude(child=child)
        .order_by()
        .values("phone__normalised")
        .distinct()
        .count()
        if numbers
        else 0
    )
    membership = policy.acting_membership(user)
    notes = (
        list(
            Notification.objects.filter(
                child=child, recipient_id=membership.organisation_id
            ).select_related("episode")[:10]
        )
        if membership is not None
        else []
    )
    return ChildPanel(
        reverse("intelligence:child_network", kwargs={"pk": child.pk}),
        len(rows),
        sum(1 for relation, _ in rows if relation == Relation.FOUND_TOGETHER),
        shared,
        notes,
    )
