"""Reading and checking a DfE SSDA903 set: Header, Episodes and Missing (domain §3.1 to §3.4).

This module knows files and rules, not the database: ``read_set`` finds the three tables in a
directory by their columns, and ``check_set`` checks every row and the tables against each other
and returns the set as typed rows, or raises ``ImportRejected`` with every problem found (up to a
cap). ``lantern.imports.services`` then checks the set against what Lantern already holds and
writes it.

The checks are the services' rules for the same facts (a placement's dates, overlapping
placements, an episode's dates) and DfE's validation rules for the Missing table (§3.3; rule
numbers are given with each problem). They are written here for speed, parsing each date once:
an import may hold hundreds of thousands of rows. A test proves they find the same Missing-table
problems, on the same lines, as ``lantern.reporting.ssda903``, the rules Lantern's own export is
checked with.
"""

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from lantern.geo import postcodes
from lantern.imports.files import (
    KNOWN_DATES,
    ImportRejected,
    Problems,
    Table,
    TooManyProblems,
    header_of,
    parse_date,
    read_table,
)
from lantern.imports.lookups import PostcodeLookups
from lantern.people import services as people_services
from lantern.people.codes import Ethnicity, LegalStatus, PlacementProvider, PlacementType

HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODES_COLUMNS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)
MISSING_COLUMNS = ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END")
TABLES = {"Header": HEADER_COLUMNS, "Episodes": EPISODES_COLUMNS, "Missing": MISSING_COLUMNS}

# Code lists (domain §3.4, [V]).
SEX_CODES = {"1": "M", "2": "F", "M": "M", "F": "F", "U": "U"}
RNE_CODES = frozenset("SLPTBU")
CIN_CODES = frozenset(f"N{i}" for i in range(1, 9))
REC_CODES = frozenset(
    [
        "X1",
        "E11",
        "E12",
        "E13",
        "E14",
        "E15",
        "E16",
        "E17",
        "E2",
        "E3",
        "E41",
        "E45",
        "E46",
        "E47",
        "E48",
        "E4A",
        "E4B",
        "E5",
        "E6",
        "E7",
        "E8",
        "E9",
    ]
)
REASON_PLACE_CHANGE_CODES = frozenset(
    [
        "CARPL",
        "CLOSE",
        "ALLEG",
        "STAND",
        "APPRR",
        "CREQB",
        "CREQO",
        "CHILD",
        "LAREQ",
        "PLACE",
        "CUSTOD",
        "OTHER",
    ]
)
UPN_REASONS = frozenset({"UN1", "UN2", "UN3", "UN4", "UN5"})
MISSING_CODES = frozenset({"M", "A"})
# Frozen once: Django builds a choices class's ``values`` list afresh on every access.
ETHNIC_CODES = frozenset(Ethnicity.values)
LS_CODES = frozenset(LegalStatus.values)
PLACE_CODES = frozenset(PlacementType.values)
PROVIDER_CODES = frozenset(PlacementProvider.values)
CHILD_RE = re.compile(r"^[A-Za-z0-9]{1,40}$")
UPN_RE = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")
URN_RE = re.compile(r"^[A-Z0-9]{1,8}$")

