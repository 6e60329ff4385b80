"""Import data.police.uk street-level crime files ("YYYY-MM-force-street.csv") as counts.

Every file is read and checked in full before anything is written; an error names the file, the
line and the column. The counts replace any earlier import for the same force and month, so
importing a file again changes nothing (no duplicates), and a corrected file replaces the old one.
Positions are converted from WGS84 to British National Grid once, here.
"""

import csv
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from pyproj import Transformer

from lantern.audit.models import Action
from lantern.audit.services import audit_record
from lantern.intelligence.models import CrimeCount, CrimeImport

HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
CRIME_TYPES = frozenset(
    {
        "Anti-social behaviour",
        "Bicycle theft",
        "Burglary",
        "Criminal damage and arson",
        "Drugs",
        "Other crime",
        "Other theft",
        "Possession of weapons",
        "Public order",
        "Robbery",
        "Shoplifting",
        "Theft from the person",
        "Vehicle crime",
        "Violence and sexual offences",
    }
)
# The crime types a placement check reports (drugs and violence; domain §4.2 criminality).
DRUG_TYPES = ("Drugs",)
VIOLENCE_TYPES = ("Violence and sexual offences", "Possession of weapons", "Robbery")
MAX_ERRORS = 20

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_LSOA_RE = re.compile(r"^[EW]0\d{7}$")


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}"
        return (
            f"{where}, column {self.column}: {self.message}"
            if self.column
            else f"{where}: {self.message}"
        )


