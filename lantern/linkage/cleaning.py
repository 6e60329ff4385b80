"""Cleaning for record linkage: pure functions, no database, no Splink.

Every source (Lantern's own children, a police missing-report file, an SSDA903 Header, a school
roll, synthetic test data) is turned into the same flat row by ``linkage_row``; the Splink model
in ``lantern.linkage.model`` compares those rows. What is decided here:

* names are folded and split the way people search does (``lantern.people.names``);
* a given name also carries the names it may stand for (Bill: William; Mohamed: Muhammad) from
  the maintained list ``data/nicknames.csv``; sound-alike spellings (Kayden, Kaiden) are left to
  the phonetic key rather than listed;
* double-barrelled surnames keep both parts, so "Smith-Jones" meets "Smith" and "Jones";
* surname particles join the next word ("Mc Donald" and "McDonald" agree);
* first/last swaps and day/month swaps are not "repaired" (we cannot know which side is wrong):
  the row carries the keys that let the model notice them (``name_pair_key``, ``dob_swapped``);
* postcodes are normalised and kept as a history, newest first; phones become UK national form.

Functions on single name tokens are cached: names repeat, so cleaning a million rows mostly hits
the cache.
"""

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from lantern.geo.postcodes import normalise_postcode
from lantern.people import names

DATA_DIR = Path(__file__).parent / "data"
NICKNAMES_CSV = DATA_DIR / "nicknames.csv"

# Surname particles that belong to the next word: "Mc Donald" -> "mcdonald", "de la Cruz" ->
# "delacruz". "O'Neill" is already one token (names.tokens drops the apostrophe).
_PARTICLES = frozenset(
    {"mc", "mac", "o", "st", "de", "da", "di", "del", "della", "der", "den", "van", "von", "le",
     "la", "du", "al", "el"}
)  # fmt: skip
_DIGITS = re.compile(r"\D+")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y")


# --- Names ------------------------------------------------------------------------------------


