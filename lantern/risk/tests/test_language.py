"""Language guidance: every shipped phrase is found with its suggestion; whole words only."""

import pytest

from lantern.risk import defaults
from lantern.risk.language import PhraseRule, check_text

SHIPPED = [
    PhraseRule(r["phrase"], r["suggestion"], r["explanation"]) for r in defaults.language_data()
]


@pytest.mark.parametrize("rule", SHIPPED, ids=[r.phrase for r in SHIPPED])
def test_each_shipped_phrase_is_found_with_its_suggestion(rule):
    text = f"Notes: she said it was {rule.phrase.upper()} at the time."
    matches = check_text(text, SHIPPED)
    found = [m for m in matches if m.phrase == rule.phrase]
    assert len(found) == 1
    assert found[0].suggestion == rule.suggestion
    assert text[found[0].start : found[0].end].lower() == rule.phrase


@pytest.mark.parametrize(
    "text",
    [
        "The contact was non-consensual.",
        "It was nonconsensual.",
        "She is not promiscuously dressed",
        "They met on Muleshoe Road",
        "The drug dealership",
    ],
)
def test_phrases_inside_other_words_are_not_matched(text):
    assert check_text(text, SHIPPED) == []


def test_a_plural_of_a_single_word_is_matched():
    assert [m.phrase for m in check_text("runaways", SHIPPED)] == ["runaway"]


def test_a_plural_is_matched():
    assert [m.text for m in check_text("Her lifestyle choices", SHIPPED)] == ["lifestyle choices"]


def test_spacing_and_line_breaks_inside_a_phrase_do_not_hide_it():
    assert [m.phrase for m in check_text("hanging\n around   with", SHIPPED)] == [
        "hanging around with"
    ]


def test_matches_come_in_text_order_with_positions():
    text = "A runaway who is promiscuous"
    matches = check_text(text, SHIPPED)
    assert [(m.phrase, m.start) for m in matches] == [("runaway", 2), ("promiscuous", 17)]


def test_clean_text_has_no_warnings():
    assert check_text("She was groomed and coerced by an older man.", SHIPPED) == []


def test_empty_text_and_blank_phrases_are_ignored():
    assert check_text("", SHIPPED) == []
    assert check_text("anything", [PhraseRule("  ", "x")]) == []
