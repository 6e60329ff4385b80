"""Synthetic multi-source data with known truth, for testing and benchmarking linkage.

The same synthetic children as four agencies record them: the council, the police, the school
and health. Seeded and deterministic: ``generate(records=..., seed=...)`` always returns the
same rows. Never real people: first names and surnames are drawn independently from name lists
(the demo generator's, ``lantern/demo/data``, then Lantern's own and invented ones,
``data/README.md``) with shares that follow published figures for England and Wales, dates of
birth are random, identifiers are built to fail their check digits, and postcodes (which are not
personal data) come from the demo sample.

What makes it hard, on purpose (issue 7):

* families: siblings share a surname, an address history and move house together (a few
  looked-after children live in children's homes, sharing an address with unrelated children); some
  half-siblings have another surname; some surnames are double-barrelled and each agency keeps
  a different part of them;
* twins: same date of birth, surname and address, different first names (sometimes the same
  middle name); the worse error is to merge them;
* corruption that depends on the agency: police take names as told (nicknames, typos, first
  and last names swapped, day and month of birth swapped, missing dates), schools have older
  addresses, some records miss fields; transliterated names (Mohamed, Muhammad) vary by record;
* identifiers only where that agency holds them (NHS number for health, UPN for school, police
  person id for police, the council's child id), and agencies hold duplicates of their own.

Each record's truth travels in ``SourceRecord.extra``: ``child`` (the true child), ``family``
and ``twin`` (True when the child is a twin).
"""

import bisect
import csv
import itertools
import random
import re
import string
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from lantern.linkage.cleaning import SourceRecord, name_groups, nickname_table, standardise_name

DEMO_DATA = Path(__file__).resolve().parent.parent / "demo" / "data"
DATA = Path(__file__).parent / "data"
REFERENCE_DATE = date(2026, 11, 21)
SOURCES = ("council", "police", "school", "health")

# Issuers of the organisation-scoped identifiers in the synthetic world.
COUNCIL_ISSUER = "E09000014"
POLICE_ISSUER = "E23000001"


@dataclass(frozen=True)
class SourceProfile:
    """How one agency records a child: how often each field is present and each error occurs."""

    coverage: float  # share of children this agency holds
    duplicate: float  # share of its children it holds twice
    nickname: float
    typo_first: float
    typo_last: float
    swap_names: float
    known_by_middle: float  # the record uses the middle name as the first name
    middle_names: float
    dob_missing: float
    dob_swap: float
    dob_typo: float
    sex_missing: float
    sex_wrong: float
    postcode_missing: float
    postcode_stale: float
    phone: float
    phone_old: float  # the record holds a number the child no longer uses
    nhs: float
    upn: float
    police_id: float
    la_child_id: float


PROFILES = {
    "council": SourceProfile(
        coverage=0.75, duplicate=0.02, nickname=0.05, typo_first=0.02, typo_last=0.02,
        known_by_middle=0.03, swap_names=0.005, middle_names=0.7, dob_missing=0.0, dob_swap=0.01, dob_typo=0.01,
        sex_wrong=0.003, sex_missing=0.01, postcode_missing=0.05, postcode_stale=0.10, phone_old=0.2, phone=0.4, nhs=0.6,
        upn=0.5, police_id=0.0, la_child_id=1.0,
    ),
    "police": SourceProfile(
        coverage=0.55, duplicate=0.06, nickname=0.15, typo_first=0.06, typo_last=0.06,
        known_by_middle=0.05, swap_names=0.02, middle_names=0.2, dob_missing=0.04, dob_swap=0.05, dob_typo=0.02,
        sex_wrong=0.01, sex_missing=0.05, postcode_missing=0.15, postcode_stale=0.25, phone_old=0.3, phone=0.5, nhs=0.0,
        upn=0.0, police_id=1.0, la_child_id=0.0,
    ),
    "school": SourceProfile(
        coverage=0.85, duplicate=0.01, nickname=0.02, typo_first=0.02, typo_last=0.02,
        known_by_middle=0.01, swap_names=0.002, middle_names=0.9, dob_missing=0.0, dob_swap=0.005, dob_typo=0.005,
        sex_wrong=0.002, sex_missing=0.0, postcode_missing=0.02, postcode_stale=0.30, phone_old=0.0, phone=0.0, nhs=0.0,
        upn=0.97, police_id=0.0, la_child_id=0.0,
    ),
    "health": SourceProfile(
        coverage=0.70, duplicate=0.01, nickname=0.03, typo_first=0.02, typo_last=0.02,
        known_by_middle=0.01, swap_names=0.005, middle_names=0.8, dob_missing=0.0, dob_swap=0.01, dob_typo=0.005,
        sex_wrong=0.003, sex_missing=0.02, postcode_missing=0.05, postcode_stale=0.10, phone_old=0.2, phone=0.3, nhs=0.99,
        upn=0.0, police_id=0.0, la_child_id=0.0,
    ),
}  # fmt: skip


