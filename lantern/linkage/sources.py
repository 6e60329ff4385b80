"""Where linkage records come from: Lantern's own children, and files from other systems.

File formats (column names, examples) are documented in docs/linkage-formats.md. Parsing is
pure: ``read_file`` turns a CSV into ``ParsedRow`` values (the cleaned fields an
``ExternalRecord`` keeps, plus the raw row); nothing here writes to the database.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lantern.episodes.models import MissingEpisode
from lantern.geo.postcodes import normalise_postcode
from lantern.linkage import cleaning
from lantern.linkage.cleaning import SourceRecord
from lantern.linkage.models import ExternalRecord, SourceSystem
from lantern.people.codes import IdentifierKind
from lantern.people.models import Child, ChildAlias, ChildIdentifier, Placement

FORMATS = ("police", "ssda903", "school")

# The police missing-person report CSV of docs/imports.md (so one file from a force serves both
# the episode import and linkage), plus optional columns only linkage reads.
POLICE_COLUMNS = (
    "police_reference",
    "person_id",
    "first_name",
    "last_name",
    "dob",
    "sex",
    "home_postcode",
    "last_seen_at",
    "last_seen_place",
    "last_seen_postcode",
    "reported_at",
    "returned_at",
    "found_place",
    "found_postcode",
    "found_with",
    "return_how",
    "whereabouts_known",
    "reporter_kind",
    "circumstances",
)
POLICE_LINKAGE_COLUMNS = ("middle_names", "aliases", "previous_postcodes", "phone")
SSDA903_HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
SCHOOL_COLUMNS = (
    "upn",
    "first_name",
    "middle_names",
    "last_name",
    "preferred_name",
    "dob",
    "sex",
    "postcode",
    "previous_postcodes",
)
REQUIRED = {
    "police": ("first_name", "last_name", "dob"),
    "ssda903": ("CHILD", "DOB"),
    "school": ("first_name", "last_name", "dob"),
}

MISSING_COLUMNS = "The file is missing these columns: {}"
NOT_CSV = "The file must be a CSV file with a header row"


class FileFormatError(ValueError):
    pass


@dataclass
class ParsedRow:
    """One row of a source file, cleaned into ExternalRecord fields."""

    row_number: int
    source_reference: str
    fields: dict[str, Any]
    aliases: list[tuple[str, str]]
    raw: dict[str, str]
    problems: list[str] = field(default_factory=list)


def _split(value: str | None, sep: str = ";") -> list[str]:
    return [part.strip() for part in (value or "").split(sep) if part.strip()]


def _postcode(value: str | None) -> str:
    return normalise_postcode(value or "") or ""


def _aliases(value: str | None) -> list[tuple[str, str]]:
    out = []
    for alias in _split(value):
        first, _, last = alias.partition(" ")
        out.append((first, last))
    return out


def _common(row: dict[str, str], first: str, middle: str, last: str, dob: str) -> dict[str, Any]:
    return {
        "first_name": (row.get(first) or "").strip()[:100],
        "middle_names": (row.get(middle) or "").strip()[:100],
        "last_name": (row.get(last) or "").strip()[:100],
        "date_of_birth": cleaning.parse_date(row.get(dob)),
    }


def _police(number: int, row: dict[str, str]) -> ParsedRow:
    fields = _common(row, "first_name", "middle_names", "last_name", "dob")
    history = [_postcode(p) for p in _split(row.get("previous_postcodes"))]
    fields.update(
        sex=cleaning.normalise_sex(row.get("sex")) or "",
        postcode=_postcode(row.get("home_postcode")),
        previous_postcodes=",".join(p for p in history if p)[:200],
        phone=cleaning.normalise_phone(row.get("phone")) or "",
        police_id=cleaning.normalise_code(row.get("person_id")) or "",
    )
    reference = (row.get("police_reference") or row.get("person_id") or "").strip()
    return ParsedRow(number, reference[:60], fields, _aliases(row.get("aliases")), row)


def _ssda903(number: int, row: dict[str, str]) -> ParsedRow:
    fields = {
        "date_of_birth": cleaning.parse_date(row.get("DOB")),
        "sex": cleaning.normalise_sex(row.get("SEX")) or "",
        "upn": cleaning.normalise_upn(row.get("UPN")) or "",
        "la_child_id": cleaning.normalise_code(row.get("CHILD")) or "",
    }
    return ParsedRow(number, (row.get("CHILD") or "").strip()[:60], fields, [], row)


def _school(number: int, row: dict[str, str]) -> ParsedRow:
    fields = _common(row, "first_name", "middle_names", "last_name", "dob")
    history = [_postcode(p) for p in _split(row.get("previous_postcodes"))]
    fields.update(
        sex=cleaning.normalise_sex(row.get("sex")) or "",
        postcode=_postcode(row.get("postcode")),
        previous_postcodes=",".join(p for p in history if p)[:200],
        upn=cleaning.normalise_upn(row.get("upn")) or "",
    )
    aliases = []
    preferred = (row.get("preferred_name") or "").strip()
    if preferred and preferred.lower() != fields["first_name"].lower():
        aliases.append((preferred, ""))
    return ParsedRow(number, (row.get("upn") or "").strip()[:60], fields, aliases, row)


_PARSERS = {"police": _police, "ssda903": _ssda903, "school": _school}


def read_file(text: str, fmt: str) -> list[ParsedRow]:
    """Parse a whole CSV (already decoded) in one of ``FORMATS``; FileFormatError if the header
    lacks a required column. Blank lines are skipped; a row without a date of birth or any name
    is kept with a problem noted, since a partial record can still be linked by identifier."""
    if fmt not in _PARSERS:
        raise FileFormatError(f"Unknown format {fmt}")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames:
        raise FileFormatError(NOT_CSV)
    header = {name.strip() for name in reader.fieldnames}
    missing = [c for c in REQUIRED[fmt] if c not in header]
    if missing:
        raise FileFormatError(MISSING_COLUMNS.format(", ".join(missing)))
    rows = []
    for number, raw in enumerate(reader, start=2):  # line 1 is the header
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        parsed = _PARSERS[fmt](number, row)
        if parsed.fields.get("date_of_birth") is None:
            parsed.problems.append("date of birth missing or not a date")
        rows.append(parsed)
    return rows


# --- Building linkage records ------------------------------------------------------------------


def _issuer(organisation_id: int | None) -> str:
    return f"org{organisation_id}" if organisation_id else ""


# Linkage ids are integers (joins on them are cheaper than on text): even for Lantern children,
# odd for imported records.
def child_uid(pk: int) -> int:
    return 2 * pk


def external_uid(pk: int) -> int:
    return 2 * pk + 1


def parse_uid(uid: int) -> tuple[str, int]:
    """("child" | "external", pk) from a linkage unique id."""
    uid = int(uid)
    return ("external" if uid % 2 else "child"), uid // 2


def uid_label(uid: int) -> str:
    """ "c12" or "x40": how a pair key names a side."""
    kind, pk = parse_uid(uid)
    return f"{kind[0] if kind == 'child' else 'x'}{pk}"


def children_records(children: Iterable[Child]) -> Iterator[SourceRecord]:
    """Lantern children as linkage records: names and aliases, identifiers, and postcodes from
    home, placements (newest first) and where episodes last saw them."""
    children = list(children)
    ids = [c.pk for c in children]
    aliases: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for alias in ChildAlias.objects.filter(child_id__in=ids).order_by("id"):
        aliases[alias.child_id].append((alias.first_name, alias.last_name))
    idents: dict[int, list[ChildIdentifier]] = defaultdict(list)
    for ident in ChildIdentifier.objects.filter(child_id__in=ids).order_by("id"):
        idents[ident.child_id].append(ident)
    postcodes: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for child_id, started, postcode in Placement.objects.filter(child_id__in=ids).values_list(
        "child_id", "started_on", "postcode"
    ):
        postcodes[child_id].append((started, postcode))
    for child_id, seen, postcode in (
        MissingEpisode.objects.filter(child_id__in=ids)
        .exclude(last_seen_postcode="")
        .values_list("child_id", "last_seen_at", "last_seen_postcode")
    ):
        postcodes[child_id].append((seen.date(), postcode))
    for child in children:
        history = [p for _, p in sorted(postcodes[child.pk], reverse=True)]
        record = SourceRecord(
            unique_id=child_uid(child.pk),
            source=SourceSystem.LANTERN,
            first_name=child.first_name,
            middle_names=" ".join(p for p in (child.middle_names, child.preferred_name) if p),
            last_name=child.last_name,
            aliases=aliases[child.pk],
            date_of_birth=child.date_of_birth,
            sex=child.sex,
            postcodes=[child.home_postcode, *history],
        )
        for ident in idents[child.pk]:
            if ident.kind == IdentifierKind.NHS_NUMBER:
                record.nhs_number = ident.value
            elif ident.kind == IdentifierKind.UPN:
                record.upn = ident.value
            elif ident.kind == IdentifierKind.POLICE_ID:
                record.police_id = ident.value
                record.police_issuer = _issuer(ident.issuing_organisation_id)
            elif ident.kind == IdentifierKind.LA_CHILD_ID:
                record.la_child_id = ident.value
                record.la_issuer = _issuer(ident.issuing_organisation_id)
        yield record


def external_records(records: Iterable[ExternalRecord]) -> Iterator[SourceRecord]:
    """Imported records as linkage records. Identifiers issued by an organisation (police and
    council ids) carry the organisation that holds the file as their issuer."""
    for record in records:
        aliases = [
            (first, last)
            for first, _, last in (
                alias.partition(" ") for alias in _split(record.raw.get("aliases"))
            )
        ]
        preferred = record.raw.get("preferred_name", "")
        if preferred:
            aliases.append((preferred, ""))
        yield SourceRecord(
            unique_id=external_uid(record.pk),
            source=record.source,
            first_name=record.first_name,
            middle_names=record.middle_names,
            last_name=record.last_name,
            aliases=aliases,
            date_of_birth=record.date_of_birth,
            sex=record.sex,
            postcodes=record.postcodes,
            phones=[record.phone] if record.phone else [],
            nhs_number=record.nhs_number,
            upn=record.upn,
            police_id=record.police_id,
            police_issuer=_issuer(record.organisation_id),
            la_child_id=record.la_child_id,
            la_issuer=_issuer(record.organisation_id),
        )