# Messages. Columns are named by the problem itself; these say what is wrong and what to do.
FILES_MISSING = (
    "No {table} file was found in the folder. Give the Header, Episodes and Missing tables "
    "together, as CSV files whose first line names the 903 columns"
)
FILES_TWICE = "Two files in the folder hold the {table} table; give only one"
CHILD_REQUIRED = "CHILD is blank. Give the council's own id for the child"
CHILD_INVALID = "CHILD must be letters and numbers only, up to 40 characters"
CHILD_TWICE = "This CHILD is in the Header file more than once"
SEX_INVALID = "SEX must be 1 (male) or 2 (female), or M, F or U"
DOB_INVALID = "DOB must be a real date written as dd/mm/YYYY"
ETHNIC_INVALID = "ETHNIC must be a 903 ethnicity code, like WBRI or NOBT"
UPN_INVALID = "UPN must be a 13-character unique pupil number, a code UN1 to UN5, or blank"
MOTHER_INVALID = "MOTHER must be 1, 0 or blank"
MC_DOB_INVALID = "MC_DOB must be a real date written as dd/mm/YYYY, or blank"
NOT_IN_HEADER = "This CHILD is not in the Header file. Every child needs a Header row"
DECOM_INVALID = "DECOM must be a real date written as dd/mm/YYYY"
DEC_INVALID = "DEC must be a real date written as dd/mm/YYYY, or blank if the episode is open"
RNE_INVALID = "RNE must be S, L, P, T, B or U"
LS_INVALID = "LS must be a 903 legal status code, like C2 or V2"
CIN_INVALID = "CIN must be N1 to N8"
PLACE_INVALID = "PLACE must be a 903 placement type, like U6 or K2"
PROVIDER_INVALID = "PLACE_PROVIDER must be PR0 to PR5"
REC_INVALID = "REC must be a 903 reason the episode ceased, like E13 or X1"
REC_WITHOUT_DEC = "REC is given but DEC is blank. Give both, or neither if the episode is open"
DEC_WITHOUT_REC = "DEC is given but REC is blank. Say why the episode ceased"
REASON_INVALID = "REASON_PLACE_CHANGE must be a 903 code, like CARPL, or blank"
URN_INVALID = "URN must be the provider's Ofsted URN (letters and numbers) or blank"
EPISODE_TWICE = "This child has two episodes starting on this DECOM"
MISSING_INVALID = (
    "MISSING must be M (missing: whereabouts not known) or A (away from placement without "
    "authorisation: whereabouts known)"
)
MISSING_BLANK = "MISSING is blank. Say whether the child was missing (M) or away (A)"
MIS_START_INVALID = "MIS_START must be a real date written as dd/mm/YYYY"
MIS_END_INVALID = "MIS_END must be a real date written as dd/mm/YYYY, or blank"
MIS_START_FUTURE = "MIS_START must be today or in the past"
MIS_END_FUTURE = "MIS_END must be today or in the past, or blank if the child is still missing"
MIS_END_BEFORE_START = "MIS_END is before MIS_START"
MIS_START_BEFORE_BIRTH = "MIS_START must be after the child's date of birth"
MISSING_DOB_DIFFERS = "DOB differs from the child's DOB in the Header file"
MISSING_OVERLAP = (
    "This period starts before the child's previous missing or away period ended, or while it "
    "was still open. Periods must not overlap; one may start the day another ends"
)
MISSING_OUTSIDE_EPISODE = (
    "MIS_START is not within any of the child's episodes of care in the Episodes file: only "
    "periods that began while the child was looked after belong in the Missing table"
)
MISSING_OPEN_AFTER_PLACEMENT = (
    "The episode the child went missing or away from has ended, so this period needs a MIS_END"
)
MISSING_OUTSIDE_CARE = (
    "This period does not fit inside a period of care: it must end by the day the child stopped "
    "being looked after, and have a MIS_END if care has ended"
)
REC_NOT_E8 = (
    "The child was still missing when they stopped being looked after at 18, so REC must be E8"
)


# Rows are named tuples: an import makes hundreds of thousands of them, and a tuple is made
# several times faster than a dataclass instance.
class HeaderRow(NamedTuple):
    line: int
    child: str
    sex: str
    dob: date
    ethnicity: str
    upn: str


class EpisodeRow(NamedTuple):
    line: int
    child: str
    decom: date
    dec: date | None
    legal_status: str
    place: str
    provider: str
    rec: str
    home_postcode: str
    postcode: str
    urn: str
    pl_info: postcodes.PostcodeInfo


class MissingRow(NamedTuple):
    line: int
    child: str
    code: str
    start: date
    end: date | None


@dataclass
class Set903:
    files: dict[str, Path]
    header: dict[str, HeaderRow]
    episodes: dict[str, list[EpisodeRow]] = field(default_factory=dict)
    missing: dict[str, list[MissingRow]] = field(default_factory=dict)
    rows_read: int = 0
    # Every postcode in the Episodes table (normalised) and its place, None if unknown.
    places: dict[str, postcodes.PostcodeInfo | None] = field(default_factory=dict)

    @property
    def file_names(self) -> dict[str, str]:
        return {table: path.name for table, path in self.files.items()}


def _table_for(columns: tuple[str, ...]) -> str | None:
    """The table a file's first line looks most like: at least half its columns, clear winner.

    Close is enough here so that a misspelt column is reported on line 1 of the right file,
    rather than the file being ignored and its table reported missing.
    """
    scores = sorted(
        (
            (len(set(columns) & set(expected)) / len(expected), table)
            for table, expected in TABLES.items()
        ),
        reverse=True,
    )
    (best, table), (runner_up, _) = scores[0], scores[1]
    return table if best >= 0.5 and best > runner_up else None


