"""The DfE SSDA903 Missing table: building rows from Lantern's records, and checking them.

Pure functions, no database (domain §3.1 to §3.3). ``missing_rows`` turns a child's placements
and missing episodes into 903 Missing rows; the ``rule_*`` functions check rows the way DfE's
validator does, over rows as they appear in the CSV (every value a string), so that the same
checks serve our own exports and files imported from elsewhere.

How Lantern builds the Missing table (the build note in domain §3.3, and our decisions):

* Only episodes that began while the child was looked after and placed by the returning LA.
  A period of care is a run of that LA's placements with no gap (a new period starts when a
  placement starts after the previous one ended, as rule 577 groups Episodes).
* Dates are the UK local calendar dates of Lantern's date-times; ``dd/mm/YYYY`` in the file.
* A missing or away period is closed on the day the placement the child went missing from ends
  (rule 575: "if the placement from which the child goes missing ends, the missing period must
  also have an end date"); when the child was still missing, MIS_END is that date. Care ends at
  18, so a child still missing on their 18th birthday gets MIS_END = the birthday, and the
  Episodes table must end their care that day with REC = E8 (rule 580): Lantern does not produce
  the Episodes table, so it reports this for the person who does.
* Collection year Y runs from 1 April Y-1 to 31 March Y. A period still open at 31 March is
  reported with a blank MIS_END and carried into next year's file with the same MIS_START
  (rule 576).
* Periods never overlap; back to back (one starting the day the last ended) is allowed (574).
  Overlapping episodes cannot be saved on PostgreSQL; any that reach the builder anyway are
  left out and reported.
* When whereabouts become known or unknown part-way, Lantern records two episodes back to back,
  so the file gets two rows back to back (domain §3.3, [R]).
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")
DATE_FORMAT = "%d/%m/%Y"
MISSING_COLUMNS = ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END")
HEADER_COLUMNS = ("CHILD", "DOB")
EPISODES_COLUMNS = ("CHILD", "DECOM", "DEC", "REC")
MISSING_CODES = ("M", "A")

ERROR = "error"
WARNING = "warning"
LEFT_OUT = "left out"

Row = Mapping[str, str]


@dataclass(frozen=True)
class CollectionYear:
    """Collection year Y: 1 April Y-1 to 31 March Y (validator ``datastore.py``)."""

    year: int

    @cached_property
    def start(self) -> date:
        return date(self.year - 1, 4, 1)

    @cached_property
    def end(self) -> date:
        return date(self.year, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.year - 1} to {self.year} (1 April {self.year - 1} to 31 March {self.year})"


@dataclass(frozen=True)
class Problem:
    """One finding: a rule, which table and line, and what to do, in plain English."""

    rule: str
    severity: str
    table: str
    line: int | None
    child: str
    field: str
    message: str
    source: str = ""


@dataclass(frozen=True)
class PlacementSpan:
    start: date
    end: date | None


@dataclass(frozen=True)
class EpisodeSpan:
    reference: str
    code: str  # "M" missing from care, "A" away from placement
    start: datetime
    end: datetime | None


@dataclass(frozen=True)
class ChildInput:
    child: str  # the CHILD id in the return
    dob: date
    placements: Sequence[PlacementSpan]
    episodes: Sequence[EpisodeSpan]


@dataclass(frozen=True)
class MissingRow:
    child: str
    dob: date
    missing: str
    start: date
    end: date | None
    source: str = ""
    closed_by: str = ""  # "placement ended" or "18th birthday" when Lantern closed the period

    def as_csv(self) -> dict[str, str]:
        return {
            "CHILD": self.child,
            "DOB": _fmt(self.dob),
            "MISSING": self.missing,
            "MIS_START": _fmt(self.start),
            "MIS_END": _fmt(self.end),
        }


@dataclass
class BuildResult:
    rows: list[MissingRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    header: list[dict[str, str]] = field(default_factory=list)
    episodes: list[dict[str, str]] = field(default_factory=list)


def uk_date(moment: datetime) -> date:
    """The UK calendar date of an aware date-time (23:30 UTC in summer is the next day)."""
    return moment.astimezone(UK).date()


def eighteenth_birthday(dob: date) -> date:
    try:
        return dob.replace(year=dob.year + 18)
    except ValueError:  # 29 February: the birthday is taken as 1 March
        return date(dob.year + 18, 3, 1)


def _fmt(value: date | None) -> str:
    """dd/mm/YYYY (DATE_FORMAT), written out by hand: strftime is slow over whole files."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}" if value else ""


