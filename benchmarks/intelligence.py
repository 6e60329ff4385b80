"""Benchmark: the national intelligence network, one child's two-hop neighbourhood, a flows map.

Targets (issue 5): build and cluster the national network (at least 1,000,000 edges) in under
60 seconds; one child's two-hop neighbourhood in under 200 ms; a flows map for one region in
under 1 second.

    .venv/bin/python benchmarks/intelligence.py                    # national: 200,000 children
    .venv/bin/python benchmarks/intelligence.py --children 20000   # a tenth, while developing

Data, in its own PostgreSQL database (``lantern_bench_intel`` unless --db says otherwise; made if
missing and reused when it already holds the children asked for):

- the synthetic national dataset from lantern.demo (about five episodes per child);
- one "found area" place per postcode sector where children were found, and a found-at link
  for every returned episode with a found postcode (derived in SQL, as ``derive_all`` would);
- synthetic intelligence on top, in proportion to the children: phones (a few shared by many
  children, most by one or two), people of concern with their phones, places and vehicles,
  peer (child to child) links. Links are topped up until there are at least --edges of them.

Timings are the best and median of --repeat runs after one warm-up, measured in this process
through Django and the app's own query functions, as a page would.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import _pg
from _pg import timed


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--edges", type=int, default=1_050_000, help="At least this many links")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--samples", type=int, default=30, help="Children timed for two hops")
    _pg.add_arguments(parser, db="lantern_bench_intel")
    return parser.parse_args()


ARGS = _parse()


_pg.setup(ARGS)

import numpy as np  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

from lantern.accounts.models import Membership, Organisation, User  # noqa: E402
from lantern.accounts.roles import Role  # noqa: E402
from lantern.demo import generator  # noqa: E402
from lantern.demo.loader import load  # noqa: E402
from lantern.episodes.models import MissingEpisode  # noqa: E402
from lantern.geo import postcodes  # noqa: E402
from lantern.intelligence import mapdraw, maps, network, queries  # noqa: E402
from lantern.intelligence.models import (  # noqa: E402
    Link,
    PersonOfConcern,
    Phone,
    Place,
    PlaceType,
    Vehicle,
)
from lantern.intelligence.signals import derivation_suspended  # noqa: E402
from lantern.people.models import Child  # noqa: E402

SEED = 2026


# --- Data -------------------------------------------------------------------------------------


def load_children() -> float:
    if not _pg.must_load(ARGS):
        return 0.0
    config = generator.national_config(children=ARGS.children, seed=SEED)
    with derivation_suspended():
        result = load(generator.generate(config), total=ARGS.children, progress=sys.stderr.isatty())
    return result.seconds


def _copy(table: str, columns: list[str], rows: Any) -> int:
    n = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


ITEM = ["created_at", "updated_at", "source", "source_evaluation", "assessment", "handling_code"]
ITEM += ["access_level", "origin"]


def _item(now: datetime, n: int) -> tuple:
    police = n % 5 == 0  # a fifth of the synthetic intelligence is police-only
    return (now, now, "Benchmark", "2", "C", "P", "police" if police else "partners", "manual")


LINK_COLUMNS = [*ITEM, "kind", "relation", "child_id", "child_b_id", "person_id", "person_b_id"]
LINK_COLUMNS += ["place_id", "phone_id", "vehicle_id", "observed_on", "evidence", "derived_key"]


def found_links(now: datetime) -> int:
    """A found-area place per sector and a found-at link per returned episode (as derive_all)."""
    if Place.objects.filter(place_type=PlaceType.FOUND_AREA).exists():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT left(found_postcode, length(found_postcode) - 2) "
            "FROM episodes_missingepisode WHERE returned_at IS NOT NULL AND found_postcode <> ''"
        )
        sectors = [row[0] for row in cursor.fetchall()]
    centroids = postcodes.sector_centroids()
    Place.objects.bulk_create(
        (
            Place(
                label=f"Found area {sector}",
                place_type=PlaceType.FOUND_AREA,
                origin="episode",
                derived_key=f"found:{sector}",
                sector=sector,
                district=sector.split(" ")[0],
                latitude=centroids[sector].lat if sector in centroids else None,
                longitude=centroids[sector].long if sector in centroids else None,
                easting=centroids[sector].easting if sector in centroids else None,
                northing=centroids[sector].northing if sector in centroids else None,
            )
            for sector in sectors
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO intelligence_link ({", ".join(LINK_COLUMNS)})
            SELECT %s, %s, 'Missing episode', '2', 'D', 'P', 'partners', 'episode',
                   'child_place', 'found_at', e.child_id, NULL, NULL, NULL, p.id, NULL, NULL,
                   (e.returned_at AT TIME ZONE 'Europe/London')::date,
                   'Found in postcode sector ' || p.sector, 'ep' || e.id || ':found'
            FROM episodes_missingepisode e
            JOIN intelligence_place p
              ON p.derived_key = 'found:' || left(e.found_postcode, length(e.found_postcode) - 2)
            WHERE e.returned_at IS NOT NULL AND e.found_postcode <> ''
            """,  # noqa: S608 - the column list is a constant
            [now, now],
        )
        return cursor.rowcount


