"""police_crime_import: real data.police.uk files, checked whole, atomic, idempotent."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from lantern.intelligence.crime import HEADER
from lantern.intelligence.models import CrimeCount, CrimeImport
from lantern.intelligence.placement import crime_near

DATA = Path(__file__).parent / "data"
CITY = DATA / "2024-01-city-of-london-street.csv"
SURREY = DATA / "2024-01-surrey-street.csv"


def _import(*paths) -> None:
    call_command("police_crime_import", *[str(p) for p in paths], stdout=io.StringIO())


def test_import_counts_every_crime(db):
    _import(CITY)
    assert CrimeCount.objects.aggregate(n=Sum("count"))["n"] == 734
    drugs = CrimeCount.objects.filter(crime_type="Drugs").aggregate(n=Sum("count"))["n"]
    assert drugs == 41


def test_counts_are_by_lsoa_month_and_type_with_a_grid_position(db):
    _import(CITY)
    row = CrimeCount.objects.filter(lsoa_code="E01000916", crime_type="Theft from the person").get()
    assert row.lsoa_name == "Camden 027B"
    assert row.month.isoformat() == "2024-01-01"
    assert 530_000 < row.easting < 532_000 and 181_000 < row.northing < 183_000


def test_importing_again_creates_no_duplicates(db):
    _import(CITY, SURREY)
    first = list(
        CrimeCount.objects.order_by("id").values_list(
            "reported_by", "lsoa_code", "crime_type", "count"
        )
    )
    _import(CITY)
    again = list(
        CrimeCount.objects.order_by("id").values_list(
            "reported_by", "lsoa_code", "crime_type", "count"
        )
    )
    assert sorted(first) == sorted(again)
    assert CrimeCount.objects.aggregate(n=Sum("count"))["n"] == 734 + 7143


def test_the_same_file_named_twice_counts_once(db):
    _import(CITY, CITY)
    assert CrimeCount.objects.aggregate(n=Sum("count"))["n"] == 734


def _broken(tmp_path, line_number: int, column: str, value: str) -> Path:
    lines = CITY.read_text(encoding="utf-8-sig").splitlines()
    cells = lines[line_number - 1].split(",")
    cells[HEADER.index(column)] = value
    lines[line_number - 1] = ",".join(cells)
    path = tmp_path / "2024-01-broken-street.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_error_names_file_line_and_column(db, tmp_path):
    broken = _broken(tmp_path, 7, "Latitude", "north")
    with pytest.raises(CommandError) as error:
        _import(broken)
    assert "2024-01-broken-street.csv, line 7, column Latitude" in str(error.value)


def test_a_bad_file_means_nothing_is_imported(db, tmp_path):
    broken = _broken(tmp_path, 500, "Crime type", "Jaywalking")
    with pytest.raises(CommandError) as error:
        _import(CITY, broken)
    assert "line 500, column Crime type" in str(error.value)
    assert not CrimeCount.objects.exists()
    assert not CrimeImport.objects.exists()


def test_wrong_header_is_refused(db, tmp_path):
    path = tmp_path / "not-police.csv"
    path.write_text("name,date\nA,2024-01\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        _import(path)
    assert "not-police.csv, line 1, column Crime ID" in str(error.value)


def test_bad_month_is_refused(db, tmp_path):
    with pytest.raises(CommandError) as error:
        _import(_broken(tmp_path, 3, "Month", "2024-13"))
    assert "line 3, column Month" in str(error.value)


def test_crime_near_a_point_counts_drugs_and_violence(db):
    _import(CITY)
    summary = crime_near(532_200, 181_300, 2.0)  # the City of London
    assert summary.has_data
    assert summary.drugs > 0 and summary.violence > 0
    assert summary.last_month.isoformat() == "2024-01-01"
