"""The `export` and `report` commands: same files as the web, audited, exit status on errors."""

import csv
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from lantern.audit.models import Action, AuditEvent
from lantern.reporting.tests.factories import at, make_child, make_episode, make_placement


@pytest.fixture
def in_care(world):
    child = make_child(world.haringey, dob=date(2011, 2, 3), looked_after=True, la_id="H123")
    make_placement(child, world.haringey, start=date(2024, 6, 1))
    make_episode(child, at(2025, 10, 2, 10), at(2025, 10, 3, 9), looked_after=True)
    return child


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_ssda903_prints_the_file_and_audits(in_care):
    out, _ = run("export", "ssda903", "--year", "2026", "--la", "E09000014")
    assert list(csv.reader(io.StringIO(out))) == [
        ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
        ["H123", "03/02/2011", "M", "02/10/2025", "03/10/2025"],
    ]
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.detail["via"] == "command line" and event.detail["rows"] == 1


def test_export_ssda903_writes_files_and_exits_1_on_errors(in_care, tmp_path):
    # A period still open at 31 March that began on the day one placement ended and the next
    # began: it lies inside the ended placement too, so DfE's rule 575 rejects the blank MIS_END.
    # Lantern reports it rather than inventing an end date.
    child = make_child(in_care.home_la, looked_after=True, la_id="H999")
    make_placement(child, in_care.home_la, start=date(2024, 6, 1), end=date(2025, 9, 1))
    make_placement(child, in_care.home_la, start=date(2025, 9, 1))
    make_episode(child, at(2025, 9, 1, 15), None, looked_after=True)
    target, checks = tmp_path / "missing.csv", tmp_path / "checks.csv"
    with pytest.raises(SystemExit) as exit_info:
        run(
            "export",
            "ssda903",
            "--year",
            "2026",
            "--la",
            "E09000014",
            "--out",
            str(target),
            "--checks",
            str(checks),
        )
    assert exit_info.value.code == 1
    assert "H999" in target.read_text()
    assert "575" in checks.read_text()
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 2


def test_export_unknown_council_is_an_error(db):
    with pytest.raises(CommandError):
        run("export", "ssd", "--year", "2026", "--la", "E99999999")


def test_export_annexa_and_ssd(in_care):
    out, _ = run("export", "annexa", "--la", "E09000014", "--on", "2026-01-31")
    assert out.splitlines()[1] == "H123,1,0,N,"
    out, _ = run("export", "ssd", "--la", "E09000014", "--year", "2026")
    assert out.splitlines()[1].split(",")[1:4] == ["H123", "2025-10-02 11:00:00", "M"]
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 2


def test_report_monthly_prints_figures(in_care):
    out, _ = run("report", "monthly", "--la", "E09000014", "--month", "2025-10")
    assert out.startswith("Haringey: October 2025")
    assert "Missing from care" in out
    out, _ = run("report", "monthly", "--month", "2025-10", "--csv")
    assert out.startswith("Area,Period,Measure")


def test_report_regional_prints_a_suppressed_table(in_care):
    out, _ = run("report", "regional", "--region", "E12000007", "--year", "2026")
    haringey = next(line for line in out.splitlines() if line.startswith("Haringey"))
    assert haringey.split()[-1] == "c"
