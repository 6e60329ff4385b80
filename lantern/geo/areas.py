"""Reference lists of English upper-tier local authorities and police force areas."""

import csv
from dataclasses import dataclass
from functools import cache

from lantern.geo.postcodes import DATA_DIR


@dataclass(frozen=True)
class LocalAuthority:
    ons_code: str
    name: str
    dfe_la_code: str
    region_code: str
    region_name: str
    lat: float
    long: float


@dataclass(frozen=True)
class PoliceForceArea:
    ons_code: str
    name: str


@cache
def upper_tier_las() -> list[LocalAuthority]:
    """The 153 English children's-services authorities (2025 boundaries)."""
    seen: dict[str, LocalAuthority] = {}
    with open(DATA_DIR / "england_ltla_utla_region_lookup_2025.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["utla_code"]
            if code in seen:
                continue
            seen[code] = LocalAuthority(
                code,
                row["utla_name"],
                row["dfe_la_code"],
                row["region_code"],
                row["region_name"],
                float(row["lat"]),
                float(row["long"]),
            )
    return sorted(seen.values(), key=lambda la: la.name)


@cache
def police_force_areas() -> list[PoliceForceArea]:
    with open(DATA_DIR / "dfe_police_force_areas.csv", newline="", encoding="utf-8-sig") as handle:
        return [
            PoliceForceArea(row["pfa_code"], row["pfa_name"])
            for row in csv.DictReader(handle)
            if row["status"] == "active"
        ]


@cache
def utla_police_force() -> dict[str, str]:
    """Upper-tier LA code -> police force area code."""
    path = DATA_DIR / "utla_police_force_2025.csv"
    if not path.exists():
        return {}
    with open(path, newline="") as handle:
        return {row["utla_code"]: row["pfa_code"] for row in csv.DictReader(handle)}