def find_files(directory: Path) -> dict[str, Path]:
    """The Header, Episodes and Missing files in a folder, told apart by their first line."""
    found: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(directory.iterdir()):
        if not path.is_file() or path.suffix.lower() != ".csv":
            continue
        columns = header_of(path)
        table = _table_for(columns) if columns else None
        if table is not None:
            found[table].append(path)
    problems = Problems()
    files: dict[str, Path] = {}
    for table in TABLES:
        paths = found.get(table, [])
        if not paths:
            problems.add(directory.name, 0, "", FILES_MISSING.format(table=table))
        elif len(paths) > 1:
            problems.add(paths[1].name, 1, "", FILES_TWICE.format(table=table))
        else:
            files[table] = paths[0]
    if problems:
        raise ImportRejected(problems.sorted())
    return files


def _date(text: str) -> date | None:
    """A dd/mm/YYYY date, None for blank; raises ValueError for anything else."""
    return parse_date(text) if text else None


def _check_header(table: Table, problems: Problems, today: date) -> dict[str, HeaderRow]:
    name = table.name
    rows: dict[str, HeaderRow] = {}
    oldest = date(today.year - 26, today.month, 1)
    for values, line in zip(table.rows, table.lines, strict=True):
        child, sex, dob_text, ethnic, upn, mother, mc_dob = values
        ok = True
        if not child:
            problems.add(name, line, "CHILD", CHILD_REQUIRED)
            ok = False
        elif not CHILD_RE.match(child):
            problems.add(name, line, "CHILD", CHILD_INVALID)
            ok = False
        elif child in rows:
            problems.add(name, line, "CHILD", CHILD_TWICE)
            ok = False
        if sex.upper() not in SEX_CODES:
            problems.add(name, line, "SEX", SEX_INVALID)
            ok = False
        try:
            dob = parse_date(dob_text)
        except ValueError:
            problems.add(name, line, "DOB", DOB_INVALID)
            ok = False
        else:
            if dob > today:
                problems.add(name, line, "DOB", people_services.DOB_IN_FUTURE)
                ok = False
            elif dob < oldest:
                problems.add(name, line, "DOB", people_services.DOB_TOO_OLD)
                ok = False
        if ethnic and ethnic not in ETHNIC_CODES:
            problems.add(name, line, "ETHNIC", ETHNIC_INVALID)
        if upn and upn not in UPN_REASONS and not UPN_RE.match(upn):
            problems.add(name, line, "UPN", UPN_INVALID)
        if mother not in ("", "0", "1"):
            problems.add(name, line, "MOTHER", MOTHER_INVALID)
        try:
            _date(mc_dob)
        except ValueError:
            problems.add(name, line, "MC_DOB", MC_DOB_INVALID)
        if ok:
            rows[child] = HeaderRow(line, child, SEX_CODES[sex.upper()], dob, ethnic or "NOBT", upn)
        elif child and child not in rows and CHILD_RE.match(child):
            rows[child] = None  # type: ignore[assignment]  # known, but unusable: no INT04 noise
    return rows


def _postcode(
    name: str,
    line: int,
    column: str,
    text: str,
    problems: Problems,
    required: bool,
    seen: dict[str, tuple[str | None, postcodes.PostcodeInfo | None]],
    places: dict[str, postcodes.PostcodeInfo | None],
) -> tuple[str, postcodes.PostcodeInfo | None]:
    if not text:
        if required:
            problems.add(name, line, column, people_services.POSTCODE_INVALID)
        return "", None
    if text not in seen:  # a council's placements use the same few hundred postcodes
        normal_text = postcodes.normalise_postcode(text)
        if normal_text and normal_text not in places:
            places[normal_text] = postcodes.lookup(normal_text)
        seen[text] = (normal_text, places[normal_text] if normal_text else None)
    normal, info = seen[text]
    if normal is None or (required and info is None):
        problems.add(name, line, column, people_services.POSTCODE_INVALID)
        return "", None
    return normal, info


