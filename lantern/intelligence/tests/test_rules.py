"""Pure rules: phone numbers, postcodes and registrations in text; found and missing together."""

from datetime import UTC, datetime, timedelta

import pytest

from lantern.intelligence import rules

T = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("call 07700 900123", ["07700900123"]),
        ("+44 (0)7700 900456 and +447700900789", ["07700900456", "07700900789"]),
        ("landline 020 7946 0018", ["02079460018"]),
        ("0044 7700 900111", ["07700900111"]),
        ("ref MP/25/123456 on 12/03/2024", []),
        ("077009001234 is too long", []),
        ("07700900123 twice 07700 900123", ["07700900123"]),
    ],
)
def test_phones_in_text(text, numbers):
    assert rules.phones_in_text(text) == numbers


def test_postcodes_in_text_are_normalised():
    assert rules.postcodes_in_text("a flat near ss1 2ab, then N17 6AA") == ["SS1 2AB", "N17 6AA"]


def test_vrm_normalise():
    assert rules.vrm_normalise("ab12 cde") == "AB12CDE"
    assert rules.vrm_normalise("not a plate!") is None


def test_handle_normalise():
    assert rules.handle_normalise("@Some.Name") == "@some.name"
    assert rules.handle_normalise("has spaces") is None


def _w(child, start_hours, end_hours, found="SS1 1AA", seen="N17 6AA"):
    return rules.EpisodeWindow(
        child, child, T + timedelta(hours=start_hours), T + timedelta(hours=end_hours), seen, found
    )


def test_found_together_same_sector_overlapping_close_returns():
    assert rules.found_together(_w(1, 0, 20), _w(2, 2, 21, found="SS1 1AB"), hours=24)


def test_not_found_together_when_returns_are_too_far_apart():
    assert not rules.found_together(_w(1, 0, 20), _w(2, 2, 60), hours=24)


def test_not_found_together_when_windows_do_not_overlap():
    assert not rules.found_together(_w(1, 0, 5), _w(2, 6, 10), hours=24)


def test_not_found_together_with_oneself():
    assert not rules.found_together(_w(1, 0, 5), _w(1, 1, 6), hours=24)


def test_missing_together_from_the_same_sector():
    assert rules.missing_together(
        _w(1, 0, 20, seen="N17 6AA"), _w(2, 3, 22, seen="N17 6AB"), hours=24
    )
    assert not rules.missing_together(
        _w(1, 0, 20, seen="N17 6AA"), _w(2, 3, 22, seen="N15 3AA"), hours=24
    )
