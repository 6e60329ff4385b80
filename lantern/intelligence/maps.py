"""What the maps show: found locations and hotspots by postcode sector or district, episodes by
local authority, and origin-to-destination flows for county lines.

Everything is counted from the episodes of children the viewer may see and the places the viewer
may see (``lantern.intelligence.access``). Points are sector or district centroids, never
addresses or full postcodes. Counts of 1 to 4 are shown: these maps are for partners who may
see the children behind them; anything shared beyond the partnership should go through the
reporting app's suppression instead.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from lantern.accounts.models import Organisation, OrgType
from lantern.geo import areas, postcodes
from lantern.intelligence import access, rules
from lantern.intelligence.models import RISK_PLACE_TYPES, PlaceType, RiskStatus
from lantern.intelligence.queries import episodes_visible_to

SECTOR = "sector"
DISTRICT = "district"
PERIODS = {30: "Last 30 days", 90: "Last 90 days", 365: "Last 12 months", 730: "Last 2 years"}
# How many child ids an audit event lists in full; beyond this it records the count only.
AUDIT_IDS_MAX = 10_000


@dataclass(frozen=True)
class Point:
    code: str
    lat: float
    long: float
    found: int
    hotspots: int


@dataclass(frozen=True)
class Flow:
    origin: str
    origin_name: str
    destination: str
    destination_name: str
    count: int
    origin_at: tuple[float, float]
    destination_at: tuple[float, float]


@dataclass
class MapLayers:
    """Everything one map draws; rendered by Leaflet in the browser and by ``mapdraw`` to files."""

    title: str
    region: str = ""
    choropleth: dict[str, int] = field(default_factory=dict)
    choropleth_label: str = ""
    points: list[Point] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    child_ids: list[int] = field(default_factory=list)
    children_count: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "region": self.region,
            "choropleth": self.choropleth,
            "choroplethLabel": self.choropleth_label,
            "points": [
                {
                    "code": p.code,
                    "lat": p.lat,
                    "long": p.long,
                    "found": p.found,
                    "hotspots": p.hotspots,
                }
                for p in self.points
            ],
            "flows": [
                {
                    "from": f.origin_name,
                    "to": f.destination_name,
                    "count": f.count,
                    "o": list(f.origin_at),
                    "d": list(f.destination_at),
                }
                for f in self.flows
            ],
        }


@cache
def la_index() -> dict[str, areas.LocalAuthority]:
    return {la.ons_code: la for la in areas.upper_tier_las()}


@cache
def regions() -> list[tuple[str, str]]:
    """(code, name) of the nine English regions."""
    return sorted(
        {(la.region_code, la.region_name) for la in areas.upper_tier_las()}, key=lambda r: r[1]
    )


def region_la_ids(region: str) -> list[int]:
    """The local authorities in a region, as ids: filtering on them spares a join per query."""
    return list(
        Organisation.objects.filter(type=OrgType.LOCAL_AUTHORITY, region_code=region).values_list(
            "pk", flat=True
        )
    )


def region_name(code: str) -> str:
    return dict(regions()).get(code, "")


def since_for(days: int, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=days)


def _audit_ids(ids: set[int]) -> list[int]:
    """The child ids an audit event lists: all of them, unless there are very many."""
    return sorted(ids) if len(ids) <= AUDIT_IDS_MAX else []


def found_and_hotspots(
    user: Any, *, days: int = 365, resolution: str = SECTOR, region: str = ""
) -> MapLayers:
    """Where visible children were found, and visible hotspots, by sector or district."""
    since = since_for(days)
    episodes = episodes_visible_to(user).filter(returned_at__gte=since).exclude(found_postcode="")
    if region:
        episodes = episodes.filter(found_la_id__in=region_la_ids(region))
    centroids = (
        postcodes.sector_centroids() if resolution == SECTOR else postcodes.district_centroids()
    )
    to_code = rules.sector_of if resolution == SECTOR else rules.district_of
    found: dict[str, int] = defaultdict(int)
    children: set[int] = set()
    with access.large_reads():
        rows = list(episodes.values("found_postcode", "child_id").annotate(n=Count("id")))
    for row in rows:
        found[to_code(row["found_postcode"])] += row["n"]
        children.add(row["child_id"])
    hotspots: dict[str, int] = defaultdict(int)
    places = (
        access.places_visible_to(user)
        .filter(
            Q(place_type__in=RISK_PLACE_TYPES)
            | Q(risk_status__in=[RiskStatus.SUSPECTED, RiskStatus.CONFIRMED])
        )
        .exclude(place_type=PlaceType.FOUND_AREA)
        .exclude(sector="")
    )
    if region:
        places = places.filter(la_id__in=region_la_ids(region))
    column = "sector" if resolution == SECTOR else "district"
    for row in places.values(column).annotate(n=Count("id")):
        hotspots[row[column]] += row["n"]
    points = []
    for code in sorted(set(found) | set(hotspots)):
        centroid = centroids.get(code)
        if centroid is None:
            continue
        points.append(
            Point(code, centroid.lat, centroid.long, found.get(code, 0), hotspots.get(code, 0))
        )
    return MapLayers(
        title=f"Where children were found, and hotspots, by postcode {resolution}",
        region=region,
        points=points,
        child_ids=_audit_ids(children),
        children_count=len(children),
    )


def episodes_by_la(
    user: Any, *, days: int = 365, measure: str = "from", region: str = ""
) -> MapLayers:
    """Episodes in the period by the local authority the child went missing from, or was found in."""
    since = since_for(days)
    column = "found_la__ons_code" if measure == "found" else "missing_from_la__ons_code"
    episodes = (
        episodes_visible_to(user)
        .filter(last_seen_at__gte=since)
        .exclude(**{f"{column}__isnull": True})
    )
    if region:
        episodes = episodes.filter(
            **{column.replace("__ons_code", "_id__in"): region_la_ids(region)}
        )
    counts: dict[str, int] = defaultdict(int)
    children: set[int] = set()
    with access.large_reads():
        rows = list(episodes.values(column, "child_id").annotate(n=Count("id")))
    for row in rows:
        counts[row[column]] += row["n"]
        children.add(row["child_id"])
    label = (
        "Episodes by where the child was found"
        if measure == "found"
        else ("Episodes by where the child went missing from")
    )
    return MapLayers(
        title=label,
        region=region,
        choropleth=dict(counts),
        choropleth_label=label,
        child_ids=_audit_ids(children),
        children_count=len(children),
    )


def flows(user: Any, *, days: int = 365, region: str = "", minimum: int = 1) -> MapLayers:
    """Home (or placing) authority to the authority where the child was found, for episodes that
    ended in another area. For a looked-after child the home authority is the one that looks
    after and places them. ``region`` keeps flows that start or end in that region."""
    since = since_for(days)
    episodes = (
        episodes_visible_to(user)
        .filter(returned_at__gte=since, found_la__isnull=False)
        .exclude(found_la=F("child__home_la"))
    )
    if region:
        episodes = episodes.filter(
            Q(child__home_la_id__in=region_la_ids(region))
            | Q(found_la_id__in=region_la_ids(region))
        )
    index = la_index()
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    children: set[int] = set()
    with access.large_reads():
        rows = list(
            episodes.values("child__home_la__ons_code", "found_la__ons_code", "child_id").annotate(
                n=Count("id")
            )
        )
    for row in rows:
        pairs[(row["child__home_la__ons_code"], row["found_la__ons_code"])] += row["n"]
        children.add(row["child_id"])
    result = []
    for (origin_code, destination_code), count in sorted(pairs.items(), key=lambda i: -i[1]):
        origin = index.get(origin_code)
        destination = index.get(destination_code)
        if origin is None or destination is None or count < minimum:
            continue
        result.append(
            Flow(
                origin.ons_code,
                origin.name,
                destination.ons_code,
                destination.name,
                count,
                (origin.lat, origin.long),
                (destination.lat, destination.long),
            )
        )
    return MapLayers(
        title="County lines flows: home authority to where the child was found",
        region=region,
        flows=result,
        child_ids=_audit_ids(children),
        children_count=len(children),
    )