def _check_episodes(
    table: Table,
    header: dict[str, HeaderRow],
    problems: Problems,
    today: date,
    places: dict[str, postcodes.PostcodeInfo | None] | None = None,
) -> dict[str, list[EpisodeRow]]:
    """``places``: postcodes (normalised) already looked up; those looked up here are added."""
    name = table.name
    places = {} if places is None else places
    by_child: dict[str, list[EpisodeRow]] = defaultdict(list)
    seen: dict[str, tuple[str | None, postcodes.PostcodeInfo | None]] = {}
    for values, line in zip(table.rows, table.lines, strict=True):
        (child, decom_t, rne, ls, cin, place, provider, dec_t, rec, reason, home, pl, urn) = values
        ok = True
        if not child:
            problems.add(name, line, "CHILD", CHILD_REQUIRED)
            ok = False
        elif child not in header:
            problems.add(name, line, "CHILD", NOT_IN_HEADER, "INT04")
            ok = False
        person = header.get(child)
        try:
            decom = parse_date(decom_t)
        except ValueError:
            problems.add(name, line, "DECOM", DECOM_INVALID)
            ok = False
            decom = None
        try:
            dec = _date(dec_t)
        except ValueError:
            problems.add(name, line, "DEC", DEC_INVALID)
            ok = False
            dec = None
        if decom is not None:
            if decom > today:
                problems.add(name, line, "DECOM", people_services.PLACEMENT_START_FUTURE)
                ok = False
            elif person is not None and decom < person.dob:
                problems.add(name, line, "DECOM", people_services.PLACEMENT_START_BEFORE_BIRTH)
                ok = False
            if dec is not None and dec < decom:
                problems.add(name, line, "DEC", people_services.PLACEMENT_END_BEFORE_START)
                ok = False
        if dec is not None and dec > today:
            problems.add(name, line, "DEC", people_services.PLACEMENT_END_FUTURE)
            ok = False
        if rne not in RNE_CODES:
            problems.add(name, line, "RNE", RNE_INVALID)
        if ls not in LS_CODES:
            problems.add(name, line, "LS", LS_INVALID)
            ok = False
        if cin not in CIN_CODES:
            problems.add(name, line, "CIN", CIN_INVALID)
        if place not in PLACE_CODES:
            problems.add(name, line, "PLACE", PLACE_INVALID)
            ok = False
        if provider not in PROVIDER_CODES:
            problems.add(name, line, "PLACE_PROVIDER", PROVIDER_INVALID)
            ok = False
        if rec and rec not in REC_CODES:
            problems.add(name, line, "REC", REC_INVALID)
        elif rec and not dec_t:
            problems.add(name, line, "REC", REC_WITHOUT_DEC)
        elif dec_t and not rec:
            problems.add(name, line, "REC", DEC_WITHOUT_REC)
        if reason and reason not in REASON_PLACE_CHANGE_CODES:
            problems.add(name, line, "REASON_PLACE_CHANGE", REASON_INVALID)
        home_normal, _ = _postcode(name, line, "HOME_POST", home, problems, False, seen, places)
        pl_normal, pl_info = _postcode(name, line, "PL_POST", pl, problems, True, seen, places)
        if urn and not URN_RE.match(urn):
            problems.add(name, line, "URN", URN_INVALID)
        if ok and pl_info is not None and decom is not None and person is not None:
            by_child[child].append(
                EpisodeRow(
                    line,
                    child,
                    decom,
                    dec,
                    ls,
                    place,
                    provider,
                    rec,
                    home_normal,
                    pl_normal,
                    urn,
                    pl_info,
                )
            )
    for rows in by_child.values():
        rows.sort(key=lambda r: (r.decom, r.line))
        for earlier, later in itertools.pairwise(rows):
            if later.decom == earlier.decom:
                problems.add(name, later.line, "DECOM", EPISODE_TWICE)
            elif earlier.dec is None or later.decom < earlier.dec:
                # The services' rule: placements may meet (one ends the day the next starts)
                # but not overlap.
                problems.add(name, later.line, "DECOM", people_services.PLACEMENT_OVERLAP)
    return by_child


