"""Importing a council's SSDA903 Header, Episodes and Missing tables (security goal IN4)."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from lantern.audit.models import Action, AuditEvent
from lantern.episodes import services as episode_services
from lantern.episodes.models import MissingEpisode
from lantern.imports import services, ssda903
from lantern.imports.files import ImportRejected
from lantern.imports.models import ImportRun, ImportStatus
from lantern.imports.tests.builders import (
    EPISODES,
    HEADER,
    MISSING,
    episode,
    missing,
    with_cell,
    write_903,
)
from lantern.imports.writer import Inserter
from lantern.people import services as people_services
from lantern.people.models import Child, ChildIdentifier, Placement

pytestmark = pytest.mark.django_db


def table_counts() -> dict[str, int]:
    return {
        "children": Child.objects.count(),
        "identifiers": ChildIdentifier.objects.count(),
        "placements": Placement.objects.count(),
        "episodes": MissingEpisode.objects.count(),
    }


def child_with_id(world, value: str) -> Child:
    return ChildIdentifier.objects.get(
        kind="la_child_id", value=value, issuing_organisation=world.haringey
    ).child


def test_a_valid_set_imports_the_right_rows(world, tmp_path):
    run = services.ssda903_import(actor=None, directory=write_903(tmp_path), la=world.haringey)
    assert run.status == ImportStatus.IMPORTED
    assert (run.children_created, run.placements_created, run.episodes_created) == (2, 3, 5)
    assert run.rows_read == len(HEADER) + len(EPISODES) + len(MISSING)
    first, second = child_with_id(world, "C001"), child_with_id(world, "C002")
    assert first.date_of_birth == date(2011, 3, 15)
    assert (first.sex, first.ethnicity, first.home_la) == ("M", "WBRI", world.haringey)
    assert (first.care_status, first.legal_status) == ("lac", "C2")
    assert second.sex == "F"
    moved = second.placements.get(started_on=date(2025, 6, 20))
    assert (moved.place, moved.provider, moved.postcode) == ("K2", "PR4", "BN1 1AA")
    assert (moved.host_la, moved.location, moved.ended_on) == (world.brighton, "OUT", None)
    assert moved.distance_miles is not None
    periods = [
        (
            timezone.localtime(e.last_seen_at).date(),
            timezone.localtime(e.returned_at).date() if e.returned_at else None,
            e.category,
        )
        for e in first.episodes.order_by("last_seen_at")
    ]
    assert periods == [
        (date(2025, 5, 5), date(2025, 5, 7), "missing_care"),
        (date(2025, 5, 7), date(2025, 5, 7), "away_placement"),
        (date(2025, 5, 7), date(2025, 5, 9), "missing_care"),
    ]
    still_missing = second.episodes.get(last_seen_at__date__gte=date(2026, 3, 1))
    assert still_missing.returned_at is None
    assert still_missing.looked_after


def test_the_import_is_audited_once_with_its_counts(world, tmp_path):
    run = services.ssda903_import(
        actor=world.maria, directory=write_903(tmp_path), la=world.haringey
    )
    event = AuditEvent.objects.get(object_type="imports.importrun", action=Action.CREATE)
    assert event.object_id == str(run.pk)
    assert event.user_id == world.maria.pk
    assert event.detail["episodes_created"] == 5
    assert run.checksum and run.file_names == "header.csv, episodes.csv, missing.csv"


def test_importing_the_same_files_twice_creates_no_duplicates(world, tmp_path):
    directory = write_903(tmp_path)
    services.ssda903_import(actor=None, directory=directory, la=world.haringey)
    before = table_counts()
    again = services.ssda903_import(actor=None, directory=directory, la=world.haringey)
    assert table_counts() == before
    assert (again.children_created, again.placements_created, again.episodes_created) == (0, 0, 0)
    assert again.rows_unchanged == len(HEADER) + len(EPISODES) + len(MISSING)


def test_another_council_with_the_same_child_ids_gets_its_own_children(world, tmp_path):
    directory = write_903(tmp_path, episodes=[], missing_rows=[])
    services.ssda903_import(actor=None, directory=directory, la=world.haringey)
    services.ssda903_import(actor=None, directory=directory, la=world.brighton)
    assert Child.objects.count() == 4


def rejected(world, directory) -> list:
    with pytest.raises(ImportRejected) as caught:
        services.ssda903_import(actor=None, directory=directory, la=world.haringey)
    return caught.value.problems


MALFORMED = {
    "bad date": (
        "missing.csv",
        {"missing_rows": with_cell(MISSING, 1, MIS_START="31/02/2025")},
        3,
        "MIS_START",
        ssda903.MIS_START_INVALID,
    ),
    "unknown code": (
        "episodes.csv",
        {"episodes": with_cell(EPISODES, 2, PLACE="X9")},
        4,
        "PLACE",
        ssda903.PLACE_INVALID,
    ),
    "overlapping periods": (
        "missing.csv",
        {"missing_rows": [*MISSING, missing("C001", "M", "06/05/2025", "08/05/2025")]},
        7,
        "MIS_START",
        ssda903.MISSING_OVERLAP,
    ),
    "missing before birth": (
        "missing.csv",
        {"missing_rows": with_cell(MISSING, 0, MIS_START="15/03/2011")},
        2,
        "MIS_START",
        ssda903.MIS_START_BEFORE_BIRTH,
    ),
    "child not in the header": (
        "missing.csv",
        {"missing_rows": [*MISSING, missing("C999", "M", "01/06/2025", "02/06/2025")]},
        7,
        "CHILD",
        ssda903.NOT_IN_HEADER,
    ),
    "overlapping placements": (
        "episodes.csv",
        {"episodes": [*EPISODES, episode("C001", "01/01/2025", "01/02/2025", "E13")]},
        5,
        "DECOM",
        people_services.PLACEMENT_OVERLAP,
    ),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_a_malformed_set_writes_nothing_and_says_where(world, tmp_path, case):
    file, tables, line, column, message = MALFORMED[case]
    problems = rejected(world, write_903(tmp_path, **tables))
    assert (file, line, column, message) in [
        (p.file, p.line, p.column, p.message) for p in problems
    ]
    assert table_counts() == {"children": 0, "identifiers": 0, "placements": 0, "episodes": 0}
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.REJECTED
    assert run.errors[0]["file"] and run.error_count == len(problems)


def test_every_problem_is_reported_not_just_the_first(world, tmp_path):
    header = with_cell(HEADER, 0, SEX="9")
    header = with_cell(header, 1, DOB="2009-09-02")
    problems = rejected(world, write_903(tmp_path, header=header))
    found = {(p.file, p.line, p.column) for p in problems}
    assert {("header.csv", 2, "SEX"), ("header.csv", 3, "DOB")} <= found


def test_problems_never_repeat_what_was_in_the_cell(world, tmp_path):
    header = with_cell(HEADER, 0, DOB="15/13/2011")
    problems = rejected(world, write_903(tmp_path, header=header))
    assert all("15/13/2011" not in str(p) for p in problems)


def test_a_missing_table_is_named(world, tmp_path):
    write_903(tmp_path)
    (tmp_path / "missing.csv").unlink()
    problems = rejected(world, tmp_path)
    assert any("No Missing file" in p.message for p in problems)


def test_a_wrong_column_is_named_on_line_one(world, tmp_path):
    directory = write_903(tmp_path)
    text = (directory / "episodes.csv").read_text().replace("PL_POST", "PLACE_POSTCODE", 1)
    (directory / "episodes.csv").write_text(text)
    problems = rejected(world, directory)
    assert ("episodes.csv", 1, "PL_POST") in [(p.file, p.line, p.column) for p in problems]


def test_too_many_problems_stop_at_the_cap(world, tmp_path):
    rows = [missing("C001", "X", "05/05/2025", "06/05/2025") for _ in range(600)]
    with pytest.raises(ImportRejected) as caught:
        services.ssda903_import(
            actor=None, directory=write_903(tmp_path, missing_rows=rows), la=world.haringey
        )
    assert caught.value.more
    assert len(caught.value.problems) == 500


def test_a_writer_that_fails_halfway_leaves_nothing(world, tmp_path, monkeypatch):
    flush = Inserter.flush
    calls = {"n": 0}

    def failing(self):
        calls["n"] += 1
        if calls["n"] == 3:  # children and identifiers are written; placements fail
            raise RuntimeError("disk full")
        return flush(self)

    monkeypatch.setattr(Inserter, "flush", failing)
    with pytest.raises(RuntimeError):
        services.ssda903_import(actor=None, directory=write_903(tmp_path), la=world.haringey)
    assert calls["n"] == 3
    assert table_counts() == {"children": 0, "identifiers": 0, "placements": 0, "episodes": 0}
    assert not ImportRun.objects.exists()


def test_a_later_file_closes_a_period_that_was_open(world, tmp_path):
    services.ssda903_import(actor=None, directory=write_903(tmp_path / "a"), la=world.haringey)
    closed = with_cell(MISSING, 4, MIS_END="05/03/2026")
    run = services.ssda903_import(
        actor=world.sam, directory=write_903(tmp_path / "b", missing_rows=closed), la=world.haringey
    )
    assert run.rows_updated == 1
    episode = child_with_id(world, "C002").episodes.get(last_seen_at__date__gte=date(2026, 3, 1))
    assert timezone.localtime(episode.returned_at).date() == date(2026, 3, 5)
    assert episode.version == 2
    change = AuditEvent.objects.get(action=Action.UPDATE, object_type="episodes.missingepisode")
    assert change.user_id == world.sam.pk
    assert "returned_at" in change.detail["changes"]


def test_a_period_that_overlaps_an_episode_in_lantern_is_refused(world, tmp_path):
    services.ssda903_import(
        actor=None, directory=write_903(tmp_path / "a", missing_rows=[]), la=world.haringey
    )
    child = child_with_id(world, "C001")
    seen = timezone.make_aware(datetime(2025, 5, 6, 10, 0))
    episode_services.episode_report(
        actor=world.sam,
        child=child,
        setting="care",
        whereabouts="unknown",
        last_seen_at=seen,
        reported_at=seen + timedelta(hours=1),
        reporter_kind="foster_carer",
    )
    problems = rejected(world, write_903(tmp_path / "b"))
    assert ("missing.csv", 2, "MIS_START", services.EPISODE_OVERLAPS_LANTERN) in [
        (p.file, p.line, p.column, p.message) for p in problems
    ]
    assert MissingEpisode.objects.count() == 1


def test_a_period_next_to_an_episode_in_lantern_fits_around_it(world, tmp_path):
    services.ssda903_import(
        actor=None, directory=write_903(tmp_path / "a", missing_rows=[]), la=world.haringey
    )
    child = child_with_id(world, "C001")
    seen = timezone.make_aware(datetime(2025, 5, 4, 10, 0))
    episode = episode_services.episode_report(
        actor=world.sam,
        child=child,
        setting="care",
        whereabouts="unknown",
        last_seen_at=seen,
        reported_at=seen + timedelta(hours=1),
        reporter_kind="foster_carer",
    )
    episode_services.episode_record_return(
        actor=world.sam,
        episode=episode,
        version=episode.version,
        returned_at=timezone.make_aware(datetime(2025, 5, 5, 15, 30)),
        return_how="self",
    )
    services.ssda903_import(actor=None, directory=write_903(tmp_path / "b"), la=world.haringey)
    imported = child.episodes.exclude(pk=episode.pk).order_by("last_seen_at").first()
    assert timezone.localtime(imported.last_seen_at) == timezone.make_aware(
        datetime(2025, 5, 5, 15, 30)
    )


def test_a_header_dob_that_differs_from_lantern_is_refused(world, tmp_path):
    services.ssda903_import(actor=None, directory=write_903(tmp_path / "a"), la=world.haringey)
    header = with_cell(HEADER, 0, DOB="16/03/2011")
    missing_rows = [dict(r, DOB="16/03/2011") if r["CHILD"] == "C001" else r for r in MISSING]
    problems = rejected(world, write_903(tmp_path / "b", header=header, missing_rows=missing_rows))
    assert ("header.csv", 2, "DOB", services.DOB_DIFFERS_FROM_LANTERN) in [
        (p.file, p.line, p.column, p.message) for p in problems
    ]


def test_the_command_prints_problems_and_fails(world, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    header = with_cell(HEADER, 0, SEX="9")
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("import", "ssda903", str(write_903(tmp_path, header=header)), la="E09000014")
    assert "header.csv, line 2, column SEX" in capsys.readouterr().err


def test_the_command_imports(world, tmp_path, capsys):
    from django.core.management import call_command

    call_command("import", "ssda903", str(write_903(tmp_path)), la="E09000014", user="maria")
    assert "2 children, 3 placements, 5 episodes" in capsys.readouterr().out
    assert ImportRun.objects.get().user == world.maria