def _care_placements(child: ChildInput, today: date) -> list[PlacementSpan]:
    """Placements while looked after. Care ends at 18: once the 18th birthday has passed, no
    placement runs beyond it (Lantern may keep a placement open for a young person staying put)."""
    birthday = eighteenth_birthday(child.dob)
    spans = []
    for span in sorted(child.placements, key=lambda s: s.start):
        if span.start >= birthday:
            continue
        end = span.end
        if birthday <= today and (end is None or end > birthday):
            end = birthday
        spans.append(PlacementSpan(span.start, end))
    return spans


def _placement_on(spans: Sequence[PlacementSpan], day: date) -> PlacementSpan | None:
    """The placement the child was in on ``day``; on a changeover day, the one just starting."""
    current = [s for s in spans if s.start <= day and (s.end is None or day <= s.end)]
    return max(current, key=lambda s: s.start) if current else None


def missing_rows(
    children: Iterable[ChildInput], year: CollectionYear, *, today: date
) -> BuildResult:
    """The 903 Missing rows for a collection year, with Header and Episodes rows to check them
    against, and what was left out and why. ``today`` stops Lantern closing periods at an 18th
    birthday that has not happened yet."""
    result = BuildResult()
    for child in sorted(children, key=lambda c: c.child):
        spans = _care_placements(child, today)
        birthday = eighteenth_birthday(child.dob)
        child_rows: list[MissingRow] = []
        previous: EpisodeSpan | None = None
        for episode in sorted(child.episodes, key=lambda e: (e.start, e.reference)):
            if previous is not None and (previous.end is None or episode.start < previous.end):
                result.problems.append(
                    Problem(
                        "574",
                        ERROR,
                        "Missing",
                        None,
                        child.child,
                        "MIS_START",
                        f"Episode {episode.reference} overlaps episode {previous.reference}, so "
                        "it was left out. Correct the dates of one of them.",
                        episode.reference,
                    )
                )
                continue
            previous = episode
            start = uk_date(episode.start)
            end = uk_date(episode.end) if episode.end else None
            placement = _placement_on(spans, start)
            if placement is None:
                reason = (
                    "the child was 18 or over when it began"
                    if start >= birthday
                    else "no placement by this council was recorded on the day it began"
                )
                if start <= year.end and (end is None or end >= year.start):
                    result.problems.append(
                        Problem(
                            "581",
                            LEFT_OUT,
                            "Missing",
                            None,
                            child.child,
                            "MIS_START",
                            f"Episode {episode.reference} was left out: {reason}.",
                            episode.reference,
                        )
                    )
                continue
            closed_by = ""
            if placement.end is not None and (end is None or end > placement.end):
                end = placement.end
                closed_by = "18th birthday" if placement.end == birthday else "placement ended"
            if start > year.end or (end is not None and end < year.start):
                continue
            # A period closed by the 18th birthday is reported by rule 580 against the Episodes
            # rows below (their DEC is the birthday): REC must be E8.
            if end is not None and end > year.end:
                end = None  # still missing or away at 31 March: carried into next year
            child_rows.append(
                MissingRow(
                    child.child, child.dob, episode.code, start, end, episode.reference, closed_by
                )
            )
        result.rows.extend(child_rows)
        result.header.append({"CHILD": child.child, "DOB": _fmt(child.dob)})
        for span in spans:
            if span.start > year.end:
                continue
            dec = span.end if span.end is not None and span.end <= year.end else None
            result.episodes.append(
                {"CHILD": child.child, "DECOM": _fmt(span.start), "DEC": _fmt(dec), "REC": ""}
            )
    return result


