"""Reading and checking a police missing-person report CSV (the format is in docs/imports.md).

One row per missing report: who the child is (the force's own person id, names, date of birth),
when and where they were last seen, who reported it, the return if there has been one, and the
latest risk grading. Like ``lantern.imports.ssda903``, this module knows files and rules, not
the database; the rules are the services' (``lantern.episodes.services``) with their messages.
"""

import itertools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from lantern.episodes import rules
from lantern.episodes import services as episode_services
from lantern.episodes.models import Grade, ReporterKind, ReturnHow
from lantern.geo import postcodes
from lantern.imports.files import (
    ImportRejected,
    Problems,
    TooManyProblems,
    parse_date,
    parse_datetime,
    read_table,
    uk_date,
)
from lantern.people import services as people_services

COLUMNS = (
    "police_reference",
    "person_id",
    "first_name",
    "middle_names",
    "last_name",
    "dob",
    "sex",
    "home_postcode",
    "home_la",
    "looked_after",
    "whereabouts_known",
    "last_seen_at",
    "last_seen_place",
    "last_seen_postcode",
    "reported_at",
    "reporter_kind",
    "circumstances",
    "returned_at",
    "return_how",
    "found_place",
    "found_postcode",
    "found_with",
    "risk_grade",
    "graded_at",
    "graded_by",
    "grading_rationale",
)
REQUIRED = (
    "police_reference",
    "person_id",
    "first_name",
    "last_name",
    "dob",
    "last_seen_at",
    "reported_at",
)
OPTIONAL = tuple(c for c in COLUMNS if c not in REQUIRED)
# Read by record linkage from the same file (lantern.linkage.sources), not by the import.
LINKAGE_ONLY = ("aliases", "previous_postcodes", "phone")
LEGACY_SCHEMES = {Grade.NO_APPARENT_RISK_ABSENT: "app_2017", Grade.ABSENT_2013: "acpo_2013"}
YES_NO = {"Y": True, "N": False, "": False}
REPORTER_CODES = frozenset(ReporterKind.values)
RETURN_HOW_CODES = frozenset(ReturnHow.values)
GRADE_CODES = frozenset(Grade.values)

REFERENCE_REQUIRED = "Enter the force's reference for this missing report, up to 40 characters"
REFERENCE_TWICE = "This police_reference is in the file more than once"
PERSON_REQUIRED = "Enter the force's id for the child, up to 40 characters"
NAME_REQUIRED = "Enter the child's {part} name, up to 100 characters"
DOB_INVALID = "dob must be a real date written as dd/mm/YYYY"
SEX_INVALID = "sex must be M, F, U or blank"
YES_NO_INVALID = "{column} must be Y, N or blank"
DATETIME_INVALID = "{column} must be a real date and time written as dd/mm/YYYY HH:MM"
HOME_LA_UNKNOWN = "home_la must be the ONS code of an English council, like E09000014"
HOME_LA_REQUIRED = (
    "Give home_la, or a home_postcode in England, so Lantern knows the child's council"
)
REPORTER_INVALID = "reporter_kind must be one of the codes in docs/imports.md, like parent_carer"
RETURN_HOW_INVALID = "return_how must be self, police, carer_family, other_agency, unknown or blank"
RETURN_HOW_WITHOUT_RETURN = "return_how is given but returned_at is blank"
GRADE_FIELDS_WITHOUT_GRADE = "graded_at, graded_by and grading_rationale need a risk_grade"
GRADED_AT_REQUIRED = "Enter the date and time of the risk grading"
TEXT_TOO_LONG = "{column} must be {limit} characters or fewer"
PERSON_DIFFERS = (
    "The name, date of birth or sex differs from an earlier row for the same person_id. "
    "One child, one set of details"
)
LIMITS = {
    "last_seen_place": 200,
    "found_place": 200,
    "found_with": 300,
    "graded_by": 150,
}


@dataclass(frozen=True)
class Person:
    person_id: str
    first_name: str
    middle_names: str
    last_name: str
    dob: date
    sex: str
    home_postcode: str
    home_area: str  # the council's ONS code
    looked_after: bool


@dataclass(frozen=True)
class Report:
    line: int
    reference: str
    person: Person
    whereabouts_known: bool
    last_seen_at: datetime
    last_seen_place: str
    last_seen_postcode: str
    last_seen_area: str
    reported_at: datetime
    reporter_kind: str
    circumstances: str
    returned_at: datetime | None
    return_how: str
    found_place: str
    found_postcode: str
    found_area: str
    found_with: str
    grade: str
    graded_at: datetime | None
    graded_by: str
    rationale: str