@cache
def nickname_table() -> dict[str, frozenset[str]]:
    """variant -> the names it may stand for, read from ``data/nicknames.csv`` once."""
    table: dict[str, set[str]] = defaultdict(set)
    with NICKNAMES_CSV.open(newline="", encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        for row in csv.DictReader(lines):
            variant = standardise_name(row["variant"])
            name = standardise_name(row["name"])
            if variant and name:
                table[variant].add(name)
                table[name].add(name)
    return {variant: frozenset(groups) for variant, groups in table.items()}


def standardise_name(text: str | None) -> str:
    """Folded tokens joined by single spaces: "  Zoë  O'Neill-Smith " -> "zoe oneill smith"."""
    return " ".join(names.tokens(text or ""))


@lru_cache(maxsize=200_000)
def name_groups(token: str) -> tuple[str, ...]:
    """The names a given-name token may stand for, itself included, sorted.

    "bill" -> ("bill", "william"); "sam" -> ("sam", "samantha", "samuel"); "kayden" -> ("kayden",).
    Two given names are variants of each other when their groups intersect.
    """
    if not token:
        return ()
    return tuple(sorted({token} | nickname_table().get(token, frozenset())))


@lru_cache(maxsize=200_000)
def name_key(token: str) -> str:
    """One blocking key per given name: the alphabetically first formal name it stands for.

    Bill, Billy, Will and William all give "william"; a name on no list gives itself.
    """
    groups = nickname_table().get(token)
    return min(groups) if groups else token


@lru_cache(maxsize=200_000)
def phonetic(token: str) -> str:
    """The sound-alike key people search uses: Kayden and Kaiden both give "KTN"."""
    return names.phonetic(token)


@lru_cache(maxsize=500_000)
def _tokens(text: str) -> tuple[str, ...]:
    # Names repeat (a million records hold a few thousand first names), so fold once each.
    return tuple(names.tokens(text))


@lru_cache(maxsize=200_000)
def surname_parts(text: str) -> tuple[str, ...]:
    """The parts of a surname, particles joined: "Smith-Jones" -> ("smith", "jones");
    "Mc Donald" -> ("mcdonald",); "van der Berg" -> ("vanderberg",)."""
    parts: list[str] = []
    pending = ""
    for token in _tokens(text):
        if token in _PARTICLES:
            pending += token
            continue
        parts.append(pending + token)
        pending = ""
    if pending:
        parts.append(pending)
    return tuple(parts)


def standardise_surname(text: str | None) -> str:
    """A surname as one string of its parts: "Smith-Jones" -> "smith jones"."""
    return " ".join(surname_parts(text or ""))


def name_pair_key(first: str, surname: str) -> str:
    """A key that is the same whichever way round the names were written: a first/last swap
    ("Smith Kayden" for "Kayden Smith") keeps the key, so blocking still brings them together."""
    keys = sorted(k for k in (phonetic(first), phonetic(surname.replace(" ", ""))) if k)
    return "|".join(keys)


# --- Dates ------------------------------------------------------------------------------------


def parse_date(value: Any) -> date | None:
    """A date from a date, a datetime or text in the usual UK and ISO forms; None if not one."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    text = text.split("T")[0].split(" ")[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def swap_day_month(day: date | None) -> date | None:
    """The date with day and month exchanged (3 Apr -> 4 Mar); None when that is not a date or
    is the same date (day equals month)."""
    if day is None or day.day == day.month or day.day > 12:
        return None
    return day.replace(month=day.day, day=day.month)


def dob_unordered_key(day: date | None) -> str:
    """Year plus the day and month in either order: 2010-03-04 and 2010-04-03 share a key."""
    if day is None:
        return ""
    low, high = sorted((day.day, day.month))
    return f"{day.year:04d}-{low:02d}-{high:02d}"


# --- Places, phones, identifiers -------------------------------------------------------------


_normal_postcode = lru_cache(maxsize=200_000)(normalise_postcode)


def postcode_history(values: Iterable[str | None]) -> list[str]:
    """Normalised postcodes, newest first as given, without repeats or unreadable values."""
    seen: list[str] = []
    for value in values:
        normal = _normal_postcode(value or "")
        if normal and normal not in seen:
            seen.append(normal)
    return seen


def normalise_phone(value: str | None) -> str | None:
    """A UK phone number in national form ("07700 900123", "+44 7700-900123" -> "07700900123").

    None when it cannot be a UK number (wrong length after the country code is removed).
    """
    digits = _DIGITS.sub("", value or "")
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not digits.startswith("0") or len(digits) not in (10, 11):
        return None
    return digits


def normalise_nhs_number(value: str | None) -> str | None:
    """Ten digits, spaces and dashes removed; None when not ten digits.

    The modulus-11 check digit is not enforced here: Lantern's synthetic numbers fail it on
    purpose (so they can never be real), and a wrong check digit is still evidence to compare.
    """
    digits = _DIGITS.sub("", value or "")
    return digits if len(digits) == 10 else None


def normalise_upn(value: str | None) -> str | None:
    """A 13-character unique pupil number in capitals; None for blanks and the 903 reason codes
    UN1 to UN5 ("no UPN because ..."), which say nothing about who the child is."""
    text = re.sub(r"[\s-]", "", (value or "").upper())
    if len(text) != 13 or not text[0].isalpha() or not text[1:12].isdigit():
        return None
    return text


def normalise_code(value: str | None) -> str | None:
    """Other identifiers (police person id, LA child id): trimmed, capitals, no inner spaces."""
    text = re.sub(r"\s+", "", (value or "").upper())
    return text or None


def normalise_sex(value: str | None) -> str | None:
    """M or F from the codes sources use (903: 1 male, 2 female; M/F; words); None if unknown."""
    text = (value or "").strip().lower()
    if text in {"m", "1", "male", "boy"}:
        return "M"
    if text in {"f", "2", "female", "girl"}:
        return "F"
    return None


# --- One row for the model -------------------------------------------------------------------


@dataclass
class SourceRecord:
    """A child as one source system holds them, before cleaning. Any field may be blank."""

    unique_id: int  # unique across every source in one run
    source: str
    first_name: str = ""
    middle_names: str = ""
    last_name: str = ""
    aliases: Sequence[tuple[str, str]] = ()  # (first, last) pairs: aliases, previous names
    date_of_birth: Any = None
    sex: str = ""
    postcodes: Sequence[str] = ()  # newest first
    phones: Sequence[str] = ()
    nhs_number: str = ""
    upn: str = ""
    police_id: str = ""
    police_issuer: str = ""  # the force that issued the police id
    la_child_id: str = ""
    la_issuer: str = ""  # the local authority that issued the child id
    extra: dict[str, Any] = field(default_factory=dict)  # carried through, not compared


# The columns of a cleaned row, in order; lists are None when empty so the model's null levels
# see "not known" rather than "known to be nothing".
COLUMNS = (
    "unique_id",
    "source_dataset",
    "first_name",
    "first_name_groups",
    "first_name_key",
    "first_name_dm",
    "given_names",
    "surname",
    "surname_parts",
    "surname_dm",
    "name_pair_key",
    "name_key",
    "name_key_nodob",
    "dob",
    "dob_swapped",
    "dob_key",
    "birth_year",
    "sex",
    "postcode",
    "postcodes",
    "phones",
    "nhs",
    "upn",
    "police_id",
    "police_issuer",
    "la_child_id",
    "la_issuer",
)


def _or_none(items: Sequence[str]) -> list[str] | None:
    return list(items) if items else None


def linkage_row(record: SourceRecord) -> dict[str, Any]:
    """The cleaned, flat row the model compares (see ``COLUMNS``)."""
    first_tokens = _tokens(record.first_name or "")
    first = first_tokens[0] if first_tokens else ""
    surname = standardise_surname(record.last_name)
    parts = surname_parts(record.last_name)
    given: list[str] = []
    for token in [
        *first_tokens,
        *_tokens(record.middle_names or ""),
        *(t for alias_first, _ in record.aliases for t in _tokens(alias_first or "")),
    ]:
        if token not in given:
            given.append(token)
    for _, alias_last in record.aliases:
        for part in surname_parts(alias_last):
            if part not in parts:
                parts = (*parts, part)
    dob = parse_date(record.date_of_birth)
    swapped = swap_day_month(dob)
    postcodes = postcode_history(record.postcodes)
    phones = [p for p in dict.fromkeys(normalise_phone(v) for v in record.phones) if p]
    full_key = (
        "|".join((phonetic(first), phonetic(surname.replace(" ", "")))) if first and surname else ""
    )
    police_id = normalise_code(record.police_id)
    la_child_id = normalise_code(record.la_child_id)
    return {
        "unique_id": record.unique_id,
        "source_dataset": record.source,
        "first_name": first or None,
        "first_name_groups": _or_none(name_groups(first)),
        "first_name_key": name_key(first) or None,
        "first_name_dm": phonetic(first) or None,
        "given_names": _or_none(given),
        "surname": surname or None,
        "surname_parts": _or_none(parts),
        "surname_dm": phonetic(surname.replace(" ", "")) or None,
        "name_pair_key": name_pair_key(first, surname) or None,
        "name_key": full_key or None,
        # The same key only on records without a date of birth: blocking joins these few
        # records to everyone by name, instead of filtering every same-name pair.
        "name_key_nodob": (full_key or None) if dob is None else None,
        "dob": dob.isoformat() if dob else None,
        "dob_swapped": swapped.isoformat() if swapped else None,
        "dob_key": dob_unordered_key(dob) or None,
        "birth_year": f"{dob.year:04d}" if dob else None,
        "sex": normalise_sex(record.sex),
        "postcode": postcodes[0] if postcodes else None,
        "postcodes": _or_none(postcodes),
        "phones": _or_none(phones),
        "nhs": normalise_nhs_number(record.nhs_number),
        "upn": normalise_upn(record.upn),
        "police_id": police_id,
        "police_issuer": (record.police_issuer or None) if police_id else None,
        "la_child_id": la_child_id,
        "la_issuer": (record.la_issuer or None) if la_child_id else None,
    }
