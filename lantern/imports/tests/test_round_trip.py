"""Import → export round trip, and the import's 903 checks agree with the export's validator."""

import csv
import io
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lantern.imports import services, ssda903
from lantern.imports.files import ImportRejected, Problems, Table
from lantern.imports.tests.builders import MISSING, episode, missing, write_903
from lantern.reporting import services as reporting_services
from lantern.reporting import ssda903 as rules903

pytestmark = pytest.mark.django_db


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_importing_a_903_set_and_exporting_it_gives_the_same_rows(world, tmp_path):
    services.ssda903_import(actor=None, directory=write_903(tmp_path), la=world.haringey)
    exported = reporting_services.ssda903_export(actor=world.maria, la=world.haringey, year=2026)
    rows = csv_rows(exported.content)
    key = lambda r: (r["CHILD"], r["MIS_START"], r["MIS_END"])  # noqa: E731
    assert sorted(rows, key=key) == sorted(MISSING, key=key)
    errors = [p for p in exported.problems if p.severity == rules903.ERROR]
    assert errors == []


def test_the_exported_file_imports_again_without_changes(world, tmp_path):
    services.ssda903_import(actor=None, directory=write_903(tmp_path / "a"), la=world.haringey)
    exported = reporting_services.ssda903_export(actor=world.maria, la=world.haringey, year=2026)
    run = services.ssda903_import(
        actor=None,
        directory=write_903(tmp_path / "b", missing_rows=csv_rows(exported.content)),
        la=world.haringey,
    )
    assert (run.children_created, run.placements_created, run.episodes_created) == (0, 0, 0)
    assert run.rows_updated == 0


# --- The import's checks and the export's validator find the same faults ---------------------

CHECKED_RULES = {"567", "574", "575", "577", "578", "581", "586", "INT04", "INT13", "1006"}
DOB = date(2010, 6, 1)
DAY0 = date(2023, 1, 1)


def _fmt(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


@st.composite
def child_histories(draw):
    """One child's episodes of care (never overlapping) and missing periods (anything goes)."""
    episodes = []
    cursor = draw(st.integers(0, 30))
    for _ in range(draw(st.integers(1, 3))):
        start = DAY0 + timedelta(days=cursor)
        length = draw(st.one_of(st.none(), st.integers(0, 60)))
        end = None if length is None else start + timedelta(days=length)
        episodes.append((start, end))
        if end is None:
            break
        # The next episode starts on or after this one ends, never on this one's DECOM.
        cursor = max((end - DAY0).days + draw(st.integers(0, 20)), cursor + 1)
    periods = []
    for _ in range(draw(st.integers(1, 5))):
        start = DAY0 + timedelta(days=draw(st.integers(-10, 250)))
        length = draw(st.one_of(st.none(), st.integers(-2, 20)))
        end = None if length is None else start + timedelta(days=length)
        code = draw(st.sampled_from(["M", "A"]))
        periods.append((code, start, end))
    return episodes, periods


def _ours(header, episodes, missing_rows) -> set[int]:
    problems = Problems(limit=10_000)
    today = date(2026, 11, 21)

    def table(name, columns, rows):
        return Table(
            name, columns, [[r[c] for c in columns] for r in rows], list(range(2, len(rows) + 2))
        )

    data = ssda903.Set903(files={}, header={})
    data.header = ssda903._check_header(table("h", ssda903.HEADER_COLUMNS, header), problems, today)
    data.episodes = ssda903._check_episodes(
        table("e", ssda903.EPISODES_COLUMNS, episodes), data.header, problems, today
    )
    data.missing, readable = ssda903._check_missing(
        table("m", ssda903.MISSING_COLUMNS, missing_rows), data.header, problems, today
    )
    ssda903._check_care(data, readable, "e", "m", problems)
    assert not [p for p in problems.items if p.file != "m"], problems.items
    return {p.line for p in problems.items}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=child_histories())
def test_the_import_flags_the_same_missing_rows_as_the_export_validator(history):
    spans, periods = history
    header = [{"CHILD": "C1", "SEX": "1", "DOB": _fmt(DOB), "ETHNIC": "WBRI", "UPN": "",
               "MOTHER": "", "MC_DOB": ""}]  # fmt: skip
    episodes = [
        episode("C1", _fmt(s), _fmt(e), "E13" if e else "", HOME_POST="", RNE="S") for s, e in spans
    ]
    missing_rows = [
        missing("C1", code, _fmt(s), _fmt(e)) | {"DOB": _fmt(DOB)} for code, s, e in periods
    ]
    theirs = {
        p.line
        for p in rules903.validate(
            missing_rows, year=rules903.CollectionYear(2030), header=header, episodes=episodes
        )
        if p.table == "Missing" and p.rule in CHECKED_RULES and p.severity == rules903.ERROR
    }
    assert _ours(header, episodes, missing_rows) == theirs


def test_the_cap_on_problems_is_not_hit_by_a_small_file(world, tmp_path):
    with pytest.raises(ImportRejected) as caught:
        services.ssda903_import(
            actor=None,
            directory=write_903(tmp_path, missing_rows=[missing("C001", "M", "01/01/2020")]),
            la=world.haringey,
        )
    assert not caught.value.more
