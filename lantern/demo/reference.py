"""Reference data for the synthetic generator: name lists, population weights, real postcodes.

Everything here is read from files in ``lantern/demo/data`` (see its README for sources) and is
pure: no database. The postcode sample is a small, fixed extract of the ONS Postcode Directory
(real postcodes are not personal data) so generation never has to load the whole directory.
"""

import csv
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lantern.geo import areas, postcodes

DATA_DIR = Path(__file__).parent / "data"
POSTCODE_SAMPLE = DATA_DIR / "postcode_sample.csv"

HARINGEY = "E09000014"
DEMO_NEIGHBOURS = (
    "E09000010",  # Enfield
    "E09000003",  # Barnet
    "E09000019",  # Islington
    "E09000012",  # Hackney
    "E09000031",  # Waltham Forest
    "E09000007",  # Camden
)
SUSSEX_POLICE = "E23000033"


@dataclass(frozen=True)
class Destination:
    """A town where children from a city are found far from home (synthetic county-lines routes)."""

    key: str
    town: str
    ltla: str
    districts: tuple[str, ...]

    @property
    def utla(self) -> str:
        return postcodes.lad_to_utla()[self.ltla]


DESTINATIONS: dict[str, Destination] = {
    d.key: d
    for d in (
        Destination("southend", "Southend-on-Sea", "E06000033", ("SS0", "SS1", "SS2", "SS9")),
        Destination("margate", "Margate", "E07000114", ("CT9",)),
        Destination("brighton", "Brighton", "E06000043", ("BN1", "BN2")),
        Destination("norwich", "Norwich", "E07000148", ("NR1", "NR2", "NR3")),
        Destination("great_yarmouth", "Great Yarmouth", "E07000145", ("NR30", "NR31")),
        Destination("bournemouth", "Bournemouth", "E06000058", ("BH1", "BH5", "BH8", "BH9")),
        Destination("swindon", "Swindon", "E06000030", ("SN1", "SN2", "SN3", "SN5")),
        Destination("newquay", "Newquay", "E06000052", ("TR7",)),
        Destination("penzance", "Penzance", "E06000052", ("TR18",)),
        Destination("lincoln", "Lincoln", "E07000138", ("LN1", "LN2", "LN5", "LN6")),
        Destination("skegness", "Skegness", "E07000137", ("PE25",)),
        Destination("carlisle", "Carlisle", "E06000063", ("CA1", "CA2", "CA3")),
        Destination("workington", "Workington", "E06000063", ("CA14",)),
        Destination("blackpool", "Blackpool", "E06000009", ("FY1", "FY2", "FY3", "FY4")),
    )
}

# Synthetic routes from cities to the towns above. Illustrative only: not intelligence about real
# lines. Every London borough uses the London list.
ROUTES: dict[str, tuple[str, ...]] = {
    "london": (
        "southend",
        "margate",
        "brighton",
        "norwich",
        "great_yarmouth",
        "bournemouth",
        "swindon",
    ),
    "E08000025": ("lincoln", "skegness", "swindon", "norwich", "newquay"),  # Birmingham
    "E08000012": ("carlisle", "workington", "blackpool", "lincoln", "penzance"),  # Liverpool
    "E08000003": ("carlisle", "blackpool", "skegness", "lincoln", "norwich"),  # Manchester
}


@dataclass(frozen=True)
class Point:
    postcode: str
    ltla: str
    utla: str
    easting: float
    northing: float


@dataclass(frozen=True)
class Names:
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]
    nicknames: tuple[str, ...]
    street: tuple[str, ...]


def _lines(name: str) -> tuple[str, ...]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@cache
def names() -> Names:
    return Names(
        _lines("first_names_female.txt"),
        _lines("first_names_male.txt"),
        _lines("surnames.txt"),
        _lines("nicknames.txt"),
        _lines("street_names.txt"),
    )