# --- Validation rules ---------------------------------------------------------------------------
# Each takes rows as read from CSV (strings) and returns Problems with 1-based file line numbers
# (line 1 is the header). Messages follow DfE's meaning in plain English.


DATE_PATTERN = re.compile(r"\d{2}/\d{2}/\d{4}")


@lru_cache(maxsize=65536)
def parse_date(text: str | None) -> date | None:
    """A ``dd/mm/YYYY`` date; None when blank. Raises ValueError when not a real date.

    Two-digit days and months, as the return requires. Cached: a file repeats its dates, and
    every rule reads them.
    """
    text = (text or "").strip()
    if not text:
        return None
    if not DATE_PATTERN.fullmatch(text):
        raise ValueError(text)
    return date(int(text[6:]), int(text[3:5]), int(text[:2]))


def _safe_date(text: str | None) -> date | None:
    try:
        return parse_date(text)
    except ValueError:
        return None


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def _line(index: int) -> int:
    return index + 2


def _problem(
    rule: str, table: str, index: int, row: Row, fld: str, message: str, severity: str = ERROR
) -> Problem:
    return Problem(
        rule, severity, table, _line(index), (row.get("CHILD") or "").strip(), fld, message
    )


def _each_row(
    rule: str, fld: str, message: str, missing: Sequence[Row], fails: Callable[[Row], bool]
) -> list[Problem]:
    """The problems of a rule that looks at one Missing row at a time."""
    return [
        _problem(rule, "Missing", i, r, fld, message) for i, r in enumerate(missing) if fails(r)
    ]


def _is_date(text: str | None) -> bool:
    """A real dd/mm/YYYY date, or blank."""
    try:
        parse_date(text)
    except ValueError:
        return False
    return True


def rule_564(missing: Sequence[Row]) -> list[Problem]:
    return _each_row(
        "564",
        "MIS_START",
        "MIS_START is blank. Give the date the missing or away period started.",
        missing,
        lambda r: (
            (r.get("MISSING") or "").strip().upper() in MISSING_CODES and _blank(r.get("MIS_START"))
        ),
    )


def _code_needed(rule: str, given: str, missing: Sequence[Row]) -> list[Problem]:
    """Rules 565 and 566: a row that gives a date must say whether the child was missing."""
    return _each_row(
        rule,
        "MISSING",
        f"MISSING is blank but {given} is given. Say whether the child was missing (M) "
        "or away from placement without authorisation (A).",
        missing,
        lambda r: not _blank(r.get(given)) and _blank(r.get("MISSING")),
    )


def rule_565(missing: Sequence[Row]) -> list[Problem]:
    return _code_needed("565", "MIS_START", missing)


def rule_566(missing: Sequence[Row]) -> list[Problem]:
    return _code_needed("566", "MIS_END", missing)


def _ends_before_start(r: Row) -> bool:
    start, end = _safe_date(r.get("MIS_START")), _safe_date(r.get("MIS_END"))
    return bool(start and end and start > end)


def rule_567(missing: Sequence[Row]) -> list[Problem]:
    return _each_row(
        "567",
        "MIS_END",
        "MIS_END is before MIS_START. The period must end on or after the day it started.",
        missing,
        _ends_before_start,
    )


def rule_570(missing: Sequence[Row], year: CollectionYear) -> list[Problem]:
    def after_year(r: Row) -> bool:
        start = _safe_date(r.get("MIS_START"))
        return bool(start and start > year.end)

    return _each_row(
        "570",
        "MIS_START",
        f"MIS_START is after the end of the collection year ({_fmt(year.end)}). "
        "Leave this period for next year's return.",
        missing,
        after_year,
    )


def rule_571(missing: Sequence[Row], year: CollectionYear) -> list[Problem]:
    def outside_year(r: Row) -> bool:
        end = _safe_date(r.get("MIS_END"))
        return bool(end and (end < year.start or end > year.end))

    return _each_row(
        "571",
        "MIS_END",
        f"MIS_END is outside the collection year ({_fmt(year.start)} to {_fmt(year.end)}). "
        "Leave it blank if the child was still missing or away at 31 March.",
        missing,
        outside_year,
    )