@dataclass(frozen=True)
class NameShape:
    """How common the name at rank k (from 1) is: a share proportional to
    (k + offset) ** -exponent, over every name on the list."""

    exponent: float
    offset: float


# Fitted to published aggregate figures for England and Wales (data/README.md gives the figures
# and sources; no personal data): given names per sex, as in one year's births (the commonest
# name about 1.7%, the top ten about 13.5%, rank 100 about 0.18%, the top hundred half of all
# babies); surnames as in the population (the commonest about 1.2%, rank ten about 0.4%, the
# chance that two random people share a surname about 1 in 1,300, a long tail of rare names).
# How often unrelated children share a first name, surname and date of birth depends on these
# shares; the first lists used (about 300 given names per sex and 2,400 surnames, with the
# common names too common) made namesakes about three and a half times as common as the
# published figures imply.
FIRST_NAMES = NameShape(exponent=1.35, offset=22)
SURNAMES = NameShape(exponent=0.8, offset=2)


@dataclass(frozen=True)
class _Pool:
    items: tuple[str, ...]
    cumulative: tuple[float, ...]

    def pick(self, rng: random.Random) -> str:
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]

    def shares(self) -> list[float]:
        """Each name's share of the population, in rank order."""
        total = self.cumulative[-1]
        before = (0.0, *self.cumulative[:-1])
        return [(c - b) / total for c, b in zip(self.cumulative, before, strict=True)]


def _pool(items: Sequence[str], shape: NameShape) -> _Pool:
    unique = list(dict.fromkeys(items))
    weights = [(rank + shape.offset) ** -shape.exponent for rank in range(1, len(unique) + 1)]
    return _Pool(tuple(unique), tuple(itertools.accumulate(weights)))


