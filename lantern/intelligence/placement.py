"""Placement check: what is known near a planned or current placement postcode.

Known hotspots and risky places, people of concern linked to places nearby, children found
nearby, and street-level drug and violence crime counts from data.police.uk. Distances are
straight lines on the British National Grid; places are held at their postcode sector's centre,
so a distance can be out by the size of a sector (usually under a kilometre).
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from lantern.geo import postcodes
from lantern.intelligence import access, rules
from lantern.intelligence.crime import DRUG_TYPES, VIOLENCE_TYPES
from lantern.intelligence.maps import la_index
from lantern.intelligence.models import (
    RISK_PLACE_TYPES,
    CrimeCount,
    PersonOfConcern,
    Place,
    RiskStatus,
)
from lantern.intelligence.queries import episodes_visible_to

DEFAULT_RADIUS_KM = 2.0
MAX_RADIUS_KM = 10.0
CRIME_MONTHS = 12


@dataclass
class NearbyPlace:
    place: Place
    distance_km: float


@dataclass
class NearbyPerson:
    person: PersonOfConcern
    places: list[NearbyPlace]

    @property
    def distance_km(self) -> float:
        return min(p.distance_km for p in self.places)


@dataclass
class CrimeSummary:
    first_month: date | None
    last_month: date | None
    drugs: int
    violence: int
    by_type: list[tuple[str, int]]
    by_month: list[tuple[date, int, int]]  # month, drugs, violence
    areas: int

    @property
    def has_data(self) -> bool:
        return self.last_month is not None


@dataclass
class PlacementCheck:
    postcode: str
    sector: str
    la_name: str
    radius_km: float
    places: list[NearbyPlace]
    people: list[NearbyPerson]
    crime: CrimeSummary
    found_episodes: int
    found_children: int
    child_ids: list[int] = field(default_factory=list)


def _distance_km(e1: float, n1: float, e2: float, n2: float) -> float:
    return math.hypot(e1 - e2, n1 - n2) / 1000


def _box(easting: float, northing: float, metres: float, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}easting__gte": easting - metres,
            f"{prefix}easting__lte": easting + metres,
            f"{prefix}northing__gte": northing - metres,
            f"{prefix}northing__lte": northing + metres,
        }
    )


def placement_check(
    user: Any, *, postcode: str, radius_km: float = DEFAULT_RADIUS_KM, today: date | None = None
) -> PlacementCheck | None:
    """What the user may see within ``radius_km`` of the postcode; None if the postcode is unknown."""
    info = postcodes.lookup(postcode)
    if info is None:
        return None
    radius_km = max(0.5, min(MAX_RADIUS_KM, radius_km))
    metres = radius_km * 1000
    e, n = info.easting, info.northing
    places = []
    risky = Q(place_type__in=RISK_PLACE_TYPES) | Q(
        risk_status__in=[RiskStatus.SUSPECTED, RiskStatus.CONFIRMED]
    )
    for place in access.places_visible_to(user).filter(_box(e, n, metres)).select_related("la"):
        distance = _distance_km(e, n, place.easting, place.northing)
        if distance <= radius_km:
            places.append(NearbyPlace(place, round(distance, 1)))
    places.sort(key=lambda p: (p.distance_km, p.place.label))
    near_ids = {p.place.pk: p for p in places}
    people: dict[int, NearbyPerson] = {}
    person_links = (
        access.links_visible_to(user)
        .filter(place_id__in=list(near_ids), person__isnull=False)
        .select_related("person")
    )
    visible_people = set(access.people_visible_to(user).values_list("pk", flat=True))
    for link in person_links:
        if link.person_id not in visible_people:
            continue
        entry = people.setdefault(link.person_id, NearbyPerson(link.person, []))
        if near_ids[link.place_id] not in entry.places:
            entry.places.append(near_ids[link.place_id])
    risky_ids = set(
        access.places_visible_to(user)
        .filter(pk__in=list(near_ids))
        .filter(risky)
        .values_list("pk", flat=True)
    )
    shown_places = [p for p in places if p.place.pk in risky_ids]
    found_episodes, found_children, child_ids = _found_nearby(user, e, n, radius_km)
    return PlacementCheck(
        postcode=info.postcode,
        sector=info.sector,
        la_name=_la_name(info.area_code),
        radius_km=radius_km,
        places=shown_places,
        people=sorted(people.values(), key=lambda p: (p.distance_km, p.person.display_name)),
        crime=crime_near(e, n, radius_km),
        found_episodes=found_episodes,
        found_children=found_children,
        child_ids=child_ids,
    )


def _la_name(code: str) -> str:
    la = la_index().get(code)
    return la.name if la else code


def _found_nearby(
    user: Any, easting: float, northing: float, radius_km: float
) -> tuple[int, int, list[int]]:
    sectors = [
        code
        for code, centroid in postcodes.sector_centroids().items()
        if _distance_km(easting, northing, centroid.easting, centroid.northing) <= radius_km
    ]
    if not sectors:
        return 0, 0, []
    condition = Q()
    for sector in sectors:
        condition |= Q(found_postcode__startswith=sector)
    since = timezone.now() - timedelta(days=365)
    episodes = episodes_visible_to(user).filter(condition, returned_at__gte=since)
    rows = list(episodes.values_list("child_id", "found_postcode"))
    rows = [(c, p) for c, p in rows if rules.sector_of(p) in sectors]
    child_ids = sorted({c for c, _ in rows})
    return len(rows), len(child_ids), child_ids


def crime_near(easting: float, northing: float, radius_km: float) -> CrimeSummary:
    """Street-level crimes within the radius over the latest 12 months imported there."""
    metres = radius_km * 1000
    rows = [
        row
        for row in CrimeCount.objects.filter(_box(easting, northing, metres)).values(
            "month", "crime_type", "count", "easting", "northing", "lsoa_code"
        )
        if _distance_km(easting, northing, row["easting"], row["northing"]) <= radius_km
    ]
    if not rows:
        return CrimeSummary(None, None, 0, 0, [], [], 0)
    last = max(row["month"] for row in rows)
    first_year, first_month = divmod(last.year * 12 + last.month - 1 - (CRIME_MONTHS - 1), 12)
    first = date(first_year, first_month + 1, 1)
    rows = [row for row in rows if row["month"] >= first]
    by_type: dict[str, int] = defaultdict(int)
    by_month: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        by_type[row["crime_type"]] += row["count"]
        if row["crime_type"] in DRUG_TYPES:
            by_month[row["month"]][0] += row["count"]
        elif row["crime_type"] in VIOLENCE_TYPES:
            by_month[row["month"]][1] += row["count"]
    return CrimeSummary(
        first_month=min(row["month"] for row in rows),
        last_month=last,
        drugs=sum(by_type[t] for t in DRUG_TYPES),
        violence=sum(by_type[t] for t in VIOLENCE_TYPES),
        by_type=sorted(by_type.items(), key=lambda item: (-item[1], item[0])),
        by_month=[(month, d, v) for month, (d, v) in sorted(by_month.items())],
        areas=len({row["lsoa_code"] for row in rows}),
    )