def rule_574(missing: Sequence[Row]) -> list[Problem]:
    """Per child, sorted by (MIS_END, or MIS_START if blank) then MIS_START: a period may not
    start while the previous one is open, nor before the previous one ended."""
    by_child: dict[str, list[tuple[date, date, date | None, int]]] = defaultdict(list)
    for i, r in enumerate(missing):
        start = _safe_date(r.get("MIS_START"))
        if start is None:
            continue
        end = _safe_date(r.get("MIS_END"))
        by_child[(r.get("CHILD") or "").strip()].append((end or start, start, end, i))
    found = []
    for periods in by_child.values():
        periods.sort(key=lambda p: (p[0], p[1]))
        for (_, _, prev_end, _), (_, start, _, index) in pairwise(periods):
            if prev_end is None or start < prev_end:
                found.append(
                    _problem(
                        "574",
                        "Missing",
                        index,
                        missing[index],
                        "MIS_START",
                        "This period starts before the child's previous missing or "
                        "away period ended, or while it was still open. Periods "
                        "must not overlap; one may start the day another ends.",
                    )
                )
    return sorted(found, key=lambda p: p.line or 0)


def _episodes_by_child(episodes: Sequence[Row]) -> dict[str, list[tuple[date, date | None, str]]]:
    by_child: dict[str, list[tuple[date, date | None, str]]] = defaultdict(list)
    for r in episodes:
        decom = _safe_date(r.get("DECOM"))
        if decom is None:
            continue
        by_child[(r.get("CHILD") or "").strip()].append(
            (decom, _safe_date(r.get("DEC")), (r.get("REC") or "").strip())
        )
    for spans in by_child.values():
        spans.sort(key=lambda s: s[0])
    return by_child


def periods_of_care(
    spans: Sequence[tuple[date, date | None, str]],
) -> list[tuple[date, date | None]]:
    """Runs of episodes: a new period starts when DECOM is after the previous DEC (rule 577)."""
    periods: list[list[date | None]] = []
    previous_dec: date | None = None
    for decom, dec, _ in spans:
        if not periods or (previous_dec is not None and decom > previous_dec):
            periods.append([decom, dec])
        else:
            periods[-1][1] = dec
        previous_dec = dec
    return [(p[0], p[1]) for p in periods]  # type: ignore[misc]


def rule_575(missing: Sequence[Row], episodes: Sequence[Row]) -> list[Problem]:
    by_child = _episodes_by_child(episodes)
    found = []
    for i, r in enumerate(missing):
        start = _safe_date(r.get("MIS_START"))
        if start is None or not _blank(r.get("MIS_END")):
            continue
        for decom, dec, _ in by_child.get((r.get("CHILD") or "").strip(), []):
            if dec is not None and decom <= start <= dec:
                found.append(
                    _problem(
                        "575",
                        "Missing",
                        i,
                        r,
                        "MIS_END",
                        "The placement the child went missing or away from has "
                        f"ended ({_fmt(dec)}), so this period needs an end date.",
                    )
                )
                break
    return found


def rule_576(missing: Sequence[Row], last_year: Sequence[Row]) -> list[Problem]:
    open_last_year: dict[str, date] = {}
    for r in last_year:
        start = _safe_date(r.get("MIS_START"))
        if start is not None and _blank(r.get("MIS_END")):
            open_last_year[(r.get("CHILD") or "").strip()] = start
    earliest: dict[str, tuple[date, int]] = {}
    for i, r in enumerate(missing):
        child = (r.get("CHILD") or "").strip()
        start = _safe_date(r.get("MIS_START"))
        if start is not None and (child not in earliest or start < earliest[child][0]):
            earliest[child] = (start, i)
    found = []
    for child, (start, index) in sorted(earliest.items(), key=lambda kv: kv[1][1]):
        if child in open_last_year and open_last_year[child] != start:
            found.append(
                _problem(
                    "576",
                    "Missing",
                    index,
                    missing[index],
                    "MIS_START",
                    "Last year's return had this child still missing or away, "
                    f"from {_fmt(open_last_year[child])}. That period must appear "
                    "again this year with the same MIS_START.",
                )
            )
    return found


