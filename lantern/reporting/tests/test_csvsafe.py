"""CSV exports neutralise formula cells (IN8)."""

import csv
import io

import pytest

from lantern.reporting.csvsafe import csv_text, neutralise


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_formula_cells_are_prefixed_with_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["LC0000012", "12/03/2002", "M", "", "a=b", "Smith-Jones"])
def test_ordinary_cells_are_unchanged(value):
    assert neutralise(value) == value


def test_none_becomes_blank_and_numbers_text():
    assert neutralise(None) == ""
    assert neutralise(42) == "42"


def test_csv_text_neutralises_header_and_every_row():
    text = csv_text(["=A", "B"], [["=1+1", "ok"], ["@x", None]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["'=A", "B"], ["'=1+1", "ok"], ["'@x", ""]]