def _check_missing(
    table: Table, header: dict[str, HeaderRow], problems: Problems, today: date
) -> tuple[dict[str, list[MissingRow]], dict[str, list[MissingRow]]]:
    """The rows fit to import, and every row with readable dates (the cross-row rules look at
    those, as DfE's validator does, so a row with one fault does not hide another's)."""
    name = table.name
    readable: dict[str, list[MissingRow]] = defaultdict(list)
    unfit: set[int] = set()  # lines of readable rows with a problem of their own
    known_dates = KNOWN_DATES
    for values, line in zip(table.rows, table.lines, strict=True):
        child, dob_t, code, start_t, end_t = values
        # The usual row, in one test: every cell as it should be (dates already seen and
        # valid). Anything else goes through the checks one by one, which name each problem.
        person = header.get(child)
        start = known_dates.get(start_t)
        end = known_dates.get(end_t) if end_t else None
        if (
            person is not None
            and start is not None
            and code in MISSING_CODES
            and known_dates.get(dob_t) == person.dob
            and person.dob < start <= today
            and ((end is None and not end_t) or (end is not None and start <= end and end <= today))
        ):
            readable[child].append(MissingRow(line, child, code, start, end))
            continue
        ok = True
        if not child:
            problems.add(name, line, "CHILD", CHILD_REQUIRED)
            ok = False
        elif child not in header:
            problems.add(name, line, "CHILD", NOT_IN_HEADER, "INT04")
            ok = False
        if person is not None:
            try:
                same = parse_date(dob_t) == person.dob
            except ValueError:
                same = False
            if not same:
                problems.add(name, line, "DOB", MISSING_DOB_DIFFERS, "INT13")
        if not code:
            rule = "565" if start_t else ("566" if end_t else "")
            problems.add(name, line, "MISSING", MISSING_BLANK, rule)
            ok = False
        elif code not in MISSING_CODES:
            problems.add(name, line, "MISSING", MISSING_INVALID, "1006")
            ok = False
        try:
            start = parse_date(start_t)
        except ValueError:
            rule = "564" if code in MISSING_CODES and not start_t else "1004"
            problems.add(name, line, "MIS_START", MIS_START_INVALID, rule)
            start = None
            ok = False
        try:
            end = _date(end_t)
        except ValueError:
            problems.add(name, line, "MIS_END", MIS_END_INVALID, "1005")
            end = None
            ok = False
        if start is not None:
            if start > today:
                problems.add(name, line, "MIS_START", MIS_START_FUTURE)
                ok = False
            if person is not None and start <= person.dob:
                problems.add(name, line, "MIS_START", MIS_START_BEFORE_BIRTH, "586")
                ok = False
            if end is not None and start > end:
                problems.add(name, line, "MIS_END", MIS_END_BEFORE_START, "567")
                ok = False
        if end is not None and end > today:
            problems.add(name, line, "MIS_END", MIS_END_FUTURE)
            ok = False
        if start is not None and person is not None and (end is not None or not end_t):
            readable[child].append(MissingRow(line, child, code, start, end))
            if not ok:
                unfit.add(line)
    by_child: dict[str, list[MissingRow]] = {}
    for child, rows in readable.items():
        fit = [r for r in rows if r.line not in unfit] if unfit else list(rows)
        if fit:
            fit.sort(key=_by_start)
            by_child[child] = fit
        # Rule 574's order: by MIS_END (MIS_START when open), then MIS_START.
        rows.sort(key=_by_end)
        previous = rows[0]
        for later in itertools.islice(rows, 1, None):
            if previous.end is None or later.start < previous.end:
                problems.add(name, later.line, "MIS_START", MISSING_OVERLAP, "574")
            previous = later
    return by_child, readable


def _by_start(row: MissingRow) -> tuple[date, date, int]:
    return (row.start, row.end or date.max, row.line)


def _by_end(row: MissingRow) -> tuple[date, date, int]:
    return (row.end or row.start, row.start, row.line)


def periods_of_care(episodes: Iterable[EpisodeRow]) -> list[tuple[date, date | None]]:
    """Runs of episodes with no gap: a new period starts when DECOM is after the last DEC."""
    periods: list[list[date | None]] = []
    previous_dec: date | None = None
    for row in episodes:
        if not periods or (previous_dec is not None and row.decom > previous_dec):
            periods.append([row.decom, row.dec])
        else:
            periods[-1][1] = row.dec
        previous_dec = row.dec
    return [(p[0], p[1]) for p in periods]  # type: ignore[misc]


def eighteenth_birthday(dob: date) -> date:
    try:
        return dob.replace(year=dob.year + 18)
    except ValueError:  # 29 February
        return date(dob.year + 18, 3, 1)