def _read_list(path: Path) -> list[str]:
    return [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


# Invented names must read like names: no three vowels together and only the usual pairs.
_VOWEL_PAIRS = frozenset({"ia", "ie", "ea", "ai", "ae", "io", "oa", "ua", "ei"})
_THREE_VOWELS = re.compile(r"[aeiou]{3}")
_TWO_VOWELS = re.compile(r"(?=([aeiou]{2}))")
_TRIPLED = re.compile(r"([a-z])\1\1|([^aeioulnrst])\2")


def _readable(name: str) -> bool:
    low = name.lower()
    if _THREE_VOWELS.search(low) or _TRIPLED.search(low):
        return False
    return all(m[1] in _VOWEL_PAIRS for m in _TWO_VOWELS.finditer(low))


def invented_names(
    starts: Sequence[str], middles: Sequence[str], ends: Sequence[str], taken: set[str]
) -> list[str]:
    """Every readable start + middle + end not already ``taken`` (standardised names) and not a
    known nickname or variant, sorted: the rare names of the long tail."""
    known = nickname_table()
    out = set()
    for start, middle, end in itertools.product(starts, middles, ends):
        name = _title((start + middle + end).lower())
        key = standardise_name(name)
        if _readable(name) and key not in taken and key not in known:
            out.add(name)
    return sorted(out)


@dataclass(frozen=True)
class _Lists:
    female: _Pool
    male: _Pool
    surnames: _Pool
    postcodes: tuple[str, ...]
    variants: dict[str, tuple[str, ...]]  # formal name -> transliterations
    diminutives: dict[str, tuple[str, ...]]  # formal name -> diminutives


@cache
def _lists() -> _Lists:
    # Common names first, then the tail: the demo generator's lists, then Lantern's extra names,
    # then invented ones (data/name_parts.csv). Each part is shuffled with a fixed seed so that
    # alphabetical order does not decide which names are common.
    order = random.Random(7)

    def shuffled(items: list[str]) -> list[str]:
        order.shuffle(items)
        return items

    def listed(*paths: Path) -> list[str]:
        out: list[str] = []
        for path in paths:
            out += shuffled(_read_list(path) if path.exists() else [])
        return out

    parts: dict[tuple[str, str], list[str]] = {}
    for row in _read_csv(DATA / "name_parts.csv"):
        parts.setdefault((row["kind"], row["position"]), []).append(row["text"])
    surname_rows = _read_csv(DATA / "surname_parts.csv")
    prefixes = [row["prefix"] for row in surname_rows]
    suffixes = [row["suffix"] for row in surname_rows]

    def given(sex: str, *paths: Path) -> list[str]:
        common = listed(*paths)
        taken = {standardise_name(n) for n in common}
        tail = invented_names(
            parts[(sex, "start")], parts[(sex, "middle")], parts[(sex, "end")], taken
        )
        return common + shuffled(tail)

    female = given(
        "female", DEMO_DATA / "first_names_female.txt", DATA / "first_names_extra_female.txt"
    )
    male = given("male", DEMO_DATA / "first_names_male.txt", DATA / "first_names_extra_male.txt")
    surnames = listed(DEMO_DATA / "surnames.txt")
    taken = {standardise_name(n) for n in surnames}
    two_part = invented_names(prefixes, [""], suffixes, taken)
    taken |= {standardise_name(n) for n in two_part}
    middles = [m for m in parts[("surname", "middle")] if m]
    surnames += shuffled(two_part) + shuffled(invented_names(prefixes, middles, suffixes, taken))
    with (DEMO_DATA / "postcode_sample.csv").open(newline="", encoding="utf-8") as handle:
        postcodes = tuple(row["postcode"] for row in csv.DictReader(handle))
    variants: dict[str, list[str]] = {}
    diminutives: dict[str, list[str]] = {}
    for row in _read_csv(DATA / "nicknames.csv"):
        target = variants if row["kind"] == "transliteration" else diminutives
        target.setdefault(row["name"], []).append(row["variant"])
    return _Lists(
        female=_pool(female, FIRST_NAMES),
        male=_pool(male, FIRST_NAMES),
        surnames=_pool(surnames, SURNAMES),
        postcodes=postcodes,
        variants={k: tuple(v) for k, v in variants.items()},
        diminutives={k: tuple(v) for k, v in diminutives.items()},
    )


@dataclass
class _Child:
    number: int
    family: int
    first: str
    middle: str
    last: str
    sex: str
    dob: date
    postcodes: list[str]  # newest first
    phone: str
    twin: bool


_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
CHILDRENS_HOME = 0.04


def _address(rng: random.Random, lists: _Lists) -> str:
    """A postcode-shaped address: a real sector from the demo sample with a random unit, so
    that, as in a real population, few unrelated families share a postcode."""
    sector = rng.choice(lists.postcodes)[:-2]
    return sector + rng.choice(_UNIT_LETTERS) + rng.choice(_UNIT_LETTERS)


def _home(lists: _Lists, home: int) -> str:
    """The postcode of children's home number ``home`` (the same for every child placed there)."""
    sector = lists.postcodes[(home * 7919) % len(lists.postcodes)][:-2]
    return sector + _UNIT_LETTERS[home % 20] + _UNIT_LETTERS[(home // 20) % 20]


def _phone(rng: random.Random) -> str:
    # 07700 900000 to 900999 is Ofcom's range reserved for drama: never a real number. Widen it
    # with the rest of the 07700 9xxxxx block so synthetic children rarely share one.
    return f"07700 9{rng.randrange(100000):05d}"


def _title(name: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


def _family(rng: random.Random, number: int, first_child: int) -> list[_Child]:
    lists = _lists()
    surname = lists.surnames.pick(rng)
    if rng.random() < 0.08:
        other = lists.surnames.pick(rng)
        if other != surname and "-" not in surname + other:
            surname = f"{surname}-{other}"
    moves = rng.choices((0, 1, 2), weights=(0.55, 0.3, 0.15))[0]
    postcodes = [_address(rng, lists) for _ in range(moves + 1)]
    size = rng.choices((1, 2, 3, 4), weights=(0.45, 0.33, 0.15, 0.07))[0]
    twins = size >= 2 and rng.random() < 0.06
    eldest_age_days = rng.randrange(6 * 365, 18 * 365 - 30)
    dobs: list[date] = []
    day = REFERENCE_DATE - timedelta(days=eldest_age_days)
    for index in range(size):
        if index > 0 and not (twins and index == 1):
            day = day + timedelta(days=rng.randrange(300, 1500))
        if day > REFERENCE_DATE - timedelta(days=3 * 365):
            break
        dobs.append(day)
    children: list[_Child] = []
    used: set[str] = set()  # name groups already given in this family
    for index, dob in enumerate(dobs):
        sex = "F" if rng.random() < 0.5 else "M"
        pool = lists.female if sex == "F" else lists.male
        # Parents do not give two children the same name, nor Thomas and Tommy.
        first = pool.pick(rng)
        while used & set(name_groups(standardise_name(first))):
            first = pool.pick(rng)
        used |= set(name_groups(standardise_name(first)))
        last = surname
        if index > 0 and rng.random() < 0.12:  # a half-sibling with another surname
            last = lists.surnames.pick(rng)
        middle = pool.pick(rng) if rng.random() < 0.5 else ""
        if used & set(name_groups(standardise_name(middle))):
            middle = ""
        elif middle:
            used |= set(name_groups(standardise_name(middle)))
        age = (REFERENCE_DATE - dob).days / 365.25
        where = list(postcodes)
        if age >= 10 and rng.random() < CHILDRENS_HOME:
            # A looked-after child in a children's home: unrelated children share the address.
            where.insert(0, _home(lists, rng.randrange(10 + number // 150)))
        children.append(
            _Child(
                number=first_child + len(children),
                family=number,
                first=first,
                middle=middle,
                last=last,
                sex=sex,
                dob=dob,
                postcodes=where,
                phone=_phone(rng) if age >= 11 and rng.random() < 0.6 else "",
                twin=twins and dob == dobs[0] and len(dobs) > 1 and dobs[1] == dobs[0],
            )
        )
    return children


_LETTERS = string.ascii_lowercase


def typo(rng: random.Random, text: str) -> str:
    """One keying error: a letter changed, dropped, doubled or two letters swapped."""
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)  # first letters are rarely mistyped
    kind = rng.random()
    if kind < 0.35:
        return text[:i] + rng.choice(_LETTERS) + text[i + 1 :]
    if kind < 0.6:
        return text[:i] + text[i + 1 :]
    if kind < 0.8:
        return text[:i] + text[i] + text[i:]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def _given(rng: random.Random, name: str, profile: SourceProfile) -> str:
    lists = _lists()
    key = name.lower()
    if key in lists.variants and rng.random() < 0.5:
        name = _title(rng.choice(lists.variants[key]))
    elif key in lists.diminutives and rng.random() < profile.nickname:
        name = _title(rng.choice(lists.diminutives[key]))
    if rng.random() < profile.typo_first:
        name = typo(rng, name)
    return name


def _surname(rng: random.Random, name: str, profile: SourceProfile) -> str:
    if "-" in name:
        parts = name.split("-")
        pick = rng.random()
        if pick < 0.2:
            name = parts[0]
        elif pick < 0.4:
            name = parts[1]
        elif pick < 0.55:
            name = " ".join(parts)
    if rng.random() < profile.typo_last:
        name = typo(rng, name)
    return name


def _dob(rng: random.Random, dob: date, profile: SourceProfile) -> date | None:
    roll = rng.random()
    if roll < profile.dob_missing:
        return None
    roll -= profile.dob_missing
    if roll < profile.dob_swap and dob.day <= 12 and dob.day != dob.month:
        return dob.replace(day=dob.month, month=dob.day)
    roll -= profile.dob_swap
    if roll < profile.dob_typo:
        shifted = dob + timedelta(days=rng.choice((-10, -1, 1, 10)))
        return shifted
    return dob


def _record(rng: random.Random, child: _Child, source: str, serial: int, copy: int) -> SourceRecord:
    profile = PROFILES[source]
    first = child.first
    if child.middle and rng.random() < profile.known_by_middle:
        first = child.middle
    first = _given(rng, first, profile)
    last = _surname(rng, child.last, profile)
    if rng.random() < profile.swap_names:
        first, last = last, first
    middle = child.middle if child.middle and rng.random() < profile.middle_names else ""
    roll = rng.random()
    if roll < profile.postcode_missing:
        postcodes: list[str] = []
    elif roll < profile.postcode_missing + profile.postcode_stale and len(child.postcodes) > 1:
        postcodes = child.postcodes[rng.randrange(1, len(child.postcodes)) :]
    else:
        postcodes = child.postcodes[: 1 + (source == "council") * (len(child.postcodes) - 1)]
    sex = "" if rng.random() < profile.sex_missing else child.sex
    if sex and rng.random() < profile.sex_wrong:
        sex = "M" if sex == "F" else "F"
    phone = child.phone if child.phone and rng.random() < profile.phone else ""
    if phone and rng.random() < profile.phone_old:
        phone = _phone(rng)
    number = child.number
    return SourceRecord(
        unique_id=serial,
        source=source,
        first_name=first,
        middle_names=middle,
        last_name=last,
        date_of_birth=_dob(rng, child.dob, profile),
        sex=sex,
        postcodes=postcodes,
        phones=[phone] if phone else [],
        nhs_number=f"4{number:08d}{(number * 7 + 3) % 10}" if rng.random() < profile.nhs else "",
        upn=f"Z309{number:09d}" if rng.random() < profile.upn else "",
        police_id=f"P{number:08d}{copy}" if rng.random() < profile.police_id else "",
        police_issuer=POLICE_ISSUER,
        la_child_id=f"{number:08d}{copy}" if rng.random() < profile.la_child_id else "",
        la_issuer=COUNCIL_ISSUER,
        extra={"child": child.number, "family": child.family, "twin": child.twin},
    )


def generate_iter(*, records: int, seed: int = 2026) -> Iterator[SourceRecord]:
    """Stream about ``records`` source records (it stops after the family that reaches it).

    Each family has its own random generator seeded from (seed, family number), so a smaller
    set is a prefix of a larger one with the same seed.
    """
    serial = itertools.count(1)
    produced = 0
    child_number = 1
    for family_number in itertools.count(1):
        if produced >= records:
            return
        rng = random.Random(seed * 1_000_003 + family_number)
        children = _family(rng, family_number, child_number)
        child_number += len(children)
        for child in children:
            held = [s for s in SOURCES if rng.random() < PROFILES[s].coverage]
            if not held:
                held = [rng.choice(SOURCES)]
            for source in held:
                copies = 2 if rng.random() < PROFILES[source].duplicate else 1
                for copy in range(copies):
                    produced += 1
                    yield _record(rng, child, source, next(serial), copy)


def generate(*, records: int, seed: int = 2026) -> list[SourceRecord]:
    """About ``records`` source records as a list (see ``generate_iter``)."""
    return list(generate_iter(records=records, seed=seed))