@cache
def utla_population() -> dict[str, int]:
    """Resident population (mid-2020, mySociety) of each upper-tier LA: a proxy for demand."""
    totals: dict[str, int] = defaultdict(int)
    with open(DATA_DIR / "ltla_population_2020.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            totals[row["utla_code"]] += int(row["pop_2020"])
    return dict(sorted(totals.items()))


@cache
def utla_names() -> dict[str, str]:
    return {la.ons_code: la.name for la in areas.upper_tier_las()}


@cache
def dfe_codes() -> dict[str, str]:
    return {la.ons_code: la.dfe_la_code for la in areas.upper_tier_las()}


@cache
def force_for_la() -> dict[str, str]:
    """Upper-tier LA code -> the code of the police force area that covers it."""
    return dict(areas.utla_police_force())


@dataclass(frozen=True)
class Pools:
    by_utla: dict[str, tuple[Point, ...]]
    by_ltla: dict[str, tuple[Point, ...]]
    by_destination: dict[str, tuple[Point, ...]]


@cache
def pools() -> Pools:
    """The postcode sample, grouped by upper-tier LA, lower-tier LA and destination town."""
    lad_to_utla = postcodes.lad_to_utla()
    by_utla: dict[str, list[Point]] = defaultdict(list)
    by_ltla: dict[str, list[Point]] = defaultdict(list)
    by_dest: dict[str, list[Point]] = defaultdict(list)
    with open(POSTCODE_SAMPLE, newline="") as handle:
        for row in csv.DictReader(handle):
            point = Point(
                row["postcode"],
                row["ltla"],
                lad_to_utla[row["ltla"]],
                float(row["easting"]),
                float(row["northing"]),
            )
            by_utla[point.utla].append(point)
            by_ltla[point.ltla].append(point)
            for tag in filter(None, row["destinations"].split(" ")):
                by_dest[tag].append(point)
    return Pools(
        {k: tuple(v) for k, v in by_utla.items()},
        {k: tuple(v) for k, v in by_ltla.items()},
        {k: tuple(v) for k, v in by_dest.items()},
    )


@cache
def all_utlas() -> tuple[str, ...]:
    return tuple(sorted(pools().by_utla))


@cache
def utla_centres() -> dict[str, tuple[float, float]]:
    """Mean grid reference of each upper-tier LA's sampled postcodes."""
    centres = {}
    for code, points in pools().by_utla.items():
        centres[code] = (
            sum(p.easting for p in points) / len(points),
            sum(p.northing for p in points) / len(points),
        )
    return centres


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1]) / 1609.3


@cache
def neighbours(code: str, count: int = 6) -> tuple[str, ...]:
    """The nearest upper-tier LAs to ``code`` by distance between their centres."""
    centres = utla_centres()
    here = centres[code]
    ranked = sorted((miles_between(here, there), other) for other, there in centres.items())
    return tuple(other for _, other in ranked if other != code)[:count]


@cache
def within_miles(code: str, low: float, high: float) -> tuple[str, ...]:
    centres = utla_centres()
    here = centres[code]
    return tuple(
        other
        for other, there in sorted(centres.items())
        if other != code and low <= miles_between(here, there) <= high
    )


def routes_for(utla: str) -> tuple[str, ...]:
    """Destination towns for children from a city on a synthetic county-lines route."""
    if utla.startswith("E09"):
        return ROUTES["london"]
    return ROUTES.get(utla, ())


# --- Building the postcode sample (run rarely: manage.py demo_build_postcodes) -----------------

PER_LTLA = 20
PER_DEMO_LTLA = 200
PER_DESTINATION = 40


def build_postcode_sample(path: Path = POSTCODE_SAMPLE) -> int:
    """Write a fixed, seeded sample of real postcodes per English lower-tier LA; returns rows.

    Reads the ONS Postcode Directory through ``lantern.geo.postcodes``. Deterministic: the same
    directory always gives the same file.
    """
    letters: dict[str, set[str]] = defaultdict(set)
    for sector, centroid in postcodes.sector_centroids().items():
        if centroid.lad_code.startswith("E"):
            letters[centroid.lad_code].add(sector[0])
    demo = {HARINGEY, *DEMO_NEIGHBOURS}
    rows: dict[str, list[str]] = {}
    tags: dict[str, set[str]] = defaultdict(set)
    for ltla in sorted(letters):
        every = postcodes.postcodes_in_lad(ltla, "".join(sorted(letters[ltla])))
        rng = random.Random(f"postcodes:{ltla}")
        size = PER_DEMO_LTLA if ltla in demo else PER_LTLA
        chosen = set(rng.sample(every, min(size, len(every))))
        for dest in DESTINATIONS.values():
            if dest.ltla != ltla:
                continue
            in_town = [p for p in every if p.split(" ")[0] in dest.districts]
            for postcode in rng.sample(in_town, min(PER_DESTINATION, len(in_town))):
                chosen.add(postcode)
                tags[postcode].add(dest.key)
        for postcode in sorted(chosen):
            info = postcodes.lookup(postcode)
            if info is None:
                continue
            rows[postcode] = [postcode, ltla, f"{info.easting:.0f}", f"{info.northing:.0f}"]
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["postcode", "ltla", "easting", "northing", "destinations"])
        for postcode in sorted(rows):
            writer.writerow([*rows[postcode], " ".join(sorted(tags[postcode]))])
    return len(rows)
