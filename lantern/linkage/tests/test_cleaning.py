"""Cleaning functions: pure, no database."""

from datetime import date

import pytest

from lantern.linkage import cleaning
from lantern.linkage.cleaning import SourceRecord, linkage_row


def test_standardise_name_folds_accents_case_and_spacing():
    assert cleaning.standardise_name("  Zoë  O'Neill ") == "zoe oneill"


@pytest.mark.parametrize(
    ("variant", "name"),
    [("bill", "william"), ("billy", "william"), ("liz", "elizabeth"), ("tobi", "oluwatobi")],
)
def test_nicknames_come_from_the_maintained_list(variant, name):
    assert name in cleaning.name_groups(variant)


@pytest.mark.parametrize(
    ("a", "b"),
    [("mohammed", "muhammad"), ("mohamed", "mohammad"), ("aleksandr", "alexander")],
)
def test_transliterations_share_a_group(a, b):
    assert set(cleaning.name_groups(a)) & set(cleaning.name_groups(b))


def test_an_ambiguous_nickname_stands_for_every_name_it_may_be():
    assert {"samuel", "samantha"} <= set(cleaning.name_groups("sam"))


def test_sound_alike_spellings_are_left_to_the_phonetic_key_not_the_list():
    assert "kaiden" not in cleaning.name_groups("kayden")
    assert cleaning.phonetic("kayden") == cleaning.phonetic("kaiden")


def test_names_that_are_not_variants_do_not_share_a_group():
    assert not set(cleaning.name_groups("william")) & set(cleaning.name_groups("thomas"))


def test_nickname_file_has_a_row_per_variant_and_no_sound_alike_duplicates():
    table = cleaning.nickname_table()
    assert len(table) > 300
    assert "kaiden" not in table


def test_double_barrelled_surnames_keep_both_parts():
    assert cleaning.surname_parts("Smith-Jones") == ("smith", "jones")
    assert cleaning.standardise_surname("Smith-Jones") == "smith jones"


def test_surname_particles_join_the_next_word():
    assert cleaning.surname_parts("Mc Donald") == cleaning.surname_parts("McDonald")
    assert cleaning.surname_parts("van der Berg") == ("vanderberg",)


def test_name_pair_key_survives_a_first_last_swap():
    assert cleaning.name_pair_key("kayden", "smith") == cleaning.name_pair_key("smith", "kayden")


@pytest.mark.parametrize(
    "text", ["2010-04-03", "03/04/2010", "3/4/2010", "03-04-2010", "03.04.2010", "2010-04-03T00:00"]
)
def test_parse_date_reads_uk_and_iso_forms(text):
    assert cleaning.parse_date(text) == date(2010, 4, 3)


def test_parse_date_gives_none_for_nonsense():
    assert cleaning.parse_date("31/02/2010") is None
    assert cleaning.parse_date("") is None


def test_swap_day_month():
    assert cleaning.swap_day_month(date(2010, 4, 3)) == date(2010, 3, 4)


def test_swap_day_month_is_none_when_impossible_or_the_same():
    assert cleaning.swap_day_month(date(2010, 4, 13)) is None
    assert cleaning.swap_day_month(date(2010, 5, 5)) is None


def test_dob_key_is_the_same_for_swapped_day_and_month():
    assert cleaning.dob_unordered_key(date(2010, 4, 3)) == cleaning.dob_unordered_key(
        date(2010, 3, 4)
    )
    assert cleaning.dob_unordered_key(date(2010, 4, 3)) != cleaning.dob_unordered_key(
        date(2011, 3, 4)
    )


def test_postcode_history_is_normalised_newest_first_without_repeats():
    assert cleaning.postcode_history(["n176aa", "N17 6AA", "nonsense", "e1 6an"]) == [
        "N17 6AA",
        "E1 6AN",
    ]


@pytest.mark.parametrize(
    "text", ["07700 900123", "+44 7700 900123", "0044 7700-900123", "(07700) 900123"]
)
def test_phone_numbers_become_uk_national_form(text):
    assert cleaning.normalise_phone(text) == "07700900123"


def test_phone_number_of_the_wrong_length_is_dropped():
    assert cleaning.normalise_phone("12345") is None


def test_upn_reason_codes_are_not_identifiers():
    assert cleaning.normalise_upn("UN4") is None
    assert cleaning.normalise_upn("A12345678901B") == "A12345678901B"


def test_nhs_number_keeps_ten_digits_even_with_a_failing_check_digit():
    # Synthetic numbers fail the modulus-11 check on purpose; they must still compare.
    assert cleaning.normalise_nhs_number("400 000 0027") == "4000000027"
    assert cleaning.normalise_nhs_number("123") is None


@pytest.mark.parametrize(("code", "sex"), [("1", "M"), ("2", "F"), ("f", "F"), ("U", None)])
def test_sex_codes(code, sex):
    assert cleaning.normalise_sex(code) == sex


def test_linkage_row_carries_every_key_the_model_uses():
    row = linkage_row(
        SourceRecord(
            unique_id="x1",
            source="police",
            first_name="Mohammed",
            middle_names="Ali",
            last_name="Smith-Jones",
            aliases=[("Mo", "")],
            date_of_birth="03/04/2010",
            sex="1",
            postcodes=["n176aa", "E1 6AN"],
            phones=["+44 7700 900123"],
            police_id="p 123",
            police_issuer="org5",
        )
    )
    assert set(row) == set(cleaning.COLUMNS)
    assert row["first_name"] == "mohammed"
    assert "muhammad" in row["first_name_groups"]
    assert row["given_names"] == ["mohammed", "ali", "mo"]
    assert row["surname_parts"] == ["smith", "jones"]
    assert row["dob"] == "2010-04-03"
    assert row["dob_swapped"] == "2010-03-04"
    assert row["postcodes"] == ["N17 6AA", "E1 6AN"]
    assert row["phones"] == ["07700900123"]
    assert row["police_id"] == "P123"
    assert row["police_issuer"] == "org5"
    assert row["nhs"] is None


def test_linkage_row_gives_none_not_empty_lists_for_missing_values():
    row = linkage_row(SourceRecord(unique_id="x2", source="school"))
    assert row["postcodes"] is None
    assert row["phones"] is None
    assert row["first_name"] is None
    assert row["la_issuer"] is None