def _out_of_period_577(start: date, end: date | None, poc: tuple[date, date | None]) -> bool:
    poc_start, poc_end = poc
    return bool(
        (end is None and poc_end is not None)
        or (end is None and start < poc_start)
        or (end is not None and poc_end is not None and end > poc_end)
        or (end is not None and end < poc_start)
    )


def rule_577(missing: Sequence[Row], episodes: Sequence[Row]) -> list[Problem]:
    by_child = _episodes_by_child(episodes)
    found = []
    for i, r in enumerate(missing):
        start = _safe_date(r.get("MIS_START"))
        pocs = periods_of_care(by_child.get((r.get("CHILD") or "").strip(), []))
        if start is None or not pocs:
            continue
        end = _safe_date(r.get("MIS_END"))
        if all(_out_of_period_577(start, end, poc) for poc in pocs):
            found.append(
                _problem(
                    "577",
                    "Missing",
                    i,
                    r,
                    "MIS_END",
                    "This period does not fit inside a period of care: it must "
                    "end by the day the child stopped being looked after, and be "
                    "given an end date if care has ended.",
                )
            )
    return found


def rule_578(missing: Sequence[Row], episodes: Sequence[Row]) -> list[Problem]:
    by_child = _episodes_by_child(episodes)
    found = []
    for i, r in enumerate(missing):
        start = _safe_date(r.get("MIS_START"))
        pocs = periods_of_care(by_child.get((r.get("CHILD") or "").strip(), []))
        if start is None or not pocs:
            continue
        if all(start < s or (e is not None and start > e) for s, e in pocs):
            found.append(
                _problem(
                    "578",
                    "Missing",
                    i,
                    r,
                    "MIS_START",
                    "MIS_START is outside every period in which the child was "
                    "looked after. Only periods that began while the child was "
                    "looked after belong in this table.",
                )
            )
    return found


def rule_580(missing: Sequence[Row], episodes: Sequence[Row]) -> list[Problem]:
    """Errors on the Episodes table: a child still missing at 18 must leave care with REC E8.

    An Episodes row with a blank REC (Lantern does not hold it) gives a warning instead, as a
    reminder to whoever produces the Episodes table.
    """
    ends_at_18: dict[str, date] = {}
    for r in missing:
        dob, end = _safe_date(r.get("DOB")), _safe_date(r.get("MIS_END"))
        if dob and end and end == eighteenth_birthday(dob):
            ends_at_18[(r.get("CHILD") or "").strip()] = end
    found = []
    for i, r in enumerate(episodes):
        child = (r.get("CHILD") or "").strip()
        dec = _safe_date(r.get("DEC"))
        if child in ends_at_18 and dec == ends_at_18[child]:
            rec = (r.get("REC") or "").strip()
            if rec != "E8":
                found.append(
                    _problem(
                        "580",
                        "Episodes",
                        i,
                        r,
                        "REC",
                        "The child was still missing when they stopped being looked after at 18, so "
                        "the reason the episode ceased (REC) must be E8."
                        + ("" if rec else " Lantern does not hold REC: check the Episodes table."),
                        severity=ERROR if rec else WARNING,
                    )
                )
    return found


def rule_581(missing: Sequence[Row], episodes: Sequence[Row]) -> list[Problem]:
    by_child = _episodes_by_child(episodes)
    found = []
    for i, r in enumerate(missing):
        start = _safe_date(r.get("MIS_START"))
        spans = by_child.get((r.get("CHILD") or "").strip(), [])
        if start is None or not spans:
            continue
        if not any(decom <= start and (dec is None or start <= dec) for decom, dec, _ in spans):
            found.append(
                _problem(
                    "581",
                    "Missing",
                    i,
                    r,
                    "MIS_START",
                    "MIS_START is not within any episode of care: the child had "
                    "not started to be looked after, or was between episodes.",
                )
            )
    return found