def _check_care(
    data: Set903,
    readable: dict[str, list[MissingRow]],
    episodes_name: str,
    missing_name: str,
    problems: Problems,
) -> None:
    """Missing periods against the child's episodes of care (rules 575, 577, 580, 581)."""
    for child, rows in readable.items():
        spans = data.episodes.get(child, [])
        dates = [(s.decom, s.dec) for s in spans]
        periods = periods_of_care(spans)
        for row in rows:
            start, end = row.start, row.end
            within = False  # rule 581: MIS_START inside an episode
            ended = False  # rule 575: ... and that episode has ended
            for decom, dec in dates:
                if decom <= start and (dec is None or start <= dec):
                    within = True
                    if dec is not None:
                        ended = True
                        break
            if not within:
                problems.add(missing_name, row.line, "MIS_START", MISSING_OUTSIDE_EPISODE, "581")
            if end is None and ended:
                problems.add(missing_name, row.line, "MIS_END", MISSING_OPEN_AFTER_PLACEMENT, "575")
            if periods and not _fits_a_period(start, end, periods):
                problems.add(missing_name, row.line, "MIS_END", MISSING_OUTSIDE_CARE, "577")
        person = data.header[child]
        birthday = eighteenth_birthday(person.dob)
        if any(r.end == birthday for r in rows):
            for span in spans:
                if span.dec == birthday and span.rec != "E8":
                    problems.add(episodes_name, span.line, "REC", REC_NOT_E8, "580")


def _fits_a_period(start: date, end: date | None, periods: list[tuple[date, date | None]]) -> bool:
    """Rule 577: open and inside a period of care still open, or closed inside any period."""
    for p_start, p_end in periods:
        if end is None:
            if p_end is None and start >= p_start:
                return True
        elif end >= p_start and (p_end is None or end <= p_end):
            return True
    return False


def check_set(files: dict[str, Path], *, today: date) -> Set903:
    """Every row of the set checked on its own and against the other tables; nothing written.

    Raises ImportRejected with every problem (up to the cap) if anything is wrong.
    """
    problems = Problems()
    data = Set903(files=files, header={})
    lookups: PostcodeLookups | None = None
    try:
        tables: dict[str, Table | None] = {}
        for table, path in files.items():
            tables[table] = read_table(path, TABLES[table], problems)
            found = tables[table]
            if table == "Episodes" and found is not None and len(found.rows) >= LOOKUPS_APART_FROM:
                # Looked up on the other core while the Header and Missing tables are checked.
                lookups = PostcodeLookups(_postcodes_in(found))
        if any(t is None for t in tables.values()):
            raise ImportRejected(problems.sorted())
        header_t, episodes_t, missing_t = tables["Header"], tables["Episodes"], tables["Missing"]
        assert header_t is not None and episodes_t is not None and missing_t is not None
        data.rows_read = len(header_t.rows) + len(episodes_t.rows) + len(missing_t.rows)
        data.header = _check_header(header_t, problems, today)
        # The Missing table is checked before the Episodes table (whose postcodes may still be
        # on their way), but its problems count after the Episodes table's, as they always
        # have: the same problems are reported, up to the cap, as in reading order.
        missing_problems = Problems()
        readable: dict[str, list[MissingRow]] | None = None
        with suppress(TooManyProblems):
            data.missing, readable = _check_missing(missing_t, data.header, missing_problems, today)
        data.places = lookups.results() if lookups is not None else {}
        data.episodes = _check_episodes(episodes_t, data.header, problems, today, data.places)
        problems.extend(missing_problems)
        assert readable is not None  # the Missing table stopped early only past the cap
        _check_care(data, readable, episodes_t.name, missing_t.name, problems)
    except TooManyProblems:
        raise ImportRejected(problems.sorted(), more=True) from None
    finally:
        if lookups is not None:
            lookups.close()
    if problems:
        raise ImportRejected(problems.sorted())
    return data


# From this many Episodes rows, postcodes are looked up in another process (lantern.imports.lookups):
# starting it costs about 0.1 s, and a small file's postcodes may all be in letters already loaded.
LOOKUPS_APART_FROM = 10_000


def _postcodes_in(table: Table) -> set[str]:
    home, placed = table.index("HOME_POST"), table.index("PL_POST")
    texts = {row[home] for row in table.rows} | {row[placed] for row in table.rows}
    return {normal for text in texts if (normal := postcodes.normalise_postcode(text))}