def synthetic_intelligence(now: datetime) -> dict[str, int]:
    """Phones, people of concern, vehicles, places and links, in proportion to the children."""
    rng = np.random.default_rng(SEED)
    children = np.array(Child.objects.values_list("pk", flat=True), dtype=np.int64)
    n_children = len(children)
    n_phones, n_people = max(50, n_children * 3 // 10), max(20, n_children // 10)
    n_vehicles, n_places = max(10, n_children // 20), max(20, n_children // 10)
    sectors = list(postcodes.sector_centroids().values())
    counts: dict[str, int] = {}
    with transaction.atomic():
        if not Phone.objects.exists():
            _copy(
                "intelligence_phone",
                [*ITEM, "kind", "value", "normalised", "platform", "deal_line"],
                (
                    (*_item(now, n), "number", f"07700{n:06d}", f"07{n:09d}", "", n % 50 == 0)
                    for n in range(n_phones)
                ),
            )
            _copy(
                "intelligence_personofconcern",
                [*ITEM, "first_name", "last_name", "known_as", "kind", "description", "restricted"],
                (
                    (*_item(now, n), "", "", f"Bench {n}", "adult", "", n % 17 == 0)
                    for n in range(n_people)
                ),
            )
            _copy(
                "intelligence_vehicle",
                [*ITEM, "vrm", "make", "model", "colour"],
                ((*_item(now, n), f"BE{n:06d}", "", "", "") for n in range(n_vehicles)),
            )
            _copy(
                "intelligence_place",
                [
                    *ITEM,
                    "label",
                    "address",
                    "postcode",
                    "sector",
                    "district",
                    "latitude",
                    "longitude",
                    "easting",
                    "northing",
                    "lad_code",
                    "place_type",
                    "risk_status",
                    "derived_key",
                ],
                (
                    (
                        *_item(now, n),
                        f"Bench place {n}",
                        "",
                        "",
                        s.code,
                        s.code.split(" ")[0],
                        s.lat,
                        s.long,
                        s.easting,
                        s.northing,
                        s.lad_code,
                        ("hotspot", "cuckooed", "hotel", "park", "shop")[n % 5],
                        "suspected",
                        "",
                    )
                    for n, s in ((n, sectors[(n * 7919) % len(sectors)]) for n in range(n_places))
                ),
            )
        phones = np.array(Phone.objects.order_by("pk").values_list("pk", flat=True), dtype=np.int64)
        people = np.array(
            PersonOfConcern.objects.order_by("pk").values_list("pk", flat=True), dtype=np.int64
        )
        vehicles = np.array(
            Vehicle.objects.order_by("pk").values_list("pk", flat=True), dtype=np.int64
        )
        places = np.array(
            Place.objects.exclude(place_type=PlaceType.FOUND_AREA)
            .order_by("pk")
            .values_list("pk", flat=True),
            dtype=np.int64,
        )
        have = Link.objects.count()
        missing = max(0, ARGS.edges - have)
        if missing == 0:
            return counts

        def zipf(size: int, pool: np.ndarray) -> np.ndarray:
            # A few items (deal lines, busy adults) are linked to many; most to one or two.
            return pool[np.minimum(rng.zipf(1.6, size) - 1, len(pool) - 1) % len(pool)]

        # Shares of the missing links by kind.
        plan = [
            ("child_phone", 0.35),
            ("child_child", 0.20),
            ("child_person", 0.15),
            ("child_place", 0.10),
            ("person_phone", 0.06),
            ("person_place", 0.06),
            ("person_person", 0.04),
            ("person_vehicle", 0.04),
        ]
        rows: list[tuple] = []
        today = date.today()
        for kind, share in plan:
            size = int(missing * share) + 1
            a_child = children[rng.integers(0, n_children, size)]
            ends: dict[str, np.ndarray] = {}
            if kind == "child_phone":
                ends = {"child_id": a_child, "phone_id": zipf(size, rng.permutation(phones))}
            elif kind == "child_child":
                # Peers mostly near each other in the list (same area and age), some anywhere.
                offset = rng.integers(1, 40, size)
                other = children[(np.searchsorted(children, a_child) + offset) % n_children]
                ends = {"child_id": a_child, "child_b_id": other}
            elif kind == "child_person":
                ends = {"child_id": a_child, "person_id": zipf(size, rng.permutation(people))}
            elif kind == "child_place":
                ends = {"child_id": a_child, "place_id": zipf(size, rng.permutation(places))}
            elif kind == "person_phone":
                ends = {
                    "person_id": people[rng.integers(0, len(people), size)],
                    "phone_id": phones[rng.integers(0, len(phones), size)],
                }
            elif kind == "person_place":
                ends = {
                    "person_id": people[rng.integers(0, len(people), size)],
                    "place_id": places[rng.integers(0, len(places), size)],
                }
            elif kind == "person_person":
                first = rng.integers(0, len(people), size)
                ends = {
                    "person_id": people[first],
                    "person_b_id": people[(first + rng.integers(1, 30, size)) % len(people)],
                }
            else:
                ends = {
                    "person_id": people[rng.integers(0, len(people), size)],
                    "vehicle_id": vehicles[rng.integers(0, len(vehicles), size)],
                }
            columns = [
                "child_id",
                "child_b_id",
                "person_id",
                "person_b_id",
                "place_id",
                "phone_id",
                "vehicle_id",
            ]
            days = rng.integers(0, 700, size)
            for i in range(size):
                values = [int(ends[c][i]) if c in ends else None for c in columns]
                if (
                    kind in ("child_child", "person_person")
                    and values[0 if kind == "child_child" else 2]
                    == values[1 if kind == "child_child" else 3]
                ):
                    continue
                rows.append(
                    (
                        *_item(now, i),
                        kind,
                        "associate",
                        *values,
                        today - timedelta(days=int(days[i])),
                        "Synthetic benchmark link",
                        "",
                    )
                )
            counts[kind] = size
        _copy("intelligence_link", LINK_COLUMNS, rows)
    return counts


def prepare() -> dict[str, Any]:
    started = time.perf_counter()
    load_seconds = load_children()
    now = datetime.now(UTC)
    found = found_links(now)
    extra = synthetic_intelligence(now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "load_seconds": load_seconds,
        "found_links": found,
        "extra": extra,
        "seconds": time.perf_counter() - started,
    }


def practitioner(organisation: Organisation) -> User:
    username = f"bench-{organisation.ons_code or organisation.pk}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=None)
        Membership.objects.create(user=user, organisation=organisation, role=Role.PRACTITIONER)
    return user


# --- Measurements -----------------------------------------------------------------------------


def national_network() -> dict[str, Any]:
    """Read every link, build the graph and cluster it."""

    def read() -> Any:
        return queries.link_arrays(Link.objects.all())

    def build_and_cluster(arrays: Any) -> Any:
        src, dst, n = arrays[0], arrays[1], arrays[2]
        return network.analyse_arrays(src, dst, n)

    started = time.perf_counter()
    arrays = read()
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = build_and_cluster(arrays)
    cluster_seconds = time.perf_counter() - started
    sizes = np.bincount(np.unique(result.labels, return_inverse=True)[1])
    return {
        "edges": len(arrays[0]),
        "nodes": int(arrays[2]),
        "read_seconds": read_seconds,
        "cluster_seconds": cluster_seconds,
        "total_seconds": read_seconds + cluster_seconds,
        "components": result.component_count,
        "communities": len(sizes),
        "largest_community": int(sizes.max()),
        "rounds": result.iterations,
        "max_degree": int(result.degree.max()),
    }


def two_hops() -> dict[str, Any]:
    """child_network() for children with the most links and for random children, as a
    practitioner in the child's home authority."""
    busiest = list(
        Link.objects.filter(child__isnull=False)
        .values("child_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("child_id", flat=True)[: ARGS.samples // 2]
    )
    rng = np.random.default_rng(SEED)
    ids = np.array(Child.objects.values_list("pk", flat=True))
    chosen = busiest + [int(i) for i in rng.choice(ids, ARGS.samples - len(busiest), replace=False)]
    times, sizes = [], []
    for child in Child.objects.filter(pk__in=chosen).select_related("home_la"):
        user = practitioner(child.home_la)
        queries.child_network(user, child)  # warm-up per child
        best = float("inf")
        for _ in range(ARGS.repeat):
            started = time.perf_counter()
            net = queries.child_network(user, child)
            best = min(best, time.perf_counter() - started)
        times.append(best)
        sizes.append((len(net.nodes), len(net.edges)))
    svg_best, _, _ = timed(lambda: queries.network_svg(net), 2)
    return {
        "children": len(times),
        "median_ms": statistics.median(times) * 1000,
        "p90_ms": sorted(times)[int(len(times) * 0.9) - 1] * 1000,
        "max_ms": max(times) * 1000,
        "max_nodes": max(s[0] for s in sizes),
        "max_edges": max(s[1] for s in sizes),
        "svg_ms": svg_best * 1000,
    }


def flows_map() -> dict[str, Any]:
    london = "E12000007"
    met = Organisation.objects.get(ons_code="E23000001")
    haringey = Organisation.objects.get(ons_code="E09000014")
    results = {}
    for label, organisation in (("Met police (London)", met), ("Haringey (London)", haringey)):
        user = practitioner(organisation)
        best, median, layers = timed(lambda u=user: maps.flows(u, region=london), ARGS.repeat)
        draw_best, _, _ = timed(lambda layers=layers: mapdraw.render_svg(layers), 2)
        results[label] = {
            "data_ms": best * 1000,
            "data_median_ms": median * 1000,
            "svg_ms": draw_best * 1000,
            "flows": len(layers.flows),
            "children": layers.children_count,
        }
    return results


def main() -> None:
    load = os.getloadavg()
    data = prepare()
    links = Link.objects.count()
    print(
        f"Data ready in {data['seconds']:.0f} s: {Child.objects.count():,} children, "
        f"{MissingEpisode.objects.count():,} episodes, {links:,} links",
        flush=True,
    )
    national = national_network()
    print(
        f"National network: {national['edges']:,} edges, {national['nodes']:,} nodes; read "
        f"{national['read_seconds']:.1f} s, build and cluster {national['cluster_seconds']:.1f} s, "
        f"total {national['total_seconds']:.1f} s (target 60 s); {national['components']:,} "
        f"components, {national['communities']:,} communities (largest {national['largest_community']:,}) "
        f"after {national['rounds']} rounds; highest degree {national['max_degree']:,}",
        flush=True,
    )
    hops = two_hops()
    print(
        f"Two hops, {hops['children']} children: median {hops['median_ms']:.0f} ms, 90th percentile "
        f"{hops['p90_ms']:.0f} ms, max {hops['max_ms']:.0f} ms (target 200 ms); largest "
        f"{hops['max_nodes']} nodes / {hops['max_edges']} links; SVG drawing {hops['svg_ms']:.0f} ms",
        flush=True,
    )
    for label, result in flows_map().items():
        print(
            f"Flows map, London, as {label}: data {result['data_ms']:.0f} ms (median "
            f"{result['data_median_ms']:.0f} ms), SVG {result['svg_ms']:.0f} ms, total "
            f"{result['data_ms'] + result['svg_ms']:.0f} ms (target 1000 ms); {result['flows']} flows "
            f"from {result['children']:,} children",
            flush=True,
        )
    print(
        f"Load average at start {load[0]:.1f}, at end {os.getloadavg()[0]:.1f}; cores {os.cpu_count()}"
    )


if __name__ == "__main__":
    main()