class CrimeFileError(Exception):
    """One or more files failed the checks; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class Parsed:
    name: str
    sha256: str
    rows: int
    # (reported_by, month, lsoa_code) -> lsoa_name; counts and positions keyed with crime type
    counts: dict[tuple[str, date, str, str], int]
    names: dict[str, str]
    points: dict[tuple[str, date, str, str], list[tuple[float, float]]]


def _month(value: str) -> date | None:
    match = _MONTH_RE.match(value)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1) if 1 <= month <= 12 and 2000 <= year <= 2100 else None


def _number(value: str, low: float, high: float) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if low <= number <= high else None


def parse_file(path: Path) -> Parsed:
    """Read and check one file; CrimeFileError lists the first problems found."""
    name = path.name
    errors: list[RowError] = []
    data = path.read_bytes()
    counts: dict[tuple[str, date, str, str], int] = defaultdict(int)
    names: dict[str, str] = {}
    points: dict[tuple[str, date, str, str], list[tuple[float, float]]] = defaultdict(list)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CrimeFileError(
            [RowError(name, 1, "", f"The file is not UTF-8 text ({error.reason})")]
        ) from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        raise CrimeFileError([RowError(name, 1, "", "The file is empty")])
    if [h.strip() for h in header] != HEADER:
        for position, expected in enumerate(HEADER):
            found = header[position].strip() if position < len(header) else ""
            if found != expected:
                raise CrimeFileError(
                    [
                        RowError(
                            name,
                            1,
                            expected,
                            f"The header must be the data.police.uk street-level header; column "
                            f"{position + 1} should be '{expected}' but is '{found}'",
                        )
                    ]
                )
        raise CrimeFileError(
            [RowError(name, 1, "", f"The header has {len(header)} columns, expected {len(HEADER)}")]
        )
    rows = 0
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        rows += 1

        def error(column: str, message: str, line: int = line) -> None:
            errors.append(RowError(name, line, column, message))

        if len(row) != len(HEADER):
            error("", f"The row has {len(row)} columns, expected {len(HEADER)}")
        else:
            record = dict(zip(HEADER, (cell.strip() for cell in row), strict=True))
            month = _month(record["Month"])
            if month is None:
                error("Month", f"Enter the month as YYYY-MM (found '{record['Month']}')")
            if not record["Reported by"]:
                error("Reported by", "Enter the force that reported the crime")
            crime_type = record["Crime type"]
            if crime_type not in CRIME_TYPES:
                error("Crime type", f"'{crime_type}' is not a data.police.uk crime type")
            lsoa = record["LSOA code"]
            if lsoa and not _LSOA_RE.match(lsoa):
                error("LSOA code", f"'{lsoa}' is not an LSOA code like E01000916")
            longitude, latitude = record["Longitude"], record["Latitude"]
            position = None
            if longitude or latitude:
                long_value = _number(longitude, -9.0, 2.5)
                lat_value = _number(latitude, 49.0, 61.5)
                if long_value is None:
                    error(
                        "Longitude", f"Enter a longitude between -9 and 2.5 (found '{longitude}')"
                    )
                if lat_value is None:
                    error("Latitude", f"Enter a latitude between 49 and 61.5 (found '{latitude}')")
                if long_value is not None and lat_value is not None:
                    position = (long_value, lat_value)
            if month is not None and not errors:
                key = (record["Reported by"], month, lsoa, crime_type)
                counts[key] += 1
                if lsoa:
                    names[lsoa] = record["LSOA name"]
                if position is not None:
                    points[key].append(position)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise CrimeFileError(errors)
    return Parsed(name, hashlib.sha256(data).hexdigest(), rows, dict(counts), names, dict(points))


_TO_GRID = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def _mean_position(points: list[tuple[float, float]]) -> tuple[float | None, float | None]:
    if not points:
        return None, None
    eastings, northings = _TO_GRID.transform([p[0] for p in points], [p[1] for p in points])
    return sum(eastings) / len(points), sum(northings) / len(points)


@dataclass(frozen=True)
class ImportResult:
    files: int
    rows: int
    counts: int
    replaced: int


def crime_import(paths: list[Path]) -> ImportResult:
    """Check every file, then replace the counts for each force and month they cover, atomically."""
    parsed: list[Parsed] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for path in paths:
        try:
            result = parse_file(path)
        except CrimeFileError as error:
            errors.extend(error.errors)
            continue
        except OSError as error:
            errors.append(RowError(path.name, 0, "", f"Cannot read the file ({error.strerror})"))
            continue
        if result.sha256 not in seen:  # the same file named twice counts once
            seen.add(result.sha256)
            parsed.append(result)
    if errors:
        raise CrimeFileError(errors)
    counts: dict[tuple[str, date, str, str], int] = defaultdict(int)
    points: dict[tuple[str, date, str, str], list[tuple[float, float]]] = defaultdict(list)
    names: dict[str, str] = {}
    for result in parsed:
        for key, value in result.counts.items():
            counts[key] += value
        for key, value in result.points.items():
            points[key].extend(value)
        names.update(result.names)
    covered = {(key[0], key[1]) for key in counts}
    with transaction.atomic():
        replaced = 0
        for reported_by, month in covered:
            replaced += CrimeCount.objects.filter(reported_by=reported_by, month=month).delete()[0]
        rows = []
        for (reported_by, month, lsoa, crime_type), count in counts.items():
            easting, northing = _mean_position(
                points.get((reported_by, month, lsoa, crime_type), [])
            )
            rows.append(
                CrimeCount(
                    reported_by=reported_by,
                    month=month,
                    lsoa_code=lsoa,
                    lsoa_name=names.get(lsoa, ""),
                    crime_type=crime_type,
                    count=count,
                    easting=easting,
                    northing=northing,
                )
            )
        CrimeCount.objects.bulk_create(rows, batch_size=1000)
        CrimeImport.objects.bulk_create(
            CrimeImport(file_name=p.name, sha256=p.sha256, rows=p.rows) for p in parsed
        )
        audit_record(
            actor=None,
            action=Action.CREATE,
            object_type="intelligence.crimecount",
            summary=f"Imported street-level crime counts from {len(parsed)} file(s)",
            detail={
                "files": [p.name for p in parsed],
                "sha256": [p.sha256 for p in parsed],
                "replaced": replaced,
                "counts": len(rows),
            },
        )
    return ImportResult(len(parsed), sum(p.rows for p in parsed), len(rows), replaced)