def _starts_by_birth(r: Row) -> bool:
    start, dob = _safe_date(r.get("MIS_START")), _safe_date(r.get("DOB"))
    return bool(start and dob and start <= dob)


def rule_586(missing: Sequence[Row]) -> list[Problem]:
    return _each_row(
        "586",
        "MIS_START",
        "MIS_START is on or before the child's date of birth.",
        missing,
        _starts_by_birth,
    )


def rule_1004(missing: Sequence[Row]) -> list[Problem]:
    return _each_row(
        "1004",
        "MIS_START",
        "MIS_START must be a real date written as dd/mm/YYYY.",
        missing,
        lambda r: _blank(r.get("MIS_START")) or not _is_date(r.get("MIS_START")),
    )


def rule_1005(missing: Sequence[Row]) -> list[Problem]:
    return _each_row(
        "1005",
        "MIS_END",
        "MIS_END must be a real date written as dd/mm/YYYY, or blank.",
        missing,
        lambda r: not _is_date(r.get("MIS_END")),
    )


def rule_1006(missing: Sequence[Row]) -> list[Problem]:
    return _each_row(
        "1006",
        "MISSING",
        "MISSING must be M (missing: whereabouts not known) or A (away from placement "
        "without authorisation: whereabouts known).",
        missing,
        lambda r: (
            not _blank(r.get("MISSING")) and (r.get("MISSING") or "").strip() not in MISSING_CODES
        ),
    )


def rule_int04(missing: Sequence[Row], header: Sequence[Row]) -> list[Problem]:
    known = {(r.get("CHILD") or "").strip() for r in header}
    return _each_row(
        "INT04",
        "CHILD",
        "This CHILD is not in the Header table. Every child in Missing needs a Header "
        "row with the same id.",
        missing,
        lambda r: (r.get("CHILD") or "").strip() not in known,
    )


def rule_int13(missing: Sequence[Row], header: Sequence[Row]) -> list[Problem]:
    dobs = {(r.get("CHILD") or "").strip(): (r.get("DOB") or "").strip() for r in header}
    found = []
    for i, r in enumerate(missing):
        child = (r.get("CHILD") or "").strip()
        if child in dobs and _safe_date(dobs[child]) != _safe_date(r.get("DOB")):
            found.append(
                _problem(
                    "INT13",
                    "Missing",
                    i,
                    r,
                    "DOB",
                    f"DOB differs from the Header table ({dobs[child]}).",
                )
            )
    return found


RULES = (
    "564",
    "565",
    "566",
    "567",
    "570",
    "571",
    "574",
    "575",
    "576",
    "577",
    "578",
    "580",
    "581",
    "586",
    "1004",
    "1005",
    "1006",
    "INT04",
    "INT13",
)


def validate(
    missing: Sequence[Row],
    *,
    year: CollectionYear,
    header: Sequence[Row] | None = None,
    episodes: Sequence[Row] | None = None,
    last_year: Sequence[Row] | None = None,
) -> list[Problem]:
    """Every rule that the tables given allow, in file order."""
    found = (
        rule_1004(missing)
        + rule_1005(missing)
        + rule_1006(missing)
        + rule_564(missing)
        + rule_565(missing)
        + rule_566(missing)
        + rule_567(missing)
        + rule_570(missing, year)
        + rule_571(missing, year)
        + rule_574(missing)
        + rule_586(missing)
    )
    if episodes is not None:
        found += (
            rule_575(missing, episodes)
            + rule_577(missing, episodes)
            + rule_578(missing, episodes)
            + rule_581(missing, episodes)
            + rule_580(missing, episodes)
        )
    if header is not None:
        found += rule_int04(missing, header) + rule_int13(missing, header)
    if last_year is not None:
        found += rule_576(missing, last_year)
    return sorted(found, key=lambda p: (p.table, p.line or 0, RULES.index(p.rule)))
