"""Reading import files: CSV tables, their problems, and the dates written in them.

Problems name the file, the line (as a text editor counts, header = line 1), the column and the
reason, in plain English. They never repeat the value found, because that may be a name or a
date of birth and problems are stored and printed (DP5).
"""

import csv
import hashlib
import operator
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")
MAX_PROBLEMS = 500
MAX_FIELD = 100_000

DATE_INVALID = "must be a real date written as dd/mm/YYYY"
DATETIME_INVALID = "must be a real date and time written as dd/mm/YYYY HH:MM"


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: str
    message: str
    rule: str = ""

    def __str__(self) -> str:
        rule = f" [{self.rule}]" if self.rule else ""
        where = f"{self.file}, line {self.line}" + (
            f", column {self.column}" if self.column else ""
        )
        return f"{where}: {self.message}{rule}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "rule": self.rule,
        }


class TooManyProblems(Exception):
    pass


@dataclass
class Problems:
    """Every problem found, up to a cap; past the cap checking stops (the file needs work)."""

    limit: int = MAX_PROBLEMS
    items: list[Problem] = field(default_factory=list)
    more: bool = False

    def add(self, file: str, line: int, column: str, message: str, rule: str = "") -> None:
        if len(self.items) >= self.limit:
            self.more = True
            raise TooManyProblems()
        self.items.append(Problem(file, line, column, message, rule))

    def extend(self, other: "Problems") -> None:
        """Add another list's problems after these, as if found in turn (the cap applies)."""
        for problem in other.items:
            self.add(problem.file, problem.line, problem.column, problem.message, problem.rule)
        if other.more:
            self.more = True
            raise TooManyProblems()

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def sorted(self) -> list[Problem]:
        return sorted(set(self.items))


class ImportRejected(Exception):
    """The files were checked and found wanting; nothing was written."""

    def __init__(self, problems: Sequence[Problem], more: bool = False) -> None:
        self.problems = list(problems)
        self.more = more
        super().__init__(f"{len(self.problems)}{'+' if more else ''} problems")


@dataclass
class Table:
    """One CSV file: its rows as lists in the order of ``columns``, and the line each ends on."""

    name: str  # the file name, as problems quote it
    columns: tuple[str, ...]
    rows: list[list[str]]
    lines: list[int]

    def index(self, column: str) -> int:
        return self.columns.index(column)


def checksum(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode())
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def header_of(path: Path) -> tuple[str, ...] | None:
    """The column names on a CSV file's first line, or None if it is not readable as UTF-8 CSV."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            first = next(csv.reader(handle), None)
    except (UnicodeDecodeError, csv.Error, OSError):
        return None
    return tuple(c.strip() for c in first) if first else None


def read_table(
    path: Path,
    expected: Sequence[str],
    problems: Problems,
    *,
    optional: Collection[str] = (),
    ignored: Collection[str] = (),
) -> Table | None:
    """Read a CSV whose header must hold exactly the ``expected`` columns, in any order.

    Columns in ``optional`` may be left out (their cells read as blank); columns in ``ignored``
    may be present and are not read. Rows come back in ``expected`` order, values stripped. A
    short or long row is a problem on its line, not a crash; a file that is not UTF-8 is one
    problem naming the line it failed on.
    """
    name = path.name
    csv.field_size_limit(MAX_FIELD)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                problems.add(name, 1, "", "The file is empty. The first line must name the columns")
                return None
            found = [c.strip() for c in header]
            missing = [c for c in expected if c not in found and c not in optional]
            extra = [c for c in found if c not in expected and c not in ignored]
            for column in missing:
                problems.add(name, 1, column, "This column is missing from the first line")
            for column in extra:
                problems.add(name, 1, column, "This column is not part of the table; remove it")
            if len(set(found)) != len(found):
                problems.add(name, 1, "", "A column is named twice on the first line")
            if missing or extra or len(set(found)) != len(found):
                return None
            width = len(found)
            padded = any(c not in found for c in expected)
            # A left-out optional column reads as blank: it points at an empty cell added at
            # the end of each row.
            order = [found.index(c) if c in found else width for c in expected]
            in_order = not padded and order == list(range(width))
            pick = operator.itemgetter(*order)
            strip = str.strip
            for row in reader:
                line = reader.line_num
                if len(row) != width:
                    if not any(cell.strip() for cell in row):
                        continue  # blank lines are ignored, as spreadsheets leave them
                    problems.add(
                        name,
                        line,
                        "",
                        f"This line has {len(row)} values but the first line names {width} columns",
                    )
                    continue
                if padded:
                    row.append("")
                # map() and itemgetter() run in C: this loop sees every cell of every file.
                rows.append(list(map(strip, row if in_order else pick(row))))
                lines.append(line)
    except UnicodeDecodeError:
        problems.add(name, len(lines) + 2, "", "The file is not UTF-8 text. Save it as CSV UTF-8")
        return None
    except csv.Error as error:
        problems.add(name, len(lines) + 2, "", f"The file is not valid CSV ({error})")
        return None
    return Table(name, tuple(expected), rows, lines)


# Valid dates already parsed, by their text: callers may look a date up here before parsing it.
KNOWN_DATES: dict[str, date] = {}


def parse_date(text: str) -> date:
    """dd/mm/YYYY, strictly (two-digit day and month, four-digit year). ValueError otherwise.

    Hand-parsed and remembered: ``strptime`` is five times slower, and an import of a few
    hundred thousand rows holds only a few thousand different dates.
    """
    known = KNOWN_DATES.get(text)
    if known is not None:
        return known
    if len(text) != 10 or text[2] != "/" or text[5] != "/" or not text.isascii():
        raise ValueError(text)
    day, month, year = text[0:2], text[3:5], text[6:10]
    if not (day.isdigit() and month.isdigit() and year.isdigit()):
        raise ValueError(text)
    parsed = date(int(year), int(month), int(day))
    if len(KNOWN_DATES) < 100_000:
        KNOWN_DATES[text] = parsed
    return parsed


def parse_datetime(text: str) -> datetime:
    """dd/mm/YYYY HH:MM in UK local time, as an aware date-time. ValueError otherwise."""
    if len(text) != 16 or text[10] != " " or text[13] != ":":
        raise ValueError(text)
    day = parse_date(text[:10])
    hour, minute = text[11:13], text[14:16]
    if not (hour.isdigit() and minute.isdigit()):
        raise ValueError(text)
    return datetime.combine(day, time(int(hour), int(minute)), tzinfo=UK)


def uk_date(moment: datetime) -> date:
    return moment.astimezone(UK).date()


def at_uk(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UK)