@dataclass
class PoliceFile:
    path: Path
    reports: list[Report]
    people: dict[str, tuple[int, Person]]  # person_id -> (first line, details)
    rows_read: int = 0


def _when(text: str) -> datetime | None:
    return parse_datetime(text) if text else None


def _postcode(name: str, line: int, column: str, text: str, problems: Problems) -> tuple[str, str]:
    """Normalised postcode and its council's ONS code ('' when not in England or unknown)."""
    if not text:
        return "", ""
    normal = postcodes.normalise_postcode(text)
    if normal is None:
        problems.add(name, line, column, episode_services.POSTCODE_INVALID)
        return "", ""
    info = postcodes.lookup(normal)
    return normal, info.area_code if info is not None else ""


def check_file(path: Path, *, now: datetime, council_codes: frozenset[str]) -> PoliceFile:
    """Every row checked on its own and against the file's other rows; nothing written."""
    problems = Problems()
    name = path.name
    today = uk_date(now)
    oldest = date(today.year - 26, today.month, 1)
    try:
        table = read_table(path, COLUMNS, problems, optional=OPTIONAL, ignored=LINKAGE_ONLY)
        if table is None:
            raise ImportRejected(problems.sorted())
        data = PoliceFile(path, [], {}, rows_read=len(table.rows))
        references: set[str] = set()
        for values, line in zip(table.rows, table.lines, strict=True):
            v = dict(zip(COLUMNS, values, strict=True))
            ok = True

            def fail(column: str, message: str, line: int = line) -> None:
                nonlocal ok
                problems.add(name, line, column, message)
                ok = False

            reference = v["police_reference"]
            if not reference or len(reference) > 40:
                fail("police_reference", REFERENCE_REQUIRED)
            elif reference in references:
                fail("police_reference", REFERENCE_TWICE)
            references.add(reference)
            if not v["person_id"] or len(v["person_id"]) > 40:
                fail("person_id", PERSON_REQUIRED)
            for part in ("first", "last"):
                column = f"{part}_name"
                if not v[column] or len(v[column]) > 100:
                    fail(column, NAME_REQUIRED.format(part=part))
            dob = None
            try:
                dob = parse_date(v["dob"])
            except ValueError:
                fail("dob", DOB_INVALID)
            else:
                if dob > today:
                    fail("dob", people_services.DOB_IN_FUTURE)
                elif dob < oldest:
                    fail("dob", people_services.DOB_TOO_OLD)
            sex = v["sex"].upper() or "U"
            if sex not in ("M", "F", "U"):
                fail("sex", SEX_INVALID)
            flags = {}
            for column in ("looked_after", "whereabouts_known"):
                if v[column].upper() not in YES_NO:
                    fail(column, YES_NO_INVALID.format(column=column))
                flags[column] = YES_NO.get(v[column].upper(), False)
            home_postcode, home_area = _postcode(
                name, line, "home_postcode", v["home_postcode"], problems
            )
            if v["home_la"]:
                if v["home_la"] not in council_codes:
                    fail("home_la", HOME_LA_UNKNOWN)
                home_area = v["home_la"]
            elif home_area not in council_codes:
                fail("home_la", HOME_LA_REQUIRED)
            moments: dict[str, datetime | None] = {}
            for column in ("last_seen_at", "reported_at", "returned_at", "graded_at"):
                try:
                    moments[column] = _when(v[column])
                except ValueError:
                    fail(column, DATETIME_INVALID.format(column=column))
                    moments[column] = None
            seen, reported = moments["last_seen_at"], moments["reported_at"]
            returned, graded = moments["returned_at"], moments["graded_at"]
            if seen is None and not v["last_seen_at"]:
                fail("last_seen_at", DATETIME_INVALID.format(column="last_seen_at"))
            if reported is None and not v["reported_at"]:
                fail("reported_at", DATETIME_INVALID.format(column="reported_at"))
            if seen is not None:
                if seen > now:
                    fail("last_seen_at", episode_services.LAST_SEEN_FUTURE)
                elif dob is not None and uk_date(seen) < dob:
                    fail("last_seen_at", episode_services.LAST_SEEN_BEFORE_BIRTH)
            if reported is not None:
                if reported > now:
                    fail("reported_at", episode_services.REPORTED_FUTURE)
                elif seen is not None and reported < seen:
                    fail("reported_at", episode_services.REPORTED_BEFORE_LAST_SEEN)
            if returned is not None:
                if returned > now:
                    fail("returned_at", episode_services.RETURNED_FUTURE)
                elif seen is not None and returned <= seen:
                    fail("returned_at", episode_services.RETURNED_BEFORE_LAST_SEEN)
            reporter = v["reporter_kind"] or ReporterKind.POLICE
            if reporter not in REPORTER_CODES:
                fail("reporter_kind", REPORTER_INVALID)
            return_how = v["return_how"]
            if return_how and return_how not in RETURN_HOW_CODES:
                fail("return_how", RETURN_HOW_INVALID)
            elif return_how and not v["returned_at"]:
                fail("return_how", RETURN_HOW_WITHOUT_RETURN)
            if returned is not None and not return_how:
                return_how = ReturnHow.UNKNOWN
            seen_postcode, seen_area = _postcode(
                name, line, "last_seen_postcode", v["last_seen_postcode"], problems
            )
            found_postcode, found_area = _postcode(
                name, line, "found_postcode", v["found_postcode"], problems
            )
            for column, limit in {**LIMITS, "middle_names": 100}.items():
                if len(v[column]) > limit:
                    fail(column, TEXT_TOO_LONG.format(column=column, limit=limit))
            grade = v["risk_grade"]
            if grade:
                if grade not in GRADE_CODES:
                    fail("risk_grade", episode_services.GRADE_INVALID)
                if graded is None:
                    if not v["graded_at"]:
                        fail("graded_at", GRADED_AT_REQUIRED)
                elif graded > now:
                    fail("graded_at", episode_services.GRADED_FUTURE)
                elif seen is not None and graded < seen:
                    fail("graded_at", episode_services.GRADED_BEFORE_REPORT)
                if not v["graded_by"]:
                    fail("graded_by", episode_services.GRADED_BY_REQUIRED)
                if not v["grading_rationale"]:
                    fail("grading_rationale", episode_services.RATIONALE_REQUIRED)
            elif v["graded_at"] or v["graded_by"] or v["grading_rationale"]:
                fail("risk_grade", GRADE_FIELDS_WITHOUT_GRADE)
            if not ok or dob is None or seen is None or reported is None:
                continue
            person = Person(
                v["person_id"],
                v["first_name"],
                v["middle_names"],
                v["last_name"],
                dob,
                sex,
                home_postcode,
                home_area,
                flags["looked_after"],
            )
            earlier = data.people.get(person.person_id)
            if earlier is None:
                data.people[person.person_id] = (line, person)
            elif (earlier[1].first_name, earlier[1].last_name, earlier[1].dob, earlier[1].sex) != (
                person.first_name,
                person.last_name,
                person.dob,
                person.sex,
            ):
                problems.add(name, line, "person_id", PERSON_DIFFERS)
                continue
            data.reports.append(
                Report(
                    line=line,
                    reference=reference,
                    person=data.people[person.person_id][1],
                    whereabouts_known=flags["whereabouts_known"],
                    last_seen_at=seen,
                    last_seen_place=v["last_seen_place"],
                    last_seen_postcode=seen_postcode,
                    last_seen_area=seen_area,
                    reported_at=reported,
                    reporter_kind=reporter,
                    circumstances=v["circumstances"],
                    returned_at=returned,
                    return_how=return_how,
                    found_place=v["found_place"],
                    found_postcode=found_postcode,
                    found_area=found_area,
                    found_with=v["found_with"],
                    grade=grade,
                    graded_at=graded,
                    graded_by=v["graded_by"],
                    rationale=v["grading_rationale"],
                )
            )
        by_person: dict[str, list[Report]] = defaultdict(list)
        for report in data.reports:
            by_person[report.person.person_id].append(report)
        for reports in by_person.values():
            reports.sort(key=lambda r: (r.last_seen_at, r.line))
            for earlier_report, later in itertools.pairwise(reports):
                if rules.overlaps(
                    earlier_report.last_seen_at,
                    earlier_report.returned_at,
                    later.last_seen_at,
                    later.returned_at,
                ):
                    problems.add(name, later.line, "last_seen_at", episode_services.EPISODE_OVERLAP)
    except TooManyProblems:
        raise ImportRejected(problems.sorted(), more=True) from None
    if problems:
        raise ImportRejected(problems.sorted())
    return data
